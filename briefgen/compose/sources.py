"""Which sources a brief uses (rule 1 of "Merging", with the cut-off), and corroboration (rule 4):
which of them share an originator, counted with flags.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from briefgen.compose import model as composed
from briefgen.compose.merge import Found, publication_key, union
from briefgen.compose.originators import OriginatorGraph, independent_groups
from briefgen.desk.loader import Desk, Loaded
from briefgen.desk.models import Brief, BriefRecord, SourceDocument, SourceRecord
from briefgen.desk.vocabulary import Marking
from briefgen.errors import Diagnostic, Severity

_GLOB = re.compile(r"[*?\[\]!]")


def published_after_cutoff(source: SourceDocument, brief: Brief) -> str | None:
    """When the source was published after the edition's cut-off (or, with no cut-off, after its date):
    both times in words; else None. A date without a time is after a cut-off only from the next day."""
    published = source.published
    if published is None:
        return None
    if brief.cutoff is not None:
        late = published > brief.cutoff if isinstance(published, datetime) else published > brief.cutoff.date()
        limit = f"the edition's cut-off {brief.cutoff.isoformat()}"
    else:
        day = published.date() if isinstance(published, datetime) else published
        late = day > brief.date
        limit = f"the edition's date {brief.date.isoformat()} (it sets no cut-off)"
    return f"published {published.isoformat()}, after {limit}" if late else None


def select_sources(desk: Desk, edition: Loaded[BriefRecord]) -> Found[tuple[Loaded[SourceRecord], ...]]:
    """The source records a brief uses, by publication (then id): all of them, or those whose id matches
    a pattern. A source published after the cut-off is left out (a note says which) unless the brief names
    it by id (then a warning: an error under --strict)."""
    brief = edition.record.brief
    patterns = brief.sources
    chosen: list[Loaded[SourceRecord]] = []
    found: list[Diagnostic] = []
    # Ids by their first position in the list, and the patterns: each source is then one look-up (and the
    # patterns), not a pass over the whole list.
    exact: dict[str, int] = {}
    for index, pattern in enumerate(patterns or ()):
        if not _GLOB.search(pattern):
            exact.setdefault(pattern, index)
    globs = [p for p in patterns or () if _GLOB.search(p)]
    # Named by id only: only those records are read (a desk of many editions is not passed over for each).
    candidates = desk.sources if patterns is None or globs else desk_sources(desk).entries_of(exact)
    for entry in candidates:
        source = entry.record.source
        named = exact.get(source.id)
        matched = (
            patterns is None
            or named is not None
            or (bool(globs) and any(fnmatch.fnmatchcase(source.id, p) for p in globs))
        )
        if not matched:
            continue
        late = published_after_cutoff(source, brief)
        if late and named is not None:
            found.append(
                edition.file.diagnostic(
                    ("brief", "sources", named),
                    f"source {source.id!r} ({entry.file.rel}) is {late}; it is used because the brief names it",
                    severity=Severity.WARNING,
                    code="source-after-cutoff",
                )
            )
        elif late:
            where = ("brief", "cutoff") if brief.cutoff is not None else ("brief", "date")
            found.append(
                edition.file.diagnostic(
                    where,
                    f"source {source.id!r} ({entry.file.rel}) is {late}; left out (name it in brief.sources to use it)",
                    severity=Severity.NOTE,
                    code="source-after-cutoff",
                )
            )
            continue
        chosen.append(entry)
    if patterns is not None and not chosen:
        known = ", ".join(sorted(s.record.source.id for s in desk.sources))
        found.append(
            edition.file.diagnostic(
                ("brief", "sources"), f"no source matches {', '.join(patterns)} (known: {known})", code="no-sources"
            )
        )
    chosen.sort(key=lambda s: publication_key(s.record.source))
    return Found(tuple(chosen), tuple(found))


# --- originators ------------------------------------------------------------------------------------


class DeskSources(dict[str, SourceDocument]):
    """The desk's sources by id, made once and read by the composition of every edition: their originators
    joined (the names of each of the gazetteer's outlets as one), each record's position in the desk, and
    the sources by marking. An edition then looks up the sources it uses instead of passing over the whole
    desk's (which made validating a desk of many editions quadratic in its size)."""

    def __init__(self, entries: Sequence[Loaded[SourceRecord]], outlet_names: Sequence[Sequence[str]] = ()) -> None:
        super().__init__((entry.record.source.id, entry.record.source) for entry in entries)
        self.entries = tuple(entries)
        self.path_index = {id(entry): index for index, entry in enumerate(self.entries)}  # by the record's identity
        self.by_id = {entry.record.source.id: entry for entry in self.entries}
        self._positions: dict[str, list[int]] = {}  # source id -> positions (two if an id is given twice)
        for index, entry in enumerate(self.entries):
            self._positions.setdefault(entry.record.source.id, []).append(index)
        self._outlet_names = outlet_names
        self._originators: OriginatorGraph | None = None
        self._by_marking: dict[Marking, dict[Marking, list[SourceDocument]]] = {}

    def originators(self) -> OriginatorGraph:
        if self._originators is None:
            self._originators = OriginatorGraph(self.values(), self._outlet_names)
        return self._originators

    def entries_of(self, source_ids: Iterable[str]) -> list[Loaded[SourceRecord]]:
        """The records of these ids, in the desk's order (an id given by two records: both)."""
        positions = sorted({p for source_id in source_ids for p in self._positions.get(source_id, ())})
        return [self.entries[p] for p in positions]

    def by_marking(self, unmarked: Marking) -> dict[Marking, list[SourceDocument]]:
        """Every record's source by its marking (`unmarked` for a source that gives none), in the desk's order."""
        found = self._by_marking.get(unmarked)
        if found is None:
            found = self._by_marking[unmarked] = {}
            for entry in self.entries:
                found.setdefault(entry.record.source.marking or unmarked, []).append(entry.record.source)
        return found


_DESK_SOURCES: dict[int, tuple[tuple[Loaded[SourceRecord], ...], DeskSources]] = {}


def desk_sources(desk: Desk) -> DeskSources:
    """`DeskSources` of the desk, made once per loaded desk (its sources are an immutable tuple, held here
    so that its id is not reused while it is remembered) and shared by the compositions of its editions."""
    key = id(desk.sources)
    held = _DESK_SOURCES.get(key)
    if held is None or held[0] is not desk.sources:
        if len(_DESK_SOURCES) >= 4:
            _DESK_SOURCES.pop(next(iter(_DESK_SOURCES)))
        held = _DESK_SOURCES[key] = (desk.sources, DeskSources(desk.sources, desk.outlet_names))
    return held[1]


def originators_behind(
    sources: Mapping[str, SourceDocument], source_ids: Iterable[str], vias: Mapping[str, Sequence[str]] | None = None
) -> dict[str, frozenset[str]]:
    """The originators behind each source (`briefgen.compose.originators`), followed through every source of
    the desk. `vias` (source id to the `via` of its citations here) adds what one item says it got from
    whom: a source citing "UN OCHA" as its `via` depends on the OCHA report too, for this item."""
    graph = sources.originators() if isinstance(sources, DeskSources) else OriginatorGraph(sources.values())
    found: dict[str, frozenset[str]] = {}
    for source_id in union(source_ids):
        behind = graph.origins(source_id)
        for name in (vias or {}).get(source_id, ()):
            behind |= graph.origins(name)
        found[source_id] = behind
    return found


def sourcing(
    cites: Sequence[composed.Cite], sources: Mapping[str, SourceDocument], differ_on: Sequence[str]
) -> composed.Sourcing:
    """Corroboration as a count with flags, from a development's citations."""
    source_ids = union(c.source for c in cites)
    vias: dict[str, list[str]] = {}
    for c in cites:
        if c.via:
            vias.setdefault(c.source, []).append(c.via)
    groups = independent_groups(originators_behind(sources, source_ids, vias))
    if len(source_ids) == 1:
        level = composed.Corroboration.SINGLE_SOURCE
    elif len(groups) == 1:
        level = composed.Corroboration.MULTIPLE_DEPENDENT
    else:
        level = composed.Corroboration.MULTIPLE_INDEPENDENT
    return composed.Sourcing(
        corroboration=level,
        sources=len(source_ids),
        independent=len(groups),
        dependent=len(source_ids) - len(groups),
        originators=groups,
        anonymous_only=bool(cites) and all(c.anonymous for c in cites),
        differ_on=list(differ_on),
        anonymous=sum(1 for ids in groups if all(c.anonymous for c in cites if c.source in ids)),
    )
