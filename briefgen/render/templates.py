"""The template environment: where templates are found, the sandbox they run in, and errors that name
the template file, line and source line.

Templates are looked up in the desk's `templates/` first, then in the built-in templates (also reachable
as `builtin/NAME`, so a desk template can extend the one it replaces).
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

import jinja2

from briefgen.compose import model as composed
from briefgen.errors import did_you_mean
from briefgen.render.builtin import builtin_templates_dir
from briefgen.render.compiled import BuiltinCode
from briefgen.render.filters import FILTERS, GLOBALS
from briefgen.render.sandbox import BoundedSandbox


def _autoescape(name: str | None) -> bool:
    return not (name or "").endswith(".txt.j2")


def environment(desk_templates: Path | None) -> BoundedSandbox:
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


MAX_TEMPLATE_BYTES = 1024 * 1024  # the largest template file read


class TemplateRefused(jinja2.TemplateError):
    """A template file that may not be read: it leaves its folder, or is not a regular file."""


class ConfinedLoader(jinja2.BaseLoader):
    """Loads templates only from regular files inside one folder: each path is resolved (links followed)
    and must stay inside the folder's own resolved path; a link out, a FIFO, a device or a file above
    `MAX_TEMPLATE_BYTES` is refused, naming the template. `..` in a name is not a template name."""

    def __init__(self, root: Path, label: str) -> None:
        self.root = root
        self.label = label  # how messages name the folder: `templates/` or `builtin/`

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        from jinja2.loaders import split_template_path

        pieces = split_template_path(template)
        candidate = self.root.joinpath(*pieces)
        if not os.path.lexists(candidate):
            raise jinja2.TemplateNotFound(template)
        real = Path(os.path.realpath(candidate))
        root = Path(os.path.realpath(self.root))
        shown = f"{self.label}{'/'.join(pieces)}"
        if not real.is_relative_to(root):
            raise TemplateRefused(f"{shown} links outside the template folder (to {real}); it is not read")
        try:
            info = os.stat(real)
        except OSError as exc:
            raise TemplateRefused(f"{shown} cannot be read: {exc.strerror or exc}") from None
        if not stat.S_ISREG(info.st_mode):
            raise TemplateRefused(f"{shown} is not a regular file; it is not read")
        if info.st_size > MAX_TEMPLATE_BYTES:
            raise TemplateRefused(f"{shown} is {info.st_size:,} bytes, above the limit of {MAX_TEMPLATE_BYTES:,}")
        with open(real, "rb") as handle:
            raw = handle.read(MAX_TEMPLATE_BYTES + 1)
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TemplateRefused(f"{shown} is not valid UTF-8 (byte {exc.start})") from None
        mtime = info.st_mtime_ns

        def uptodate() -> bool:
            try:
                return os.stat(real).st_mtime_ns == mtime and os.path.realpath(candidate) == str(real)
            except OSError:
                return False

        return source, str(candidate), uptodate

    def list_templates(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.j2"))


@functools.cache
def _environment(desk_templates: Path | None) -> BoundedSandbox:
    builtin = ConfinedLoader(builtin_templates_dir(), "builtin/")
    loaders: list[jinja2.BaseLoader] = []
    if desk_templates is not None:
        loaders.append(ConfinedLoader(desk_templates, "templates/"))
    loaders += [jinja2.PrefixLoader({"builtin": builtin}), builtin]
    env = BoundedSandbox(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
        bytecode_cache=BuiltinCode(builtin_templates_dir()),
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
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template {exc.name!r} not found (in the desk's templates/ or the built-in ones)"
    if isinstance(exc, TemplateRefused):
        return str(exc)
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
