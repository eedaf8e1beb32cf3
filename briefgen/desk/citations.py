"""Pandoc-style citations in Markdown text: `[@id]`, `[@id, para 7]`, `[@a; @b]`.

One parser serves validation (unknown ids are errors) and the Markdown renderer (citations become
endnote calls), so both agree on what a citation is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A bracketed group whose first non-space character is '@'.
CITATION_GROUP = re.compile(r"\[\s*(@[^\[\]\n]*)\]")
_ONE = re.compile(r"^@([a-z0-9][a-z0-9-]{0,79})(?:\s*,\s*(.+))?$")


@dataclass(frozen=True)
class TextCitation:
    """One citation written in Markdown text."""

    source: str
    locator: str | None


class CitationSyntaxError(ValueError):
    """A bracketed `[@...]` group that is not a valid citation."""


def parse_group(inner: str) -> list[TextCitation]:
    """Parse the inside of `[@a, para 7; @b]` into citations."""
    citations = []
    for part in inner.split(";"):
        match = _ONE.match(part.strip())
        if not match:
            raise CitationSyntaxError(
                f"malformed citation {part.strip()!r}: expected '@source-id' or '@source-id, locator'"
            )
        locator = match.group(2).strip() if match.group(2) else None
        citations.append(TextCitation(match.group(1), locator))
    return citations


def find_citations(text: str) -> list[TextCitation | CitationSyntaxError]:
    """Every citation in a Markdown text, in order; malformed groups are returned as errors."""
    found: list[TextCitation | CitationSyntaxError] = []
    for match in CITATION_GROUP.finditer(text):
        try:
            found.extend(parse_group(match.group(1)))
        except CitationSyntaxError as exc:
            found.append(exc)
    return found
