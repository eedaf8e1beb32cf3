"""The text edition (issue 16): citation calls never split across lines, actor roles kept, wide characters
measured as a terminal shows them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import wcwidth
from conftest import run

from briefgen.render.filters import NO_BREAK, wrap_text

MakeDesk = Callable[..., Path]


def _width(line: str) -> int:
    return int(wcwidth.wcswidth(line))


def test_a_citation_call_is_never_split_nor_left_alone_on_a_line() -> None:
    for padding in range(0, 60):
        text = "x" * padding + " the claim rests on one official [1, para 5; 3, para 12] and more words follow here"
        lines = wrap_text(text).split("\n")
        joined = "\n".join(lines)
        assert f"official{NO_BREAK}[1,{NO_BREAK}para{NO_BREAK}5;{NO_BREAK}3,{NO_BREAK}para{NO_BREAK}12]" in joined
        assert all(_width(line) <= 76 for line in lines)
        assert not any(line.lstrip().startswith("[") for line in lines)


def test_wide_characters_are_measured_in_columns() -> None:
    text = " ".join(["中文报道"] * 40)  # each word is 8 columns wide, 4 characters long
    lines = wrap_text(text, indent=2).split("\n")
    assert all(_width(line) <= 76 for line in lines)
    assert max(_width(line) for line in lines) > 60  # and the lines are still filled
    combining = " ".join(["מִלָּה"] * 30)  # Hebrew with points: the points take no column
    assert all(_width(line) <= 76 for line in wrap_text(combining).split("\n"))
    assert len(wrap_text(combining).split("\n")) == 2  # 30 words of 3 columns; by characters it would be 3 lines


def test_the_text_edition_keeps_actor_roles_and_calls_whole(make_desk: MakeDesk) -> None:
    desk = make_desk("sample")
    result = run("build", desk, "--date", "2025-05-22", "--format", "txt")
    assert result.exit_code == 0, result.output
    text = (desk / "out" / "2025-05-22" / "syria-deconfliction.txt").read_text(encoding="utf-8")
    shown = re.sub("[\u2066-\u2069]", "", text)  # the isolates around record fields are invisible
    assert "Actors: Israel (party), Turkey (party), Azerbaijan (facilitator)" in shown
    assert f"[1,{NO_BREAK}para{NO_BREAK}4;{NO_BREAK}2,{NO_BREAK}para{NO_BREAK}4]" in text
    assert all(_width(line) <= 76 for line in text.splitlines())
