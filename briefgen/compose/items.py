"""The items of a brief, one rule function each: actors, developments (facts, dates, corroboration),
open questions (their lifecycle), discrepancies (the editor's decisions) and the order of developments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from briefgen.compose import model as composed
from briefgen.compose.dates import day_of, resolve_date
from briefgen.compose.facts import Given, date_fact, place_fact, status_fact
from briefgen.compose.merge import (
    Found,
    Part,
    brief_part,
    cite,
    cites_of,
    latest,
    latest_value,
    listed,
    prose,
    source_parts,
)
from briefgen.compose.sources import sourcing
from briefgen.desk.loader import RecordFile
from briefgen.desk.models import (
    ActorPatch,
    BriefDevelopment,
    BriefDiscrepancy,
    DevelopmentPatch,
    OpenQuestionPatch,
    SourceDocument,
)
from briefgen.desk.vocabulary import DevelopmentKind, QuestionKind, QuestionStatus, Status
from briefgen.errors import Diagnostic, Severity, did_you_mean


def actor(
    actor_id: str, parts: list[Part[ActorPatch]], elsewhere: frozenset[str] = frozenset()
) -> Found[composed.Actor | None]:
    """One actor: name, type and parent from the brief else the latest source; aliases united (or the
    brief record's list); role is prose. With no name, an error, unless a source file that does not load
    declares it (`elsewhere`, casefolded: that file's own error is the one to fix)."""
    name = latest_value(parts, lambda a: a.name)
    if name is None and actor_id.casefold() in elsewhere:
        return Found(None)
    if name is None:
        message = f"actor {actor_id!r} has no name in any record of this brief"
        return Found(None, (parts[0].diagnostic("name", message, "incomplete-item", Severity.ERROR),))
    role = prose(parts, "role", lambda a: a.role)
    return Found(
        composed.Actor(
            id=actor_id,
            name=name,
            aliases=listed(parts, "aliases", lambda a: a.aliases),
            type=latest_value(parts, lambda a: a.type),
            parent=latest_value(parts, lambda a: a.parent),
            role=role.value,
            cites=cites_of(parts),
        ),
        role.diagnostics,
    )


def unknown_parents(
    actors: Sequence[composed.Actor],
    parts: Mapping[str, list[Part[ActorPatch]]],
    elsewhere: frozenset[str] = frozenset(),
) -> list[Diagnostic]:
    """Parents that name no actor (an actor declared by a source file with errors is not unknown: that
    file's own errors say what is wrong)."""
    known = {a.id for a in actors}
    return [
        parts[a.id][0].diagnostic(
            "parent", f"unknown actor {a.parent!r}{did_you_mean(a.parent, known)}", "unknown-actor", Severity.ERROR
        )
        for a in actors
        if a.parent is not None and a.parent not in known and a.parent.casefold() not in elsewhere
    ]


def actor_names(actors: Sequence[composed.Actor]) -> dict[str, composed.Actor]:
    """Every actor by id, and by case-folded name and alias (the first actor keeps a shared name)."""
    names: dict[str, composed.Actor] = {}
    for a in actors:
        for name in (a.name, *a.aliases):
            names.setdefault(name.casefold(), a)
    names.update({a.id: a for a in actors})
    return names


def _actor_parts(
    parts: list[Part[DevelopmentPatch]], names: Mapping[str, composed.Actor], elsewhere: frozenset[str]
) -> Found[list[composed.ActorPart]]:
    found: dict[str, composed.ActorPart] = {}
    problems = []
    for part in parts:
        for index, ref in enumerate(part.item.actors):
            known = names.get(ref.actor) or names.get(ref.actor.casefold())
            if known is None and ref.actor.casefold() in elsewhere:
                continue
            if known is None:
                problems.append(
                    part.file.diagnostic(
                        (*part.loc, "actors", index, "actor"),
                        f"unknown actor {ref.actor!r}{did_you_mean(ref.actor, names)}",
                        code="unknown-actor",
                    )
                )
                continue
            found.setdefault(known.id, composed.ActorPart(actor=known.id, name=known.name, role=ref.role))
    return Found(list(found.values()), tuple(problems))


@dataclass(frozen=True)
class DevelopmentResult:
    """A development and the discrepancies the build found on it."""

    development: composed.Development
    discrepancies: tuple[composed.Discrepancy, ...]


def _after_publication(when: composed.When, status: Status, source: SourceDocument | None) -> str | None:
    """A past event dated after the source that reports it was published (a typo such as 2027 for 2026)."""
    if when.on is None or status.is_future or source is None or source.published is None:
        return None
    day = when.on.date() if isinstance(when.on, datetime) else when.on
    published = source.published.date() if isinstance(source.published, datetime) else source.published
    if day <= published:
        return None
    return (
        f"occurred {day.isoformat()} is after source {source.id!r} was published ({published.isoformat()}), "
        f"yet the status {status.value!r} is not a future one: check the date (or the status)"
    )


def _dated(
    parts: list[Part[DevelopmentPatch]], status: Status, sources: Mapping[str, SourceDocument]
) -> tuple[composed.When | None, list[Given[composed.When]], list[Diagnostic]]:
    own: composed.When | None = None
    given: list[Given[composed.When]] = []
    problems = []
    for part in parts:
        if part.item.occurred is None:
            continue
        source_id = part.own_source or next((c.source for c in part.cites()), None)
        source = sources.get(source_id) if source_id else None
        resolved = resolve_date(part.item.occurred, status, source)
        if resolved.problem:
            problems.append(part.diagnostic("occurred", resolved.problem, "unresolved-date"))
        late = _after_publication(resolved.when, status, source)
        if late:
            problems.append(part.diagnostic("occurred", late, "occurred-after-publication"))
        if part.source is None:
            own = resolved.when
        else:
            given.append(Given(resolved.when, tuple(cite(c) for c in part.cites())))
    return own, given, problems


def development(
    dev_id: str,
    parts: list[Part[DevelopmentPatch]],
    names: Mapping[str, composed.Actor],
    sources: Mapping[str, SourceDocument],
    elsewhere: frozenset[str] = frozenset(),
    unloaded_items: frozenset[str] = frozenset(),
) -> Found[DevelopmentResult | None]:
    """One development: prose by path order, facts across sources (rules 3 and 4), dates (rule 6),
    corroboration (rule 2)."""
    summary = prose(parts, "summary", lambda d: d.summary)
    detail = prose(parts, "detail", lambda d: d.detail)
    cites = cites_of(parts)
    if summary.value is None and dev_id in unloaded_items:
        return Found(None, summary.diagnostics)  # its source file has errors, reported there
    if summary.value is None:
        message = (
            f"development {dev_id!r} has no summary: neither the brief record nor any of this brief's sources "
            "that report it gives one"
        )
        return Found(None, (parts[0].diagnostic("summary", message, "incomplete-item", Severity.ERROR),))
    if not cites:
        message = "a development needs at least one citation"
        return Found(None, (parts[0].diagnostic("cites", message, "no-citation", Severity.ERROR),))
    own = brief_part(parts)
    by_source = source_parts(parts)
    status = status_fact(
        dev_id,
        summary.value,
        own.item.status if own else None,
        [Given(p.item.status, tuple(cite(c) for c in p.cites())) for p in by_source if p.item.status],
    )
    shown_status = status.value or Status.REPORTED
    own_date, dates, date_problems = _dated(parts, shown_status, sources)
    occurred = date_fact(dev_id, summary.value, own_date, dates)
    where = place_fact(
        dev_id,
        summary.value,
        own.item.where if own else None,
        [Given(p.item.where, tuple(cite(c) for c in p.cites())) for p in by_source if p.item.where],
    )
    fact_state = [
        ("status", status.discrepancy, status.assessed),
        ("date", occurred.discrepancy, occurred.assessed),
        ("place", where.discrepancy, where.assessed),
    ]
    found = tuple(d for _, d, _ in fact_state if d is not None)
    counted = sourcing(cites, sources, [name for name, d, _ in fact_state if d is not None])
    actors = _actor_parts(parts, names, elsewhere)
    problems = [*summary.diagnostics, *detail.diagnostics, *date_problems, *actors.diagnostics]
    if shown_status is Status.CONFIRMED and counted.anonymous_only and counted.independent == 1:
        problems.append(
            parts[0].diagnostic(
                "status",
                f"development {dev_id!r} is marked confirmed but rests on one anonymous originator",
                "confirmed-anonymous",
            )
        )
    result = composed.Development(
        id=dev_id,
        summary=summary.value,
        detail=detail.value,
        status=shown_status,
        kind=latest_value(parts, lambda d: d.kind) or DevelopmentKind.NEW,
        occurred=occurred.value,
        where=where.value,
        credibility=latest_value(parts, lambda d: d.credibility),
        actors=actors.value,
        cites=cites,
        theme=latest_value(parts, lambda d: d.theme),
        sourcing=counted,
        discrepancies=[d.id for d in found],
        alternatives=composed.Alternatives(
            status=list(status.alternatives), occurred=list(occurred.alternatives), where=list(where.alternatives)
        ),
        assessed=[name for name, _, assessed in fact_state if assessed],
    )
    return Found(DevelopmentResult(result, found), tuple(problems))


def development_order(
    developments: Sequence[composed.Development], editor: Sequence[BriefDevelopment]
) -> list[composed.Development]:
    """The editor's `order` first (lower first); then by theme (alphabetical, none last), latest date
    first, stronger sourcing (more independent originators, then more sources), then id."""
    orders = {d.id: d.order for d in editor if d.order is not None}

    def key(dev: composed.Development) -> tuple[object, ...]:
        if dev.id in orders:
            return (0, orders[dev.id], "", 0, 0, 0, dev.id)
        dated = [day_of(w) for w in ([dev.occurred] if dev.occurred else dev.alternatives.occurred)]
        days = [d.toordinal() for d in dated if d is not None]
        return (
            1,
            dev.theme is None,
            dev.theme or "",
            -max(days) if days else 1,
            -dev.sourcing.independent,
            -dev.sourcing.sources,
            dev.id,
        )

    return sorted(developments, key=key)


def question(question_id: str, parts: list[Part[OpenQuestionPatch]]) -> Found[composed.OpenQuestion | None]:
    """One open question (rule 5): status and answer from the brief record, else from the most recently
    published source that gives them (an answer without a status means answered); `watch_for` united
    unless the brief record sets it. An answer is shown only with a status that has one."""
    text = prose(parts, "question", lambda q: q.question)
    if text.value is None:
        message = f"open question {question_id!r} has no question text"
        return Found(None, (parts[0].diagnostic("question", message, "incomplete-item", Severity.ERROR),))
    status = latest_value(parts, lambda q: q.status or (QuestionStatus.ANSWERED if q.answer else None))
    status = status or QuestionStatus.OPEN
    answer, answered_in = latest(parts, lambda q: q.answer)
    own = brief_part(parts)
    if status is QuestionStatus.OPEN and not (own is not None and own.item.answer):
        answer, answered_in = None, None
    watch_for = listed(parts, "watch_for", lambda q: q.watch_for)
    why = prose(parts, "why", lambda q: q.why)
    problems = [*text.diagnostics, *why.diagnostics]
    if not watch_for and status in (QuestionStatus.OPEN, QuestionStatus.PARTIALLY_ANSWERED):
        problems.append(
            parts[0].diagnostic("watch_for", f"open question {question_id!r} has nothing to watch for", "no-watch-for")
        )
    return Found(
        composed.OpenQuestion(
            id=question_id,
            question=text.value,
            kind=latest_value(parts, lambda q: q.kind) or QuestionKind.INFORMATION_GAP,
            status=status,
            why=why.value,
            watch_for=watch_for,
            answer=answer,
            cites=cites_of(parts),
            answer_cites=cites_of([answered_in]) if answered_in is not None else [],
        ),
        tuple(problems),
    )


def decide_discrepancies(
    found: Sequence[composed.Discrepancy],
    editor: Sequence[BriefDiscrepancy],
    file: RecordFile,
    *,
    view: bool = False,
) -> Found[list[composed.Discrepancy]]:
    """The brief record's discrepancies: one with the id of a discrepancy the build found is the editor's
    decision on it and replaces it; others are the editor's own (topic, kind and two statements needed).
    Never two discrepancies with one id. In an audience's view (`view`), a decision on a discrepancy the
    view does not find (its other side is withheld) is no error: there is nothing to decide there."""
    by_id = {d.id: d for d in found}
    decided: dict[str, composed.Discrepancy] = {}
    own: list[composed.Discrepancy] = []
    problems: list[Diagnostic] = []
    seen: dict[str, int] = {}
    for index, given in enumerate(editor):
        loc = ("discrepancies", index)
        if given.id in seen:
            line = file.lines.line_of(("discrepancies", seen[given.id], "id"))
            problems.append(file.diagnostic((*loc, "id"), f"duplicate discrepancy id {given.id!r} (also line {line})"))
            continue
        seen[given.id] = index
        statements = [composed.Statement.of(s.value, [cite(c) for c in s.cites]) for s in given.statements]
        build = by_id.get(given.id)
        if build is not None:
            decided[given.id] = build.model_copy(
                update={
                    "topic": given.topic or build.topic,
                    "kind": given.kind or build.kind,
                    "status": given.status,
                    "statements": statements or build.statements,
                    "note": given.note,
                    "decided_by_editor": True,
                }
            )
            continue
        if given.topic is None or given.kind is None or not statements:
            if view and not given.statements:
                continue
            ids = ", ".join(sorted(by_id)) or "it finds none"
            problems.append(
                file.diagnostic(
                    loc,
                    f"discrepancy {given.id!r} is not one the build finds ({ids}); the editor's own discrepancy "
                    "needs `topic`, `kind` and two or more `statements`",
                    code="unknown-discrepancy",
                )
            )
            continue
        own.append(
            composed.Discrepancy(
                id=given.id,
                topic=given.topic,
                kind=given.kind,
                status=given.status,
                statements=statements,
                note=given.note,
                found_by_build=False,
            )
        )
    return Found([*own, *(decided.get(d.id, d) for d in found)], tuple(problems))
