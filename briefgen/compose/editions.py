"""Which editions of a brief record are built, and who receives each (README "Editions for each audience").

The master edition holds everything and is marked as the brief is. Each audience of `brief.editions` below
the brief's marking gets the edition its view of the records composes to (`briefgen.compose.audience`),
marked by the strictest portion it includes, with neutral item ids. Audiences' editions with the same
content are built once, as the lowest; every list named by the brief or one of its editions receives the
highest edition it is cleared for.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

from briefgen.compose import model as composed
from briefgen.compose.audience import AudienceView, audience_view
from briefgen.compose.compose import compose
from briefgen.compose.portions import strictest
from briefgen.desk.loader import Desk, Loaded
from briefgen.desk.models import BriefRecord
from briefgen.desk.portions import EditionSpec
from briefgen.desk.vocabulary import Marking
from briefgen.errors import Diagnostic


def _neutral(kind: str, item_id: str) -> str:
    return f"{kind[0]}-{hashlib.sha256(f'{kind}:{item_id}'.encode()).hexdigest()[:10]}"


def neutral_ids(brief: composed.ComposedBrief) -> composed.ComposedBrief:
    """The edition with every item id replaced by a neutral one (a hash: stable from one edition to the next,
    so the changes still match items, and naming nothing), references included."""
    dev = {d.id: _neutral("development", d.id) for d in brief.developments}
    actor = {a.id: _neutral("actor", a.id) for a in brief.actors}
    disc = {d.id: _neutral("xdiscrepancy", d.id) for d in brief.discrepancies}
    developments = [
        d.model_copy(
            update={
                "id": dev[d.id],
                "actors": [p.model_copy(update={"actor": actor.get(p.actor, p.actor)}) for p in d.actors],
                "discrepancies": [disc.get(x, x) for x in d.discrepancies],
            }
        )
        for d in brief.developments
    ]
    actors = [
        a.model_copy(update={"id": actor[a.id], "parent": actor.get(a.parent) if a.parent else None})
        for a in brief.actors
    ]
    questions = [q.model_copy(update={"id": _neutral("question", q.id)}) for q in brief.open_questions]
    discrepancies = [
        d.model_copy(update={"id": disc[d.id], "development": dev.get(d.development) if d.development else None})
        for d in brief.discrepancies
    ]
    return brief.model_copy(
        update={
            "developments": developments,
            "actors": actors,
            "open_questions": questions,
            "discrepancies": discrepancies,
        }
    )


def banner(view: AudienceView, brief: composed.ComposedBrief, unmarked: Marking, spec: EditionSpec) -> Marking:
    """An edition's marking: the strictest portion it includes, a source it lists counting as a portion,
    raised (never lowered) by the edition's `compilation_marking`."""
    shown = [s.marking or unmarked for s in brief.sources]
    raised = [spec.compilation_marking.marking] if spec.compilation_marking else []
    return strictest([*view.portions, *shown, *raised])


@dataclass(frozen=True)
class AudienceEdition:
    """One edition of a brief to build: the master (`audience` None) or an audience's edition, with the
    lists that receive it (each list gets the highest edition it is cleared for)."""

    audience: Marking | None
    brief: composed.ComposedBrief


def _content(brief: composed.ComposedBrief) -> str:
    return brief.model_copy(update={"lists": []}).model_dump_json()


def audience_editions(
    desk: Desk, edition: Loaded[BriefRecord], master: composed.ComposedBrief
) -> tuple[list[AudienceEdition], list[Diagnostic]]:
    """Every edition of a brief record to build, from the highest to the lowest, and what composing the
    audiences' views found (warnings: portions left out; errors: a view that cannot be composed). An
    audience's edition with the same content as a lower one is built once, as the lower one."""
    record = edition.record.brief
    unmarked = desk.settings.markings.unmarked_source
    found: list[Diagnostic] = []
    built: list[tuple[EditionSpec, composed.ComposedBrief]] = []
    for spec in sorted(record.editions, key=lambda s: -s.clearance.rank):
        if spec.clearance.rank >= record.marking.rank:
            continue
        view = audience_view(desk, edition, spec)
        found.extend(view.diagnostics)
        if any(d.is_error for d in view.diagnostics):
            continue
        composition = compose(view.desk, view.edition, described=view.described)
        errors = [d for d in composition.diagnostics if d.is_error]
        if errors or composition.brief is None:
            found.extend(
                dataclasses.replace(d, message=f"in the {spec.clearance} edition: {d.message}") for d in errors
            )
            continue
        # A variant is the desk's sanitised wording, not its assessment of the facts: no "desk's assessment".
        developments = [
            d.model_copy(update={"assessed": []}) if d.id in view.variants else d
            for d in composition.brief.developments
        ]
        marking = banner(view, composition.brief, unmarked, spec)
        brief = composition.brief.model_copy(update={"marking": marking, "developments": developments})
        built.append((spec, brief))
    kept: list[tuple[Marking | None, composed.ComposedBrief]] = [(None, master)]
    for index, (spec, brief) in enumerate(built):
        lower = [b for _, b in built[index + 1 :]]
        if any(_content(b) == _content(brief) for b in lower) or _content(master) == _content(brief):
            continue  # the same content as a lower edition (or the master): built once
        kept.append((spec.clearance, brief))
    return _with_lists(desk, edition, kept), found


def _edition_for(kept: list[tuple[Marking | None, composed.ComposedBrief]], clearance: Marking, master: Marking) -> int:
    """The edition a list cleared for `clearance` receives: of those whose banner it is cleared for, the one
    built for the highest audience it belongs to (its own audience's edition before a higher audience's
    that happens to show nothing above it), else the one with the highest banner. A list cleared for none
    stays the master's, which does not send to it (`briefgen.build.formats`) and says so when validated."""
    cleared = [i for i, (_, b) in enumerate(kept) if b.marking.rank <= clearance.rank]
    if not cleared:
        return 0
    audience = {i: (a or master).rank for i, (a, _) in enumerate(kept)}
    own = [i for i in cleared if audience[i] <= clearance.rank]
    if own:
        return max(own, key=lambda i: (audience[i], kept[i][1].marking.rank, -i))
    return max(cleared, key=lambda i: (kept[i][1].marking.rank, -i))


def _with_lists(
    desk: Desk, edition: Loaded[BriefRecord], kept: list[tuple[Marking | None, composed.ComposedBrief]]
) -> list[AudienceEdition]:
    record = edition.record.brief
    lists = {entry.record.id: entry.record for entry in desk.lists}
    wanted = list(dict.fromkeys([*record.lists, *(name for spec in record.editions for name in spec.lists)]))
    given: dict[int, list[str]] = {index: [] for index in range(len(kept))}
    for name in wanted:
        mailing = lists.get(name)
        given[_edition_for(kept, mailing.clearance, record.marking) if mailing else 0].append(name)
    return [
        AudienceEdition(
            audience, (brief if audience is None else neutral_ids(brief)).model_copy(update={"lists": given[i]})
        )
        for i, (audience, brief) in enumerate(kept)
    ]
