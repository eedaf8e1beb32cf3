"""The paragraph-splitting rule, and what it leaves out of `text`.

1. Lines are read as printed (for a saved page: the lines of its extracted main text).
2. The title line (and every later repeat of it), byline lines, credit lines, date stamps ("Published
   ...", "Last updated ...", a date alone) and junk lines (share buttons, "Read more", "Advertisement",
   copyright lines, lines without a letter, bare URLs) are not paragraphs; each is listed with its line.
3. When every remaining line ends a sentence (. ! ? … ؟ or a closing quote or bracket after one), or
   no blank line separates them, each line is a paragraph (pasted copy, one paragraph a line). Otherwise paragraphs are the groups of lines
   between blank lines, their lines joined by a space (hard-wrapped text).
4. A paragraph equal to an earlier one (after Unicode normalisation, case folding and white space) is
   removed and listed as a repeat; one at least 90 % similar (rapidfuzz ratio) is kept and flagged
   (`near_duplicates`, run once the text is known to fit a source record).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from briefgen.compose.folding import fold_text
from briefgen.desk.ingest_block import NearDuplicate, RemovedLine
from briefgen.ingest.printed import PrintedDate, byline_authors, credit_authors, date_stamp

NEAR_DUPLICATE = 90
_SENTENCE_END = re.compile(r"[.!?…؟։。]['\"”’»)\]]*$|[.!?…؟]\s*['\"”’»]$")
_JUNK = re.compile(
    r"^(?:share(?: this)?|tweet|advertisement|advert|sponsored|read more|read also|related(?: articles)?|"
    r"subscribe|sign up|follow us|click here|print|email|comments?|tags?\s*:|photo\s*:|image\s*:|"
    r"partager|publicité|lire aussi|à lire aussi|paylaş|reklam|ilgili haberler|مشاركة|إعلان|اقرأ أيضا|"
    r"اقرأ أيضاً|שתפו|פרסומת|קראו עוד|©|copyright)\b",
    re.IGNORECASE,
)
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_HEADLINE_MAX_WORDS = 25


@dataclass(frozen=True)
class Line:
    number: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of `text`: its number (1-based), its text and the first input line it came from."""

    number: int
    text: str
    line: int


@dataclass(frozen=True)
class Split:
    """The result of the rule: the title, the paragraphs, the authors and dates met, what was removed."""

    title: str | None
    paragraphs: tuple[Paragraph, ...]
    removed: tuple[RemovedLine, ...]
    authors: tuple[str, ...]
    credits: tuple[str, ...]
    published: tuple[tuple[int, PrintedDate], ...]
    updated: tuple[tuple[int, PrintedDate], ...]


def key(text: str) -> str:
    """What two paragraphs must share to be repeats."""
    return " ".join(fold_text(text).split())


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.strip()))


def is_headline(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= _HEADLINE_MAX_WORDS and not ends_sentence(text) and any(c.isalpha() for c in text)


def is_junk(text: str) -> bool:
    stripped = text.strip()
    return bool(_JUNK.match(stripped) or _URL.match(stripped) or not any(c.isalpha() for c in stripped))


def split_text(text: str, language: str, *, title: str | None, choose_title: bool) -> Split:
    """Apply the rule to `text`. `title` is a title known from elsewhere (a page's metadata); with
    `choose_title`, a headline-like line among the first five is taken as the title when none is known."""
    lines = [Line(n, raw.strip()) for n, raw in enumerate(text.split("\n"), start=1)]
    removed: list[RemovedLine] = []
    authors: list[str] = []
    credits: list[str] = []
    published: list[tuple[int, PrintedDate]] = []
    updated: list[tuple[int, PrintedDate]] = []
    content: list[Line | None] = []  # None marks a blank line
    if title is None and choose_title:
        title = next(
            (
                line.text
                for line in [ln for ln in lines if ln.text][:5]
                if is_headline(line.text) and _classify(line.text, language) is None
            ),
            None,
        )
    title_key = key(title) if title else None
    for line in lines:
        if not line.text:
            content.append(None)
            continue
        if title_key is not None and key(line.text) == title_key:
            removed.append(RemovedLine(line=line.number, kind="title", text=line.text))
            continue
        kind = _classify(line.text, language)
        if kind is None:
            content.append(line)
            continue
        removed.append(RemovedLine(line=line.number, kind=kind, text=line.text[:2_000]))
        if kind == "byline":
            authors.extend(byline_authors(line.text) or [])
        elif kind == "credit":
            found, others = credit_authors(line.text) or ([], [])
            authors.extend(found)
            credits.extend(others)
        elif kind == "date-stamp":
            stamp = date_stamp(line.text, language)
            assert stamp is not None
            (updated if stamp[0] == "updated" else published).append((line.number, stamp[1]))
    blocks = _blocks(content)
    paragraphs, repeats = _deduplicate(blocks)
    removed.extend(repeats)
    return Split(
        title=title,
        paragraphs=tuple(paragraphs),
        removed=tuple(sorted(removed, key=lambda r: r.line)),
        authors=tuple(dict.fromkeys(authors)),
        credits=tuple(dict.fromkeys(credits)),
        published=tuple(published),
        updated=tuple(updated),
    )


def _classify(text: str, language: str) -> str | None:
    if byline_authors(text) is not None:
        return "byline"
    if credit_authors(text) is not None:
        return "credit"
    if date_stamp(text, language) is not None:
        return "date-stamp"
    if is_junk(text):
        return "junk"
    return None


def _blocks(content: list[Line | None]) -> list[tuple[int, str]]:
    lines = [line for line in content if line is not None]
    inner = content[content.index(lines[0]) : content.index(lines[-1]) + 1] if lines else []
    if all(ends_sentence(line.text) for line in lines) or None not in inner:
        return [(line.number, line.text) for line in lines]
    blocks: list[tuple[int, str]] = []
    current: list[Line] = []
    for line in [*content, None]:
        if line is None:
            if current:
                blocks.append((current[0].number, " ".join(part.text for part in current)))
            current = []
        else:
            current.append(line)
    return blocks


def _deduplicate(blocks: list[tuple[int, str]]) -> tuple[list[Paragraph], list[RemovedLine]]:
    paragraphs: list[Paragraph] = []
    first: dict[str, Paragraph] = {}
    removed: list[RemovedLine] = []
    for line, text in blocks:
        seen = first.get(key(text))
        if seen is not None:
            note = f"repeat of paragraph {seen.number} (line {seen.line})"
            removed.append(RemovedLine(line=line, kind="repeat", text=text[:2_000], note=note))
            continue
        paragraph = Paragraph(len(paragraphs) + 1, text, line)
        paragraphs.append(paragraph)
        first[key(text)] = paragraph
    return paragraphs, removed


def near_duplicates(paragraphs: tuple[Paragraph, ...]) -> list[NearDuplicate]:
    """Each paragraph at least 90 % like an earlier one (rapidfuzz ratio), with the first such one."""
    keys = [key(p.text) for p in paragraphs]
    scores = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE, dtype=np.uint8)
    found: list[NearDuplicate] = []
    for later in range(1, len(keys)):
        earlier = next((i for i in range(later) if scores[later, i]), None)
        if earlier is not None:
            found.append(NearDuplicate(para=later + 1, of=earlier + 1, similarity=int(scores[later, earlier])))
    return found
