"""Which sources a brief uses, and which of them share an originator."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence

from briefgen.desk.loader import Desk, Loaded
from briefgen.desk.models import SourceDocument, SourceRecord


def select_sources(desk: Desk, patterns: Sequence[str] | None) -> list[Loaded[SourceRecord]]:
    """The source records a brief uses, in path order: all of them, or those whose id matches a pattern."""
    if patterns is None:
        return list(desk.sources)
    return [s for s in desk.sources if any(fnmatch.fnmatchcase(s.record.source.id, p) for p in patterns)]


def originator_groups(sources: dict[str, SourceDocument], source_ids: Iterable[str]) -> list[list[str]]:
    """Group sources into independent originators: a source, its outlet and what it relays are one."""

    def keys(source: SourceDocument) -> set[str]:
        found = {source.id} | {outlet_key(r) for r in source.relays}
        if source.outlet:
            found.add(outlet_key(source.outlet))
        return found

    groups: list[tuple[set[str], list[str]]] = []
    for source_id in dict.fromkeys(source_ids):
        source = sources.get(source_id)
        own = keys(source) if source else {source_id}
        merged_keys, merged_ids = set(own), [source_id]
        remaining = []
        for group_keys, group_ids in groups:
            if group_keys & merged_keys:
                merged_keys |= group_keys
                merged_ids = group_ids + merged_ids
            else:
                remaining.append((group_keys, group_ids))
        groups = [*remaining, (merged_keys, merged_ids)]
    return sorted(sorted(ids) for _, ids in groups)


def outlet_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
