"""`briefgen validate` checks the desk's templates before the morning build does.

Every `*.j2` file under the desk's `templates/` is compiled (a syntax error is an error with its file and
line); a template that extends another may only fill blocks the one it extends has (an unknown block is
a warning: it would be silently ignored); and a name a template reads that no template is given (not a
context variable, a global, a name it sets or imports, a loop variable) is a warning with its line; an
attribute the composed edition does not have (`brief.titel`, `d.sumary` in a loop over
`brief.developments`) is an error, since the build would stop there (unless the template asks first:
`is defined`, `| default`).
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from pydantic import BaseModel

from briefgen.compose.model import ComposedBrief
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


# The context variables whose attributes are known: the composed models (docs/templates.md).
_MODELS: dict[str, type[BaseModel]] = {"brief": ComposedBrief}


def _attributes(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields) | {n for n in dir(model) if not n.startswith("_") and n not in dir(BaseModel)}


def _field_model(model: type[BaseModel], attribute: str, *, item: bool) -> type[BaseModel] | None:
    """The model an attribute holds (with `item`, the model of its list's items), if it is one."""
    info = model.model_fields.get(attribute)
    kind: Any = info.annotation if info is not None else None
    if item:
        arguments = typing.get_args(kind) if typing.get_origin(kind) in (list, tuple) else ()
        kind = arguments[0] if arguments else None
    if typing.get_origin(kind) in (typing.Union, types.UnionType):  # `Model | None`
        kind = next((a for a in typing.get_args(kind) if a is not type(None)), None)
    return kind if isinstance(kind, type) and issubclass(kind, BaseModel) else None


def _model_of(node: nodes.Node, scope: dict[str, type[BaseModel]], *, item: bool = False) -> type[BaseModel] | None:
    if isinstance(node, nodes.Name):
        return None if item else scope.get(node.name)
    if isinstance(node, nodes.Getattr):
        model = _model_of(node.node, scope)
        return _field_model(model, node.attr, item=item) if model is not None else None
    return None


def _unknown_attributes(ast: nodes.Template) -> list[tuple[int, str]]:
    """`brief.titel`, `d.sumary` in `{% for d in brief.developments %}`: attributes of the composed models
    that they do not have (the build would stop at them), with their lines. A name the template binds to
    anything else too (a `set`, a macro argument, a loop over something else) is not followed."""
    loops = [(loop.target.name, loop.iter) for loop in ast.find_all(nodes.For) if isinstance(loop.target, nodes.Name)]
    looped = {name for name, _ in loops}
    stored = [n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")]
    others = {name for name in stored if name not in looped or stored.count(name) > sum(n == name for n, _ in loops)}
    top = {name: model for name, model in _MODELS.items() if name not in others | looped}
    scope = dict(top)
    for _ in range(2):  # a loop over a loop variable's list is typed once that variable is
        kinds: dict[str, set[type[BaseModel] | None]] = {}
        for name, iterable in loops:
            kinds.setdefault(name, set()).add(_model_of(iterable, scope, item=True))
        known = {n: next(iter(k)) for n, k in kinds.items() if len(k) == 1 and n not in others}
        scope = top | {n: model for n, model in known.items() if model is not None}
    # `brief.extra is defined`, `brief.extra | default("")`: a template that asks about an attribute (there
    # or anywhere in the file, as `{% if brief.extra is defined %}{{ brief.extra }}` does) is not stopped.
    guarded = {
        (inner.node.name, inner.attr)
        for guard in ast.find_all((nodes.Test, nodes.Filter))
        if guard.name in ("defined", "undefined", "default", "d") and guard.node is not None
        for inner in [guard.node, *guard.node.find_all(nodes.Getattr)]
        if isinstance(inner, nodes.Getattr) and isinstance(inner.node, nodes.Name)
    }
    found = []
    for node in ast.find_all(nodes.Getattr):
        model = _model_of(node.node, scope)
        asked = isinstance(node.node, nodes.Name) and (node.node.name, node.attr) in guarded
        if model is not None and node.attr not in _attributes(model) and not asked:
            shown = f"{node.node.name}.{node.attr}" if isinstance(node.node, nodes.Name) else node.attr
            found.append(
                (
                    int(node.lineno),
                    f"{shown!r}: {model.__name__} has no {node.attr!r}{did_you_mean(node.attr, _attributes(model))}",
                )
            )
    return found


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
            line = exc.lineno or 0
            quoted = source.splitlines()[line - 1].strip() if 0 < line <= len(source.splitlines()) else ""
            message = f"template syntax error: {exc.message}" + (f"\n    {quoted}" if quoted else "")
            found.append(Diagnostic(shown, line, "", message, code="template"))
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
        for line, message in _unknown_attributes(ast):  # an error: the build stops there (StrictUndefined)
            found.append(Diagnostic(shown, line, "", f"{message} (the build would stop here)", code="template"))
    return found
