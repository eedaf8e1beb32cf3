"""The template environment: where templates are found, the sandbox they run in, and errors that name
the template file, line and source line.

Templates are looked up in the desk's `templates/` first, then in the built-in templates (also reachable
as `builtin/NAME`, so a desk template can extend the one it replaces).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from briefgen.compose import model as composed
from briefgen.errors import TemplateError, did_you_mean
from briefgen.render.filters import FILTERS, GLOBALS


def _autoescape(name: str | None) -> bool:
    return not (name or "").endswith(".txt.j2")


def builtin_templates_dir() -> Path:
    """The built-in templates: inside the installed package (wheel) or at the top of a checkout."""
    here = Path(__file__).resolve().parent.parent  # the briefgen package
    for candidate in (here / "_templates", here.parent / "templates"):
        if (candidate / "brief.html.j2").is_file():
            return candidate
    raise TemplateError(
        f"the built-in templates are missing (looked in {here / '_templates'} and {here.parent / 'templates'})"
    )


def environment(desk_templates: Path | None) -> ImmutableSandboxedEnvironment:
    """The template environment for a desk, cached per desk folder.

    Jinja reloads a cached template when its file changes, but not when a new desk file starts to shadow
    a built-in one (or a desk file is removed): when the desk's list of templates changes (as it can
    while `briefgen preview` runs), the compiled templates are dropped."""
    exists = desk_templates is not None and desk_templates.is_dir()
    env = _environment(desk_templates if exists else None)
    if exists and desk_templates is not None:
        listing = tuple(sorted(p.relative_to(desk_templates).as_posix() for p in desk_templates.rglob("*.j2")))
        if _listings.get(desk_templates) != listing:
            if desk_templates in _listings and env.cache is not None:
                env.cache.clear()
            _listings[desk_templates] = listing
    return env


_listings: dict[Path, tuple[str, ...]] = {}


MAX_SEQUENCE = 100_000  # the longest string or list a template may make with `*`
MAX_EXPONENT = 1_000  # the largest exponent of `**`


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with `*` and `**` bounded: a template cannot make a string of a gigabyte
    or a number of a million digits (`range` is bounded by the sandbox itself)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise jinja2.exceptions.SecurityError(f"exponent {right} is larger than {MAX_EXPONENT}")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                too_long = isinstance(sequence, str | list | tuple) and isinstance(count, int)
                if too_long and len(sequence) * count > MAX_SEQUENCE:
                    raise jinja2.exceptions.SecurityError(
                        f"a sequence of {len(sequence) * count:,} items is longer than {MAX_SEQUENCE:,}"
                    )
        return super().call_binop(context, operator, left, right)


@functools.cache
def _environment(desk_templates: Path | None) -> ImmutableSandboxedEnvironment:
    builtin = jinja2.FileSystemLoader(builtin_templates_dir())
    loaders: list[jinja2.BaseLoader] = []
    if desk_templates is not None:
        loaders.append(jinja2.FileSystemLoader(desk_templates))
    loaders += [jinja2.PrefixLoader({"builtin": builtin}), builtin]
    env = BoundedSandbox(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
    return env


def template_message(filename: str | None, line: int | None, message: str, source: str | None) -> str:
    where = f"{filename}:{line}" if filename else "template"
    text = f"{where}: {message}"
    if source and line:
        lines = source.splitlines()
        if 0 < line <= len(lines):
            text += f"\n    {lines[line - 1].strip()}"
    return text


def shown_name(filename: str | None, desk_templates: Path | None) -> str | None:
    """A template file as an editor knows it: `templates/NAME` in the desk, `builtin/NAME` otherwise."""
    if not filename:
        return filename
    path = Path(filename)
    if desk_templates is not None and path.is_relative_to(desk_templates):
        return f"templates/{path.relative_to(desk_templates).as_posix()}"
    builtin = builtin_templates_dir()
    if path.is_relative_to(builtin):
        return f"builtin/{path.relative_to(builtin).as_posix()}"
    return filename


def model_fields(owner: str) -> list[str]:
    """The fields of a composed-brief model named in a Jinja message (`briefgen.composed.Development`)."""
    model = getattr(composed, owner.rsplit(".", 1)[-1], None)
    fields = getattr(model, "model_fields", None)
    return list(fields) if isinstance(fields, dict) else []


def explain(exc: Exception, line: str, names: Iterable[str]) -> str:
    """Jinja's message, said as an editor would look for it: the expression, and the likely intended name."""
    text = str(exc)
    missing_attribute = re.match(r"'(?P<owner>.+?) object' has no attribute '(?P<attr>[^']+)'", text)
    if missing_attribute:
        attr = missing_attribute.group("attr")
        expression = re.search(rf"([A-Za-z_][\w.]*)\.{re.escape(attr)}\b", line)
        shown = f"{expression.group(1)}.{attr}" if expression else attr
        return f"{shown!r} is undefined{did_you_mean(attr, model_fields(missing_attribute.group('owner')))}"
    missing_name = re.match(r"'(?P<name>[^']+)' is undefined", text)
    if missing_name:
        return f"{text}{did_you_mean(missing_name.group('name'), names)}"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"not allowed in templates (sandbox): {text}"
    return text


def runtime_message(exc: Exception, desk_templates: Path | None, names: Iterable[str]) -> str:
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if frames:
        frame = frames[-1]
        line = (frame.line or "").strip()
        message = explain(exc, line, names)
        return template_message(shown_name(frame.filename, desk_templates), frame.lineno, message, None) + (
            f"\n    {line}" if line else ""
        )
    return f"template error: {explain(exc, '', names)}"
