"""Compose one edition: choose its sources, merge items by id, resolve dates, actors and citations,
compute corroboration and find discrepancies. No templates are involved.

The rules are those of "Merging: how a brief is composed" in the record format:
1. the brief's sources are chosen (ids or glob patterns), with every item their records carry, then the
   brief record's own items are added;
2. items with one id are one item, citations united; prose comes from the brief record, else from the
   first source record in path order (a different prose value elsewhere is a warning);
3. fact fields (`occurred`, `where`, `status`) that disagree between sources become discrepancies;
4. corroboration counts independent originators (a source, its outlet and what it relays are one);
5. the brief may not be marked less restrictively than a source it uses, unless it says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from briefgen.compose import model as composed
from briefgen.compose.dates import resolve_date
from briefgen.compose.merge import Collector, Part, brief_first, cite, cites_of, first, gather, prose, union
from briefgen.compose.sources import originator_groups, select_sources
from briefgen.desk.citations import TextCitation, find_citations
from briefgen.desk.loader import Desk, Loaded, RecordFile
from briefgen.desk.models import (
    BriefRecord,
    DevelopmentKind,
    DevelopmentPatch,
    DiscrepancyKind,
    DiscrepancyStatus,
    QuestionKind,
    QuestionStatus,
    SourceDocument,
    Status,
)
from briefgen.errors import Diagnostic, Severity, did_you_mean


@dataclass(frozen=True)
class Composition:
    """The composed edition (None when errors prevent it) and what composing found."""

    brief: composed.ComposedBrief | None
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.brief is not None and not any(d.is_error for d in self.diagnostics)


# --- the composer -----------------------------------------------------------------------------------


class _Composer:
    def __init__(self, desk: Desk, edition: Loaded[BriefRecord]) -> None:
        self.desk = desk
        self.edition = edition
        self.brief = edition.record.brief
        self.collector = Collector()
        self.selected = select_sources(desk, self.brief.sources)
        self.all_sources = {s.record.source.id: s.record.source for s in desk.sources}
        self.source_files = {s.record.source.id: s.file for s in desk.sources}
        self.discrepancies: list[composed.Discrepancy] = []

    def _record_items(self, key: str) -> list[tuple[Sequence[Any], RecordFile, str, str | None]]:
        found: list[tuple[Sequence[Any], RecordFile, str, str | None]] = [
            (getattr(s.record, key), s.file, key, s.record.source.id) for s in self.selected
        ]
        found.append((getattr(self.edition.record, key), self.edition.file, key, None))
        return found

    def compose(self) -> Composition:
        brief = self.brief
        if brief.sources is not None and not self.selected:
            self.collector.diagnostics.append(
                self.edition.file.diagnostic(
                    ("brief", "sources"),
                    f"no source matches {', '.join(brief.sources)} (known: {', '.join(sorted(self.all_sources))})",
                    code="no-sources",
                )
            )
        actors = self._actors()
        names = self._actor_names(actors)
        developments = self._developments(names)
        questions = self._questions()
        discrepancies = self._hand_discrepancies() + self.discrepancies
        used = self._used_sources(developments, actors, questions, discrepancies)
        self._check_marking(used)
        self._check_lists()
        files = sorted({self.edition.file.rel} | {self.source_files[s].rel for s in used if s in self.source_files})
        if any(d.is_error for d in self.collector.diagnostics):
            return Composition(None, tuple(self.collector.diagnostics), tuple(files))
        result = composed.ComposedBrief(
            id=brief.id,
            title=brief.title,
            date=brief.date,
            issued=brief.issued,
            cutoff=brief.cutoff,
            timezone=self.desk.settings.desk.timezone,
            marking=brief.marking,
            restrictions=brief.restrictions,
            downgrade_reason=brief.downgrade_reason,
            product=brief.product,
            authors=list(brief.authors),
            language=brief.language,
            desk=self.desk.settings.desk.name,
            template=brief.template,
            lists=list(brief.lists),
            bluf=list(brief.bluf),
            outlook=brief.outlook,
            correction=brief.correction,
            developments=developments,
            discrepancies=discrepancies,
            actors=[a for a in actors if a is not None],
            open_questions=questions,
            sources=[self._source(self.all_sources[s]) for s in used if s in self.all_sources],
        )
        return Composition(result, tuple(self.collector.diagnostics), tuple(files))

    # actors

    def _actors(self) -> list[composed.Actor]:
        merged = gather(self._record_items("actors"))
        actors = []
        for actor_id, parts in merged.items():
            name = first(parts, "name")
            if name is None:
                self.collector.error(
                    parts[0],
                    "name",
                    f"actor {actor_id!r} has no name in any record of this brief",
                    "incomplete-item",
                )
                continue
            actors.append(
                composed.Actor(
                    id=actor_id,
                    name=name,
                    aliases=union(a for p in brief_first(parts) for a in p.item.aliases),
                    type=first(parts, "type"),
                    parent=first(parts, "parent"),
                    role=prose(parts, "role", self.collector),
                    cites=cites_of(parts),
                )
            )
        known = {a.id for a in actors}
        for actor in actors:
            if actor.parent is not None and actor.parent not in known and not self._declared_elsewhere(actor.parent):
                part = merged[actor.id][0]
                self.collector.error(
                    part,
                    "parent",
                    f"unknown actor {actor.parent!r}{did_you_mean(actor.parent, known)}",
                    "unknown-actor",
                )
        return actors

    def _declared_elsewhere(self, actor: str) -> bool:
        """Whether a source file with errors declares this actor (its own errors are reported there)."""
        return any(actor.casefold() in source.actors for source in self.desk.unloaded_sources)

    def _actor_names(self, actors: list[composed.Actor]) -> dict[str, composed.Actor]:
        names: dict[str, composed.Actor] = {}
        for actor in actors:
            for name in (actor.name, *actor.aliases):
                names.setdefault(name.casefold(), actor)
        for actor in actors:
            names[actor.id] = actor
        return names

    # developments

    def _developments(self, names: dict[str, composed.Actor]) -> list[composed.Development]:
        merged = gather(self._record_items("developments"))
        developments = []
        for dev_id, parts in merged.items():
            summary = prose(parts, "summary", self.collector)
            cites = cites_of(parts)
            if summary is None:
                self.collector.error(
                    parts[0],
                    "summary",
                    f"development {dev_id!r} has no summary: it is in none of this brief's sources, "
                    "so the brief record must give one",
                    "incomplete-item",
                )
                continue
            if not cites:
                self.collector.error(parts[0], "cites", "a development needs at least one citation", "no-citation")
                continue
            status = self._fact(dev_id, parts, "status", summary, DiscrepancyKind.OUTCOME) or Status.REPORTED
            occurred = self._occurred(dev_id, parts, status, summary)
            where = self._fact(dev_id, parts, "where", summary, DiscrepancyKind.PLACE)
            sourcing = self._sourcing(cites, conflicting=any(d.development == dev_id for d in self.discrepancies))
            if status is Status.CONFIRMED and sourcing.anonymous_only and len(sourcing.originators) == 1:
                self.collector.warn(
                    parts[0],
                    "status",
                    f"development {dev_id!r} is marked confirmed but rests on one anonymous originator",
                    "confirmed-anonymous",
                )
            developments.append(
                composed.Development(
                    id=dev_id,
                    summary=summary,
                    detail=prose(parts, "detail", self.collector),
                    status=status,
                    kind=first(parts, "kind") or DevelopmentKind.NEW,
                    occurred=occurred,
                    where=where,
                    credibility=first(parts, "credibility"),
                    actors=self._actor_parts(parts, names),
                    cites=cites,
                    theme=first(parts, "theme"),
                    sourcing=sourcing,
                    discrepancies=[d.id for d in self.discrepancies if d.development == dev_id],
                )
            )
        return developments

    def _actor_parts(
        self, parts: list[Part[DevelopmentPatch]], names: dict[str, composed.Actor]
    ) -> list[composed.ActorPart]:
        found: dict[str, composed.ActorPart] = {}
        for part in brief_first(parts):
            for index, ref in enumerate(part.item.actors):
                actor = names.get(ref.actor) or names.get(ref.actor.casefold())
                if actor is None and self._declared_elsewhere(ref.actor):
                    continue
                if actor is None:
                    self.collector.diagnostics.append(
                        part.file.diagnostic(
                            (*part.loc, "actors", index, "actor"),
                            f"unknown actor {ref.actor!r}{did_you_mean(ref.actor, names)}",
                            code="unknown-actor",
                        )
                    )
                    continue
                found.setdefault(actor.id, composed.ActorPart(actor=actor.id, name=actor.name, role=ref.role))
        return list(found.values())

    def _fact(
        self,
        dev_id: str,
        parts: list[Part[DevelopmentPatch]],
        name: str,
        summary: str,
        kind: DiscrepancyKind,
    ) -> Any:
        """A fact field: the brief's value, else the first source's; disagreeing sources add a discrepancy."""
        by_value: dict[Any, list[composed.Cite]] = {}
        for part in parts:
            value = getattr(part.item, name)
            if part.own_source is not None and value is not None:
                by_value.setdefault(value, []).extend(cite(c) for c in part.cites())
        self._discrepancy_if_split(dev_id, name, summary, kind, {str(v): c for v, c in by_value.items()})
        return first(parts, name)

    def _occurred(
        self, dev_id: str, parts: list[Part[DevelopmentPatch]], status: Status, summary: str
    ) -> composed.When | None:
        by_key: dict[str, list[composed.Cite]] = {}
        chosen: composed.When | None = None
        for part in brief_first(parts):
            if part.item.occurred is None:
                continue
            source_id = part.own_source or next((c.source for c in part.cites()), None)
            source = self.all_sources.get(source_id) if source_id else None
            when, problem = resolve_date(part.item.occurred, status, source)
            if problem:
                self.collector.warn(part, "occurred", problem, "unresolved-date")
            if chosen is None:
                chosen = when
            if part.own_source is not None:
                label = when.on.isoformat() if when.on else f"date not stated (reported as {when.as_reported!r})"
                by_key.setdefault(label, []).extend(cite(c) for c in part.cites())
        self._discrepancy_if_split(dev_id, "date", summary, DiscrepancyKind.DATE, by_key)
        return chosen

    def _discrepancy_if_split(
        self, dev_id: str, name: str, summary: str, kind: DiscrepancyKind, by_value: dict[str, list[composed.Cite]]
    ) -> None:
        if len(by_value) < 2:
            return
        self.discrepancies.append(
            composed.Discrepancy(
                id=f"{dev_id}-{name}"[:80],
                topic=f"Sources differ on the {name} of: {summary}",
                kind=kind,
                status=DiscrepancyStatus.UNRESOLVED,
                statements=[composed.Statement(value=v, cites=union(c)) for v, c in by_value.items()],
                note=None,
                found_by_build=True,
                development=dev_id,
            )
        )

    def _sourcing(self, cites: list[composed.Cite], *, conflicting: bool) -> composed.Sourcing:
        source_ids = union(c.source for c in cites)
        groups = originator_groups(self.all_sources, source_ids)
        if conflicting:
            level = composed.Corroboration.CONFLICTING
        elif len(source_ids) == 1:
            level = composed.Corroboration.SINGLE_SOURCE
        elif len(groups) == 1:
            level = composed.Corroboration.MULTIPLE_DEPENDENT
        else:
            level = composed.Corroboration.MULTIPLE_INDEPENDENT
        return composed.Sourcing(
            corroboration=level,
            sources=len(source_ids),
            originators=groups,
            anonymous_only=all(c.anonymous for c in cites),
        )

    # open questions and discrepancies

    def _questions(self) -> list[composed.OpenQuestion]:
        questions = []
        for question_id, parts in gather(self._record_items("open_questions")).items():
            text = prose(parts, "question", self.collector)
            if text is None:
                self.collector.error(
                    parts[0],
                    "question",
                    f"open question {question_id!r} has no question text",
                    "incomplete-item",
                )
                continue
            status = first(parts, "status") or QuestionStatus.OPEN
            watch_for = union(w for p in brief_first(parts) for w in p.item.watch_for)
            if not watch_for and status in (QuestionStatus.OPEN, QuestionStatus.PARTIALLY_ANSWERED):
                self.collector.warn(
                    parts[0],
                    "watch_for",
                    f"open question {question_id!r} has nothing to watch for",
                    "no-watch-for",
                )
            questions.append(
                composed.OpenQuestion(
                    id=question_id,
                    question=text,
                    kind=first(parts, "kind") or QuestionKind.INFORMATION_GAP,
                    status=status,
                    why=prose(parts, "why", self.collector),
                    watch_for=watch_for,
                    answer=prose(parts, "answer", self.collector),
                    cites=cites_of(parts),
                )
            )
        return questions

    def _hand_discrepancies(self) -> list[composed.Discrepancy]:
        return [
            composed.Discrepancy(
                id=d.id,
                topic=d.topic,
                kind=d.kind,
                status=d.status,
                statements=[
                    composed.Statement(value=s.value, cites=union(cite(c) for c in s.cites)) for s in d.statements
                ],
                note=d.note,
                found_by_build=False,
            )
            for d in self.edition.record.discrepancies
        ]

    # sources, marking and lists

    def _used_sources(
        self,
        developments: list[composed.Development],
        actors: list[composed.Actor],
        questions: list[composed.OpenQuestion],
        discrepancies: list[composed.Discrepancy],
    ) -> list[str]:
        cited: list[str] = [s.record.source.id for s in self.selected]
        texts: list[str | None] = [*self.brief.bluf, self.brief.outlook]
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
        return [s for s in union(cited) if s in self.all_sources]

    def _check_marking(self, used: list[str]) -> None:
        marking = self.brief.marking
        for source_id in used:
            source = self.all_sources[source_id]
            if source.marking is not None and source.marking.rank > marking.rank and not self.brief.downgrade_reason:
                self.collector.diagnostics.append(
                    self.edition.file.diagnostic(
                        ("brief", "marking"),
                        f"{marking} is less restrictive than {source.marking} of source {source_id!r} "
                        f"({self.source_files[source_id].rel}); mark the brief {source.marking} or set "
                        "brief.downgrade_reason",
                        code="marking-below-source",
                    )
                )

    def _check_lists(self) -> None:
        lists = {entry.record.id: entry.record for entry in self.desk.lists}
        for index, list_id in enumerate(self.brief.lists):
            dist = lists.get(list_id)
            loc = ("brief", "lists", index)
            if dist is None:
                self.collector.diagnostics.append(
                    self.edition.file.diagnostic(
                        loc,
                        f"unknown distribution list {list_id!r}{did_you_mean(list_id, lists)}",
                        code="unknown-list",
                    )
                )
            elif dist.clearance.rank < self.brief.marking.rank:
                self.collector.diagnostics.append(
                    self.edition.file.diagnostic(
                        loc,
                        f"list {list_id!r} is cleared for {dist.clearance} only; this {self.brief.marking} "
                        "edition will not be sent to it",
                        severity=Severity.WARNING,
                        code="list-not-cleared",
                    )
                )

    def _source(self, source: SourceDocument) -> composed.Source:
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
            relays=[self._display_name(r) for r in source.relays],
            note=source.note,
        )

    def _display_name(self, relay: str) -> str:
        source = self.all_sources.get(relay)
        if source is not None:
            return source.outlet or source.title
        return relay


def compose(desk: Desk, edition: Loaded[BriefRecord]) -> Composition:
    """Compose one edition of the desk."""
    return _Composer(desk, edition).compose()
