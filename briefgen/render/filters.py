"""The filters and functions templates call: Markdown, citation calls, labels, wrapping, isolation.

Filters and `cites` see whether the template autoescapes: HTML templates get HTML, text templates
(`*.txt.j2`) get plain text with `[n]` calls.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup

from briefgen.compose import model as composed
from briefgen.render.endnotes import Endnotes
from briefgen.render.labels import (
    date_label,
    datetime_label,
    language_direction,
    occurred_label,
    place_label,
    published_label,
    sourcing_label,
    status_note,
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


def wrap_text(text: str, indent: int = 0, width: int = 76) -> str:
    """Wrap each line of plain text to `width`, indented; list items get a hanging indent."""
    lines = []
    for line in str(text).split("\n"):
        if not line.strip():
            lines.append("")
            continue
        hanging = re.match(r"^(?:> )*\s*(?:[-*]|\d+\.|\[\d+\])\s+", line)
        first = " " * indent
        rest = first + " " * (len(hanging.group(0)) if hanging else 0)
        lines.append(
            textwrap.fill(
                line,
                width=max(width, indent + 20),
                initial_indent=first,
                subsequent_indent=rest,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
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
    "occurred_label": occurred_label,
    "place_label": place_label,
    "status_note": status_note,
    "textdir": text_direction,
    "langdir": language_direction,
    "theme_label": theme_label,
    "wrap": wrap_text,
    "isolate": _isolate,
}
GLOBALS: dict[str, Any] = {"cites": _cites}
