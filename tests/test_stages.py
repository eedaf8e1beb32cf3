"""Each stage's contract on a small fixture desk: desk -> compose -> render (edition pipeline) -> pdf -> mail.

A failure here points at the stage; the CLI tests check the same behaviour end to end.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import DESKS, run

from briefgen.build.pipeline import EditionInputs, pdf_job, render_edition
from briefgen.compose.compose import compose
from briefgen.compose.validate import edition_verdict, validate_desk
from briefgen.desk.loader import load_desk
from briefgen.desk.settings import MailSection
from briefgen.desk.vocabulary import OutputFormat
from briefgen.mail.message import message_for
from briefgen.preview import EditionProblem, Preview

MINIMAL = DESKS / "minimal"
MakeDesk = Callable[..., Path]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _rendered(text: bool = True):  # type: ignore[no-untyped-def]
    desk = load_desk(MINIMAL)
    brief = compose(desk, desk.briefs[0]).brief
    assert brief is not None
    return desk, render_edition(EditionInputs(brief, None, desk.layout.templates, desk.settings, text=text))


def test_desk_stage_loads_records_with_their_files_and_lines() -> None:
    desk = load_desk(MINIMAL)
    assert [s.record.source.id for s in desk.sources] == ["alpha-report", "beta-wire"]
    assert [s.file.rel for s in desk.sources] == ["sources/alpha.yaml", "sources/beta.yaml"]
    assert desk.briefs[0].record.brief.id == "valley"
    assert desk.lists[0].record.clearance.value == "TLP:AMBER"
    assert desk.diagnostics == ()
    assert desk.sources[0].file.lines.line_of(("developments", 0, "summary")) == 15


def test_desk_stage_keeps_numbers_written_as_text_verbatim(make_desk: MakeDesk) -> None:
    root = make_desk(
        "minimal",
        {
            "sources/alpha.yaml": lambda t: t.replace("title: Alpha report", "title: 1.10"),
            "sources/gamma.json": '{"source": {"id": "gamma", "title": 1e3, "dateline": 0012}}',
        },
    )
    desk = load_desk(root)
    assert desk.sources[0].record.source.title == "1.10"
    assert [d.path for d in desk.diagnostics] == ["sources/gamma.json"]  # 0012 is not JSON
    (root / "sources/gamma.json").write_text('{"source": {"id": "gamma", "title": 1e3, "dateline": 12.50}}')
    gamma = next(s for s in load_desk(root).sources if s.record.source.id == "gamma")
    assert (gamma.record.source.title, gamma.record.source.dateline) == ("1e3", "12.50")


def test_compose_stage_merges_items_and_computes_sourcing() -> None:
    desk = load_desk(MINIMAL)
    composition = compose(desk, desk.briefs[0])
    assert composition.ok
    brief = composition.brief
    assert brief is not None
    development = next(d for d in brief.developments if d.id == "ceasefire-line")
    assert {c.source for c in development.cites} == {"alpha-report", "beta-wire"}
    assert development.sourcing.sources == 2
    assert composition.files == ("briefs/edition.yaml", "sources/alpha.yaml", "sources/beta.yaml")


def test_render_stage_gives_html_text_and_json_of_one_edition() -> None:
    _, edition = _rendered()
    text = _text(edition.html)
    assert "Valley update" in text and "The council agreed a new ceasefire line." in text
    data = json.loads(edition.json)
    assert data["id"] == "valley" and [n["number"] for n in data["endnotes"]] == [1, 2]
    assert edition.brief.changes is not None and edition.brief.changes.first
    assert edition.text is not None and edition.text.splitlines()[0].startswith("TLP:GREEN")


def test_render_stage_skips_the_text_edition_when_no_format_needs_it() -> None:
    _, edition = _rendered(text=False)
    assert edition.text is None


@pytest.mark.pdf
def test_pdf_stage_renders_a_job_of_plain_data() -> None:
    import pikepdf

    from briefgen.pdf.render import render_pdf

    desk, edition = _rendered()
    job = pdf_job(edition, desk.settings, desk.layout.templates)
    assert job.label == "valley 2025-05-22" and not job.attachments
    pdf = render_pdf(job)
    assert pdf.pages >= 1
    with pikepdf.open(io.BytesIO(pdf.data)) as document:
        assert "/StructTreeRoot" in document.Root
    assert render_pdf(job).data == pdf.data


def test_mail_stage_makes_one_message_per_list() -> None:
    desk, edition = _rendered()
    assert edition.text is not None
    mailing = desk.lists[0].record
    settings = MailSection.model_validate({"from": "Desk <desk@example.org>"})
    raw = message_for(edition.brief, mailing, mail=settings, html=edition.html, text=edition.text, pdf=b"%PDF-1.7\n")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert str(message["Subject"]) == "[TLP:GREEN] Valley update — May 22, 2025"
    assert str(message["X-Briefgen-List"]) == "analysts"
    assert [p.get_filename() for p in message.iter_attachments()] == ["TLP-GREEN_2025-05-22_valley.pdf"]


def test_build_and_preview_give_one_verdict_on_a_broken_desk(make_desk: MakeDesk) -> None:
    """A broken source file the edition does not cite still stops it: in build, in preview, in validate."""
    root = make_desk("minimal", {"sources/broken.yaml": "source: {id: broken, title: [not, text]}\n"})
    desk = load_desk(root)
    report = validate_desk(desk)
    verdict = edition_verdict(report, desk.briefs[0], strict=False)
    assert verdict.blocked
    assert any(d.path == "sources/broken.yaml" for d in verdict.errors)

    built = run("build", root, "--date", "2025-05-22", "--format", "html")
    assert built.exit_code == 1
    assert "sources/broken.yaml:1: source.title: expected text" in built.stderr
    assert not (root / "out" / "2025-05-22" / "valley.html").exists()

    with pytest.raises(EditionProblem) as problem:
        Preview(root).edition_html("valley", desk.briefs[0].record.brief.date)
    assert problem.value.title == "This edition has errors"
    assert any("sources/broken.yaml:1" in line for line in problem.value.lines)


def test_every_output_format_has_one_table_entry() -> None:
    from briefgen.build.formats import FORMATS
    from briefgen.pdf.workers import PDF_FORMAT_NAMES

    assert set(FORMATS) == set(OutputFormat)
    assert {f.value for f, spec in FORMATS.items() if spec.needs_pdf} == PDF_FORMAT_NAMES
