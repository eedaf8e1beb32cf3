"""A long brief laid out in parts (briefgen/pdf/parts.py, in_parts.py, merge.py): which HTML is cut and
which is rendered whole, and the joined PDF read back beside the same brief rendered whole: the same
pages with the same words, every link working, one structure tree, margin content on every page."""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
from conftest import DESKS, run

from briefgen.pdf import parts
from briefgen.pdf.job import ASSET_ROOT, PdfJob
from briefgen.pdf.render import render_pdf

DAY = "2025-05-01"


def _long_html(style: str = "", item: str = "<p>{i} Lorem ipsum dolor sit amet.</p>") -> str:
    body = "".join(f'<article id="a{i}">{item.format(i=i)}</article>' for i in range(400))
    return (
        f"<!DOCTYPE html><html><head><style>{style}</style></head><body><header><h1>T</h1></header>"
        f"<main><section class='list'><h2>Items</h2><ol>{''.join(f'<li>{i}</li>' for i in range(10))}</ol>"
        f"{body}</section></main><footer>f</footer></body></html>"
    )


def test_plan_cuts_long_html_into_units_and_keeps_the_rest_whole() -> None:
    plan = parts.plan(_long_html(), 4_000)
    assert plan is not None
    assert [u.tag for u in plan.units[:2]] == ["h2", "ol"] and len(plan.units) == 402
    # Short, or with a layout that depends on more than the page, or with an end tag left out: whole.
    assert parts.plan(_long_html(), 1_000_000) is None
    assert parts.plan(_long_html("li { counter-increment: item }"), 4_000) is None
    assert parts.plan(_long_html("@page :first { margin-top: 4cm }"), 4_000) is None
    assert parts.plan(_long_html(item="<p>{i} an open paragraph"), 4_000) is None
    assert parts.plan("<html><body><p>" + "x" * 20_000 + "</p></body></html>", 4_000) is None  # no <main>


def test_a_part_is_a_whole_document_with_its_siblings_kept_as_placeholders() -> None:
    plan = parts.plan(_long_html(), 4_000)
    assert plan is not None
    text = plan.part(100, 200)
    tree = parts._Tree(text)
    tree.feed(text)
    tree.close()
    assert not tree.broken and len(tree.stack) == 1, "every element opened is closed"
    assert 'id="a98"' in text and 'id="a198"' in text and 'id="a97"' not in text and 'id="a199"' not in text
    # The section is reopened without its id, its earlier children are there but not displayed (so that
    # `h2 + ol` or `:nth-child` match as in the whole), and the header only in the first part.
    assert "<section class='list' data-briefgen-container=\"1\" data-briefgen-continued>" in text
    assert "<h2 data-briefgen-placeholder></h2>" in text and "<h1>" not in text
    # The header, h2, ol, the articles before and after, the footer.
    assert text.count(" data-briefgen-placeholder>") == 1 + 1 + 1 + 98 + 201 + 1
    # A long list cut between its items numbers on from the items before.
    items = "".join(f"<li>{i} a list item long enough to count</li>" for i in range(200))
    listed = parts.plan(f"<html><head></head><body><main><ol start='3'>{items}</ol></main></body></html>", 2_000)
    assert listed is not None and len(listed.units) == 200
    assert '<ol data-briefgen-container="1" data-briefgen-continued start="53">' in listed.part(50, 60)
    first = plan.part(0, 10)
    assert "<h1>T</h1>" in first and "<footer>" not in first and "::before" not in first


def _build(desk: Path, out: Path, part_chars: int) -> Path:
    settings = desk / "briefgen.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("render_part_chars = 12000", f"render_part_chars = {part_chars}"), "utf-8")
    result = run("build", desk, "--all", "--out", out)
    assert result.exit_code == 0, result.output
    return out / DAY / "bench-brief.pdf"


def _page_words(path: Path) -> list[list[str]]:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return [page.split() for page in done.stdout.split("\f")[:-1]]


def _page_images(path: Path) -> list[bytes]:
    """Each page as a PNG at 40 dpi."""
    folder = path.parent / f"{path.stem}-pages"
    folder.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(folder / "page")], check=True)
    return [image.read_bytes() for image in sorted(folder.glob("page-*.png"))]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The long-brief desk (about 8 pages) in parts of about 2 pages, again in parts, and whole."""
    base = tmp_path_factory.mktemp("parts")
    desk = base / "desk"
    shutil.copytree(DESKS / "long-brief", desk)
    in_parts = _build(desk, base / "parts", 12000)
    again = _build(desk, base / "again", 12000)
    whole = _build(desk, base / "whole", 0)
    return in_parts, again, whole


@pytest.mark.pdf
def test_a_brief_in_parts_has_the_pages_and_words_of_the_whole(pdfs: tuple[Path, Path, Path]) -> None:
    in_parts, again, whole = pdfs
    with pikepdf.open(in_parts) as pdf:
        drawn = [
            [str(operands[0]) for operands, op in pikepdf.parse_content_stream(page) if str(op) == "Do"]
            for page in pdf.pages
        ]
        pages = len(pdf.pages)
    # The top edge (title, marking) has no counter: laid out for page 1 and once for the others; the bottom
    # edge (page n of N, marking) for every page.
    expected = [["/MarginFirst" if n == 1 else "/MarginRest", f"/Margin{n}"] for n in range(1, pages + 1)]
    assert pages >= 6 and drawn == expected, "in parts: margins drawn after"
    assert _page_images(in_parts) == _page_images(whole), "every page looks as it does rendered whole"
    words, whole_words = _page_words(in_parts), _page_words(whole)
    assert words == whole_words, "the same words on the same pages (Arabic and Hebrew names included)"
    for number, page in enumerate(words, start=1):
        assert " ".join(page).count("TLP:GREEN") == 2 and f"Page {number} of {pages}" in " ".join(page)
    assert in_parts.read_bytes() == again.read_bytes(), "the same inputs, the same bytes"


@pytest.mark.pdf
def test_links_bookmarks_and_structure_of_a_brief_in_parts(pdfs: tuple[Path, Path, Path]) -> None:
    in_parts, _, whole = pdfs
    html = in_parts.with_suffix(".html").read_text(encoding="utf-8")

    def read(path: Path) -> tuple[list[str], set[str], list[str], int]:
        with pikepdf.open(path) as pdf:
            names = {str(k) for k, _ in pikepdf.NameTree(pdf.Root.Names.Dests).items()}
            annotations = [a for page in pdf.pages for a in page.obj.get("/Annots", [])]
            assert all("/Dest" in a or str(a.A.URI).startswith("https://") for a in annotations)
            with pdf.open_outline() as outline:
                titles = [item.title for item in outline.root]
            return [str(a.Dest) for a in annotations if "/Dest" in a], names, titles, len(annotations)

    dests, names, titles, count = read(in_parts)
    assert set(dests) <= names and read(whole)[2:] == (titles, count)
    calls = [d for d in dests if d.startswith("note-")]
    assert len(calls) == html.count('href="#note-'), "every endnote call is a link, across parts too"
    with pikepdf.open(in_parts) as pdf:
        tree = pdf.Root.StructTreeRoot
        mapped = dict(pikepdf.NumberTree(tree.ParentTree).items())
        keys = [int(page.obj.StructParents) for page in pdf.pages]
        keys += [int(a.StructParent) for page in pdf.pages for a in page.obj.get("/Annots", [])]
        assert (
            len(set(keys)) == len(keys) and all(k in mapped for k in keys) and int(tree.ParentTreeNextKey) > max(keys)
        )
        assert len(tree.K) == 1 and tree.K[0].S == "/Document"
        pages = {page.obj.objgen for page in pdf.pages}
        stack, seen = [tree.K], set()
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary) and not (node.is_indirect and node.objgen in seen):
                seen.add(node.objgen)
                assert "/Pg" not in node or node.Pg.objgen in pages, "every structure element is on a page of the file"
                stack.extend([node.K] if "/K" in node else [])
        for page in pdf.pages:
            operators = [(operands, str(op)) for operands, op in pikepdf.parse_content_stream(page)]
            assert any(op in ("BDC", "BMC") and operands[0] == "/Artifact" for operands, op in operators[-10:])
    done = subprocess.run(
        [str(Path(sys.executable).parent / "pdfua"), "check", str(in_parts)], capture_output=True, text=True
    )
    assert "errors=0 warnings=0" in done.stdout, done.stdout
    # Each part subsets its fonts: every subset has a tag of its own (ISO 32000-1, 9.6.4), as pdffonts lists them.
    listed = subprocess.run(["pdffonts", str(in_parts)], capture_output=True, text=True, check=True).stdout
    subsets = [line.split()[0] for line in listed.splitlines()[2:]]
    assert len(subsets) > 3 and len(set(subsets)) == len(subsets), subsets
    assert all(re.fullmatch(r"[A-Z]{6}\+Noto-Sans[\w-]*", name) for name in subsets), subsets


# What makes a page show more than its own content and number: read as CSS (comments, escapes, @media).
WHOLE_ONLY_STYLES = [
    "article { counter-increment: item }",
    "article { counter-incr\\65ment: item }",
    "article::before { content: counter(item) }",
    "header::after { content: 'of ' counter(pages) }",
    "h1 { string-set: doctitle content() ' (' counter(pages) ')' }",
    "article { display: list-item }",
    "article p { float: footnote }",
    "header { position: fixed; top: 0 }",
    "article:nth-child(5n) { break-before: right }",
    "@page :first { margin-top: 60mm }",
    "@page/**/:left { margin-left: 40mm }",
    "@page :\\6eth(2n) { margin-left: 40mm }",
    "@page { @top-center { content: target-counter('#a3', page) } }",
    "@page { @top-center { content: target-text('#a3') } }",
    "@media print { article { counter-reset: item } }",
    "@import url(other.css);",
]


@pytest.mark.parametrize("style", WHOLE_ONLY_STYLES)
def test_a_stylesheet_that_makes_a_page_show_more_than_itself_is_laid_out_whole(style: str) -> None:
    assert parts.plan(_long_html(style), 2_000) is None
    declared = re.fullmatch(r"article \{ (.*) \}", style)
    if declared:  # the same declarations in one element's style attribute
        inline = _long_html().replace("<article ", f'<article style="{declared.group(1)}" ', 1)
        assert parts.plan(inline, 2_000) is None


@pytest.mark.parametrize(
    "style",
    [
        "@page { @bottom-left { content: 'Page ' counter(page) ' of ' counter(pages) } }",
        "@page { @top-left { content: string(doctitle, first-except) } } h1 { string-set: doctitle content() }",
        "ol { list-style-type: lower-roman } h2 + p { margin: 0 }",
    ],
)
def test_page_counters_in_the_margins_and_strings_set_before_main_are_laid_out_in_parts(style: str) -> None:
    assert parts.plan(_long_html(style), 2_000) is not None


@pytest.mark.pdf
@pytest.mark.parametrize(
    ("style", "shown"),
    [
        # An element of <main> moved into the margins, a string set after <main>: in no margins document.
        (".r { position: running(item) } @page { @top-center { content: element(item) } }", "Head"),
        ("footer { string-set: end 'END' } @page { @top-center { content: string(end) } }", "END"),
        # Margin content over the page area: drawn over the page's content, as WeasyPrint does.
        ("@page { @left-middle { content: 'SIDE LABEL'; white-space: nowrap; font-size: 14pt } }", "SIDE"),
    ],
)
def test_margin_content_the_parts_cannot_show_makes_the_brief_render_whole(
    tmp_path: Path, style: str, shown: str
) -> None:
    html = _long_html(style, item='<h3 class="r">Head {i}</h3><p>{i} Lorem ipsum dolor sit amet.</p>' * 3)
    html = html.replace("<html>", '<html lang="en">', 1)
    job = PdfJob("t", html, ASSET_ROOT, (), "pdf/ua-1", b"t", part_chars=8_000)
    assert parts.plan(html, 8_000) is not None
    for name, part_chars in (("asked-in-parts", 8_000), ("whole", 0)):
        (tmp_path / f"{name}.pdf").write_bytes(render_pdf(replace(job, part_chars=part_chars)).data)
    words = _page_words(tmp_path / "asked-in-parts.pdf")
    assert len(words) > 2 and shown in " ".join(words[-1]), "the margin content on the last page"
    assert words == _page_words(tmp_path / "whole.pdf")
    assert _page_images(tmp_path / "asked-in-parts.pdf") == _page_images(tmp_path / "whole.pdf")


@pytest.mark.pdf
def test_margin_edges_without_a_counter_are_laid_out_for_two_pages_only(tmp_path: Path) -> None:
    """A desk stylesheet with no page number: no edge shows a counter, and every page's margins come from
    the two pages of one small document (page 1, and one page for the others), as they look whole."""
    desk = tmp_path / "desk"
    shutil.copytree(DESKS / "long-brief", desk)
    (desk / "templates").mkdir(exist_ok=True)
    (desk / "templates/brief.css.j2").write_text(
        '{% extends "builtin/brief.css.j2" %}'
        '{% block print %}{{ super() }}@page { @bottom-left { content: "Desk copy" } }{% endblock %}',
        encoding="utf-8",
    )
    in_parts = _build(desk, tmp_path / "parts", 12000)
    whole = _build(desk, tmp_path / "whole", 0)
    with pikepdf.open(in_parts) as pdf:
        drawn = [
            [str(operands[0]) for operands, op in pikepdf.parse_content_stream(page) if str(op) == "Do"]
            for page in pdf.pages
        ]
    assert len(drawn) >= 6 and drawn == [["/MarginFirst"]] + [["/MarginRest"]] * (len(drawn) - 1)
    assert _page_images(in_parts) == _page_images(whole)
    assert all("Desk copy" in " ".join(page) for page in _page_words(in_parts))


@pytest.mark.pdf
def test_a_layout_dropped_is_freed_without_a_collection() -> None:
    """Within `acyclic.freed_when_dropped`, what a laid-out and written document held goes when the
    document and its layout context are dropped: the collector finds a small fraction of what it must
    free after the same render without it. WeasyPrint is as it was afterwards."""
    import gc

    import weasyprint
    from weasyprint import css as weasy_css

    from briefgen.pdf import acyclic

    html = _long_html(item="<p>{i} <em>Lorem</em> ipsum <span>dolor</span> sit amet.</p><div>x<p>anonymous</p></div>")

    def garbage_after_render(freed: bool) -> int:
        gc.collect()
        gc.disable()
        try:
            with acyclic.freed_when_dropped() if freed else contextlib.nullcontext([]) as layouts:
                document = weasyprint.HTML(string=html).render()
                assert len(document.pages) > 5
                document.write_pdf()
                del document
                acyclic.drop(layouts)
                return gc.collect()
        finally:
            gc.enable()

    cyclic = garbage_after_render(False)
    left = garbage_after_render(True)
    assert cyclic > 50_000 and left < cyclic / 10, (cyclic, left)  # what is left: the HTML parser's tree
    assert isinstance(weasy_css.Style.__dict__["anonymous_style"], functools.cached_property)
    assert "specified" not in weasy_css.AnonymousStyle.__dict__
    assert "specified" not in weasy_css.InitialStyle.__dict__


@pytest.mark.pdf
def test_an_svg_image_draws_the_same_from_a_layout_context_cleared_after_layout(tmp_path: Path) -> None:
    """SVG images are drawn when the PDF is written, with their layout context: `acyclic.laid_out` keeps
    what they draw with (the image loader, the fonts), so the page is the same as WeasyPrint's own."""
    import weasyprint

    from briefgen.pdf import acyclic

    html = (
        "<p>Map</p><svg width='200' height='80'><rect x='5' y='5' width='60' height='40' fill='#c00'/>"
        "<text x='80' y='40' font-size='20'>Qamishli</text>"
        # An image in the SVG: loaded while the PDF is written, by the context's image loader.
        "<image x='5' y='50' width='30' height='30' href=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' "
        "width='30' height='30'><circle cx='15' cy='15' r='14' fill='%2300c'/></svg>\"/></svg>"
    )
    (tmp_path / "plain.pdf").write_bytes(weasyprint.HTML(string=html).write_pdf())
    with acyclic.freed_when_dropped() as layouts:
        document = weasyprint.HTML(string=html).render()
        acyclic.laid_out(layouts)
        assert not hasattr(layouts[0], "style_for")
        (tmp_path / "cleared.pdf").write_bytes(document.write_pdf())
    assert "Qamishli" in " ".join(_page_words(tmp_path / "cleared.pdf")[0])
    assert _page_images(tmp_path / "cleared.pdf") == _page_images(tmp_path / "plain.pdf")
