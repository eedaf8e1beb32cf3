"""The PDF's structure and markings, read back with pikepdf, on every variant (PDF/UA-1 and PDF/A-3b):
link areas, link descriptions, languages on structure elements, artifacts, list and table structure,
attachment dates, byte-identical rebuilds; the marking inside the printable area; the `pdfua` checker."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import DESKS, SAMPLE, run

pytestmark = pytest.mark.pdf

VARIANTS = ["pdf/ua-1", "pdf/a-3b"]
MM = 72 / 25.4


def _build(desk: Path, out: Path, variant: str, day: str) -> Path:
    settings = desk / "briefgen.toml"
    text = settings.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("variant"))
    if "[pdf]" in text:
        text = text.replace("[pdf]", f'[pdf]\nvariant = "{variant}"')
    else:
        text += f'\n[pdf]\nvariant = "{variant}"\n'
    settings.write_text(text + "\n", encoding="utf-8")
    result = run("build", desk, "--date", day, "--format", "pdf,html", "--out", out)
    assert result.exit_code == 0, result.output
    return next(p for p in sorted((out / day).glob("*.pdf")) if "@" not in p.name)  # the master edition


@pytest.fixture(scope="module", params=VARIANTS)
def variant_pdfs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[Path]]:
    """The Arabic fixture brief and the sample, in one variant."""
    import shutil

    variant = request.param
    made = []
    for name, source, day in (("ar", DESKS / "lang-ar", "2026-04-08"), ("sample", SAMPLE, "2025-05-22")):
        base = tmp_path_factory.mktemp(f"{name}-{variant.replace('/', '')}")
        desk = base / "desk"
        shutil.copytree(source, desk, ignore=shutil.ignore_patterns("out"))
        made.append(_build(desk, base / "out", variant, day))
    return variant, made


def _elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    found = []
    stack = [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            if "/K" in node:
                stack.append(node.K)
    return found


def test_links_are_tall_enough_and_described_in_words(variant_pdfs: tuple[str, list[Path]]) -> None:
    for path in variant_pdfs[1]:
        with pikepdf.open(path) as pdf:
            links = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.Subtype == "/Link"]
            assert links
            for link in links:
                y1, y2 = float(link.Rect[1]), float(link.Rect[3])
                assert abs(y2 - y1) >= 5, f"link area {abs(y2 - y1):.1f} pt high"
                description = str(link.get("/Contents", ""))
                assert description and not description.startswith(("note-", "actor-", "call-", "#"))
            calls = [str(link.Contents) for link in links if "/Dest" in link and str(link.Dest).startswith("note-")]
            assert calls and all(c.split()[1].rstrip(":").isdigit() for c in calls if c.startswith("Endnote"))


def test_every_endnote_call_is_a_working_link(variant_pdfs: tuple[str, list[Path]]) -> None:
    sample = variant_pdfs[1][1]
    html = (sample.parent / "syria-deconfliction.html").read_text(encoding="utf-8")
    with pikepdf.open(sample) as pdf:
        names = pdf.Root.Names.Dests
        targets = set()
        stack = [names]
        while stack:
            node = stack.pop()
            if "/Names" in node:
                targets |= {str(node.Names[i]) for i in range(0, len(node.Names), 2)}
            stack.extend(node.get("/Kids", []))
        dests = [str(a.Dest) for page in pdf.pages for a in page.obj.get("/Annots", []) if "/Dest" in a]
    assert set(dests) <= targets, "every link's destination exists"
    calls = [d for d in dests if d.startswith("note-")]
    assert len(calls) == html.count('href="#note-'), "every endnote call of the HTML is a link in the PDF"


def test_languages_artifacts_lists_and_tables(variant_pdfs: tuple[str, list[Path]]) -> None:
    for path in variant_pdfs[1]:
        with pikepdf.open(path) as pdf:
            elements = _elements(pdf)
            tags = [str(e.S) for e in elements]
            assert "/Document" in tags and "/P" in tags
            # Each list holds list items; each item a label and/or a body.
            for element in elements:
                kids = [k for k in (element.K if isinstance(element.K, pikepdf.Array) else [element.K])]
                kinds = {str(k.S) for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k}
                if element.S == "/L":
                    assert kinds <= {"/LI", "/Caption", "/L"}, kinds
                if element.S == "/LI":
                    assert kinds <= {"/Lbl", "/LBody"}, kinds
            # Table headers carry a scope and an id in the IDTree; every cell's /Headers is found there.
            headers = [e for e in elements if e.S == "/TH"]
            if headers:
                ids = pdf.Root.StructTreeRoot.IDTree.Names
                known = {str(ids[i]) for i in range(0, len(ids), 2)}
                assert all(str(h.A.Scope) in ("/Column", "/Row") and str(h.ID) in known for h in headers)
                for cell in (e for e in elements if e.S == "/TD"):
                    assert {str(h) for h in cell.A.get("/Headers", [])} <= known
            # Header and footer (running title, marking, page number) are artifacts on every page.
            for page in pdf.pages:
                operators = pikepdf.parse_content_stream(page)
                artifacts = [ops for ops, op in operators if str(op) == "BMC" and ops and ops[0] == "/Artifact"]
                assert len(artifacts) >= 3
            assert len({str(e.Lang) for e in elements if "/Lang" in e}) >= 1


GEOMETRY_OPERATORS = {"Tm", "cm", "re", "m", "l", "c", "v", "y", "Td"}


def _decimals(value: object) -> int:
    text = str(value)
    return len(text.split(".")[1]) if "." in text else 0


def test_page_content_is_written_compactly(variant_pdfs: tuple[str, list[Path]]) -> None:
    """Glyph strings that no adjustment separates are one string, adjustments and coordinates are written to a
    thousandth (WeasyPrint writes one string per glyph and millionths), on pages parsed for right-to-left
    text (Arabic) and on pages only marked as written (the sample's English)."""
    for path in variant_pdfs[1]:
        with pikepdf.open(path) as pdf:
            arrays = 0
            for page in pdf.pages:
                for operands, operator in pikepdf.parse_content_stream(page):
                    if str(operator) == "TJ":
                        arrays += 1
                        items = list(operands[0])
                        for before, after in itertools.pairwise(items):
                            assert not (isinstance(before, pikepdf.String) and isinstance(after, pikepdf.String))
                        for before, item, after in zip(items, items[1:], items[2:], strict=False):
                            if isinstance(before, pikepdf.String) and isinstance(after, pikepdf.String):
                                assert item != 0, (path.name, items)
                        assert all(_decimals(item) <= 3 for item in items if not isinstance(item, pikepdf.String))
                    elif str(operator) in GEOMETRY_OPERATORS:
                        assert all(_decimals(value) <= 3 for value in operands), (path.name, operator, operands)
            assert arrays > 50


def test_text_arrays_compacted_as_a_reader_parses_them() -> None:
    from decimal import Decimal

    from briefgen.pdf.compact import compact_text, thousandth

    # One string per glyph with zero kerning between: one string; a kerning stays where it was.
    assert compact_text("<0030>0<0044>0<005c>20<0003>0") == "<00300044005c>20<0003>"
    # Widths of empty glyphs (Python floats, an exponent too) rounded; what rounds to nothing joins the strings.
    assert compact_text("<0030>-3.33333333333<0044>-0.0<0045>-1.2e-05<0046>") == "<0030>-3.333<004400450046>"
    # A number before the first string (a glyph's offset) stays; so do empty strings and what follows them.
    assert compact_text("-0.5<0003>") == "-0.5<0003>"
    assert compact_text("<>-1.5<>2<0001>0") == "<>-1.5<>2<0001>"
    # As pydyf writes a float (%f) and a reader parses it, then to three decimals, halves to even.
    assert thousandth(106.0593551) == Decimal("106.059") and thousandth(2.0005) == Decimal("2")
    assert thousandth(12.0) == 12 and thousandth(7) == 7 and thousandth("/F1") == "/F1"


def test_marking_inside_the_printable_area(variant_pdfs: tuple[str, list[Path]]) -> None:
    """The TLP label is at least 10 mm from every edge, 12 pt or more, on every page, with the restrictions."""
    path = variant_pdfs[1][0]
    done = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True)
    pages = done.stdout.split("<page ")[1:]
    assert pages
    for page in pages:
        width = float(page.split('width="')[1].split('"')[0])
        height = float(page.split('height="')[1].split('"')[0])
        boxes = [
            ({k: float(w.split(f'{k}="')[1].split('"')[0]) for k in ("xMin", "yMin", "xMax", "yMax")}, w.split(">")[1])
            for w in page.split("<word ")[1:]
        ]
        labels = [box for box, text in boxes if text.startswith("TLP:AMBER")]
        assert len(labels) == 2, "the label in the header and the footer"
        for box in labels:
            assert min(box["xMin"], box["yMin"], width - box["xMax"], height - box["yMax"]) >= 10 * MM
            assert box["yMax"] - box["yMin"] >= 12 * 0.9  # the glyph box of 12 pt text
            beside = [b for b, text in boxes if b is not box and abs(b["yMax"] - box["yMax"]) < 4 and text.strip()]
            assert beside, "the restrictions beside the label"


def test_attachment_dates_and_tags_of_the_archive_variant(variant_pdfs: tuple[str, list[Path]]) -> None:
    variant, paths = variant_pdfs
    with pikepdf.open(paths[1]) as pdf:
        assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
        if variant == "pdf/a-3b":
            files = pdf.attachments
            assert list(files) == ["syria-deconfliction-2025-05-22.json"]
            spec = files["syria-deconfliction-2025-05-22.json"]
            params = spec.obj.EF.F.Params
            # Issued 2025-05-22T06:00:00+03:00: 03:00 UTC, whatever the build machine's clock or zone.
            assert str(params.CreationDate) == "D:20250522030000Z" == str(params.ModDate)


@pytest.mark.parametrize("variant", VARIANTS)
def test_rebuilds_are_byte_identical(variant: str, tmp_path: Path) -> None:
    import os
    import shutil

    desk = tmp_path / "desk"
    shutil.copytree(SAMPLE, desk, ignore=shutil.ignore_patterns("out"))
    first = _build(desk, tmp_path / "a", variant, "2025-05-22").read_bytes()
    zone = os.environ.get("TZ")
    os.environ["TZ"] = "Pacific/Kiritimati"
    try:
        second = _build(desk, tmp_path / "b", variant, "2025-05-22").read_bytes()
    finally:
        if zone is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = zone
    assert first == second


@pytest.mark.parametrize("variant_pdfs", ["pdf/ua-1"], indirect=True)  # the checker checks PDF/UA-1 files
def test_the_pdfua_checker_finds_no_error_in_the_sample(variant_pdfs: tuple[str, list[Path]]) -> None:
    _, paths = variant_pdfs
    for path in paths:
        done = subprocess.run(
            [str(Path(__import__("sys").executable).parent / "pdfua"), "check", str(path)],
            capture_output=True,
            text=True,
        )
        assert done.returncode in (0, 1), done.stdout
        assert "errors=0 warnings=0" in done.stdout, done.stdout
