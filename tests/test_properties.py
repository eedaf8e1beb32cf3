"""Property-based tests (hypothesis): any input gives a result or a clean error, never a crash."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import yaml
from conftest import DESKS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from briefgen.compose.validate import validate_desk
from briefgen.desk.citations import TextCitation
from briefgen.desk.loader import load_desk
from briefgen.desk.prose import dropped_constructs
from briefgen.render.markdown import render_markdown, render_markdown_text

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PIECES = [
    *"<>[]()!*_`#-:@;,./\\\"'=& \n\tabcjsvpt\u202e",
    "javascript:",
    "http://",
    "<script>",
    "<img src=x>",
    "[@a]",
    "](",
]
MARKDOWNISH = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
KEYS = st.sampled_from(["source", "id", "title", "developments", "summary", "cites", "status", "brief", "x", "marking"])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=20,
)


class AnyCalls:
    """Numbers every cited source, known or not (validation, not rendering, rejects unknown ones)."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def group(self, citations: list[TextCitation]) -> Markup:
        calls = [str(self.numbers.setdefault(c.source, len(self.numbers) + 1)) for c in citations]
        return Markup('<sup class="cite">{}</sup>').format(",".join(calls))

    def text_call(self, citations: list[TextCitation]) -> str:
        return "[" + "; ".join(str(self.numbers.setdefault(c.source, len(self.numbers) + 1)) for c in citations) + "]"


@SETTINGS
@given(text=MARKDOWNISH | st.text(max_size=300))
def test_markdown_renders_anything_safely(text: str) -> None:
    html = str(render_markdown(text, "en", AnyCalls()))
    inline = str(render_markdown(text, "ar", AnyCalls(), inline=True))
    for output in (html, inline):
        assert "<script" not in output and "<img" not in output
        assert not re.search(r'href="(?!https?://|mailto:|#)', output), output
    assert isinstance(render_markdown_text(text, "en", AnyCalls()), str)
    assert isinstance(dropped_constructs(text), list)


def _desk_with(tmp_path: Path, name: str, content: bytes) -> Path:
    desk = tmp_path / "desk"
    if desk.exists():
        shutil.rmtree(desk)
    shutil.copytree(DESKS / "minimal", desk)
    (desk / name).write_bytes(content)
    return desk


@SETTINGS
@given(content=st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8")))
def test_any_bytes_as_a_record_give_diagnostics(tmp_path: Path, content: bytes) -> None:
    for name in ("sources/fuzz.yaml", "sources/fuzz.json"):
        desk = _desk_with(tmp_path, name, content)
        report = validate_desk(load_desk(desk))
        assert all(d.path and d.message for d in report.diagnostics)


@SETTINGS
@given(data=st.dictionaries(KEYS, VALUES, max_size=5))
def test_any_structure_as_a_record_gives_diagnostics(tmp_path: Path, data: dict[str, object]) -> None:
    for name, text in (
        ("sources/fuzz.yaml", yaml.safe_dump(data, allow_unicode=True)),
        ("sources/fuzz.json", json.dumps(data)),
    ):
        desk = _desk_with(tmp_path, name, text.encode("utf-8"))
        report = validate_desk(load_desk(desk))
        assert all(d.path and d.message for d in report.diagnostics)
