"""Mentions of the desk's actors in the paragraphs, across scripts.

Names are matched on folded text (case, diacritics, Arabic and Hebrew points, Turkish dotted and
dotless i), longest name first, each stretch of text claimed once. An Arabic name may carry one-letter
prefixes (و، ف، ب، ل، ك) and a Hebrew one up to three (ו, ה, ב, ל, מ, ש, כ); any name may carry a
suffix after an apostrophe (Turkish "Türkiye'nin", English "Israel's"). Mentions inside the dateline
are places, not actors, and are left out, as are actor names inside an outlet's name ("Israel" in
"Israel Hayom").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from briefgen.compose.folding import fold
from briefgen.ingest.names import Names
from briefgen.ingest.paragraphs import Paragraph

_PREFIXES = {"ARABIC": "[وفبلك]{0,2}", "HEBREW": "[והבלמשכ]{0,3}"}


@dataclass(frozen=True)
class Mention:
    para: int
    actor: str
    written: str


def _script(text: str) -> str:
    for char in text:
        if char.isalpha():
            return unicodedata.name(char, "").split(" ")[0]
    return ""


def _pattern(names: Names) -> tuple[re.Pattern[str], list[str]] | None:
    if not names.actors:
        return None
    groups: list[str] = []
    ids: list[str] = []
    outlet_names = [(alias, "", alias) for alias, _ in names.outlets]  # claimed first, never actors
    for folded, actor_id, _written in sorted([*names.actors, *outlet_names], key=lambda a: (-len(a[0]), a[0], a[1])):
        prefix = _PREFIXES.get(_script(folded), "")
        body = re.escape(folded).replace(r"\ ", r"\s+")
        groups.append(rf"(?<!\w){prefix}(?P<g{len(ids)}>{body}(?:'\w+)?)(?!\w)")
        ids.append(actor_id)
    return re.compile("|".join(groups)), ids


def find_mentions(paragraphs: tuple[Paragraph, ...], names: Names, *, dateline_end: int = 0) -> list[Mention]:
    """Every mention of a known actor, by paragraph and position; the dateline (the first `dateline_end`
    characters of paragraph 1) is skipped."""
    compiled = _pattern(names)
    if compiled is None:
        return []
    pattern, ids = compiled
    found: list[Mention] = []
    for paragraph in paragraphs:
        folded, origin = fold(paragraph.text)
        for match in pattern.finditer(folded):
            group = next(name for name, value in match.groupdict().items() if value is not None)
            start = origin[match.start(group)]
            end = origin[match.end(group) - 1] + 1
            if not ids[int(group[1:])] or (paragraph.number == 1 and start < dateline_end):
                continue
            found.append(Mention(paragraph.number, ids[int(group[1:])], paragraph.text[start:end]))
    return found
