"""The archive's feeds: a JSON Feed 1.1 (checked against its schema) and an Atom feed (parsed with
feedparser) per audience, newest first, marked, linking each edition's HTML and PDF."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from unittest import mock

import feedparser
import jsonschema

from briefgen.desk.vocabulary import Marking
from briefgen.export.feeds import FeedEdition, Feeds, atom_feed, json_feed
from tests.conftest import DESKS, TESTS, run

SCHEMA = json.loads((TESTS / "schemas" / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))


def check_json_feed(raw: bytes) -> dict[str, object]:
    data = json.loads(raw)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(
        data
    )
    assert isinstance(data, dict)
    return data


def check_atom(raw: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    for key in ("id", "title", "updated"):
        assert parsed.feed.get(key), key
    assert parsed.feed.get("author")
    for entry in parsed.entries:
        for key in ("id", "title", "updated"):
            assert entry.get(key), key
    return parsed


def build_all(desk: Path, out: Path, formats: str = "html,json") -> None:
    result = run("build", desk, "--all", "--format", formats, "--out", out)
    assert result.exit_code == 0, result.output


def test_feeds_beside_the_archive_newest_first(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_all(DESKS / "three-days", out)
    assert (out / "index.html").is_file()
    green = check_json_feed((out / "feed-green.json").read_bytes())
    items = green["items"]
    assert isinstance(items, list)
    assert [i["_briefgen"]["date"] for i in items] == ["2025-05-23", "2025-05-22", "2025-05-21"]
    assert all(i["title"].startswith("[TLP:GREEN] Valley update — ") for i in items)
    assert items[0]["url"] == "2025-05-23/valley.html" and "Talks continue" in items[0]["content_text"]
    assert "[@" not in items[0]["content_text"]
    assert " ." not in items[0]["content_text"] and " ," not in items[0]["content_text"]  # calls leave no space
    atom = check_atom((out / "feed-green.atom").read_bytes())
    assert [e.title for e in atom.entries] == [i["title"] for i in items]
    assert [e.link for e in atom.entries] == [i["url"] for i in items]
    assert atom.entries[0].updated == "2025-05-23T06:00:00Z"
    # A GREEN edition is in the feeds of GREEN readers and above, never in the CLEAR (public) feed.
    for audience in ("clear",):
        assert check_json_feed((out / f"feed-{audience}.json").read_bytes())["items"] == []
        assert check_atom((out / f"feed-{audience}.atom").read_bytes()).entries == []
    for audience in ("amber", "amber-strict", "red"):
        assert len(check_json_feed((out / f"feed-{audience}.json").read_bytes())["items"]) == 3


def test_feeds_are_byte_identical_whatever_the_clock_zone(tmp_path: Path) -> None:
    for name, zone in (("a", "Pacific/Auckland"), ("b", "America/Denver")):
        with mock.patch.dict(os.environ, {"TZ": zone}):
            build_all(DESKS / "three-days", tmp_path / name)
    for feed in ("feed-green.json", "feed-green.atom", "feed-clear.atom"):
        assert (tmp_path / "a" / feed).read_bytes() == (tmp_path / "b" / feed).read_bytes(), feed


def test_entries_link_html_and_pdf_with_the_published_url(make_desk: Callable[..., Path], tmp_path: Path) -> None:
    desk = make_desk(
        "minimal",
        {"briefgen.toml": lambda t: t + '\n[archive]\nurl = "https://briefs.example.org/valley/"\n'},
    )
    out = tmp_path / "out"
    build_all(desk, out, "html,pdf,json")
    data = check_json_feed((out / "feed-green.json").read_bytes())
    assert data["feed_url"] == "https://briefs.example.org/valley/feed-green.json"
    (item,) = data["items"]
    assert item["url"] == "https://briefs.example.org/valley/2025-05-22/valley.html"
    assert item["attachments"] == [
        {
            "url": "https://briefs.example.org/valley/2025-05-22/valley.pdf",
            "mime_type": "application/pdf",
            "title": "PDF",
        }
    ]
    (entry,) = check_atom((out / "feed-green.atom").read_bytes()).entries
    links = {(link.get("type"), link.href) for link in entry.links}
    assert ("text/html", item["url"]) in links and ("application/pdf", item["attachments"][0]["url"]) in links
    assert [t.term for t in entry.tags] == ["TLP:GREEN"]


def test_a_trailing_slash_is_required_on_the_archive_url(make_desk: Callable[..., Path]) -> None:
    desk = make_desk("minimal", {"briefgen.toml": lambda t: t + '\n[archive]\nurl = "https://briefs.example.org/v"\n'})
    result = run("validate", desk)
    assert result.exit_code != 0
    assert "briefgen.toml" in result.output + (result.stderr or "") and "end with '/'" in result.output + (
        result.stderr or ""
    )


def test_editions_of_every_marking_go_to_the_cleared_feeds_only() -> None:
    editions = [
        FeedEdition(
            f"b-{m.css_class}",
            date(2025, 5, 22),
            f"Brief {m.value}",
            m,
            datetime(2025, 5, 22, 6, tzinfo=UTC),
            "",
            None,
            None,
        )
        for m in Marking
    ]
    feeds = Feeds("Desk", "", editions)
    for audience in Marking:
        titles = [i["title"] for i in check_json_feed(json_feed(feeds, audience))["items"]]
        expected = [f"[{m.value}] Brief {m.value} — 2025-05-22" for m in Marking if m.rank <= audience.rank]
        assert sorted(titles) == sorted(expected)
        assert sorted(e.title for e in check_atom(atom_feed(feeds, audience)).entries) == sorted(expected)
