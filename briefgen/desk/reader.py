"""Read one record file (YAML or JSON) into plain data, keeping the line of every key and list item.

YAML is read from the parser's event stream (libyaml when present), not with a constructor, so that:
plain scalars follow YAML 1.2's core schema (`NO` stays a string, `012345` stays as written, no
sexagesimal numbers, dates stay strings for the model to parse); anchors and aliases are refused (no
alias bombs); duplicate keys, complex keys, non-core tags and deep nesting are refused. JSON is read by
the `json` module with duplicate keys, NaN/Infinity and deep nesting refused; its lines come from the
same event reader, since JSON is YAML's flow syntax.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

MAX_DEPTH = 32

Loc = tuple[str | int, ...]

_CORE = "tag:yaml.org,2002:"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+|\.[0-9]+[eE][-+]?[0-9]+)$")
_EXPLICIT_TAGS = {"str", "int", "float", "bool", "null", "map", "seq"}


class IntText(int):
    """An integer read from a file, with the text it was written as (for fields that expect text)."""

    text: str


class FloatText(float):
    """A number with a fraction or exponent read from a file, with the text it was written as."""

    text: str


def _int_text(text: str) -> int:
    value = IntText(text)
    value.text = text
    return value


def _float_text(text: str) -> float:
    value = FloatText(text)
    value.text = text
    return value


def verbatim_text(value: Any) -> Any:
    """A number read where text is expected, as written in the file (`1.10` stays "1.10", `1e3` stays
    "1e3"); anything else unchanged."""
    return value.text if isinstance(value, IntText | FloatText) else value


class ReadError(Exception):
    """A file could not be read as a record; `line` and `column` are 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class LineMap:
    """Lines of the keys and list items of one file, by field path."""

    def __init__(self, lines: dict[Loc, int] | None = None) -> None:
        self._lines = lines if lines is not None else {}

    @property
    def lines(self) -> dict[Loc, int]:
        return self._lines

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest part of `loc` that the file has (1 when nothing matches)."""
        lines = self.lines
        for end in range(len(loc), 0, -1):
            line = lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return 1


class LazyLineMap(LineMap):
    """The lines of a JSON file, found only when a diagnostic asks for one.

    JSON is parsed by the fast `json` module; its lines come from the (slower) YAML event reader, which
    most files never need."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text: str | None = text

    @property
    def lines(self) -> dict[Loc, int]:
        if self._text is not None:
            try:
                self._lines = read_yaml(self._text)[1].lines
            except ReadError:
                self._lines = {}
            self._text = None
        return self._lines


@dataclass(frozen=True)
class ParsedFile:
    data: dict[str, Any]
    lines: LineMap


def _plain_scalar(value: str) -> Any:
    """Resolve a plain (unquoted) scalar by YAML 1.2's core schema, keeping odd numbers as written."""
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return _int_text(value)
    if _FLOAT.match(value):
        return _float_text(value)
    if value in (
        ".inf",
        ".Inf",
        ".INF",
        "+.inf",
        "+.Inf",
        "+.INF",
        "-.inf",
        "-.Inf",
        "-.INF",
        ".nan",
        ".NaN",
        ".NAN",
    ):
        raise ValueError(f"{value!r} (infinity and NaN are not accepted)")
    return value


def _tagged_scalar(tag: str, value: str) -> Any:
    name = tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag.removeprefix("!!")
    if tag == "!":
        return value
    if name not in _EXPLICIT_TAGS:
        raise ValueError(f"unsupported YAML tag {tag!r} (only plain data is accepted)")
    if name == "str":
        return value
    resolved = _plain_scalar(value)
    expected: dict[str, tuple[type, ...]] = {
        "int": (int,),
        "float": (int, float),
        "bool": (bool,),
        "null": (type(None),),
    }
    if not isinstance(resolved, expected[name]) or (name == "int" and isinstance(resolved, bool)):
        raise ValueError(f"{value!r} is not a valid !!{name}")
    return float(value) if name == "float" else resolved


class _Builder:
    """Builds Python data from YAML events, recording a line for every key and list item."""

    def __init__(self) -> None:
        self.lines: dict[Loc, int] = {}
        self.stack: list[tuple[dict[str, Any] | list[Any], Loc]] = []
        self.pending_key: list[str | None] = []
        self.root: Any = None
        self.documents = 0

    def _place(self, value: Any, line: int) -> Loc | None:
        """Attach a finished value to the open container; return the value's path."""
        if not self.stack:
            self.root = value
            return ()
        container, path = self.stack[-1]
        if isinstance(container, list):
            loc = (*path, len(container))
            container.append(value)
            self.lines[loc] = line
            return loc
        key = self.pending_key[-1]
        if key is None:
            key_text = "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            if key_text in container:
                first = self.lines.get((*path, key_text), 0)
                raise ReadError(f"duplicate key {key_text!r} (first given on line {first})", line)
            self.pending_key[-1] = key_text
            self.lines[(*path, key_text)] = line
            return None
        container[key] = value
        self.pending_key[-1] = None
        return (*path, key)

    def _open(self, container: dict[str, Any] | list[Any], line: int) -> None:
        if self.stack and isinstance(self.stack[-1][0], dict) and self.pending_key[-1] is None:
            raise ReadError("complex mapping keys are not supported", line)
        loc = self._place(container, line)
        assert loc is not None
        if len(self.stack) >= MAX_DEPTH:
            raise ReadError(f"nesting deeper than {MAX_DEPTH} levels", line)
        self.stack.append((container, loc))
        self.pending_key.append(None)

    def feed(self, event: yaml.Event) -> None:
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise ReadError("a record file holds one YAML document; found a second one", line)
        elif isinstance(event, yaml.AliasEvent):
            raise ReadError(f"YAML aliases (*{event.anchor}) are not accepted in records; write the value out", line)
        elif isinstance(event, yaml.ScalarEvent):
            try:
                if event.tag not in (None, "!") or not event.implicit[0]:
                    value = _tagged_scalar(event.tag or "!", event.value) if event.tag else event.value
                else:
                    value = _plain_scalar(event.value)
            except ValueError as exc:
                raise ReadError(str(exc), line) from None
            self._place(value, line)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            if event.tag not in (None, "!", _CORE + "map", _CORE + "seq"):
                raise ReadError(f"unsupported YAML tag {event.tag!r} (only plain data is accepted)", line)
            self._open({} if isinstance(event, yaml.MappingStartEvent) else [], line)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self.stack.pop()
            self.pending_key.pop()


def _yaml_loader() -> type[Any]:
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _events(text: str) -> Iterator[yaml.Event]:
    return yaml.parse(text, Loader=_yaml_loader())


def read_yaml(text: str) -> tuple[Any, LineMap]:
    builder = _Builder()
    try:
        for event in _events(text):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "malformed YAML"
        context = f" {exc.context}" if exc.context else ""
        started = exc.context_mark
        column = (mark.column + 1) if mark else 0
        if exc.context and started is not None and mark is not None and started.line != mark.line:
            # What is left open (a `[` on line 12) is often the mistake, found only on a later line.
            context = (
                f" at column {column}{context} that starts at line {started.line + 1}, column {started.column + 1}"
            )
            column = 0
        raise ReadError(f"malformed YAML: {problem}{context}", (mark.line + 1) if mark else 0, column) from None
    except yaml.YAMLError as exc:
        raise ReadError(f"malformed YAML: {exc}") from None
    return builder.root, LineMap(builder.lines)


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not accepted (JSON numbers must be finite)")


def _depth(value: Any, limit: int) -> int:
    depth = 0
    level = [value]
    while level:
        depth += 1
        if depth > limit:
            return depth
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item if isinstance(item, list) else ())
        ]
    return depth


def read_json(text: str) -> tuple[Any, LineMap]:
    try:
        data = json.loads(
            text,
            object_pairs_hook=_refuse_duplicates,
            parse_constant=_refuse_constant,
            parse_int=_int_text,
            parse_float=_float_text,
        )
    except json.JSONDecodeError as exc:
        raise ReadError(f"malformed JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except ValueError as exc:
        raise ReadError(f"malformed JSON: {exc}") from None
    except RecursionError:
        raise ReadError(f"malformed JSON: nesting deeper than {MAX_DEPTH} levels") from None
    if _depth(data, MAX_DEPTH + 1) > MAX_DEPTH + 1:
        raise ReadError(f"nesting deeper than {MAX_DEPTH} levels")
    if isinstance(data, float) and not math.isfinite(data):
        raise ReadError("malformed JSON: numbers must be finite")
    return data, LazyLineMap(text)


def decode(raw: bytes) -> str:
    """Decode strict UTF-8 (a BOM is allowed); name the line and byte of the first bad sequence."""
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        raise ReadError(
            f"binary file: NUL byte at offset {offset} (records are UTF-8 text)",
            raw.count(b"\n", 0, offset) + 1,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ReadError(f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}", line) from None


def parse_record_text(text: str, *, is_json: bool) -> ParsedFile:
    """Parse a record file's text; the top level must be a mapping."""
    data, lines = read_json(text) if is_json else read_yaml(text)
    if data is None:
        raise ReadError("the file is empty (expected a mapping of fields)", 1)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        raise ReadError(f"expected a mapping of fields at the top of the file, got {kind}", 1)
    return ParsedFile(data, lines)
