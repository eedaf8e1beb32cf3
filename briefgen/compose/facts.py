"""What conflicts (rule 3 of "Merging") and no fact by file order (rule 4): a development's `status`,
`occurred` and `where` across its sources.

Statuses have an order (`STATUS_GROUPS`): statuses of one group agree and the stronger stands;
an affirming status against a negating one conflicts; scheduled/expected against a past status is a
change (the past status stands), not a conflict. Dates compare at the coarser of two precisions (a time
within a day agrees with that day: it refines it). Places compare after Unicode normalisation, case and
white space folding. A conflict no brief record settles shows every value; the brief record's value is
the desk's assessment.
"""

from __future__ import annotations

import enum
import hashlib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from briefgen.compose import model as composed
from briefgen.compose.dates import when_key
from briefgen.compose.merge import union
from briefgen.desk.vocabulary import DiscrepancyKind, DiscrepancyStatus, Precision, Status

V = TypeVar("V")


class Relation(enum.StrEnum):
    AGREE = "agree"
    CONFLICT = "conflict"
    CHANGE = "change"


# Groups of statuses, each from the strongest to the weakest.
STATUS_GROUPS: dict[str, tuple[Status, ...]] = {
    "affirming": (Status.CONFIRMED, Status.REPORTED, Status.CLAIMED),
    "negating": (Status.RETRACTED, Status.DENIED, Status.DISPUTED),
    "future": (Status.SCHEDULED, Status.EXPECTED),
}
_PRECISION_RANK = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2, Precision.TIME: 3}


_GROUP_OF = {status: name for name, members in STATUS_GROUPS.items() for status in members}


def status_group(status: Status) -> str:
    return _GROUP_OF[status]


def status_relation(a: Status, b: Status) -> Relation:
    """How two statuses for one development relate (the documented table is generated from this)."""
    if status_group(a) == status_group(b):
        return Relation.AGREE
    if "future" in (status_group(a), status_group(b)):
        return Relation.CHANGE
    return Relation.CONFLICT


def discrepancy_id(item_id: str, field: str) -> str:
    """The id the build gives a discrepancy on a development's field: `<item>-<field>` (date, place,
    status); when that is over 80 characters, the item id is shortened and an 8-character hash keeps it
    unique."""
    plain = f"{item_id}-{field}"
    if len(plain) <= 80:
        return plain
    digest = hashlib.sha256(item_id.encode()).hexdigest()[:8]
    return f"{item_id[: 80 - len(field) - 10]}-{digest}-{field}"


@dataclass(frozen=True)
class Given(Generic[V]):
    """One source's value for a fact, with its citations."""

    value: V
    cites: tuple[composed.Cite, ...]


@dataclass(frozen=True)
class FactOutcome(Generic[V]):
    """A fact across sources: the value shown (None when sources differ and the brief sets none), every
    value when they differ, whether the brief's value is the desk's assessment, the build's discrepancy."""

    value: V | None
    alternatives: tuple[V, ...]
    assessed: bool
    discrepancy: composed.Discrepancy | None


# --- grouping values that agree -------------------------------------------------------------------


def _date_at(when: composed.When, precision: Precision) -> tuple[int, ...] | datetime:
    on = when.on
    assert on is not None
    if precision is Precision.TIME and isinstance(on, datetime):
        return on
    day = on.date() if isinstance(on, datetime) else on
    return (day.year, day.month, day.day)[: _PRECISION_RANK[precision] + 1]


def _precision(when: composed.When) -> Precision:
    if when.precision is Precision.TIME and not isinstance(when.on, datetime):
        return Precision.DAY
    return when.precision


def dates_agree(a: composed.When, b: composed.When) -> bool:
    """Two resolved dates agree when equal at the coarser of their precisions."""
    coarser = min(_precision(a), _precision(b), key=_PRECISION_RANK.__getitem__)
    return _date_at(a, coarser) == _date_at(b, coarser)


def place_key(place: str) -> str:
    return " ".join(unicodedata.normalize("NFC", place).casefold().split())


def _groups(
    given: Sequence[Given[V]], agree: Callable[[V, V], bool], order: Callable[[V], str]
) -> list[list[Given[V]]]:
    """Values into groups that agree with every member, in an order that does not depend on files."""
    groups: list[list[Given[V]]] = []
    for item in sorted(given, key=lambda g: order(g.value)):
        home = next((g for g in groups if all(agree(item.value, other.value) for other in g)), None)
        if home is None:
            groups.append([item])
        else:
            home.append(item)
    return groups


def _finest(group: list[Given[composed.When]]) -> composed.When:
    return max((g.value for g in group), key=lambda w: (_PRECISION_RANK[_precision(w)], when_key(w)))


def _spelling(group: list[Given[str]]) -> str:
    counts: dict[str, int] = {}
    for item in group:
        counts[item.value] = counts.get(item.value, 0) + 1
    return min(counts, key=lambda v: (-counts[v], v))


# --- the facts --------------------------------------------------------------------------------------


def _discrepancy(
    dev_id: str, field: str, summary: str, kind: DiscrepancyKind, sides: list[tuple[str, list[composed.Cite]]]
) -> composed.Discrepancy:
    return composed.Discrepancy(
        id=discrepancy_id(dev_id, field),
        topic=f"Sources differ on the {field} of: {summary}",
        kind=kind,
        status=DiscrepancyStatus.UNRESOLVED,
        statements=[composed.Statement.of(v, union(c)) for v, c in sides],
        note=None,
        found_by_build=True,
        development=dev_id,
    )


def _cites(group: Sequence[Given[V]]) -> list[composed.Cite]:
    return [c for g in group for c in g.cites]


def status_fact(dev_id: str, summary: str, own: Status | None, given: Sequence[Given[Status]]) -> FactOutcome[Status]:
    """The status: the brief's (assessed), else the strongest of agreeing sources; affirming against
    negating is a conflict (shown as disputed, with every value); a future status gives way to a past one."""
    groups: dict[str, list[Given[Status]]] = {}
    for item in given:
        groups.setdefault(status_group(item.value), []).append(item)
    if len(groups) > 1:
        groups.pop("future", None)
    strongest = {name: min((g.value for g in items), key=STATUS_GROUPS[name].index) for name, items in groups.items()}
    order = [name for name in STATUS_GROUPS if name in groups]
    discrepancy = None
    if len(order) > 1:
        sides = [(strongest[name].value, _cites(groups[name])) for name in order]
        discrepancy = _discrepancy(dev_id, "status", summary, DiscrepancyKind.OUTCOME, sides)
    if own is not None:
        return FactOutcome(own, (), True, discrepancy)
    if discrepancy is not None:
        return FactOutcome(Status.DISPUTED, tuple(strongest[n] for n in order), False, discrepancy)
    return FactOutcome(strongest[order[0]] if order else None, (), False, None)


def date_fact(
    dev_id: str, summary: str, own: composed.When | None, given: Sequence[Given[composed.When]]
) -> FactOutcome[composed.When]:
    """The date: the brief's (assessed), else the finest of agreeing sources' dates; dates that disagree at
    their common precision are a conflict with every value shown. Unresolved dates agree with anything."""
    resolved = [g for g in given if g.value.on is not None]
    groups = _groups(resolved, dates_agree, when_key)
    groups.sort(key=lambda g: when_key(_finest(g)))
    discrepancy = None
    if len(groups) > 1:
        sides = [(when_key(_finest(g)), _cites(g)) for g in groups]
        discrepancy = _discrepancy(dev_id, "date", summary, DiscrepancyKind.DATE, sides)
    if own is not None:
        return FactOutcome(own, (), True, discrepancy)
    if discrepancy is not None:
        return FactOutcome(None, tuple(_finest(g) for g in groups), False, discrepancy)
    if groups:
        return FactOutcome(_finest(groups[0]), (), False, None)
    unresolved = sorted((g.value for g in given), key=lambda w: (w.as_reported or "", w.unresolved or ""))
    return FactOutcome(unresolved[0] if unresolved else None, (), False, None)


def place_fact(dev_id: str, summary: str, own: str | None, given: Sequence[Given[str]]) -> FactOutcome[str]:
    """The place: the brief's (assessed), else the sources' (the most common spelling of one place)."""
    groups = _groups(given, lambda a, b: place_key(a) == place_key(b), place_key)
    discrepancy = None
    if len(groups) > 1:
        sides = [(_spelling(g), _cites(g)) for g in groups]
        discrepancy = _discrepancy(dev_id, "place", summary, DiscrepancyKind.PLACE, sides)
    if own is not None:
        return FactOutcome(own, (), True, discrepancy)
    if discrepancy is not None:
        return FactOutcome(None, tuple(_spelling(g) for g in groups), False, discrepancy)
    return FactOutcome(_spelling(groups[0]) if groups else None, (), False, None)
