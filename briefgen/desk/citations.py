"""Pandoc-style citations in Markdown text: `[@id]`, `[@id, para 7]`, `[@a; @b]`, `[-@id]`.

One parser serves validation (unknown ids are errors) and the Markdown renderer (citations become
endnote calls), so both agree on what a citation is. Every citation is a note call, so Pandoc's
suppress-author form `[-@id]` (which drops the author from an author-date call) is the same call as
`[@id]`. Pandoc's other forms are reported where they are written, not rendered silently as text:
a prefix before the first key (`[see @id, p. 2]`) and an in-text citation (`@id says`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A bracketed group whose first non-space character is '@'.
CITATION_GROUP = re.compile(r"\[\s*(-?@[^\[\]\n]*)\]")
_ONE = re.compile(r"^-?@([a-z0-9][a-z0-9-]{0,79})(?:\s*,\s*(.+))?$")
# A bracketed group with a citation key after other words: Pandoc's prefix (`[see @id, p. 2]`).
PREFIXED_CITATION = re.compile(r"\[([^\[\]\n@]*?[^\s\[\]\n@-][^\[\]\n@]*?)\s-?@([a-z0-9][a-z0-9-]{0,79})[^\[\]\n]*\]")
# A key outside brackets, not part of an address or a word: Pandoc's in-text citation (`@id says`).
IN_TEXT_CITATION = re.compile(r"(?<![\w@.\[-])-?@([a-z0-9][a-z0-9-]{0,79})\b(?!\.[a-z])")


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


def unsupported_forms(text: str, known: set[str]) -> list[str]:
    """What a text writes in Pandoc citation forms briefgen does not render as calls: each as a message.
    In-text keys count only when they name a known source (`@handle` in a quote is no citation)."""
    found = []
    for match in PREFIXED_CITATION.finditer(text):
        found.append(
            f"citation {match.group(0)!r} has a prefix ({match.group(1).strip()!r}), which briefgen does not "
            f"support: it is shown as written; write [@{match.group(2)}, locator] and put the words outside"
        )
    outside = CITATION_GROUP.sub(" ", PREFIXED_CITATION.sub(" ", text))
    for match in IN_TEXT_CITATION.finditer(outside):
        if match.group(1) in known:
            found.append(
                f"in-text citation {match.group(0)!r} is shown as written (briefgen makes note calls only): "
                f"write [@{match.group(1)}] after the words it supports"
            )
    return found


def find_citations(text: str) -> list[TextCitation | CitationSyntaxError]:
    """Every citation in a Markdown text, in order; malformed groups are returned as errors."""
    found: list[TextCitation | CitationSyntaxError] = []
    for match in CITATION_GROUP.finditer(text):
        try:
            found.extend(parse_group(match.group(1)))
        except CitationSyntaxError as exc:
            found.append(exc)
    return found
