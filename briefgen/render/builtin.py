"""Where the built-in templates are: a module of its own, so that a build that renders nothing (every
edition up to date) finds them, for its fingerprint, without importing the template machinery."""

from __future__ import annotations

from pathlib import Path

from briefgen.errors import TemplateError


def builtin_templates_dir() -> Path:
    """The built-in templates: inside the installed package (wheel) or at the top of a checkout."""
    here = Path(__file__).resolve().parent.parent  # the briefgen package
    for candidate in (here / "_templates", here.parent / "templates"):
        if (candidate / "brief.html.j2").is_file():
            return candidate
    raise TemplateError(
        f"the built-in templates are missing (looked in {here / '_templates'} and {here.parent / 'templates'})"
    )
