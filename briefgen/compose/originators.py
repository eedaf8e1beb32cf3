"""Who a report comes from (rule 5 of "Merging", docs/sourcing.md): the originators behind each source,
and the sources of one item grouped into independent originators.

Names are one outlet when they compare equal (`originator_key`), when one source gives them as its id and
outlet, or when the gazetteer lists them as one outlet's names. A relay is an edge from a source to what
it relays: a source that relays one report is a copy of it; a source that relays several (a wire's round-
up of two outlets) depends on each of them, and does not make them one. The originators behind a source
are the names its relays lead to that relay nothing further (followed transitively, cycles being one
originator). An item's independent originators are then the most of its sources no two of which share an
originator (`independent_groups`): never more than the reports can show, and a round-up never makes the
reports it relays one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from briefgen.desk.models import SourceDocument

# A relay that names an originator of the whole desk, in an audience's view (`briefgen.compose.audience`):
# sources that share a withheld originator still count as one. Never shown; record text cannot hold it
# (single-line fields refuse control characters). A source that gives one relays only what these name.
GROUP_RELAY = "\x00group-"


def originator_key(name: str) -> str:
    """A name compared across scripts: NFKC, case-folded, white space collapsed; never empty."""
    folded = " ".join(unicodedata.normalize("NFKC", name).casefold().split())
    return folded or f"\u0000{name}"


class _Joined:
    """Union-find over originator keys (iterative: long relay chains and cycles are safe)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def root(self, key: str) -> str:
        path = []
        while self.parent.setdefault(key, key) != key:
            path.append(key)
            key = self.parent[key]
        for step in path:
            self.parent[step] = key
        return key

    def join(self, a: str, b: str) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _origins(edges: Mapping[str, set[str]]) -> dict[str, frozenset[str]]:
    """For each node of the relay graph, the originators it leads to: the components (nodes that relay each
    other, named by their least key) from which no relay leads further. Tarjan's algorithm, iteratively:
    a component is complete before any component that reaches it."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    component: dict[str, str] = {}
    origins: dict[str, frozenset[str]] = {}
    nodes = sorted(set(edges) | {target for targets in edges.values() for target in targets})
    for start in nodes:
        if start in order:
            continue
        order[start] = low[start] = len(order)
        stack.append(start)
        on_stack.add(start)
        work = [(start, iter(sorted(edges.get(start, ()))))]
        while work:
            node, targets = work[-1]
            descended = False
            for target in targets:
                if target not in order:
                    order[target] = low[target] = len(order)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(edges.get(target, ())))))
                    descended = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], order[target])
            if descended:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] != order[node]:
                continue
            members = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.append(member)
                if member == node:
                    break
            label = min(members)
            for member in members:
                component[member] = label
            below = {component[t] for m in members for t in edges.get(m, ()) if component[t] != label}
            origins[label] = frozenset().union(*(origins[b] for b in below)) if below else frozenset({label})
    return {node: origins[label] for node, label in component.items()}


class OriginatorGraph:
    """The desk's sources as originators: names that are one outlet, and where each source's relays lead."""

    def __init__(self, sources: Iterable[SourceDocument], outlet_names: Iterable[Sequence[str]] = ()) -> None:
        documents = list(sources)
        self._same = _Joined()
        for names in outlet_names:  # a gazetteer outlet is one originator under each of its names
            for name in names[1:]:
                self._same.join(originator_key(names[0]), originator_key(name))
        for document in documents:
            if document.outlet:
                self._same.join(originator_key(document.id), originator_key(document.outlet))
        edges: dict[str, set[str]] = {}
        for document in documents:
            tags = [r for r in document.relays if r.startswith(GROUP_RELAY)]
            for relay in tags or document.relays:
                edges.setdefault(self.node(document.id), set()).add(self.node(relay))
        self._origins = _origins(edges)

    def node(self, name: str) -> str:
        """The outlet a name is, as a key."""
        return self._same.root(originator_key(name))

    def origins(self, name: str) -> frozenset[str]:
        """The originators behind a source (by its id), an outlet or a relay's name."""
        node = self.node(name)
        return self._origins.get(node, frozenset({node}))


_SEARCHED = 16  # sources of several originators none of which is cited alone: the most searched for exactly


def _most_disjoint(sets: Sequence[frozenset[str]]) -> list[frozenset[str]]:
    """The most of these sets that share no member (the first such choice, in order); beyond `_SEARCHED`
    sets, smallest first, each that shares nothing with those chosen (never more than the most)."""
    if len(sets) > _SEARCHED:
        chosen: list[frozenset[str]] = []
        for candidate in sorted(sets, key=lambda c: (len(c), sorted(c))):
            if all(candidate.isdisjoint(c) for c in chosen):
                chosen.append(candidate)
        return chosen
    best: list[frozenset[str]] = []

    def search(index: int, chosen: list[frozenset[str]]) -> None:
        nonlocal best
        if len(chosen) + len(sets) - index <= len(best):
            return
        if index == len(sets):
            best = list(chosen)
            return
        if all(sets[index].isdisjoint(c) for c in chosen):
            search(index + 1, [*chosen, sets[index]])
        search(index + 1, chosen)

    search(0, [])
    return best


def independent_groups(origins: Mapping[str, frozenset[str]]) -> list[list[str]]:
    """Sources (by id, each with the originators behind it) in as many groups as the item has sources no
    two of which share an originator, every source in the group of one it shares an originator with: a
    group per originator that a source has alone (with every source of that originator, and each source of
    several originators that include it, in the group of the least); then the most sources of several
    originators, none of them cited alone, that share none, each a group with those that share one of its
    originators. The groups, each sorted, in order."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for source_id, behind in origins.items():
        if len(behind) == 1:
            groups.setdefault(tuple(behind), []).append(source_id)
    unplaced: list[tuple[str, frozenset[str]]] = []
    for source_id, behind in origins.items():
        alone = sorted(o for o in behind if (o,) in groups)
        if len(behind) > 1 and alone:
            groups[(alone[0],)].append(source_id)
        elif len(behind) > 1:
            unplaced.append((source_id, behind))
    sets = sorted({behind for _, behind in unplaced}, key=sorted)
    chosen = [tuple(sorted(c)) for c in _most_disjoint([s for s in sets if not any(o < s for o in sets)])]
    for source_id, behind in unplaced:
        groups.setdefault(next(key for key in chosen if not behind.isdisjoint(key)), []).append(source_id)
    return sorted(sorted(ids) for ids in groups.values())
