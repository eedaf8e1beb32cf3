"""Load a desk: settings, source records, brief records and distribution lists, each with its file and lines.

Loading never stops at the first problem: every file is read, every record validated, and each problem
becomes a `Diagnostic` naming the file, line and field path. Records that fail validation are left out of
the loaded desk, so later checks only see well-formed records.
"""

from __future__ import annotations

import re
import tomllib
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from briefgen.desk.fields import SLUG_PATTERN
from briefgen.desk.layout import SETTINGS_FILE, DeskLayout, OutLayout
from briefgen.desk.models import BriefRecord, DistributionList, SourceRecord
from briefgen.desk.reader import LineMap, Loc, ReadError, parse_record_text
from briefgen.desk.recordfiles import read_desk_text, record_folder
from briefgen.desk.settings import Settings
from briefgen.desk.unloaded import (
    UnloadedBrief,
    UnloadedSource,
    unloaded_brief,
    unloaded_source,
    unloaded_source_text,
)
from briefgen.errors import DeskError, Diagnostic, Severity, UsageError, did_you_mean, nearest

R = TypeVar("R", bound=BaseModel)


def field_path(loc: Loc) -> str:
    """`('developments', 0, 'cites', 1)` -> `developments[0].cites[1]`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass(frozen=True)
class RecordFile:
    """Where a record came from: the desk-relative path and the lines of its fields."""

    rel: str
    lines: LineMap

    def diagnostic(
        self, loc: Loc, message: str, *, severity: Severity = Severity.ERROR, code: str = "invalid"
    ) -> Diagnostic:
        return Diagnostic(self.rel, self.lines.line_of(loc), field_path(loc), message, severity, code)


@dataclass(frozen=True)
class Loaded(Generic[R]):
    """A validated record and the file it came from."""

    record: R
    file: RecordFile


@dataclass(frozen=True)
class Desk:
    """Everything a desk holds, as loaded; `diagnostics` are the problems found while loading."""

    root: Path
    settings: Settings
    sources: tuple[Loaded[SourceRecord], ...]
    briefs: tuple[Loaded[BriefRecord], ...]
    lists: tuple[Loaded[DistributionList], ...]
    diagnostics: tuple[Diagnostic, ...]
    # Sources whose file has errors but names a readable id. Citations to them, and actors they declare,
    # are not "unknown" (the file's own errors say what is wrong): one bad field does not make a source vanish.
    unloaded_sources: tuple[UnloadedSource, ...] = ()
    unloaded_briefs: tuple[UnloadedBrief, ...] = ()  # brief files that do not load
    # Each outlet of `gazetteer.yaml`: its name and aliases, one outlet however a record spells it.
    outlet_names: tuple[tuple[str, ...], ...] = ()

    @property
    def layout(self) -> DeskLayout:
        return DeskLayout(self.root)

    @property
    def out_layout(self) -> OutLayout:
        """The output folder the settings name (`[build] out`, default `out/`)."""
        return OutLayout(self.root / self.settings.build.out)


# --- pydantic errors as diagnostics ---------------------------------------------------------------


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The model classes an annotation can hold (through Annotated, Optional, list and unions)."""
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin in (list, tuple, typing.Union, types.UnionType):
        return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]
    return []


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None or isinstance(part, int):
            continue
        fields = current.model_fields
        name = next((n for n, f in fields.items() if part in (n, f.alias)), None)
        if name is None:
            return None
        candidates = _models_in(fields[name].annotation)
        current = candidates[0] if candidates else None
    return current


def _field_names(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _message(error: ErrorDetails, model: type[BaseModel]) -> str:
    kind = error["type"]
    loc = tuple(error["loc"])
    given = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(loc[-1])
        parent = _model_at(model, loc[:-1])
        known = _field_names(parent) if parent else []
        expected = f"; expected one of: {', '.join(known)}" if known and not nearest(key, known) else ""
        return f"unknown key {key!r}{did_you_mean(key, known)}{expected}"
    if kind == "missing":
        return "required field is missing"
    if kind == "enum":
        hint = did_you_mean(str(given), _enum_values(ctx))
        if str(given).strip().upper() == "TLP:WHITE" and "TLP:CLEAR" in _enum_values(ctx):
            hint = " (TLP 1.0's TLP:WHITE is TLP:CLEAR in TLP 2.0)"
        return f"expected one of {ctx.get('expected')}; got {given!r}{hint}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == SLUG_PATTERN:
            return (
                f"{given!r} is not a valid id: expected lowercase letters, digits and '-', "
                "starting with a letter or digit, at most 80 characters"
            )
        return f"{given!r} does not match the expected pattern {ctx.get('pattern')}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of fields, got {_kind_of(given)}"
    if kind == "list_type":
        return f"expected a list, got {_kind_of(given)}"
    if kind in ("string_type", "str_type"):
        return f"expected text, got {_kind_of(given)}"
    if kind.startswith("int_") or kind.startswith("bool_"):
        return f"{error['msg'].lower()}; got {given!r}"
    if kind in ("too_short", "too_long"):
        return error["msg"].replace("List", "the list").replace("Value", "the value")
    return f"{error['msg']}; got {_kind_of(given)}"


def _enum_values(ctx: dict[str, Any]) -> list[str]:
    return re.findall(r"'([^']*)'", str(ctx.get("expected", "")))


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return f"text {value[:60]!r}"
    return f"{type(value).__name__} {value!r}"


# A model validator that checks one field of an item names it first: "members[3].email: ..." (its error
# is located at that field's line, not at the record's first line).
_FIELD_FIRST = re.compile(r"^([a-z_]+)\[(\d+)\]\.([a-z_]+): ")


def validation_diagnostics(exc: ValidationError, model: type[BaseModel], file: RecordFile) -> list[Diagnostic]:
    found = []
    for error in exc.errors(include_url=False):
        # A tagged union's tag (`(marked)`, see `briefgen.desk.portions`) is no field of the record.
        loc: tuple[str | int, ...] = tuple(
            part for part in error["loc"] if not (isinstance(part, str) and part.startswith("("))
        )
        message = _message(error, model)
        named = _FIELD_FIRST.match(message) if error["type"] == "value_error" else None
        if named:
            loc = (*loc, named.group(1), int(named.group(2)), named.group(3))
            message = message[named.end() :]
        found.append(file.diagnostic(loc, message, code=error["type"].replace("_", "-")))
    return found


# --- records ----------------------------------------------------------------------------------------


def _load_records(
    root: Path,
    paths: Sequence[Path],
    model: type[R],
    max_size: int,
    diagnostics: list[Diagnostic],
    unloaded: list[UnloadedSource] | None = None,
    unloaded_briefs: list[UnloadedBrief] | None = None,
) -> list[Loaded[R]]:
    loaded: list[Loaded[R]] = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        text: str | None = None
        is_json = path.suffix == ".json"
        try:
            text = read_desk_text(path, root, rel, max_size)
            parsed = parse_record_text(text, is_json=is_json)
        except ReadError as exc:
            column = f", column {exc.column}" if exc.column else ""
            diagnostics.append(Diagnostic(rel, exc.line, "", exc.message + column, code="unreadable"))
            declared = unloaded_source_text(text, rel, is_json) if unloaded is not None else None
            if declared is not None and unloaded is not None:
                unloaded.append(declared)
            if unloaded_briefs is not None:
                unloaded_briefs.append(unloaded_brief(rel, None, text, is_json))
            continue
        file = RecordFile(rel, parsed.lines)
        try:
            record = model.model_validate(parsed.data)
        except ValidationError as exc:
            diagnostics.extend(validation_diagnostics(exc, model, file))
            declared = unloaded_source(parsed.data, rel) if unloaded is not None else None
            if declared is not None and unloaded is not None:
                unloaded.append(declared)
            if unloaded_briefs is not None:
                unloaded_briefs.append(unloaded_brief(rel, parsed.data, text, is_json))
            continue
        loaded.append(Loaded(record, file))
    return loaded


def _toml_lines(text: str) -> LineMap:
    lines: dict[Loc, int] = {}
    section: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[([A-Za-z0-9_.-]+)\]", line)
        if header:
            section = tuple(header.group(1).split("."))
            lines.setdefault(section, number)
            continue
        pair = re.match(r"^\s*([A-Za-z0-9_-]+)\s*=", line)
        if pair:
            lines.setdefault((*section, pair.group(1)), number)
    return LineMap(lines)


def load_settings(root: Path, diagnostics: list[Diagnostic]) -> Settings:
    """Read `briefgen.toml` (defaults when absent); problems become diagnostics and defaults are used."""
    path = root / SETTINGS_FILE
    if not path.exists():
        return Settings()
    try:
        text = read_desk_text(path, root, SETTINGS_FILE, 1024 * 1024)
        data = tomllib.loads(text)
    except ReadError as exc:
        diagnostics.append(Diagnostic(SETTINGS_FILE, exc.line, "", exc.message, code="unreadable"))
        return Settings()
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(match.group(1)) if match else 0
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        column = f", column {match.group(2)}" if match else ""
        diagnostics.append(Diagnostic(SETTINGS_FILE, line, "", f"malformed TOML: {message}{column}", code="unreadable"))
        return Settings()
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        diagnostics.extend(validation_diagnostics(exc, Settings, RecordFile(SETTINGS_FILE, _toml_lines(text))))
        return Settings()


def require_desk(root: Path) -> Path:
    """The desk at `root`: `root` itself when it is a desk, else the nearest folder above it that holds a
    `briefgen.toml` (so that every command works from any folder of a desk, as `git` and Quarto do); else a
    `UsageError` (exit 2) saying what a desk is: the one message every command gives."""
    if not root.exists():
        raise UsageError(f"{root}: no such folder (expected a desk: see 'briefgen init')")
    if DeskLayout(root).is_desk():
        return root
    for folder in root.resolve().parents:
        if (folder / SETTINGS_FILE).is_file():
            return folder
    if not DeskLayout(root).is_desk():
        raise UsageError(
            f"{root}: not a desk (expected a folder with {SETTINGS_FILE}, sources/ or briefs/; "
            "'briefgen init DIR' creates one)"
        )
    return root


def load_desk(root: Path) -> Desk:
    """Load every record of the desk at `root`. Raises `UsageError` when `root` is not a desk."""
    root = require_desk(root)
    diagnostics: list[Diagnostic] = []
    settings = load_settings(root, diagnostics)
    limit = settings.limits.max_file_size
    folders = {
        folder: record_folder(root, folder, recursive=recursive)
        for folder, recursive in (("sources", True), ("briefs", True), ("lists", False))
    }
    if not folders["sources"].records and not folders["briefs"].records:
        diagnostics.append(
            Diagnostic(
                ".",
                0,
                "",
                "the desk has no records: add source records under sources/ and brief records under briefs/",
                code="empty-desk",
            )
        )
    for found in folders.values():
        diagnostics += found.not_read
    unloaded: list[UnloadedSource] = []
    sources = _load_records(root, folders["sources"].records, SourceRecord, limit, diagnostics, unloaded)
    unloaded_briefs: list[UnloadedBrief] = []
    briefs = _load_records(
        root, folders["briefs"].records, BriefRecord, limit, diagnostics, unloaded_briefs=unloaded_briefs
    )
    lists = _load_records(root, folders["lists"].records, DistributionList, limit, diagnostics)
    outlet_names = _outlet_names(root, limit, diagnostics)
    return Desk(
        root,
        settings,
        tuple(sources),
        tuple(briefs),
        tuple(lists),
        tuple(diagnostics),
        tuple(unloaded),
        tuple(unloaded_briefs),
        outlet_names,
    )


def _outlet_names(root: Path, limit: int, diagnostics: list[Diagnostic]) -> tuple[tuple[str, ...], ...]:
    """The names of each outlet of the optional `gazetteer.yaml`. A gazetteer with errors is left out with
    warnings (only `briefgen ingest` needed it before sourcing did: a desk that built with one still builds)."""
    from briefgen.desk.gazetteer import load_gazetteer  # it reads its file with this module's helpers

    try:
        gazetteer = load_gazetteer(root, limit)
    except DeskError as exc:
        diagnostics += [
            replace(d, severity=Severity.WARNING, message=f"{d.message} (the gazetteer is not used until fixed)")
            for d in exc.diagnostics
        ]
        return ()
    return tuple((outlet.name, *outlet.aliases) for outlet in gazetteer.outlets)
