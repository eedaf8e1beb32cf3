"""The PDF edition: pages, markings, metadata, fonts, scripts, reproducibility and confined rendering."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf
import pypdf
import pytest
from conftest import DESKS, SAMPLE, TESTS, Observer, observing, run

from briefgen.errors import ResourceBlocked
from briefgen.pdf.job import ASSET_ROOT, PdfJob
from briefgen.pdf.render import render_pdf

pytestmark = pytest.mark.pdf
MakeDesk = Callable[..., Path]
ARTIFACTS = TESTS / "artifacts"


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf")
    result = run("build", SAMPLE, "--date", "2025-05-22", "--format", "pdf", "--out", out)
    assert result.exit_code == 0, result.output
    return out / "2025-05-22" / "syria-deconfliction.pdf"


def test_marking_and_page_numbers_on_every_page(sample_pdf: Path) -> None:
    reader = pypdf.PdfReader(sample_pdf)
    total = len(reader.pages)
    assert total >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert text.count("TLP:GREEN") >= 2, f"page {number} lacks the marking in header and footer"
        assert f"Page {number} of {total}" in text
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4


def test_metadata_from_the_edition(sample_pdf: Path) -> None:
    meta = pypdf.PdfReader(sample_pdf).metadata
    assert meta is not None
    assert meta.title is not None and "Israel and Turkey set up a channel" in meta.title
    assert meta.author == "Levant Desk"
    assert meta.subject == "TLP:GREEN"
    assert "deconfliction" in str(meta.get("/Keywords"))
    assert str(meta.get("/CreationDate")).startswith("D:20250522060000+03'00")
    with pikepdf.open(sample_pdf) as pdf:
        assert str(pdf.Root.Lang) == "en"
        assert pdf.Root.MarkInfo.Marked  # tagged
        assert "/StructTreeRoot" in pdf.Root
        assert "/Outlines" in pdf.Root


def test_bookmarks_follow_section_headings(sample_pdf: Path) -> None:
    titles = [item.title for item in pypdf.PdfReader(sample_pdf).outline if not isinstance(item, list)]
    assert titles[:4] == [
        "Changes since the last edition",
        "Bottom line up front",
        "Key developments",
        "Conflicting and unconfirmed reporting",
    ]
    assert "Sources" in titles


def test_fonts_embedded_subset_and_every_script_present(sample_pdf: Path) -> None:
    fonts = subprocess.run(["pdffonts", str(sample_pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes yes " in row for row in rows), fonts
    assert "Noto-Sans-Arabic" in fonts and "Noto-Sans-Hebrew" in fonts
    text = subprocess.run(["pdftotext", str(sample_pdf), "-"], capture_output=True, text=True, check=True).stdout
    for name in ("Türkiye", "ישראל היום", "الشرع"):
        assert name in text
    # Only the chosen fonts (no fallback font was needed), and they hold every character of the text.
    families = {row.split()[0].split("+", 1)[1] for row in rows}
    assert families <= {"Noto-Sans", "Noto-Sans-Bold", "Noto-Sans-Italic", "Noto-Sans-Arabic", "Noto-Sans-Hebrew"}
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for name in ("NotoSans-Regular", "NotoSansArabic-Regular", "NotoSansHebrew-Regular"):
        covered |= set(TTFont(f"/usr/share/fonts/truetype/noto/{name}.ttf").getBestCmap())
    missing = {char for char in text if not char.isspace() and ord(char) not in covered}
    assert not missing, f"characters no chosen font has: {sorted(missing)}"


def test_page_one_renders_to_png(sample_pdf: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "sample-page"
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(sample_pdf), str(target)], check=True)
    png = next(ARTIFACTS.glob("sample-page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_two_builds_give_identical_pdfs(sample_pdf: Path, tmp_path: Path) -> None:
    result = run("build", SAMPLE, "--date", "2025-05-22", "--format", "pdf", "--out", tmp_path)
    assert result.exit_code == 0
    assert (tmp_path / "2025-05-22/syria-deconfliction.pdf").read_bytes() == sample_pdf.read_bytes()


def test_pdf_a3b_attaches_the_composed_json(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"briefgen.toml": lambda t: t + '[pdf]\nvariant = "pdf/a-3b"\n'})
    assert run("build", desk, "--date", "2025-05-22", "--format", "pdf").exit_code == 0
    with pikepdf.open(desk / "out/2025-05-22/valley.pdf") as pdf:
        attachments = pdf.attachments
        assert list(attachments) == ["valley-2025-05-22.json"]
        data = attachments["valley-2025-05-22.json"].get_file().read_bytes()
        assert b'"id": "valley"' in data
        xmp = str(pdf.open_metadata())
        assert "pdfaid" in xmp


@pytest.fixture
def observer() -> Iterator[Observer]:
    with observing() as watching:
        yield watching


@pytest.mark.parametrize("kind", ["url", "outside-file"])
def test_rendering_reads_only_template_files(
    make_desk: MakeDesk, observer: Observer, tmp_path: Path, kind: str
) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text('body::before { content: "SECRET-TOKEN-42" }')
    target = f"{observer.url}/evil.css" if kind == "url" else secret.as_uri()
    template = (
        '{% extends "builtin/brief.html.j2" %}{% block stylesheet %}@import "'
        + target
        + '";{{ super() }}{% endblock %}'
    )
    desk = make_desk(files={"templates/brief.html.j2": template})
    result = run("build", desk, "--date", "2025-05-22", "--format", "pdf,html")
    assert result.exit_code == 4, result.output
    assert f"a <style> element that loads '{target}'" in result.stderr  # refused in the HTML first
    assert observer.requests == []
    assert not (desk / "out/2025-05-22").exists()
    # The renderer's own fetcher refuses it too, for HTML that reaches it all the same.
    html = f'<!doctype html><html lang="en"><style>@import "{target}";</style><title>t</title><p>x</p></html>'
    with pytest.raises(ResourceBlocked, match=f"refused to read {re.escape(target)}"):
        render_pdf(PdfJob("hostile 2025-05-22", html, ASSET_ROOT, (), "pdf/ua-1", b"1" * 32))
    assert observer.requests == []


def test_desk_asset_files_may_be_used(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"templates/extra.css": "h2 { color: #123456 }"})
    (desk / "templates/brief.html.j2").write_text(
        '{% extends "builtin/brief.html.j2" %}{% block stylesheet %}@import "extra.css";{{ super() }}{% endblock %}'
    )
    result = run("build", desk, "--date", "2025-05-22", "--format", "pdf")
    assert result.exit_code == 0, result.output


def test_no_chromium_needed_for_pdf() -> None:
    assert shutil.which("pdffonts") and shutil.which("pdftotext") and shutil.which("pdftoppm")


def test_modification_date_language_and_pdf_ua_identification(sample_pdf: Path) -> None:
    meta = pypdf.PdfReader(sample_pdf).metadata
    assert meta is not None
    assert str(meta.get("/ModDate")).startswith("D:20250522060000+03'00")
    with pikepdf.open(sample_pdf) as pdf:
        xmp = pdf.open_metadata()
        assert xmp.get("pdfuaid:part") == "1"
        assert xmp.get("dc:title") and "Israel and Turkey" in str(xmp.get("dc:title"))


def test_sample_pdf_is_small_enough_to_attach(sample_pdf: Path) -> None:
    size = sample_pdf.stat().st_size
    assert size < 60 * 1024, f"sample PDF is {size} bytes; the budget is 60 KiB"


def test_endnote_calls_are_internal_links_and_urls_are_links(sample_pdf: Path) -> None:
    internal, external = 0, []
    with pikepdf.open(sample_pdf) as pdf:
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                if annot.get("/Subtype") != "/Link":
                    continue
                action = annot.get("/A")
                if "/Dest" in annot or (action is not None and action.get("/S") == "/GoTo"):
                    internal += 1
                elif action is not None and action.get("/S") == "/URI":
                    external.append(str(action.URI))
    assert internal >= 20
    assert "https://example.org/npasyria/125949" in external
    assert all(url.startswith(("http://", "https://", "mailto:")) for url in external)


def test_no_section_heading_is_left_alone_at_the_foot_of_a_page(sample_pdf: Path) -> None:
    headings = {
        "Bottom line up front",
        "Key developments",
        "Conflicting and unconfirmed reporting",
        "Actors",
        "Open questions",
        "Outlook",
        "Sources",
        "Legend",
    }
    reader = pypdf.PdfReader(sample_pdf)
    for number, page in enumerate(reader.pages[:-1], start=1):
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        body = [line for line in lines if line != "TLP:GREEN" and not line.startswith("Page ")]
        assert body[-1] not in headings, f"page {number} ends with the heading {body[-1]!r}"


def test_letter_page_size_by_setting(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"briefgen.toml": lambda t: t + '[pdf]\npage_size = "Letter"\n'})
    assert run("build", desk, "--date", "2025-05-22", "--format", "pdf").exit_code == 0
    page = pypdf.PdfReader(desk / "out/2025-05-22/valley.pdf").pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx((612, 792), abs=0.5)


def test_missing_fast_subsetter_is_warned_once(make_desk: MakeDesk, monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes.util

    real = ctypes.util.find_library
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None if name == "harfbuzz-subset" else real(name))
    second = (DESKS / "minimal/briefs/edition.yaml").read_text().replace("id: valley", "id: valley-two")
    desk = make_desk(files={"briefs/second.yaml": second})
    result = run("build", desk, "--date", "2025-05-22", "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("libharfbuzz-subset0 is not installed") == 1
    assert "2 built" in result.stderr
    monkeypatch.setattr(ctypes.util, "find_library", real)
    assert "libharfbuzz-subset0" not in run("build", desk, "--date", "2025-05-22", "--format", "pdf").stderr


def test_css_weasyprint_ignores_is_reported_as_a_warning(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "templates/brief.html.j2": (
                '{% extends "builtin/brief.html.j2" %}'
                "{% block stylesheet %}{{ super() }} h2 { colour: red; }{% endblock %}"
            )
        }
    )
    result = run("build", desk, "--date", "2025-05-22", "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert "valley.pdf: warning: WeasyPrint: Ignored `colour: red`" in result.stderr
    assert "1 warning" in result.stdout


def test_a_render_calls_on_a_stack_that_maps_nothing_as_its_calls_loop() -> None:
    """CPython (before 3.13) maps a 16 KiB chunk of frames for a call that crosses a chunk and unmaps it on
    return: a loop at that depth faults in a new chunk at every call. `stack.call_with_room` gives a call
    512 KiB of stack in one chunk, so a loop at any depth within it faults in nothing."""
    import resource
    import sys

    from briefgen.pdf import stack

    def small() -> None:
        return None

    # A frame larger than a frame of `down`: whatever depth the test starts at, one depth puts it across.
    leaf = type(small)(small.__code__.replace(co_stacksize=64), {})

    def loop() -> None:
        for _ in range(3000):
            leaf()

    def down(depth: int) -> None:
        return down(depth - 1) if depth else loop()

    def worst_faults() -> int:
        worst = 0
        for depth in range(400):  # more than two chunks of `down` frames
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            down(depth)
            worst = max(worst, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
        return worst

    if sys.version_info < (3, 13):
        assert worst_faults() >= 3000  # the chunk faulted in again at every call of the loop
    assert stack.call_with_room(worst_faults) < 100
    assert stack.call_with_room(divmod, 7, 2) == (3, 1)
