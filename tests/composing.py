"""Helpers for compose tests: compose a fixture desk's edition, its JSON, and the text a reader sees."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from briefgen.compose import model as composed
from briefgen.compose.compose import Composition, compose
from briefgen.desk.loader import load_desk
from briefgen.render.html import render_html


def composition(desk: Path, brief_id: str | None = None) -> Composition:
    loaded = load_desk(desk)
    assert not [d for d in loaded.diagnostics if d.is_error], [str(d) for d in loaded.diagnostics]
    edition = next(b for b in loaded.briefs if brief_id is None or b.record.brief.id == brief_id)
    return compose(loaded, edition)


def composed_brief(desk: Path, brief_id: str | None = None) -> composed.ComposedBrief:
    result = composition(desk, brief_id)
    assert result.brief is not None, [str(d) for d in result.diagnostics]
    return result.brief


def brief_json(brief: composed.ComposedBrief) -> dict[str, Any]:
    """The composed brief as the JSON edition carries it."""
    data: dict[str, Any] = json.loads(brief.model_dump_json())
    return data


def development_json(brief: composed.ComposedBrief, dev_id: str) -> dict[str, Any]:
    return next(d for d in brief_json(brief)["developments"] if d["id"] == dev_id)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("style", "script", "head")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("style", "script", "head")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def reader_text(brief: composed.ComposedBrief) -> str:
    """What a reader sees in the HTML edition: its text, white space collapsed."""
    parser = _Text()
    parser.feed(render_html(brief, desk_templates=None).html)
    return re.sub(r"\s+", " ", _visible("".join(parser.parts)))


def _visible(text: str) -> str:
    """Text without the invisible bidi isolates that keep each record field in its own direction."""
    return re.sub("[\u2066-\u2069]", "", text)


def facts_lines(brief: composed.ComposedBrief) -> dict[str, str]:
    """Each development's facts line (status badge to sourcing) as a reader sees it, by development id."""
    html = render_html(brief, desk_templates=None).html
    found = {}
    for dev_id, body in re.findall(r'<article class="development[^"]*" id="dev-([^"]+)">(.*?)</article>', html, re.S):
        facts = re.search(r'<p class="facts">(.*?)</p>', body, re.S)
        assert facts is not None
        parser = _Text()
        parser.feed(facts.group(1))
        found[dev_id] = re.sub(r"\s+", " ", _visible("".join(parser.parts))).strip()
    return found
