"""The filters and functions templates call: Markdown, citation calls, labels, wrapping, isolation.

Filters and `cites` see whether the template autoescapes: HTML templates get HTML, text templates
(`*.txt.j2`) get plain text with `[n]` calls.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import wcwidth
from markupsafe import Markup

from briefgen.compose import model as composed
from briefgen.render.endnotes import Endnotes
from briefgen.render.labels import (
    date_label,
    datetime_label,
    language_direction,
    published_label,
    sourcing_label,
    text_direction,
    theme_label,
    when_label,
)
from briefgen.render.markdown import render_markdown, render_markdown_text


@jinja2.pass_context
def _isolate(context: jinja2.runtime.Context, text: str | None) -> Markup:
    """A name or phrase isolated from the text around it (`<bdi>`) when its direction could disturb that
    text: it holds right-to-left characters, or the brief itself is right-to-left."""
    value = text or ""
    rtl = any(unicodedata.bidirectional(char) in ("R", "AL") for char in value)
    if rtl or language_direction(context["brief"].language) == "rtl":
        return Markup('<bdi dir="{}">{}</bdi>').format(text_direction(value), value)
    return Markup("{}").format(value)


@jinja2.pass_context
def _markdown(context: jinja2.runtime.Context, text: str | None) -> Markup | str:
    """Record Markdown as safe HTML (no raw HTML, images or unsafe links), citations as endnote calls."""
    if not context.eval_ctx.autoescape:
        return render_markdown_text(text or "", context["brief"].language, context["notes"])
    return render_markdown(text or "", context["brief"].language, context["notes"])


@jinja2.pass_context
def _markdown_inline(context: jinja2.runtime.Context, text: str | None) -> Markup | str:
    """As `markdown`, without the paragraph around it."""
    if not context.eval_ctx.autoescape:
        return render_markdown_text(text or "", context["brief"].language, context["notes"])
    return render_markdown(text or "", context["brief"].language, context["notes"], inline=True)


@jinja2.pass_context
def _cites(context: jinja2.runtime.Context, citations: list[composed.Cite]) -> Markup | str:
    """`cites(item.cites)`: the endnote calls of structured citations, numbered in order of first call."""
    notes: Endnotes = context["notes"]
    if not context.eval_ctx.autoescape:
        return notes.text_call(citations)
    return notes.group(citations)


NO_BREAK = "\u00a0"
# A citation call (`[3]`, `[1, para 7; 3]`) and the space before it: the call stays with its word.
_CALL = re.compile(r" (\[\d+(?:,[^\]\n]*)?(?:;[^\]\n]*)*\])")


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide characters (CJK, emoji) count two, combining marks none."""
    width = wcwidth.wcswidth(text)
    return width if width >= 0 else len(text)


def _fill(words: list[str], width: int, first: str, rest: str) -> list[str]:
    """Greedy fill by display width; a word longer than a line stands alone (never broken)."""
    lines: list[str] = []
    current, used = first, display_width(first)
    empty = True
    for word in words:
        size = display_width(word)
        if not empty and used + 1 + size > width:
            lines.append(current)
            current, used, empty = rest, display_width(rest), True
        current += ("" if empty else " ") + word
        used += (0 if empty else 1) + size
        empty = False
    lines.append(current)
    return lines


def wrap_text(text: str, indent: int = 0, width: int = 76) -> str:
    """Wrap each line of plain text to `width` columns (measured as a terminal shows them), indented;
    list items get a hanging indent. Lines break only at plain spaces: a citation call is tied to the word
    before it and never split (no-break spaces)."""
    lines = []
    for line in str(text).split("\n"):
        if not line.strip():
            lines.append("")
            continue
        line = _CALL.sub(lambda m: NO_BREAK + m.group(1).replace(" ", NO_BREAK), line)
        hanging = re.match(r"^(?:> )*\s*(?:[-*]|\d+\.|\[\d+\])\s+", line)
        first = " " * indent
        rest = first + " " * (len(hanging.group(0)) if hanging else 0)
        lines.extend(_fill([w for w in line.split(" ") if w], max(width, indent + 20), first, rest))
    return "\n".join(lines)


@jinja2.pass_context
def _datetime_label(context: jinja2.runtime.Context, value: datetime) -> str:
    """A date-time in the desk's time zone, with its offset and zone name."""
    return datetime_label(value, ZoneInfo(context["brief"].timezone))


FILTERS: dict[str, Any] = {
    "markdown": _markdown,
    "markdown_inline": _markdown_inline,
    "date_label": date_label,
    "datetime_label": _datetime_label,
    "when_label": when_label,
    "published_label": published_label,
    "sourcing_label": sourcing_label,
    "textdir": text_direction,
    "langdir": language_direction,
    "theme_label": theme_label,
    "wrap": wrap_text,
    "isolate": _isolate,
}
GLOBALS: dict[str, Any] = {"cites": _cites}
