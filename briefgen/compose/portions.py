"""Portion markings: the marking of each part of a brief, and the checks that make releasing a part lower
a deliberate, authorised act (README "Editions for each audience").

A portion is a development, actor or open question (one item, merged over its records), a discrepancy the
brief record gives, a BLUF bullet or the outlook. Its marking is the brief record's `marking` for it, else
the strictest `marking` its source records give, else the brief's marking. A source's marking is its own,
else `[markings] unmarked_source`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from briefgen.compose.merge import Part, brief_part, source_parts
from briefgen.compose.sources import desk_sources
from briefgen.desk.citations import TextCitation, find_citations
from briefgen.desk.loader import Desk, Loaded
from briefgen.desk.models import (
    ActorPatch,
    BriefRecord,
    Citation,
    DevelopmentPatch,
    OpenQuestionPatch,
    SourceDocument,
)
from briefgen.desk.portions import MarkedText, bullet_text
from briefgen.desk.reader import Loc
from briefgen.desk.vocabulary import Marking
from briefgen.errors import Diagnostic, did_you_mean

AnyPatch = DevelopmentPatch | ActorPatch | OpenQuestionPatch
AnyPart = Part[Any]  # a part of any kind of item (Part is generic over one kind)
PROSE_FIELDS = ("detail", "role", "why", "answer")


def source_marking(source: SourceDocument, unmarked: Marking) -> Marking:
    return source.marking or unmarked


def strictest(markings: Iterable[Marking], floor: Marking = Marking.CLEAR) -> Marking:
    return max(markings, key=lambda m: m.rank, default=floor) if markings else floor


@dataclass(frozen=True)
class PortionMarking:
    """An item's marking and the part that sets it (None: it takes the brief's marking)."""

    marking: Marking
    part: AnyPart | None


def item_marking(parts: Sequence[AnyPart], brief_marking: Marking) -> PortionMarking:
    own = brief_part(parts)
    if own is not None and own.item.marking is not None:
        return PortionMarking(own.item.marking, own)
    marked = [p for p in source_parts(parts) if p.item.marking is not None]
    if not marked:
        return PortionMarking(brief_marking, None)
    chosen = max(marked, key=lambda p: p.item.marking.rank if p.item.marking else 0)
    assert chosen.item.marking is not None
    return PortionMarking(chosen.item.marking, chosen)


def text_cites(texts: Iterable[str | None]) -> list[str]:
    return [c.source for text in texts if text for c in find_citations(text) if isinstance(c, TextCitation)]


def part_cites(part: AnyPart) -> list[str]:
    """The source ids a part cites: its citations (its own source when it gives none) and those in its prose."""
    prose = [getattr(part.item, name, None) for name in PROSE_FIELDS]
    return [c.source for c in part.cites()] + text_cites(prose)


def _cited_sources(cites: Iterable[Citation]) -> list[str]:
    return [c.source for c in cites]


class PortionChecks:
    """The checks of portion markings for one brief record (errors name the file, line and field)."""

    def __init__(self, desk: Desk, edition: Loaded[BriefRecord]) -> None:
        self.desk = desk
        self.edition = edition
        self.brief = edition.record.brief
        self.unmarked = desk.settings.markings.unmarked_source
        self.entries = desk_sources(desk).by_id  # the last record of an id, as the desk's sources by id
        self.found: list[Diagnostic] = []

    def _above_sources(self, marking: Marking, cited: Iterable[str]) -> tuple[SourceDocument, str] | None:
        worst = None
        for source_id in dict.fromkeys(cited):
            entry = self.entries.get(source_id)
            if entry is None:
                continue
            level = source_marking(entry.record.source, self.unmarked)
            if level.rank > marking.rank and (worst is None or level.rank > worst[0].rank):
                worst = (level, entry)
        return (worst[1].record.source, worst[1].file.rel) if worst else None

    def _check(self, what: str, marking: Marking, cited: Iterable[str], downgraded: bool, report: Diagnostic) -> None:
        above = self._above_sources(marking, cited)
        if above is None or downgraded:
            return
        source, rel = above
        level = source_marking(source, self.unmarked)
        message = (
            f"{what} is marked {marking}, less restrictive than {level} of source {source.id!r} ({rel}), which it "
            f"cites (a part of an item in a source record cites that source); mark it {level}, or give "
            "`downgrade: {reason, authorized_by}`"
        )
        self.found.append(dataclasses.replace(report, message=message))

    def _at(self, part_or_file: AnyPart | None, loc: Loc, code: str) -> Diagnostic:
        file = part_or_file.file if part_or_file is not None else self.edition.file
        return file.diagnostic(loc, "", code=code)

    def items(self, kind: str, parts_by_id: Mapping[str, Sequence[AnyPart]]) -> None:
        for item_id, parts in parts_by_id.items():
            portion = item_marking(parts, self.brief.marking)
            cited = [s for p in parts for s in part_cites(p)]
            if portion.part is not None:
                loc = (*portion.part.loc, "marking")
                if portion.marking.rank > self.brief.marking.rank:
                    message = f"{kind} {item_id!r} is marked {portion.marking}, above its brief ({self.brief.marking})"
                    self.found.append(portion.part.file.diagnostic(loc, message, code="portion-above-brief"))
                downgraded = any(p.item.downgrade is not None for p in parts)
                self._check(
                    f"{kind} {item_id!r}",
                    portion.marking,
                    cited,
                    downgraded,
                    self._at(portion.part, loc, "portion-below-source"),
                )
            for part in parts:
                variant = part.item.releasable_as
                if variant is None:
                    continue
                loc = (*part.loc, "releasable_as", "marking")
                if variant.marking.rank >= portion.marking.rank:
                    message = (
                        f"releasable_as of {kind} {item_id!r} is marked {variant.marking}, not below the portion "
                        f"({portion.marking}): editions that hold the portion never show it"
                    )
                    self.found.append(part.file.diagnostic(loc, message, code="variant-not-below"))
                prose = [getattr(variant, name, None) for name in PROSE_FIELDS]
                variant_cites = _cited_sources(variant.cites) + text_cites(prose)
                self._check(
                    f"releasable_as of {kind} {item_id!r}",
                    variant.marking,
                    variant_cites,
                    variant.downgrade is not None,
                    self._at(part, loc, "portion-below-source"),
                )

    def bullets(self) -> None:
        """The brief's bullets and outlook (a plain one takes the brief's marking and is checked with it),
        and each edition's own bullets (a plain one takes the edition's clearance, and is checked too)."""
        marked: list[tuple[Loc, str | MarkedText, Marking, Marking]] = [
            (("brief", "bluf", i), b, self.brief.marking, self.brief.marking) for i, b in enumerate(self.brief.bluf)
        ]
        if self.brief.outlook is not None:
            marked.append((("brief", "outlook"), self.brief.outlook, self.brief.marking, self.brief.marking))
        for index, spec in enumerate(self.brief.editions):
            where: Loc = ("brief", "editions", index, "bluf")
            marked += [((*where, i), b, spec.clearance, spec.clearance) for i, b in enumerate(spec.bluf or ())]
        for loc, bullet, default, ceiling in marked:
            if isinstance(bullet, str):
                if default.rank < self.brief.marking.rank:  # the brief's own plain bullets: `check_marking`
                    report = self._at(None, loc, "portion-below-source")
                    self._check(f"this bullet (for {default})", default, text_cites([bullet]), False, report)
                continue
            if bullet.marking.rank > ceiling.rank:
                what = "its brief" if ceiling is self.brief.marking and loc[1] != "editions" else "its edition"
                message = f"this bullet is marked {bullet.marking}, above {what} ({ceiling})"
                self.found.append(self.edition.file.diagnostic((*loc, "marking"), message, code="portion-above-brief"))
            report = self._at(None, (*loc, "marking"), "portion-below-source")
            self._check(
                "this bullet", bullet.marking, text_cites([bullet_text(bullet)]), bullet.downgrade is not None, report
            )

    def discrepancies(self) -> None:
        for index, given in enumerate(self.edition.record.discrepancies):
            if given.marking is None:
                continue
            loc = ("discrepancies", index, "marking")
            cited = [c.source for s in given.statements for c in s.cites] + text_cites([given.note])
            report = self._at(None, loc, "portion-below-source")
            self._check(f"discrepancy {given.id!r}", given.marking, cited, given.downgrade is not None, report)

    def editions(self, lists: Iterable[str]) -> None:
        known = set(lists)
        seen: dict[Marking, int] = {}
        for index, spec in enumerate(self.brief.editions):
            loc = ("brief", "editions", index)
            if spec.clearance.rank > self.brief.marking.rank:
                message = f"an edition for {spec.clearance} is above the brief's marking ({self.brief.marking})"
                self.found.append(
                    self.edition.file.diagnostic((*loc, "clearance"), message, code="edition-above-brief")
                )
            if spec.clearance in seen:
                message = f"a second edition for {spec.clearance} (the first is editions[{seen[spec.clearance]}])"
                self.found.append(self.edition.file.diagnostic((*loc, "clearance"), message, code="duplicate-edition"))
            seen.setdefault(spec.clearance, index)
            raised = spec.compilation_marking
            if raised is not None and raised.marking.rank > spec.clearance.rank:
                message = (
                    f"compilation_marking {raised.marking} is above the edition's clearance ({spec.clearance}): "
                    "its audience could not receive it"
                )
                self.found.append(
                    self.edition.file.diagnostic(
                        (*loc, "compilation_marking", "marking"), message, code="edition-above-brief"
                    )
                )
            for i, list_id in enumerate(spec.lists):
                if list_id not in known:
                    message = unknown_list(self.desk, list_id, known)
                    self.found.append(self.edition.file.diagnostic((*loc, "lists", i), message, code="unknown-list"))


def unknown_list(desk: Desk, list_id: str, known: Iterable[str]) -> str:
    """Why a brief's list is not there: its file has errors (reported there), or no list has that id."""
    broken = sorted({d.path for d in desk.diagnostics if d.is_error and PurePosixPath(d.path).parent.name == "lists"})
    file = next((path for path in broken if PurePosixPath(path).stem == list_id), None)
    if file is not None:
        return f"distribution list {list_id!r} does not load ({file} has errors): nothing is sent to it until fixed"
    return f"unknown distribution list {list_id!r}{did_you_mean(list_id, known)}"


def check_portions(
    desk: Desk, edition: Loaded[BriefRecord], parts: Mapping[str, Mapping[str, Sequence[AnyPart]]]
) -> list[Diagnostic]:
    """Every portion-marking error of a brief record: `parts` are its items' parts by kind and id."""
    checks = PortionChecks(desk, edition)
    for kind, by_id in parts.items():
        checks.items(kind, by_id)
    checks.bullets()
    checks.discrepancies()
    checks.editions(entry.record.id for entry in desk.lists)
    return checks.found
