"""What every export takes from one edition's composed brief: stable ids, the edition's instant, the
sources it shows, and its Markdown text with citation calls made readable.

Exports read only the composed brief (the edition at its own marking): never the desk's records, so an
item or source that is not in the edition is in none of its exports.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from briefgen.compose.model import ComposedBrief, Source
from briefgen.desk.citations import CITATION_GROUP, CitationSyntaxError, parse_group

# The namespace of every uuid5 briefgen derives (itself uuid5 of the URL namespace and "briefgen").
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://briefgen.invalid/export")


def stable_uuid(*parts: str) -> uuid.UUID:
    """A uuid5 of the parts, joined so that no two different lists of parts give the same name."""
    return uuid.uuid5(NAMESPACE, "\x1f".join(parts))


def edition_parts(brief: ComposedBrief) -> tuple[str, ...]:
    """What names an edition: the desk, the brief, the date and the marking (the audience), so two audience
    editions of one brief never share an id."""
    return (brief.desk, brief.id, brief.date.isoformat(), brief.marking.value)


def edition_instant(brief: ComposedBrief) -> datetime:
    """When the edition was issued, in UTC: `issued`, else midnight of its date in the brief's time zone."""
    if brief.issued is not None:
        issued = brief.issued if brief.issued.tzinfo else brief.issued.replace(tzinfo=ZoneInfo(brief.timezone))
        return issued.astimezone(UTC)
    return datetime.combine(brief.date, time(0), ZoneInfo(brief.timezone)).astimezone(UTC)


def visible_sources(brief: ComposedBrief) -> list[Source]:
    """The sources the edition shows (its endnotes), in endnote order."""
    known = {source.id: source for source in brief.sources}
    return [known[note.source] for note in sorted(brief.endnotes, key=lambda n: n.number) if note.source in known]


def source_label(source: Source) -> str:
    return f"{source.outlet}: {source.title}" if source.outlet else source.title


def readable(text: str, brief: ComposedBrief) -> str:
    """Markdown text with each citation call `[@id, para 5]` written as `[Outlet: Title, para 5]`; a call of a
    source that is not in the edition is dropped."""
    known = {source.id: source for source in brief.sources}

    def replace(match: re.Match[str]) -> str:
        try:
            citations = parse_group(match.group(1))
        except CitationSyntaxError:
            return ""
        parts = [
            source_label(known[c.source]) + (f", {c.locator}" if c.locator else "")
            for c in citations
            if c.source in known
        ]
        return f"[{'; '.join(parts)}]" if parts else ""

    return CITATION_GROUP.sub(replace, text).strip()
