"""`briefgen validate` checks the desk's templates before the morning build does.

Every `*.j2` file under the desk's `templates/` is compiled (a syntax error is an error with its file and
line); a template that extends another may only fill blocks the one it extends has (an unknown block is
a warning: it would be silently ignored); and a name a template reads that no template is given (not a
context variable, a global, a name it sets or imports, a loop variable) is a warning with its line.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2 import meta, nodes

from briefgen.errors import Diagnostic, Severity, did_you_mean
from briefgen.render.html import CONTEXT_VARIABLES
from briefgen.render.templates import environment

_ARCHIVE_NAMES = {"desk", "days", "count", "colours"}  # what `index.html.j2` is given (build/archive)
_JINJA_NAMES = {"loop", "self", "super", "varargs", "kwargs", "caller", "range", "dict", "lipsum", "cycler", "joiner"}


def _known_names(env: jinja2.Environment) -> set[str]:
    names = {name.removesuffix("()") for name in CONTEXT_VARIABLES}
    return names | set(env.globals) | _ARCHIVE_NAMES | _JINJA_NAMES


def _line_of(ast: nodes.Template, name: str) -> int:
    for node in ast.find_all(nodes.Name):
        if node.name == name and node.ctx == "load":
            return int(node.lineno)
    return 0


def _parent_blocks(env: jinja2.Environment, ast: nodes.Template) -> tuple[str, set[str]] | None:
    extends = next(iter(ast.find_all(nodes.Extends)), None)
    if extends is None or not isinstance(extends.template, nodes.Const):
        return None
    parent = str(extends.template.value)
    try:
        return parent, set(env.get_template(parent).blocks)
    except jinja2.TemplateError:
        return None  # reported when the parent itself is checked, or at render time with the line


def check_templates(desk_root: Path) -> list[Diagnostic]:
    """The problems of the desk's own templates (none when it has no `templates/`)."""
    folder = desk_root / "templates"
    if not folder.is_dir():
        return []
    env = environment(folder)
    known = _known_names(env)
    found: list[Diagnostic] = []
    for path in sorted(p for p in folder.rglob("*.j2") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        shown = f"templates/{name}"
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            found.append(Diagnostic(shown, 0, "", f"cannot be read: {exc}", code="template"))
            continue
        try:
            ast = env.parse(source, name=name, filename=str(path))
            env.get_template(name)  # the loader's own checks (links out, size) and the compile
        except jinja2.TemplateSyntaxError as exc:
            found.append(
                Diagnostic(shown, exc.lineno or 0, "", f"template syntax error: {exc.message}", code="template")
            )
            continue
        except jinja2.TemplateError as exc:
            found.append(Diagnostic(shown, 0, "", str(exc), code="template"))
            continue
        parent = _parent_blocks(env, ast)
        if parent is not None:
            parent_name, blocks = parent
            for block in ast.find_all(nodes.Block):
                if block.name not in blocks:
                    message = (
                        f"block {block.name!r} is not a block of {parent_name}{did_you_mean(block.name, blocks)}; "
                        "it would never be shown"
                    )
                    found.append(Diagnostic(shown, int(block.lineno), "", message, Severity.WARNING, "template"))
        for undefined in sorted(meta.find_undeclared_variables(ast) - known):
            message = f"{undefined!r} is undefined in templates{did_you_mean(undefined, known)}"
            line = _line_of(ast, undefined)
            found.append(Diagnostic(shown, line, "", message, Severity.WARNING, "template"))
    return found
