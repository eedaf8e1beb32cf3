"""Items with one id are one item: each record's part of it, and how fields are chosen across parts.

Prose comes from the brief record, else from the first source record in path order (a different value
elsewhere is a warning); other fields take the first value given; citations are united.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from briefgen.compose import model as composed
from briefgen.desk.citations import TextCitation
from briefgen.desk.loader import RecordFile
from briefgen.desk.models import ActorPatch, Citation, DevelopmentPatch, OpenQuestionPatch
from briefgen.desk.reader import Loc
from briefgen.errors import Diagnostic, Severity

Item = TypeVar("Item", DevelopmentPatch, ActorPatch, OpenQuestionPatch)


@dataclass(frozen=True)
class Part(Generic[Item]):
    """One record's contribution to an item."""

    item: Item
    file: RecordFile
    loc: Loc
    own_source: str | None  # the source record's source id; None for the brief record

    def cites(self) -> list[Citation]:
        if self.item.cites or self.own_source is None:
            return list(self.item.cites)
        return [Citation(source=self.own_source)]

    def diagnostic(self, field_name: str | None, message: str, severity: Severity, code: str) -> Diagnostic:
        loc = (*self.loc, field_name) if field_name else self.loc
        return self.file.diagnostic(loc, message, severity=severity, code=code)


@dataclass
class Collector:
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, part: Part[Any], field_name: str | None, message: str, code: str) -> None:
        self.diagnostics.append(part.diagnostic(field_name, message, Severity.ERROR, code))

    def warn(self, part: Part[Any], field_name: str | None, message: str, code: str) -> None:
        self.diagnostics.append(part.diagnostic(field_name, message, Severity.WARNING, code))


def gather(
    record_items: Iterable[tuple[Sequence[Item], RecordFile, str, str | None]],
) -> dict[str, list[Part[Item]]]:
    merged: dict[str, list[Part[Item]]] = {}
    for items, file, key, own_source in record_items:
        for index, item in enumerate(items):
            merged.setdefault(item.id, []).append(Part(item, file, (key, index), own_source))
    return merged


def brief_first(parts: list[Part[Item]]) -> list[Part[Item]]:
    """Brief record contributions first, then source records in path order."""
    return [p for p in parts if p.own_source is None] + [p for p in parts if p.own_source is not None]


def prose(parts: list[Part[Item]], name: str, collector: Collector) -> Any:
    """A prose field: the brief's value, else the first source record's; differing values are warned."""
    ordered = brief_first(parts)
    given: list[tuple[Part[Item], Any]] = [
        (p, getattr(p.item, name)) for p in ordered if getattr(p.item, name) is not None
    ]
    if not given:
        return None
    chosen_part: Part[Item] = given[0][0]
    chosen = given[0][1]
    if chosen_part.own_source is not None:
        for part, value in given[1:]:
            if value != chosen:
                chosen_at = f"{chosen_part.file.rel}:{chosen_part.file.lines.line_of((*chosen_part.loc, name))}"
                collector.warn(
                    part,
                    name,
                    f"{name} differs from {chosen_at}, whose value is used (set it in the brief record to choose)",
                    "prose-differs",
                )
    return chosen


def first(parts: list[Part[Item]], name: str) -> Any:
    return next((getattr(p.item, name) for p in brief_first(parts) if getattr(p.item, name) is not None), None)


def union(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def cite(citation: Citation | TextCitation) -> composed.Cite:
    if isinstance(citation, TextCitation):
        return composed.Cite(source=citation.source, locator=citation.locator)
    return composed.Cite(
        source=citation.source,
        locator=citation.locator,
        quote=citation.quote,
        via=citation.via,
        anonymous=citation.anonymous,
    )


def cites_of(parts: Iterable[Part[Any]]) -> list[composed.Cite]:
    return union(cite(c) for p in parts for c in p.cites())
