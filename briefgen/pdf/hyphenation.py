"""Hyphenation dictionaries for WeasyPrint's `hyphens: auto`, per language.

WeasyPrint hyphenates with Pyphen: for an element's `lang` it asks `pyphen.language_fallback` for a
dictionary and loads it with `pyphen.Pyphen(lang=...)` (weasyprint/text/line_break.py). Pyphen ships English
and French (and many more) but no Turkish, Arabic or Hebrew.

Turkish hyphenates by a regular syllable rule (Türk Dil Kurumu, "Satır sonunda kelimelerin bölünmesi"):
every syllable has one vowel; a consonant between vowels starts the next syllable (ka-lem), of two or more
consonants between vowels only the last does (Türk-çe, kork-mak, kont-rol), and two vowels side by side are
two syllables (sa-at, ai-le). `turkish_patterns` writes that rule as Liang patterns, the form Pyphen reads:
`1cv` (a break before a consonant followed by a vowel) and `v1v` (between vowels), with inhibitions after
an apostrophe (İstanbul'da: the suffix is not split off) and inside a word-initial "s" cluster of a loanword
(stra-te-ji). The file is briefgen/data/hyph_tr_TR.dic (`python -m briefgen.pdf.hyphenation` writes it; a
test checks it is current). `register` adds it to Pyphen's languages as "tr" and "tr_TR", with the Turkish
case mapping for the patterns' lookup (Pyphen lowers words with `str.lower`, which turns "İ" into two
characters and "I" into "i": İstanbul would be split one letter off).

Arabic and Hebrew are not hyphenated in normal typography (words are not broken at a line end; Arabic
justifies with kashida or spacing instead): the stylesheet gives them `hyphens: manual`, so a line breaks
between words only (or at a soft hyphen the record text itself carries).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

import pyphen

DICTIONARY = Path(__file__).resolve().parent.parent / "data" / "hyph_tr_TR.dic"
VOWELS = "aeıioöuüâîû"
CONSONANTS = "bcçdfgğhjklmnprsştvyzqwx"
APOSTROPHES = "'’"


def turkish_patterns() -> str:
    """The Turkish syllable rule as a Pyphen (hunspell hyphen) dictionary."""
    lines = ["UTF-8", "LEFTHYPHENMIN 2", "RIGHTHYPHENMIN 2"]
    lines += [f"1{c}{v}" for c in CONSONANTS for v in VOWELS]
    lines += [f"{a}1{b}" for a in VOWELS for b in VOWELS]
    lines += [f"{a}2{c}" for a in APOSTROPHES for c in CONSONANTS + VOWELS]
    lines += [f".s{b}2{c}" for b in CONSONANTS for c in CONSONANTS]
    return "\n".join(lines) + "\n"


def _turkish_lower(word: str) -> str:
    return word.replace("İ", "i").replace("I", "ı").lower()


class TurkishPatterns(pyphen.HyphDict):  # type: ignore[misc]
    """Pyphen's patterns, looked up with the Turkish lower case (same length as the word)."""

    def positions(self, word: str) -> Any:
        return super().positions(_turkish_lower(word))


@functools.cache
def register() -> None:
    """Make the Turkish dictionary Pyphen's (and so WeasyPrint's) "tr" (once per process)."""
    for name in ("tr", "tr_TR"):
        pyphen.LANGUAGES[name] = DICTIONARY
        lowercase = getattr(pyphen, "LANGUAGES_LOWERCASE", None)
        if isinstance(lowercase, dict):
            lowercase[name.lower()] = name
    cache = getattr(pyphen, "hdcache", None)
    if isinstance(cache, dict):  # Pyphen keeps one parsed dictionary per file: ours, with Turkish case
        cache[DICTIONARY] = TurkishPatterns(DICTIONARY)


if __name__ == "__main__":
    sys.stdout.write(turkish_patterns())
