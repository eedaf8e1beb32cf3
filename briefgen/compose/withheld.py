"""Citations as an audience's edition sees them (`briefgen.compose.audience`): to visible sources as they
are, to a withheld source dropped, or pointed at its anonymous entry when it gives a `descriptor`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from briefgen.desk.citations import (
    CITATION_GROUP,
    IN_TEXT_CITATION,
    PREFIXED_CITATION,
    CitationSyntaxError,
    parse_group,
)
from briefgen.desk.models import Citation


class WithheldCitations:
    """Citations as an audience sees them: to visible sources, or to the anonymous entry of a withheld one
    (without its locator, quote or `via`, which are the withheld document's)."""

    def __init__(self, withheld: set[str], substitutes: dict[str, str], names_withheld: Callable[[str], bool]) -> None:
        self.withheld = withheld
        self.substitutes = substitutes
        self.names_withheld = names_withheld
        self.used: set[str] = set()  # the withheld sources whose anonymous entry is cited

    def cites(self, cites: Sequence[Citation]) -> list[Citation]:
        kept = []
        for c in cites:
            if c.source not in self.withheld:
                kept.append(c.model_copy(update={"via": None}) if c.via and self.names_withheld(c.via) else c)
            elif c.source in self.substitutes:
                self.used.add(c.source)
                kept.append(Citation(source=self.substitutes[c.source], anonymous=c.anonymous))
        return kept

    def text(self, text: str | None) -> str | None:
        """`[@id]` calls to withheld sources dropped (a group left empty goes, with the space before it), or
        pointed at their anonymous entry; Pandoc's prefixed and in-text forms naming one are dropped too."""
        if not text:
            return text

        def group(match: Any) -> str:
            try:
                calls = parse_group(match.group(1))
            except CitationSyntaxError:
                return str(match.group(0))
            kept = []
            for call in calls:
                if call.source in self.substitutes:
                    self.used.add(call.source)
                    kept.append(f"@{self.substitutes[call.source]}")
                elif call.source not in self.withheld:
                    kept.append(f"@{call.source}" + (f", {call.locator}" if call.locator else ""))
            return f"[{'; '.join(kept)}]" if kept else "\x00"

        rewritten = CITATION_GROUP.sub(group, text)
        rewritten = PREFIXED_CITATION.sub(lambda m: "\x00" if m.group(2) in self.withheld else m.group(0), rewritten)
        rewritten = IN_TEXT_CITATION.sub(lambda m: "\x00" if m.group(1) in self.withheld else m.group(0), rewritten)
        return rewritten.replace(" \x00", "").replace("\x00", "")

    def cited(self, texts: Iterable[str | None]) -> bool:
        return any(CITATION_GROUP.search(t) for t in texts if t)


def anonymous_id(source_id: str) -> str:
    return f"withheld-{hashlib.sha256(f'source:{source_id}'.encode()).hexdigest()[:10]}"
