"""What makes PDFs come back sooner must not change what they are: the preview's untagged PDF shows the
built pages and stays confined; reused stylesheets and page references write the same bytes; a
stylesheet that reads a file is never reused by another job; a no-op build loads no renderer."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pikepdf
import pypdf
import pytest
from conftest import Observer, observing, run

from briefgen.build.pipeline import EditionInputs, pdf_job, render_edition
from briefgen.compose.compose import compose
from briefgen.desk.loader import load_desk
from briefgen.errors import ResourceBlocked
from briefgen.pdf.job import ASSET_ROOT, Asset, PdfJob
from briefgen.preview import EditionProblem, Preview

pytestmark = pytest.mark.pdf
MakeDesk = Callable[..., Path]
DAY = date(2025, 5, 22)


@pytest.fixture
def observer() -> Iterator[Observer]:
    with observing() as watching:
        yield watching


@pytest.fixture
def preview() -> Iterator[Callable[[Path], Preview]]:
    opened: list[Preview] = []

    def make(desk: Path) -> Preview:
        opened.append(Preview(desk))
        return opened[-1]

    yield make
    for each in opened:
        each.close()


def _texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_the_preview_pdf_shows_the_built_pages_untagged(
    make_desk: MakeDesk, preview: Callable[[Path], Preview]
) -> None:
    desk = make_desk()
    assert run("build", desk, "--all", "--format", "pdf").exit_code == 0
    built = (desk / "out/2025-05-22/valley.pdf").read_bytes()
    shown = preview(desk).edition_pdf("valley", DAY)
    assert _texts(shown) == _texts(built)  # the same pages, page by page (header, footer, page numbers)
    with pikepdf.open(io.BytesIO(built)) as publication, pikepdf.open(io.BytesIO(shown)) as draft:
        assert "/StructTreeRoot" in publication.Root
        assert "/StructTreeRoot" not in draft.Root  # never published: no structure tree to build
        links = [a for page in draft.pages for a in page.obj.get("/Annots", []) if a.get("/Subtype") == "/Link"]
        assert links  # endnote calls still work


@pytest.mark.parametrize("kind", ["url", "outside-file"])
def test_the_preview_pdf_reads_only_the_desk_templates(
    make_desk: MakeDesk, preview: Callable[[Path], Preview], observer: Observer, tmp_path: Path, kind: str
) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text('body::before { content: "SECRET-TOKEN-42" }')
    target = f"{observer.url}/evil.css" if kind == "url" else secret.as_uri()
    template = '{% extends "builtin/brief.html.j2" %}{% block stylesheet %}@import "' + target
    desk = make_desk(files={"templates/brief.html.j2": template + '";{{ super() }}{% endblock %}'})
    with pytest.raises(EditionProblem) as problem:
        preview(desk).edition_pdf("valley", DAY)
    # Refused as the HTML is rendered (it would load it), before the PDF renderer's fetcher would refuse it.
    assert any(f"a <style> element that loads '{target}'" in line for line in problem.value.lines), problem.value.lines
    assert observer.requests == []


def _job(desk_root: Path) -> PdfJob:
    desk = load_desk(desk_root)
    brief = compose(desk, desk.briefs[0]).brief
    assert brief is not None
    edition = render_edition(EditionInputs(brief, None, desk.layout.templates, desk.settings, text=False))
    return pdf_job(edition, desk.settings, desk.layout.templates)


def test_reused_stylesheets_page_references_and_array_types_write_the_same_bytes(make_desk: MakeDesk) -> None:
    import weasyprint

    from briefgen.pdf import reuse, tagging
    from briefgen.pdf.render import ConfinedFetcher, font_configuration, render_pdf

    job = _job(make_desk("sample"))  # several pages: running headers, page numbers, links across pages
    reuse._kept.clear()
    first = render_pdf(job)  # parses the stylesheet and keeps it
    assert len(reuse._kept) == 1
    again = render_pdf(replace(job, label="valley again"))  # reuses it
    assert again.data == first.data and again.pages == first.pages >= 2

    def written(patched: bool) -> bytes:
        options = {"pdf_variant": job.variant, "pdf_tags": True}
        with tagging.tag_languages_and_links(), reuse.reused_work() if patched else contextlib.nullcontext():
            html = weasyprint.HTML(string=job.html, base_url=job.base_url, url_fetcher=ConfinedFetcher(job.assets))
            document = html.render(font_config=font_configuration(), **options)
            return bytes(document.write_pdf(pdf_identifier=job.identifier, **options))

    from weasyprint.text.ffi import ffi

    def sized_arrays() -> set[str]:
        return {name for name in ffi._parsed_types if re.fullmatch(r"hb_codepoint_t\[\d+\]", str(name))}

    before = sized_arrays()
    patched = written(patched=True)
    assert sized_arrays() == before, "fonts subset without a C type per glyph count"
    assert patched == written(patched=False)


def test_workers_start_warm_from_a_fork_server_with_one_thread_and_render_the_same_bytes(
    make_desk: MakeDesk, tmp_path: Path
) -> None:
    """The fork server renders a page before it forks (`briefgen.pdf.zygote`): forking is safe only if
    that left no thread running, and a warm worker must write what a process that never warmed up
    writes."""
    import pickle

    from briefgen.pdf.workers import Workers

    threads = subprocess.run(
        [sys.executable, "-c", "import os, briefgen.pdf.zygote; print(len(os.listdir('/proc/self/task')))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert threads.stdout.strip() == "1"
    job = _job(make_desk("sample"))
    (tmp_path / "job.pickle").write_bytes(pickle.dumps(job))
    cold = tmp_path / "cold.pdf"
    script = (
        "import pickle, sys; from pathlib import Path; from briefgen.pdf.render import render_pdf; "
        "job = pickle.loads(Path(sys.argv[1]).read_bytes()); Path(sys.argv[2]).write_bytes(render_pdf(job).data)"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "job.pickle"), str(cold)], check=True)
    workers = Workers(1)
    try:
        workers.submit(0, job)
        finished: list[tuple[int, object]] = []
        while not finished:
            finished = list(workers.completed())
    finally:
        workers.close()
    warm = finished[0][1]
    assert getattr(warm, "data", None) == cold.read_bytes()


def test_a_stylesheet_that_reads_a_file_is_parsed_again_for_each_job() -> None:
    from briefgen.pdf.render import render_pdf

    html = (
        '<!DOCTYPE html><html lang="en"><head><title>t</title><style>@import "extra.css"; p { margin: 0 }</style>'
        "</head><body><p>Text</p></body></html>"
    )
    extra = Asset.of("extra.css", b"p { color: #123456 }")
    job = PdfJob("reads 2025-05-22", html, ASSET_ROOT, (extra,), "pdf/ua-1", b"0" * 32)
    assert render_pdf(job).pages == 1
    with pytest.raises(ResourceBlocked, match=re.escape("refused to read file:///briefgen-templates/extra.css")):
        render_pdf(replace(job, label="no assets 2025-05-22", assets=()))  # the first job's file is not at hand


def test_a_build_with_every_edition_up_to_date_loads_no_renderer(make_desk: MakeDesk) -> None:
    desk = make_desk()
    assert run("build", desk, "--all").exit_code == 0
    probe = (
        "import sys\n"
        "from briefgen.cli import main\n"
        f"sys.argv = ['briefgen', 'build', {str(desk)!r}, '--all']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "print(sorted(m for m in ('weasyprint', 'jinja2', 'stix2') if m in sys.modules), code)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert done.stdout.strip().endswith("[] 0"), done.stdout + done.stderr
    assert "1 up to date" in done.stderr
