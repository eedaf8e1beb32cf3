"""The edition of a brief for one audience: a view of the records at a clearance, composed like any edition.

The view of a brief record at clearance C (README "Editions for each audience", docs/sourcing.md):
- a source marked above C is withheld: a citation to it is dropped, or, when the source gives a
  `descriptor`, points at an anonymous entry that shows the descriptor alone;
- an item (development, actor, open question) marked at or below C is kept with its visible citations;
  above C, its `releasable_as` variant stands in when that is marked at or below C; else the item is left
  out, and so is every reference to it (an actor named in a development, a parent);
- a portion that cited sources and has no visible citation left is left out, with a warning;
- discrepancies, BLUF bullets and the outlook are kept by their markings; the edition's own title and
  BLUF replace the brief's when `brief.editions` gives them.
Endnotes, corroboration (visible originators only, grouped as the whole desk groups them), discrepancies
the build finds, actor roles, the legend and the changes are then computed by composing the view, never
copied from the master. Which editions are built, and for which lists, is `briefgen.compose.editions`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from briefgen.compose.merge import RecordItems, gather, record_items
from briefgen.compose.originators import GROUP_RELAY, originator_key
from briefgen.compose.portions import AnyPart, AnyPatch, item_marking, source_marking
from briefgen.compose.sources import desk_sources, originators_behind, select_sources
from briefgen.compose.withheld import WithheldCitations, anonymous_id
from briefgen.desk.loader import Desk, Loaded
from briefgen.desk.models import (
    ActorPatch,
    ActorVariant,
    BriefDevelopment,
    BriefDiscrepancy,
    BriefRecord,
    BriefStatement,
    DevelopmentPatch,
    OpenQuestionPatch,
    SourceDocument,
    SourceRecord,
)
from briefgen.desk.portions import EditionSpec, MarkedText, bullet_text
from briefgen.desk.vocabulary import Marking, SourceType
from briefgen.errors import Diagnostic, Severity

KINDS = ("developments", "actors", "open_questions")
_KIND_WORD = {"developments": "development", "actors": "actor", "open_questions": "open question"}


@dataclass(frozen=True)
class AudienceView:
    """The records as an audience's edition sees them, and what the view left out (warnings)."""

    desk: Desk
    edition: Loaded[BriefRecord]
    clearance: Marking
    portions: tuple[Marking, ...]  # the markings of the portions it includes
    diagnostics: tuple[Diagnostic, ...]
    described: frozenset[str] = frozenset()  # the anonymous entries of withheld sources it cites
    variants: frozenset[str] = frozenset()  # the ids of the items whose `releasable_as` stands in


class _View:
    """Builds one audience's view of a brief record (see the module's docstring)."""

    def __init__(self, desk: Desk, edition: Loaded[BriefRecord], spec: EditionSpec) -> None:
        self.desk, self.edition, self.spec = desk, edition, spec
        self.clearance = spec.clearance
        self.brief = edition.record.brief
        unmarked = desk.settings.markings.unmarked_source
        documents = {s.record.source.id: s.record.source for s in desk.sources}
        self.withheld = {i for i, d in documents.items() if source_marking(d, unmarked).rank > self.clearance.rank}
        # A withheld source's anonymous entry: a neutral id, the same in every edition, counting nothing.
        self.substitutes = {i: anonymous_id(i) for i in self.withheld if documents[i].descriptor}
        visible_names = {
            originator_key(n) for i, d in documents.items() if i not in self.withheld for n in (i, d.outlet) if n
        }
        self.withheld_names = {
            originator_key(n)
            for i in self.withheld
            for n in (i, documents[i].outlet, *documents[i].relays)
            if n and originator_key(n) not in visible_names
        }
        self.citations = WithheldCitations(self.withheld, self.substitutes, self._names_withheld)
        # Each source relays, in the view, only tags for the originators behind it in the whole desk: the
        # view's sources then count as the master's do, withheld originators included.
        behind = originators_behind(desk_sources(desk), sorted(documents))
        tag = {name: n for n, name in enumerate(sorted({o for found in behind.values() for o in found}))}
        self.tags = {
            source_id: [f"{GROUP_RELAY}{tag[o]}" for o in sorted(found)] for source_id, found in behind.items()
        }
        self.documents = documents
        self.portions: list[Marking] = []
        self.found: list[Diagnostic] = []
        self.decisions: dict[str, dict[str, Any]] = {k: {} for k in KINDS}  # kind -> id -> "keep" | variant
        self.hidden_actor_names: set[str] = set()
        self.shown_actor_names: dict[str, str] = {}  # any name of a shown actor (case-folded) -> its id
        self.variants: set[str] = set()  # the ids of the items whose variant stands in

    # --- which items an audience sees -----------------------------------------------------------------

    def _left_out(self, part: AnyPart | None, what: str) -> None:
        message = f"{what} is left out of the {self.clearance} edition: none of its citations is visible there"
        file, loc = (part.file, part.loc) if part is not None else (self.edition.file, ("brief",))
        self.found.append(file.diagnostic(loc, message, severity=Severity.WARNING, code="left-out-of-edition"))

    def _visible_parts(self, parts: Sequence[AnyPart]) -> list[AnyPart]:
        kept = []
        for part in parts:
            if part.source is not None and part.source.id in self.withheld:
                continue
            if part.item.cites and not self.citations.cites(part.item.cites) and part.source is not None:
                continue  # it cited sources, and none is visible: its part cannot be sourced here
            kept.append(part)
        return kept

    def decide(self, kind: str, by_id: dict[str, list[AnyPart]]) -> None:
        for item_id, parts in by_id.items():
            portion = item_marking(parts, self.brief.marking)
            names = _names(parts) if kind == "actors" else set()
            if portion.marking.rank <= self.clearance.rank:
                visible = self._visible_parts(parts)
                had = any(p.cites() for p in parts)
                if not visible or (had and not any(self.citations.cites(p.cites()) for p in visible)):
                    self._left_out(portion.part or parts[0], f"{_KIND_WORD[kind]} {item_id!r}")
                    self.hidden_actor_names |= names
                    continue
                self.decisions[kind][item_id] = visible
                self.portions.append(portion.marking)
                self.shown_actor_names |= dict.fromkeys(names, item_id)
                continue
            variant = next((p.item.releasable_as for p in parts if p.item.releasable_as is not None), None)
            self.hidden_actor_names |= names
            if variant is None or variant.marking.rank > self.clearance.rank:
                continue
            if variant.cites and not self.citations.cites(variant.cites):
                self._left_out(parts[0], f"releasable_as of {_KIND_WORD[kind]} {item_id!r}")
                continue
            self.decisions[kind][item_id] = variant
            self.portions.append(variant.marking)
            self.variants.add(item_id)
            if isinstance(variant, ActorVariant):
                self.shown_actor_names |= dict.fromkeys({item_id, variant.name.casefold()}, item_id)

    # --- the records of the view ----------------------------------------------------------------------

    def _item(self, item: AnyPatch) -> AnyPatch:
        update: dict[str, Any] = {"cites": self.citations.cites(item.cites), "releasable_as": None}
        for name in ("detail", "role", "why", "answer"):
            if hasattr(item, name):
                update[name] = self.citations.text(getattr(item, name))
        if isinstance(item, DevelopmentPatch):
            refs = [(r, self._actor_ref(r.actor)) for r in item.actors]
            update["actors"] = [r.model_copy(update={"actor": ref}) for r, ref in refs if ref is not None]
        if isinstance(item, ActorPatch) and item.parent:
            update["parent"] = self._actor_ref(item.parent)
        return item.model_copy(update=update)

    def _actor_ref(self, ref: str) -> str | None:
        """An actor reference as the view makes it: a shown actor's id (whatever name of it the record
        used: one only a withheld record gives is not shown), None for a withheld actor, else as written."""
        key = ref.casefold()
        if key in self.shown_actor_names:
            return self.shown_actor_names[key]
        return None if key in self.hidden_actor_names else ref

    def _items(self, kind: str, items: Sequence[AnyPatch], own_source: str | None) -> list[AnyPatch]:
        kept = []
        for item in items:
            decision = self.decisions[kind].get(item.id)
            if isinstance(decision, list) and any(p.item is item for p in decision):
                kept.append(self._item(item))
        if own_source is None:  # the brief record: the variants stand in here
            for item_id, decision in self.decisions[kind].items():
                if not isinstance(decision, list):
                    kept.append(self._item(_variant_item(kind, item_id, decision, items)))
        return kept

    def _source(self, document: SourceDocument) -> SourceDocument:
        relays = [r for r in document.relays if not self._names_withheld(r)]
        relays.extend(self.tags[document.id])
        return document.model_copy(update={"relays": relays, "note": self.citations.text(document.note)})

    def _names_withheld(self, name: str) -> bool:
        """Whether a name (a relay, a `via`) names a withheld source: its id, outlet or a relay it gives,
        compared as originators are (NFKC, case-folded, spaces collapsed), unless a visible source has it."""
        return originator_key(name) in self.withheld_names

    def _substitute(self, source_id: str) -> Loaded[SourceRecord]:
        document = self.documents[source_id]
        entry = next(s for s in self.desk.sources if s.record.source.id == source_id)
        anonymous = SourceDocument(
            id=self.substitutes[source_id],
            title=document.descriptor or "",
            type=SourceType.UNKNOWN,
            language=self.brief.language,
            reliability=document.reliability,
            marking=Marking.CLEAR,
        ).model_copy(update={"relays": self.tags[source_id]})
        return Loaded(SourceRecord(source=anonymous), entry.file)

    def _bullets(self) -> tuple[list[str], str | None]:
        where: tuple[str | int, ...]
        if self.spec.bluf:
            index = self.brief.editions.index(self.spec)
            given, default, where = self.spec.bluf, self.clearance, ("brief", "editions", index, "bluf")
        else:
            given, default, where = self.brief.bluf, self.brief.marking, ("brief", "bluf")
        bluf = [b for b in (self._bullet(x, default, (*where, i)) for i, x in enumerate(given)) if b]
        outlook = self._bullet(self.brief.outlook, self.brief.marking, ("brief", "outlook"))
        return bluf, outlook

    def _no_bottom_line(self) -> Diagnostic:
        """An edition none of whose BLUF bullets it may show would go out with an empty bottom line: an error."""
        if self.spec.bluf:
            index = self.brief.editions.index(self.spec)
            loc: tuple[str | int, ...] = ("brief", "editions", index, "bluf")
            why = f"none of its own bullets is visible at {self.clearance}"
        else:
            loc = ("brief", "bluf")
            why = (
                f"every bullet of the brief's is marked above {self.clearance} "
                f"(an unmarked bullet takes the brief's {self.brief.marking})"
            )
        message = (
            f"the {self.clearance} edition would have no bottom line: {why}; give that edition its own "
            f"`bluf` under `editions`, or mark the bullets it may show"
        )
        return self.edition.file.diagnostic(loc, message, code="edition-without-bluf")

    def _bullet(self, bullet: str | MarkedText | None, default: Marking, loc: tuple[str | int, ...]) -> str | None:
        if bullet is None:
            return None
        marking = bullet.marking if isinstance(bullet, MarkedText) else default
        if marking.rank > self.clearance.rank:
            return None
        text = bullet_text(bullet)
        kept = self.citations.text(text) or ""
        if self.citations.cited([text]) and not self.citations.cited([kept]):
            message = f"this bullet is left out of the {self.clearance} edition: none of its citations is visible there"
            self.found.append(
                self.edition.file.diagnostic(loc, message, severity=Severity.WARNING, code="left-out-of-edition")
            )
            return None
        self.portions.append(marking)
        return kept

    def _discrepancies(self) -> list[BriefDiscrepancy]:
        kept = []
        for index, given in enumerate(self.edition.record.discrepancies):
            marking = given.marking or self.brief.marking
            if marking.rank > self.clearance.rank:
                continue
            statements = [
                BriefStatement(value=s.value, cites=cites)
                for s in given.statements
                if (cites := self.citations.cites(s.cites))
            ]
            if given.statements and len(statements) < 2:
                what = f"discrepancy {given.id!r}"
                message = (
                    f"{what} is left out of the {self.clearance} edition: fewer than two of its sides are visible there"
                )
                loc = ("discrepancies", index)
                self.found.append(
                    self.edition.file.diagnostic(loc, message, severity=Severity.WARNING, code="left-out-of-edition")
                )
                continue
            self.portions.append(marking)
            kept.append(given.model_copy(update={"statements": statements, "note": self.citations.text(given.note)}))
        return kept

    def build(self) -> AudienceView:
        selected = select_sources(self.desk, self.edition).value
        getters: dict[str, Callable[[Any], Sequence[AnyPatch]]] = {
            "actors": lambda r: r.actors,
            "developments": lambda r: r.developments,
            "open_questions": lambda r: r.open_questions,
        }
        for kind in KINDS:  # actors first: developments name them
            items: list[RecordItems[Any]] = record_items(
                desk_sources(self.desk).path_index, self.edition, selected, kind, getters[kind]
            )
            self.decide(kind, gather(items))
        sources = []
        for entry in self.desk.sources:
            document = entry.record.source
            if document.id in self.withheld:
                continue
            changes: dict[str, Any] = {"source": self._source(document)}
            changes |= {kind: self._items(kind, getattr(entry.record, kind), document.id) for kind in KINDS}
            sources.append(Loaded(entry.record.model_copy(update=changes), entry.file))
        bluf, outlook = self._bullets()
        if not bluf:
            self.found.append(self._no_bottom_line())
        named = self.brief.sources
        brief = self.brief.model_copy(
            update={
                "title": self.spec.title or self.brief.title,
                "bluf": bluf,
                "outlook": outlook,
                "lists": [],
                "editions": [],
                "correction": None,  # the master's notes: about what the master holds
                "restrictions": None,
                "downgrade_reason": None,
                "sources": None if named is None else [s for s in named if s not in self.withheld],
            }
        )
        record = self.edition.record
        update: dict[str, Any] = {"brief": brief, "discrepancies": self._discrepancies()}
        update |= {kind: self._items(kind, getattr(record, kind), None) for kind in KINDS}
        view = Loaded(record.model_copy(update=update), self.edition.file)
        sources += [self._substitute(source_id) for source_id in sorted(self.citations.used)]
        desk = dataclasses.replace(self.desk, sources=tuple(sources))
        described = frozenset(self.substitutes[s] for s in self.citations.used)
        variants = frozenset(self.variants)
        return AudienceView(desk, view, self.clearance, tuple(self.portions), tuple(self.found), described, variants)


def _names(parts: Sequence[AnyPart]) -> set[str]:
    names = {parts[0].item.id}
    for part in parts:
        for name in (getattr(part.item, "name", None), *getattr(part.item, "aliases", ())):
            if name:
                names.add(name.casefold())
    return names


def _variant_item(kind: str, item_id: str, variant: Any, brief_items: Sequence[AnyPatch]) -> AnyPatch:
    """The brief-record item that stands in for a portion in editions below it (only what the variant says)."""
    fields = variant.model_dump(exclude={"downgrade"}, exclude_none=True)
    if kind == "developments":
        own = next((i for i in brief_items if i.id == item_id), None)
        order = getattr(own, "order", None)
        return BriefDevelopment.model_validate({**fields, "id": item_id, "order": order})
    if kind == "actors":
        return ActorPatch.model_validate({**fields, "id": item_id})
    return OpenQuestionPatch.model_validate({**fields, "id": item_id})


def audience_view(desk: Desk, edition: Loaded[BriefRecord], spec: EditionSpec) -> AudienceView:
    """The view of `edition` for the audience `spec` describes (a clearance below the brief's marking)."""
    return _View(desk, edition, spec).build()
