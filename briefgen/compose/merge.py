"""Items with one id are one item: each record's part of it, and how fields are chosen across parts.

Parts are ordered without regard to file paths: the brief record's first, then source records from the
earliest published to the latest (undated first, ties by source id). Single-value fields take the brief
record's value, else the latest source's (`latest`); lists and citations are united in that order unless
the brief record sets the list (`listed`); prose alone comes from the first record in path order (`prose`,
a different value elsewhere is a warning). Every rule returns its value with what it found (`Found`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from briefgen.compose import model as composed
from briefgen.desk.citations import TextCitation
from briefgen.desk.loader import Loaded, RecordFile
from briefgen.desk.models import (
    ActorPatch,
    BriefRecord,
    Citation,
    DevelopmentPatch,
    OpenQuestionPatch,
    SourceDocument,
    SourceRecord,
)
from briefgen.desk.reader import Loc
from briefgen.errors import Diagnostic, Severity

Item = TypeVar("Item", DevelopmentPatch, ActorPatch, OpenQuestionPatch)
V = TypeVar("V")


@dataclass(frozen=True)
class Found(Generic[V]):
    """A rule's value and the diagnostics it found."""

    value: V
    diagnostics: tuple[Diagnostic, ...] = ()


def publication_key(source: SourceDocument | None) -> tuple[int, datetime, str]:
    """Sort key of a source by publication: undated first, then by instant (a date is its UTC midnight)."""
    if source is None:
        return (-1, datetime.min.replace(tzinfo=UTC), "")
    published = source.published
    if published is None:
        return (0, datetime.min.replace(tzinfo=UTC), source.id)
    if not isinstance(published, datetime):
        published = datetime.combine(published, datetime.min.time(), UTC)
    return (1, published.astimezone(UTC), source.id)


@dataclass(frozen=True)
class Part(Generic[Item]):
    """One record's contribution to an item."""

    item: Item
    file: RecordFile
    loc: Loc
    source: SourceDocument | None  # the source record's document; None for the brief record
    path_index: int  # the record's place in path order (-1: the brief record); used for prose only

    @property
    def own_source(self) -> str | None:
        return self.source.id if self.source is not None else None

    def cites(self) -> list[Citation]:
        if self.item.cites or self.source is None:
            return list(self.item.cites)
        return [Citation(source=self.source.id)]

    def where(self, field_name: str) -> str:
        return f"{self.file.rel}:{self.file.lines.line_of((*self.loc, field_name))}"

    def diagnostic(
        self, field_name: str | None, message: str, code: str, severity: Severity = Severity.WARNING
    ) -> Diagnostic:
        loc = (*self.loc, field_name) if field_name else self.loc
        return self.file.diagnostic(loc, message, severity=severity, code=code)


@dataclass(frozen=True)
class RecordItems(Generic[Item]):
    """The items of one record under one key (`developments`...), with the record's source."""

    items: Sequence[Item]
    file: RecordFile
    key: str
    source: SourceDocument | None
    path_index: int


def record_items(
    path_index: Mapping[int, int],
    edition: Loaded[BriefRecord],
    selected: Sequence[Loaded[SourceRecord]],
    key: str,
    get: Callable[[SourceRecord | BriefRecord], Sequence[Item]],
) -> list[RecordItems[Item]]:
    """Each record's items under `key` (`get` reads them), with the record's source and its position among
    the desk's records (`path_index`, by the record's identity: `DeskSources.path_index`)."""
    found: list[RecordItems[Item]] = [
        RecordItems(get(s.record), s.file, key, s.record.source, path_index[id(s)]) for s in selected
    ]
    found.append(RecordItems(get(edition.record), edition.file, key, None, -1))
    return found


def gather(records: Iterable[RecordItems[Item]]) -> dict[str, list[Part[Item]]]:
    """Parts by item id, each list in the canonical order (brief record, then sources by publication);
    ids in order of their first part in that order."""
    parts = [
        Part(item, record.file, (record.key, index), record.source, record.path_index)
        for record in records
        for index, item in enumerate(record.items)
    ]
    parts.sort(key=lambda p: (publication_key(p.source), p.path_index, p.loc))
    merged: dict[str, list[Part[Item]]] = {}
    for part in parts:
        merged.setdefault(part.item.id, []).append(part)
    return merged


def brief_part(parts: Sequence[Part[Item]]) -> Part[Item] | None:
    return next((p for p in parts if p.source is None), None)


def source_parts(parts: Sequence[Part[Item]]) -> list[Part[Item]]:
    return [p for p in parts if p.source is not None]


def latest(parts: Sequence[Part[Item]], get: Callable[[Item], V | None]) -> tuple[V | None, Part[Item] | None]:
    """The brief record's value, else that of the most recently published source that gives one."""
    own = brief_part(parts)
    if own is not None and get(own.item) is not None:
        return get(own.item), own
    for part in reversed(source_parts(parts)):
        value = get(part.item)
        if value is not None:
            return value, part
    return None, None


def latest_value(parts: Sequence[Part[Item]], get: Callable[[Item], V | None]) -> V | None:
    return latest(parts, get)[0]


def prose(parts: Sequence[Part[Item]], name: str, get: Callable[[Item], V | None]) -> Found[V | None]:
    """A prose field: the brief's value, else the first source record's in path order; a different value
    in another source record is a warning."""
    given = sorted(((p, v) for p in parts if (v := get(p.item)) is not None), key=lambda pv: pv[0].path_index)
    if not given:
        return Found(None)
    chosen_part, chosen = given[0]
    if chosen_part.source is None:
        return Found(chosen)
    warnings = tuple(
        part.diagnostic(
            name,
            f"{name} differs from {chosen_part.where(name)}, whose value is used (set it in the brief record to choose)",
            "prose-differs",
        )
        for part, value in given[1:]
        if value != chosen
    )
    return Found(chosen, warnings)


def listed(parts: Sequence[Part[Item]], name: str, get: Callable[[Item], Sequence[V]]) -> list[V]:
    """A list field: the brief record's list when it sets one (it replaces), else the sources' united."""
    own = brief_part(parts)
    if own is not None and name in own.item.model_fields_set:
        return union(get(own.item))
    return union(v for p in source_parts(parts) for v in get(p.item))


def union(values: Iterable[V]) -> list[V]:
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


def cites_of(parts: Iterable[Part[Item]]) -> list[composed.Cite]:
    return union(cite(c) for p in parts for c in p.cites())
