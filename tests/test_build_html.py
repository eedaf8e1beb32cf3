"""`briefgen build` to HTML and JSON: structure, endnotes, safety, atomic writes and golden files."""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import SAMPLE, TESTS, run

MakeDesk = Callable[..., Path]
GOLDEN = TESTS / "golden"


class Page(HTMLParser):
    """Collects what the tests look at: tags, ids, links, dir attributes, headings and text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.tags if "id" in attrs}


def build_sample(out: Path, formats: str = "html,json") -> Path:
    result = run("build", SAMPLE, "--date", "2025-05-22", "--format", formats, "--out", out)
    assert result.exit_code == 0, result.output
    return out / "2025-05-22"


def test_sample_html_structure(tmp_path: Path) -> None:
    html = (build_sample(tmp_path) / "syria-deconfliction.html").read_text(encoding="utf-8")
    page = Page(html)
    assert page.all("html")[0]["lang"] == "en"
    assert not page.all("script") and not page.all("img") and not page.all("link") and not page.all("iframe")
    assert {"main", "header", "footer"} <= {t for t, _ in page.tags}
    levels = [int(t[1]) for t, _ in page.tags if t in ("h1", "h2", "h3", "h4")]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))
    # Every endnote call links to an endnote and every endnote links back to its calls.
    calls = [a for a in page.all("a") if a.get("id", "").startswith("call-")]
    assert calls and all(a["href"].lstrip("#") in page.ids for a in calls)
    backlinks = [a for a in page.all("a") if a.get("href", "").startswith("#call-")]
    assert {a["href"].lstrip("#") for a in backlinks} == {a["id"] for a in calls}
    # Only http(s) links leave the page; no resource is loaded from anywhere.
    external = [a["href"] for a in page.all("a") if not a["href"].startswith("#")]
    assert external and all(h.startswith(("https://", "http://", "mailto:")) for h in external)
    # Right-to-left names carry dir="rtl".
    rtl = [a for _, a in page.tags if a.get("dir") == "rtl"]
    assert len(rtl) >= 3
    text = " ".join(page.text)
    assert "TLP:GREEN" in text and text.count("TLP:GREEN") >= 2
    assert "ישראל היום" in html and "أحمد الشرع" in html


def test_endnotes_numbered_in_order_of_first_call(tmp_path: Path) -> None:
    out = build_sample(tmp_path)
    data = json.loads((out / "syria-deconfliction.json").read_text(encoding="utf-8"))
    assert [(n["number"], n["source"]) for n in data["endnotes"]] == [
        (1, "np-deconfliction-mechanism"),
        (2, "aggregator-talks-azerbaijan"),
    ]
    assert "para 5" in data["endnotes"][0]["locators"]
    html = (out / "syria-deconfliction.html").read_text(encoding="utf-8")
    first_call = html.index('href="#note-1"')
    assert first_call < html.index('href="#note-2"')
    assert 'title="Endnote 1: North Press Agency, para 5"' in html


def test_two_paragraphs_of_one_source_are_one_call_naming_both(make_desk: MakeDesk) -> None:
    """`4`, not `4,4`: one call per endnote in a group, its link naming both paragraphs; the text edition
    keeps them apart (`[1, para 1; 1, para 2]`)."""
    two_paragraphs = {
        "sources/alpha.yaml": lambda t: t.replace(
            '      - {source: alpha-report, para: 1, quote: "a new ceasefire line"}\n',
            "      - {source: alpha-report, para: 2}\n      - {source: alpha-report, para: 1}\n",
        )
    }
    desk = make_desk(files=two_paragraphs)
    result = run("build", desk, "--all", "--format", "html,txt,json")
    assert result.exit_code == 0, result.output
    out = next((desk / "out").glob("*/valley.html"))
    html = out.read_text(encoding="utf-8")
    heading = html[html.index("<h3") : html.index("</h3>")]
    calls = re.findall(r'<a id="(call-[^"]+)" href="#note-(\d+)" title="([^"]+)">', heading)
    assert [(number, title) for _, number, title in calls if number == "1"] == [
        ("1", "Endnote 1: Alpha News, para 1, para 2")
    ]
    page = Page(html)
    backlinks = {a["href"].lstrip("#") for a in page.all("a") if a.get("href", "").startswith("#call-")}
    assert {call for call, _, _ in calls} <= backlinks
    assert "[1,\u00a0para\u00a01;\u00a01,\u00a0para\u00a02" in out.with_suffix(".txt").read_text(encoding="utf-8")


def test_json_carries_corroboration_discrepancies_and_unresolved_dates(tmp_path: Path) -> None:
    data = json.loads((build_sample(tmp_path) / "syria-deconfliction.json").read_text(encoding="utf-8"))
    devs = {d["id"]: d for d in data["developments"]}
    assert devs["deconfliction-talks"]["sourcing"]["corroboration"] == "multiple_independent"
    assert devs["permanent-mechanism"]["sourcing"]["anonymous_only"] is True
    assert devs["deconfliction-talks"]["sourcing"]["independent"] == 2
    assert devs["deconfliction-talks"]["assessed"] == ["status", "place"]
    assert devs["officials-met-azerbaijan"]["occurred"] == {
        "on": None,
        "as_reported": "on Wednesday",
        "precision": "day",
        "resolved_from": None,
        "unresolved": "the source has no publication date",
        "unresolved_reason": {"code": "no_publication_date", "phrase": None, "language": None, "words": []},
    }
    assert devs["talks-resume-baku"]["occurred"]["on"] == "2025-05-22"
    assert devs["understanding-reported"]["occurred"]["on"] == "2025-05-21"
    assert [d["id"] for d in data["discrepancies"]] == ["which-wednesday"]
    assert list(data)[:4] == ["schema_version", "id", "title", "date"]


def test_a_bare_weekday_never_appears_as_a_date(tmp_path: Path) -> None:
    html = (build_sample(tmp_path) / "syria-deconfliction.html").read_text(encoding="utf-8")
    # The date follows the status badge in each development's facts line.
    dates = [
        d.split("·")[0].strip()
        for d in re.findall(r'<p class="facts"><span[^>]*>[^<]*</span>[^\n<]*\n([^<]*)<(?:span|bdi)', html)
    ]
    assert len(dates) == 11
    for label in dates:
        assert re.match(
            r"^([A-Z][a-z]+ \d{1,2}, \d{4}|date not stated( \(reported as “[^”]+”(, which is not a day|: the source has "
            r"no publication date)\))?)$",
            label,
        ), label


def test_builds_are_byte_identical(tmp_path: Path) -> None:
    first = build_sample(tmp_path / "a")
    second = build_sample(tmp_path / "b")
    for name in ("syria-deconfliction.html", "syria-deconfliction.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_golden_html_and_json(tmp_path: Path) -> None:
    """Refresh with: BRIEFGEN_REFRESH_GOLDEN=1 .venv/bin/python -m pytest tests/test_build_html.py -k golden"""
    out = build_sample(tmp_path)
    for name in ("syria-deconfliction.html", "syria-deconfliction.json"):
        built = (out / name).read_text(encoding="utf-8")
        golden = GOLDEN / name
        if os.environ.get("BRIEFGEN_REFRESH_GOLDEN"):
            golden.parent.mkdir(exist_ok=True)
            golden.write_text(built, encoding="utf-8")
        assert built == golden.read_text(encoding="utf-8"), f"{name} differs from its golden file"


HOSTILE = {
    "sources/alpha.yaml": lambda t: t.replace(
        "    summary: The council agreed a new ceasefire line.",
        '    summary: "<script>alert(1)</script> {{ 7*7 }} {% if true %}x{% endif %}"\n'
        '    detail: "<img src=http://127.0.0.1:9/x.png onerror=alert(1)> [click](javascript:alert(2)) '
        '![pic](http://127.0.0.1:9/p.png) <b>bold</b>"',
    )
}


def test_hostile_record_text_renders_as_inert_text(make_desk: MakeDesk) -> None:
    desk = make_desk(files=HOSTILE)
    result = run("build", desk, "--date", "2025-05-22", "--format", "html,json")
    assert result.exit_code == 0, result.output
    html = (desk / "out/2025-05-22/valley.html").read_text(encoding="utf-8")
    page = Page(html)
    assert not page.all("script") and not page.all("img") and not page.all("b")
    assert all(not a.get("href", "").startswith("javascript:") for a in page.all("a"))
    text = " ".join(page.text)
    assert "<script>alert(1)</script>" in text and "{{ 7*7 }}" in text and "49" not in text
    assert "[click](javascript:alert(2))" in text


def test_an_anonymous_claim_beside_a_named_denial_reads_as_such(make_desk: MakeDesk) -> None:
    import lxml.html

    desk = make_desk(
        files={
            "sources/alpha.yaml": lambda t: t.replace(
                'quote: "a new ceasefire line"}', 'quote: "a new ceasefire line", anonymous: true}'
            ),
            "sources/beta.yaml": lambda t: t.replace("status: reported", "status: denied"),
        }
    )
    assert run("build", desk, "--date", "2025-05-22", "--format", "html,txt").exit_code == 0
    root = lxml.html.fromstring((desk / "out/2025-05-22/valley.html").read_bytes())
    facts = root.get_element_by_id("dev-ceasefire-line").find_class("sourcing")[0].text_content()
    assert facts == "2 independent sources, 1 of them anonymous, which differ on status"
    rows = {
        row.xpath("string(td[1])"): row.xpath("string(td[2])").translate({0x2066: None, 0x2069: None})
        for row in root.xpath('//section[@class="discrepancies"]//tbody/tr')
    }
    assert rows == {"reported": "1 anonymous only", "denied": "2"}, rows  # the call's brackets come from CSS
    text = (
        (desk / "out/2025-05-22/valley.txt").read_text(encoding="utf-8").replace("\u00a0", " ")
    )  # a call keeps to its word
    assert "- reported [1, para 1] (anonymous only)" in text and "- denied [2]\n" in text


def test_failed_edition_leaves_earlier_outputs_untouched(make_desk: MakeDesk) -> None:
    desk = make_desk()
    assert run("build", desk, "--date", "2025-05-22", "--format", "html,json").exit_code == 0
    before = {p.name: p.read_bytes() for p in (desk / "out/2025-05-22").iterdir()}
    brief = desk / "briefs/edition.yaml"
    brief.write_text(brief.read_text().replace("Valley update", "Changed").replace("@beta-wire]", "@beta-wir]"))
    result = run("build", desk, "--date", "2025-05-22", "--format", "html,json")
    assert result.exit_code == 1
    assert "unknown source 'beta-wir' (did you mean 'beta-wire'?)" in result.stderr
    assert "FAILED  valley 2025-05-22" in result.stdout
    after = {p.name: p.read_bytes() for p in (desk / "out/2025-05-22").iterdir()}
    assert after == before


def test_no_edition_today_is_not_an_error(make_desk: MakeDesk) -> None:
    result = run("build", make_desk(), "--format", "html")
    assert result.exit_code == 0
    assert "nothing to build (editions dated " in result.stderr and "today in UTC" in result.stderr


@pytest.mark.parametrize("value", ["html,docx", ""])
def test_bad_format_is_a_usage_error(make_desk: MakeDesk, value: str) -> None:
    result = run("build", make_desk(), "--all", "--format", value)
    assert result.exit_code == 2
    assert "expected a comma-separated list of html, pdf, json, eml, txt" in result.output


def test_dropped_markdown_is_a_warning_naming_file_and_field(make_desk: MakeDesk) -> None:
    desk = make_desk(files=HOSTILE)
    result = run("validate", desk)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "shown as literal text" in line]
    assert any(
        line.startswith("sources/alpha.yaml:") and "developments[0].detail: warning: raw HTML '<img src=" in line
        for line in lines
    ), lines
    assert any("a link to 'javascript:alert(2)'" in line for line in lines)
    assert any("an image ('http://127.0.0.1:9/p.png')" in line for line in lines)
    assert any("raw HTML '<b>'" in line for line in lines)
    assert run("validate", desk, "--strict").exit_code == 1


def test_strict_build_fails_an_edition_with_warnings_and_writes_nothing(make_desk: MakeDesk) -> None:
    desk = make_desk(files=HOSTILE)
    result = run("build", desk, "--date", "2025-05-22", "--format", "html", "--strict")
    assert result.exit_code == 1
    assert "developments[0].detail: warning: raw HTML" in result.stderr
    assert not (desk / "out/2025-05-22").exists()


def test_text_edition_keeps_the_html_endnote_numbers(tmp_path: Path) -> None:
    out = build_sample(tmp_path, "html,txt")
    text = (out / "syria-deconfliction.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "TLP:GREEN" and lines[-1] == "TLP:GREEN"
    # 76 columns as shown: the isolates around record fields take none.
    shown = [re.sub("[\u2066-\u2069]", "", line) for line in lines]
    assert max(len(line) for line in shown) <= 76 or any(len(w) > 60 for w in text.split())
    page = Page((out / "syria-deconfliction.html").read_text(encoding="utf-8"))
    html_notes = {
        a["id"].split("-")[1]: a["title"].split(",")[0].split(": ", 1)[1]
        for a in page.all("a")
        if a.get("id", "").startswith("call-")
    }
    text_notes = {n: t.strip("\u2068\u2069") for n, t in re.findall(r"^\[(\d+)\] ([^,]+),", text, re.MULTILINE)}
    assert text_notes == {n: ("Outlet not stated" if t.startswith("Turkey and") else t) for n, t in html_notes.items()}
    # Calls carry their locators, numbers ascending, with no-break spaces (a call is never split across
    # lines); no bare weekday and no Markdown syntax reaches the text.
    assert "[1,\u00a0para\u00a05]" in text and "[1,\u00a0para\u00a04;\u00a02,\u00a0para\u00a04]" in text
    assert "](" not in text and "**" not in text
    assert "https://example.org/npasyria/125949" in text


def test_text_edition_shows_hostile_text_literally(make_desk: MakeDesk) -> None:
    desk = make_desk(files=HOSTILE)
    assert run("build", desk, "--date", "2025-05-22", "--format", "txt").exit_code == 0
    text = (desk / "out/2025-05-22/valley.txt").read_text(encoding="utf-8")
    unwrapped = re.sub(r"\n +", " ", text)
    assert "<script>alert(1)</script> {{ 7*7 }} {% if true %}x{% endif %}" in unwrapped
    assert "49" not in text
