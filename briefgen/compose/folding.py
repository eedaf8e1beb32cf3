"""Text folded for matching words across scripts: case, diacritics (Arabic vowel marks and hamza seats,
Hebrew points), Turkish dotted and dotless i, Arabic tatweel, white space; with the index map back to the
text for spans. One folding for the day words (`briefgen.compose.datewords`) and for ingest's matching of
names, mentions and printed dates."""

from __future__ import annotations

import functools
import unicodedata

_FOLD_EXTRA = str.maketrans({"ı": "i", "ى": "ي", "ة": "ه", "’": "'", "ʼ": "'", "\u0640": None})


@functools.lru_cache(maxsize=65_536)
def _fold_char(char: str) -> str:
    if char.isspace():
        return " "
    kept = "".join(c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn")
    return kept.casefold().translate(_FOLD_EXTRA)


def fold(text: str) -> tuple[str, tuple[int, ...]]:
    """Text folded for matching (case, diacritics, white space), and for each folded character the
    index of the character of `text` it comes from."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        pieces.append(folded)
        origin.extend([index] * len(folded))
    return "".join(pieces), tuple(origin)


class _FoldTable(dict[int, str]):
    """`_fold_char` as a `str.translate` table, filled as characters are met: folding a text is then one
    C loop, not a Python call per character."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if len(self) < 65_536:  # bounded, like the cache of `_fold_char`: record text is untrusted
            self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold_text(text: str) -> str:
    """`fold` without the index map."""
    return text.translate(_FOLD_TABLE)
