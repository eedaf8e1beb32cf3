"""Hyphenation per language in the PDF: Turkish by its syllable rule (briefgen's dictionary, see
briefgen/pdf/hyphenation.py), French by Pyphen's; Arabic and Hebrew not hyphenated (`hyphens: manual`)."""

from __future__ import annotations

import itertools
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pyphen
import pytest
from conftest import run

from briefgen.pdf import hyphenation

pytestmark = pytest.mark.pdf
MakeDesk = Callable[..., Path]

VOWELS = "aeıioöuüâîû"
# Long words, many times, so that some land at a line end and must be split there.
TURKISH = "Çekoslovakyalılaştıramadıklarımızdanmışsınız değerlendirmelerimizden uluslararasılaştırılamayanlardan"
FRENCH = "anticonstitutionnellement incompréhensibilités institutionnalisation"


def syllable_breaks(word: str) -> set[int]:
    """Where a Turkish word may break, by the rule itself (written independently of the patterns): before
    the last consonant ahead of each vowel but the first, or between two vowels."""
    lower = word.replace("İ", "i").replace("I", "ı").lower()
    vowels = [i for i, c in enumerate(lower) if c in VOWELS]
    breaks = set()
    for before, vowel in itertools.pairwise(vowels):
        breaks.add(vowel if vowel == before + 1 else vowel - 1)
    return {b for b in breaks if 2 <= b <= len(word) - 2}


def _with_detail(make_desk: MakeDesk, language: str, text: str) -> Path:
    """The language's fixture desk with a development's detail (a paragraph) replaced by `text`."""

    def edit(old: str) -> str:
        line = next(line for line in old.splitlines() if line.startswith("  detail: "))
        return old.replace(line, f"  detail: {text}")

    return make_desk(f"lang-{language}", files={"sources/local-wire.yaml": edit})


def _split_words(desk: Path, tmp_path: Path) -> list[tuple[str, str]]:
    """(end of line, start of next line) for each line of the PDF that ends with a hyphen (WeasyPrint's
    hyphenate character is U+2010 HYPHEN)."""
    out = tmp_path / "out"
    result = run("build", desk, "--date", "2026-04-08", "--format", "pdf", "--out", out)
    assert result.exit_code == 0, result.output
    pdf = out / "2026-04-08" / "valley.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [
        (line.split()[-1][:-1], lines[index + 1].split()[0])
        for index, line in enumerate(lines[:-1])
        if re.search(r"\w[-\u2010]$", line)
    ]


def test_the_shipped_turkish_dictionary_is_the_rule() -> None:
    assert hyphenation.DICTIONARY.read_text(encoding="utf-8") == hyphenation.turkish_patterns()
    hyphenation.register()
    dictionary = pyphen.Pyphen(lang="tr")
    for word, expected in [("kalem", "ka-lem"), ("Türkçe", "Türk-çe"), ("kontrol", "kont-rol"), ("saat", "sa-at")]:
        assert dictionary.inserted(word) == expected
    assert dictionary.inserted("İstanbul") == "İs-tan-bul"  # the Turkish capital I with a dot keeps its place
    assert dictionary.inserted("Ankara'da") == "An-ka-ra'da"  # no break after the apostrophe


def test_a_long_turkish_word_breaks_at_a_syllable_with_a_hyphen(make_desk: MakeDesk, tmp_path: Path) -> None:
    words = [f"{word} {'ve ' * (index % 3)}" for index, word in enumerate(TURKISH.split() * 6)]
    desk = _with_detail(make_desk, "tr", " ".join("".join(words).split()))
    splits = _split_words(desk, tmp_path)
    assert splits, "some long word was split at a line end"
    for head, tail in splits:
        word = head + tail.rstrip(".,")
        assert word in TURKISH.split(), (head, tail)
        assert tail[0].islower()  # the rest of the same word, on the next line
        assert len(head) in syllable_breaks(word), f"{head}-{tail} is not at a syllable boundary"


def test_french_uses_the_french_dictionary(make_desk: MakeDesk, tmp_path: Path) -> None:
    words = [f"{word} {'et ' * (index % 3)}" for index, word in enumerate(FRENCH.split() * 8)]
    desk = _with_detail(make_desk, "fr", " ".join("".join(words).split()))
    splits = _split_words(desk, tmp_path)
    assert splits
    french = pyphen.Pyphen(lang="fr")
    for head, tail in splits:
        word = head + tail.rstrip(".,")
        assert len(head) in french.positions(word), (head, tail)


def test_arabic_and_hebrew_are_not_hyphenated(make_desk: MakeDesk, tmp_path: Path) -> None:
    desk = _with_detail(make_desk, "ar", " ".join(["والمفاوضات الاستراتيجية والمتخصصة"] * 20))
    assert _split_words(desk, tmp_path) == []
    css = (Path(hyphenation.__file__).parents[2] / "templates" / "brief.css.j2").read_text(encoding="utf-8")
    rule = re.search(r"(:lang\(ar\)[^{]*)\{ hyphens: manual; \}", css)
    assert rule is not None and ":lang(he)" in rule.group(1)
