"""The desk's own knowledge of names: `gazetteer.yaml` (outlets and actors) and the desk's actors.

`gazetteer.yaml` at the desk's root is optional: `outlets: [{name, aliases, type, actor}]` and
`actors: [{id, name, aliases}]`. The actors of the desk's source records (their names and aliases) are
added to it (`briefgen.ingest.names`); this module needs no library beyond the core, so that
`briefgen schema --kind gazetteer` works without the ingest extra.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from briefgen.desk.fields import Line, Record, Slug
from briefgen.desk.loader import RecordFile, validation_diagnostics
from briefgen.desk.reader import ReadError, decode, parse_record_text
from briefgen.desk.vocabulary import SourceType
from briefgen.errors import DeskError, Diagnostic

GAZETTEER_FILE = "gazetteer.yaml"


class GazetteerOutlet(Record):
    """An outlet the desk reads: its other names in any script, its source type, its actor."""

    name: Line
    aliases: Annotated[list[Line], Field(max_length=100)] = []
    type: SourceType = SourceType.UNKNOWN
    actor: Slug | None = None


class GazetteerActor(Record):
    id: Slug
    name: Line
    aliases: Annotated[list[Line], Field(max_length=100)] = []


class Gazetteer(Record):
    """`gazetteer.yaml`: the outlets and actors the desk knows by name."""

    outlets: Annotated[list[GazetteerOutlet], Field(max_length=10_000)] = []
    actors: Annotated[list[GazetteerActor], Field(max_length=10_000)] = []


def load_gazetteer(root: Path, max_size: int) -> Gazetteer:
    """The desk's `gazetteer.yaml`, or an empty one; a broken file is a located error."""
    path = root / GAZETTEER_FILE
    if not path.exists():
        return Gazetteer()
    if path.is_symlink() or not path.is_file():
        raise DeskError([Diagnostic(GAZETTEER_FILE, 0, "", "not a regular file (symbolic links are refused)")])
    raw = path.read_bytes()
    if len(raw) > max_size:
        raise DeskError([Diagnostic(GAZETTEER_FILE, 0, "", f"file is over {max_size} bytes ([limits] max_file_size)")])
    try:
        parsed = parse_record_text(decode(raw), is_json=False)
    except ReadError as exc:
        raise DeskError([Diagnostic(GAZETTEER_FILE, exc.line, "", exc.message, code="unreadable")]) from None
    try:
        return Gazetteer.model_validate(parsed.data)
    except ValidationError as exc:
        raise DeskError(validation_diagnostics(exc, Gazetteer, RecordFile(GAZETTEER_FILE, parsed.lines))) from None
