"""Compose one edition: the rules of "Merging: how a brief is composed" (docs/sourcing.md), in order, each
a function that takes and returns typed values. No templates are involved.

1. sources: the brief's sources are chosen (ids or patterns; after the cut-off only when named by id);
2. items with one id are one item, in an order that does not depend on file paths;
3. facts (`status`, `occurred`, `where`) that conflict become discrepancies; agreeing ones refine;
4. no fact by file order: a conflict no editor settles shows every value; the editor decides;
5. corroboration is a count of independent originators, with flags;
6. question lifecycle: status and answer from the latest source; lists unite or the brief replaces them;
7. the brief may not be marked less restrictively than a source it uses, unless it says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from briefgen.compose import items as rules
from briefgen.compose import model as composed
from briefgen.compose.merge import Found, gather, publication_key, record_items, union
from briefgen.compose.originators import GROUP_RELAY, originator_key
from briefgen.compose.portions import check_portions, unknown_list
from briefgen.compose.sources import DeskSources, desk_sources, published_after_cutoff, select_sources
from briefgen.desk.citations import TextCitation, find_citations
from briefgen.desk.loader import Desk, Loaded
from briefgen.desk.models import BriefRecord, SourceDocument, SourceRecord
from briefgen.desk.portions import bullet_fields, bullet_text
from briefgen.desk.vocabulary import Marking
from briefgen.errors import Diagnostic, Severity

T = TypeVar("T")


@dataclass(frozen=True)
class Composition:
    """The composed edition (None when errors prevent it) and what composing found."""

    brief: composed.ComposedBrief | None
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.brief is not None and not any(d.is_error for d in self.diagnostics)


def _kept(results: Sequence[Found[T | None]]) -> Found[list[T]]:
    values = [r.value for r in results if r.value is not None]
    return Found(values, tuple(d for r in results for d in r.diagnostics))


def used_sources(
    brief: BriefRecord,
    selected: Sequence[Loaded[SourceRecord]],
    developments: Sequence[composed.Development],
    actors: Sequence[composed.Actor],
    questions: Sequence[composed.OpenQuestion],
    discrepancies: Sequence[composed.Discrepancy],
    known: dict[str, SourceDocument],
) -> list[str]:
    """The sources an edition uses: those selected, and any cited in it (by publication, then id)."""
    cited: list[str] = [s.record.source.id for s in selected]
    texts: list[str | None] = [text for _, text in bullet_fields(brief.brief)]
    for dev in developments:
        cited.extend(c.source for c in dev.cites)
        texts.append(dev.detail)
    for actor in actors:
        cited.extend(c.source for c in actor.cites)
        texts.append(actor.role)
    for question in questions:
        cited.extend(c.source for c in question.cites)
        texts.extend((question.why, question.answer))
    for discrepancy in discrepancies:
        cited.extend(c.source for s in discrepancy.statements for c in s.cites)
        texts.append(discrepancy.note)
    for text in texts:
        cited.extend(c.source for c in find_citations(text or "") if isinstance(c, TextCitation))
    return sorted((s for s in union(cited) if s in known), key=lambda s: publication_key(known[s]))


def check_marking(known: DeskSources, edition: Loaded[BriefRecord], used: Sequence[str]) -> list[Diagnostic]:
    """The brief may not be marked less restrictively than a source it uses, unless it says why."""
    brief = edition.record.brief
    found = []
    for source_entry in known.entries_of(used):
        source = source_entry.record.source
        if source.marking is None:
            continue
        if source.marking.rank > brief.marking.rank and not brief.downgrade_reason:
            found.append(
                edition.file.diagnostic(
                    ("brief", "marking"),
                    f"{brief.marking} is less restrictive than {source.marking} of source {source.id!r} "
                    f"({source_entry.file.rel}); mark the brief {source.marking} or set brief.downgrade_reason",
                    code="marking-below-source",
                )
            )
    return found


def check_late_citations(
    edition: Loaded[BriefRecord],
    selected: Sequence[Loaded[SourceRecord]],
    used: Sequence[str],
    known: dict[str, SourceDocument],
) -> list[Diagnostic]:
    """A source left out for its publication after the cut-off but cited all the same is used: a warning
    that shows both times (never silently)."""
    brief = edition.record.brief
    chosen = {s.record.source.id for s in selected}
    where = ("brief", "cutoff") if brief.cutoff is not None else ("brief", "date")
    found = []
    for source_id in used:
        late = published_after_cutoff(known[source_id], brief) if source_id not in chosen else None
        if late:
            message = f"source {source_id!r} is {late}, and is cited in this edition all the same"
            found.append(edition.file.diagnostic(where, message, severity=Severity.WARNING, code="source-after-cutoff"))
    return found


def check_times(edition: Loaded[BriefRecord], selected: Sequence[Loaded[SourceRecord]]) -> list[Diagnostic]:
    """Times that cannot all be right: a cut-off after the edition was issued; with no cut-off, a source
    the edition uses published (date and time) after it was issued. Warnings: the build keeps them."""
    brief = edition.record.brief
    issued = brief.issued
    if issued is None:
        return []
    found = []
    if brief.cutoff is not None:
        if brief.cutoff > issued:
            message = (
                f"the cut-off {brief.cutoff.isoformat()} is after the edition was issued ({issued.isoformat()}): "
                "a source published in between would be in a brief issued before it"
            )
            found.append(
                edition.file.diagnostic(
                    ("brief", "cutoff"), message, severity=Severity.WARNING, code="cutoff-after-issued"
                )
            )
        return found
    for entry in selected:
        source = entry.record.source
        if isinstance(source.published, datetime) and source.published > issued:
            message = (
                f"source {source.id!r} ({entry.file.rel}) was published {source.published.isoformat()}, after the "
                f"edition was issued ({issued.isoformat()}): check the times, or set a `cutoff` to leave it out"
            )
            found.append(
                edition.file.diagnostic(
                    ("brief", "issued"), message, severity=Severity.WARNING, code="source-after-issued"
                )
            )
    return found


def check_lists(desk: Desk, edition: Loaded[BriefRecord]) -> list[Diagnostic]:
    brief = edition.record.brief
    lists = {entry.record.id: entry.record for entry in desk.lists}
    lowest = min([brief.marking, *(spec.clearance for spec in brief.editions)], key=lambda m: m.rank)
    found = []
    for index, list_id in enumerate(brief.lists):
        dist = lists.get(list_id)
        loc = ("brief", "lists", index)
        if dist is None:
            message = unknown_list(desk, list_id, lists)
            found.append(edition.file.diagnostic(loc, message, code="unknown-list"))
        elif dist.clearance.rank < lowest.rank:
            found.append(
                edition.file.diagnostic(
                    loc,
                    f"list {list_id!r} is cleared for {dist.clearance} only; this {lowest} "
                    "edition will not be sent to it",
                    severity=Severity.WARNING,
                    code="list-not-cleared",
                )
            )
    return found


def hidden_names(desk: Desk, known: DeskSources, brief_marking: Marking, used: Sequence[str]) -> frozenset[str]:
    """The names (as originators compare them) of the desk's sources marked above an edition that does not
    use them: its ids, outlet and relays, unless a source it uses has the name. A relay naming one is not
    shown in the edition (it is still followed for corroboration)."""
    by_marking = known.by_marking(desk.settings.markings.unmarked_source)
    using = set(used)
    above = [
        d
        for marking, documents in by_marking.items()
        if marking.rank > brief_marking.rank
        for d in documents
        if d.id not in using
    ]
    shown = {
        originator_key(n) for e in known.entries_of(using) for n in (e.record.source.id, e.record.source.outlet) if n
    }
    return frozenset(
        key for d in above for n in (d.id, d.outlet, *d.relays) if n and (key := originator_key(n)) not in shown
    )


def source_entry(
    source: SourceDocument,
    known: dict[str, SourceDocument],
    described: frozenset[str] = frozenset(),
    hidden: frozenset[str] = frozenset(),
) -> composed.Source:
    def display(relay: str) -> str:
        other = known.get(relay)
        return (other.outlet or other.title) if other is not None else relay

    relays = [r for r in source.relays if not r.startswith(GROUP_RELAY) and originator_key(r) not in hidden]

    return composed.Source(
        id=source.id,
        title=source.title,
        outlet=source.outlet,
        type=source.type,
        authors=list(source.authors),
        dateline=source.dateline,
        published=source.published,
        url=source.url,
        language=source.language,
        reliability=source.reliability,
        marking=source.marking,
        relays=[display(r) for r in relays],
        note=source.note,
        described_only=source.id in described,
    )


def compose(desk: Desk, edition: Loaded[BriefRecord], *, described: frozenset[str] | None = None) -> Composition:
    """Compose one edition of the desk: the rules in order. With `described` (the ids of the anonymous
    entries of withheld sources), the records are an audience's view of the brief
    (`briefgen.compose.audience`), whose own checks were made on the whole brief."""
    view = described is not None
    record = edition.record
    known = desk_sources(desk)  # shared by the desk's editions: their originators are joined once
    # 1. sources
    selection = select_sources(desk, edition)
    selected = selection.value
    # 2. items by id (actors first: developments name them)
    actor_parts = gather(record_items(known.path_index, edition, selected, "actors", lambda r: r.actors))
    elsewhere = frozenset(name for source in desk.unloaded_sources for name in source.actors)
    actors = _kept([rules.actor(i, p, elsewhere) for i, p in actor_parts.items()])
    names = rules.actor_names(actors.value)
    unloaded_items = frozenset(item for source in desk.unloaded_sources for item in source.items)
    # 3-5. developments: facts, dates, corroboration
    dev_parts = gather(record_items(known.path_index, edition, selected, "developments", lambda r: r.developments))
    results = _kept([rules.development(i, p, names, known, elsewhere, unloaded_items) for i, p in dev_parts.items()])
    developments = rules.development_order([r.development for r in results.value], record.developments)
    by_development = {id(r.development): r for r in results.value}
    found = [d for dev in developments for d in by_development[id(dev)].discrepancies]
    # 4. the editor's decisions on discrepancies
    discrepancies = rules.decide_discrepancies(found, record.discrepancies, edition.file, view=view)
    # 6. open questions
    question_parts = gather(
        record_items(known.path_index, edition, selected, "open_questions", lambda r: r.open_questions)
    )
    questions = _kept([rules.question(i, p) for i, p in question_parts.items()])
    # 7. marking and lists
    used = used_sources(record, selected, developments, actors.value, questions.value, discrepancies.value, known)
    diagnostics = (
        *selection.diagnostics,
        *actors.diagnostics,
        *rules.unknown_parents(actors.value, actor_parts, elsewhere),
        *results.diagnostics,
        *discrepancies.diagnostics,
        *questions.diagnostics,
        *check_late_citations(edition, selected, used, known),
        *check_times(edition, selected),
        *check_marking(known, edition, used),
        *check_lists(desk, edition),
        *(
            ()
            if view
            else check_portions(
                desk, edition, {"development": dev_parts, "actor": actor_parts, "open question": question_parts}
            )
        ),
    )
    files = tuple(sorted({edition.file.rel} | {e.file.rel for e in known.entries_of(used)}))
    if any(d.is_error for d in diagnostics):
        return Composition(None, diagnostics, files)
    brief = record.brief
    hidden = hidden_names(desk, known, brief.marking, used)
    result = composed.ComposedBrief(
        id=brief.id,
        title=brief.title,
        date=brief.date,
        issued=brief.issued,
        cutoff=brief.cutoff,
        timezone=desk.settings.desk.timezone,
        marking=brief.marking,
        restrictions=brief.restrictions,
        downgrade_reason=brief.downgrade_reason,
        product=brief.product,
        authors=list(brief.authors),
        language=brief.language,
        desk=desk.settings.desk.name,
        template=brief.template,
        lists=list(brief.lists),
        bluf=[bullet_text(b) for b in brief.bluf],
        outlook=bullet_text(brief.outlook) if brief.outlook is not None else None,
        correction=brief.correction,
        developments=developments,
        discrepancies=discrepancies.value,
        actors=actors.value,
        open_questions=questions.value,
        sources=[source_entry(known[s], known, described or frozenset(), hidden) for s in used],
    )
    return Composition(result, diagnostics, files)
