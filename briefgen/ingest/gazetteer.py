"""The desk's own knowledge of names: `gazetteer.yaml` (outlets and actors) and the desk's actors.

`gazetteer.yaml` at the desk's root is optional: `outlets: [{name, aliases, type, actor}]` and
`actors: [{id, name, aliases}]`. The actors of the desk's source records (their names and aliases) are
added to it. Names match after folding (case, diacritics, Arabic and Hebrew points), and an outlet
name may be a near miss (rapidfuzz ratio at least 90, reported as such).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError
from rapidfuzz import fuzz, process

from briefgen.datewords import fold_text
from briefgen.errors import DeskError, Diagnostic
from briefgen.loader import RecordFile, validation_diagnostics
from briefgen.models import Line, Record, Slug, SourceRecord, SourceType
from briefgen.reader import ReadError, decode, parse_record_text

GAZETTEER_FILE = "gazetteer.yaml"
NEAR_MISS = 90


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


@dataclass(frozen=True)
class OutletMatch:
    outlet: GazetteerOutlet
    near_miss: bool  # True when the name only nearly matches one of the outlet's names


@dataclass(frozen=True)
class Names:
    """Folded names of the desk's outlets and actors, for lookups."""

    outlets: tuple[tuple[str, GazetteerOutlet], ...]
    actors: tuple[tuple[str, str, str], ...]  # (folded alias, actor id, alias as written), longest first

    def outlet(self, name: str) -> OutletMatch | None:
        folded = " ".join(fold_text(name).split())
        for alias, outlet in self.outlets:
            if alias == folded:
                return OutletMatch(outlet, near_miss=False)
        choices = [alias for alias, _ in self.outlets]
        best = process.extractOne(folded, choices, scorer=fuzz.ratio, score_cutoff=NEAR_MISS) if choices else None
        if best is None:
            return None
        return OutletMatch(self.outlets[best[2]][1], near_miss=True)

    def outlets_within(self, text: str) -> list[GazetteerOutlet]:
        """Outlets whose name or alias appears in `text` as whole words, longest name first."""
        folded = f" {' '.join(fold_text(text).split())} "
        found: list[GazetteerOutlet] = []
        for alias, outlet in sorted(self.outlets, key=lambda pair: -len(pair[0])):
            if f" {alias} " in folded.replace("'", " ").replace(",", " ") and outlet not in found:
                found.append(outlet)
        return found


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


def desk_names(gazetteer: Gazetteer, sources: list[SourceRecord]) -> Names:
    """The gazetteer's names with the actors of the desk's source records added."""
    outlets = sorted(
        {
            (" ".join(fold_text(name).split()), o.name): o for o in gazetteer.outlets for name in (o.name, *o.aliases)
        }.items()
    )
    actors: set[tuple[str, str, str]] = set()
    for actor in gazetteer.actors:
        actors.update((" ".join(fold_text(n).split()), actor.id, n) for n in (actor.name, *actor.aliases))
    for record in sources:
        for item in record.actors:
            actors.update((" ".join(fold_text(n).split()), item.id, n) for n in (item.name, *item.aliases))
    return Names(
        outlets=tuple((alias, outlet) for (alias, _), outlet in outlets),
        actors=tuple(sorted(actors, key=lambda a: (-len(a[0]), a[0], a[1]))),
    )
