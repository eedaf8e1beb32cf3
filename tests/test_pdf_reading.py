"""Right-to-left text in the PDF is extracted in logical order: by pypdf (content-stream order), mixed lines
too (Arabic with numbers and Latin words, Hebrew with dates), and by pdftotext (layout order), lam-alef
ligatures too; the glyphs stay where WeasyPrint put them. Rendered in this process, stage by stage, so that
the same edition can also be rendered without the rewriting to compare."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pypdf
import pytest
from babel.dates import format_date
from conftest import DESKS
from PIL import Image, ImageChops

from briefgen.build.pipeline import EditionInputs, pdf_job, render_edition
from briefgen.compose.compose import compose
from briefgen.desk.loader import load_desk
from briefgen.errors import RenderError
from briefgen.pdf import bidi, reading, tagging
from briefgen.pdf.render import render_pdf
from briefgen.render.words import words_for

pytestmark = pytest.mark.pdf

EDITION = date(2026, 4, 8)
MakeDesk = Callable[..., Path]
# A development summary per language with numbers and a Latin word inside right-to-left text.
MIXED = {
    "ar": ("التقى مفاوضو المنطقتين", "اجتمع 12 مفاوضًا من UNDP لمدة 3 ساعات في الوادي."),
    "he": ("נציגי שני המחוזות נפגשו", "ב-7 באפריל 2026 נפגשו 12 נציגים של UNDP למשך 3 שעות."),
}
BIDI_MARKS = dict.fromkeys(range(0x202A, 0x202F))  # what pdftotext wraps runs in


def _render(desk: Path) -> bytes:
    loaded = load_desk(desk)
    brief = compose(loaded, loaded.briefs[0]).brief
    assert brief is not None
    edition = render_edition(EditionInputs(brief, None, loaded.layout.templates, loaded.settings, text=False))
    return render_pdf(pdf_job(edition, loaded.settings, loaded.layout.templates)).data


def _mixed_desk(make_desk: MakeDesk, language: str) -> Path:
    start, mixed = MIXED[language]

    def edit(text: str) -> str:
        line = next(line for line in text.splitlines() if start in line)
        return text.replace(line, f"  summary: {mixed}")

    return make_desk(f"lang-{language}", files={"sources/local-wire.yaml": edit})


def _plain(text: str) -> str:
    return " ".join(text.split())


def _pypdf_text(data: bytes) -> str:
    return _plain(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages))


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "brief.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout.translate(BIDI_MARKS)


@pytest.mark.parametrize("language", ["ar", "he"])
def test_mixed_lines_extract_in_logical_order_with_pypdf(make_desk: MakeDesk, language: str) -> None:
    text = _pypdf_text(_render(_mixed_desk(make_desk, language)))
    words = words_for(language)
    edition = (
        words.gettext("%(label)s:", label=words.gettext("Edition"))
        + " "
        + format_date(EDITION, "long", locale=language)
    )
    for expected in (MIXED[language][1], edition, format_date(date(2026, 4, 7), "long", locale=language)):
        assert _plain(expected) in text, expected
    # The running header: the marking, then the restrictions in their own words.
    assert "TLP:AMBER" in text
    actors = words.gettext("%(label)s:", label=words.gettext("Actors")) + " Mohammed al-Ali"
    assert _plain(actors) in text, actors


def test_lam_alef_ligatures_extract_in_order(make_desk: MakeDesk, tmp_path: Path) -> None:
    data = _render(DESKS / "lang-ar")
    layout = _pdftotext(data, tmp_path)
    stream = _pypdf_text(data)
    words = words_for("ar")
    wanted = [words.gettext("Edition"), words.gettext("Bottom line up front"), "لاستئناف", "الأول", "على"]
    assert any("لا" in w or "لإ" in w or "لأ" in w for w in wanted)
    for word in wanted:
        assert word in layout, f"pdftotext: {word}"
        assert word in stream, f"pypdf: {word}"
    # A reversed lam-alef (the alef before the lam: "اإلصدار" for "الإصدار") appears in neither extraction.
    assert not re.search("اإل|األ", layout) and not re.search("اإل|األ", stream)


def test_glyphs_stay_where_weasyprint_put_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rewritten = _render(DESKS / "lang-ar")
    monkeypatch.setattr(reading, "reorder_page", lambda instructions, runs, fonts: instructions)
    as_drawn = _render(DESKS / "lang-ar")
    assert rewritten != as_drawn
    for name, data in (("rewritten", rewritten), ("drawn", as_drawn)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", "100", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True
        )
    pages = sorted(tmp_path.glob("drawn-*.png"))
    assert pages and len(pages) == len(list(tmp_path.glob("rewritten-*.png")))
    for drawn in pages:
        one = Image.open(drawn).convert("L")
        other = Image.open(tmp_path / drawn.name.replace("drawn", "rewritten")).convert("L")
        difference = ImageChops.difference(one, other)
        changed = sum(count for value, count in enumerate(difference.histogram()) if value > 64)
        # The same glyphs at the same places: at most a few anti-aliasing pixels differ (sub-pixel rounding).
        assert changed < 100, f"{drawn.name}: {changed} pixels differ"


def test_an_untested_weasyprint_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = tagging.weasyprint_problem("71.0")
    assert problem is not None and "WeasyPrint 71.0 is not supported" in problem
    assert "_build_box_tree" in problem and "issues/2482" in problem and "\n" not in problem
    assert tagging.weasyprint_problem() is None  # the installed one
    monkeypatch.setattr(tagging, "weasyprint_problem", lambda: problem)
    with pytest.raises(RenderError, match=r"WeasyPrint 71\.0 is not supported"):
        _render(DESKS / "lang-ar")


def test_extractor_model_reads_strings_as_pypdf_does() -> None:
    """The model `reading` checks its strings against is pypdf's behaviour: shown in visual order, a
    right-to-left word comes out reversed; neutral characters go the way of the run they are in, so one
    string of a right-to-left word, a space and a Latin word misplaces the space (which `reading` avoids)."""
    assert bidi.extractor_reads([["ب", "ا"]], None) == ("اب", "R")
    assert bidi.extractor_reads([["ب", "ا", " ", "x", "y"]], "L")[0] == " ابxy"
    assert bidi.extractor_reads([["ب", "ا"], [" "], ["x", "y"]], "L")[0] == "اب xy"
    assert bidi.extractor_reads([[" ", "("]], None)[0] == "\0"  # two neutrals: depends on the direction
