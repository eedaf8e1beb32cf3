"""Folded names of the desk's outlets and actors, for lookups by ingest.

The gazetteer's outlets and actors, with the actors of the desk's source records (names and aliases)
added. Names match after folding (case, diacritics, Arabic and Hebrew points, dotted and dotless i); an
outlet name may be a near miss (rapidfuzz ratio at least 90), which is reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from briefgen.compose.folding import fold_text
from briefgen.desk.gazetteer import Gazetteer, GazetteerOutlet
from briefgen.desk.models import SourceRecord

NEAR_MISS = 90


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
