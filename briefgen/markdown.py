"""Markdown for record text: markdown-it-py with raw HTML and images off, only http(s)/mailto links,
typographic quotes for the brief's language, and Pandoc-style citations as linked endnote calls.

Record text is untrusted. Whatever cannot be rendered safely is shown as literal, escaped text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any, Protocol

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from markupsafe import Markup, escape

from briefgen.citations import CITATION_GROUP, CitationSyntaxError, TextCitation, parse_group

SAFE_LINK = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)

# Quote marks by language: double open, double close, single open, single close.
QUOTES: dict[str, str] = {
    "en": "“”‘’",
    "tr": "“”‘’",
    "de": "„“‚‘",
    "fr": "«»‹›",
    "ru": "«»„“",
    "ar": "«»‹›",
    "he": "“”‘’",
    "es": "«»“”",
    "it": "«»“”",
}


class CitationCalls(Protocol):
    """What renders a citation call: numbers it and returns the call's HTML."""

    def call(self, citation: TextCitation) -> Markup: ...


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    match = CITATION_GROUP.match(state.src, state.pos)
    if match is None:
        return False
    try:
        citations = parse_group(match.group(1))
    except CitationSyntaxError:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"citations": citations}
    state.pos = match.end()
    return True


def _render_citation(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict[str, Any]
) -> str:
    calls: CitationCalls | None = env.get("calls")
    citations: list[TextCitation] = tokens[idx].meta["citations"]
    if calls is None:
        return str(escape("[" + "; ".join(f"@{c.source}" for c in citations) + "]"))
    return "".join(str(calls.call(c)) for c in citations)


def _validate_link(url: str) -> bool:
    return bool(SAFE_LINK.match(url.strip()))


@functools.cache
def markdown_for(language: str) -> MarkdownIt:
    """A Markdown renderer configured for one language (cached: building one costs more than rendering)."""
    base = language.split("-")[0].lower()
    md = MarkdownIt(
        "commonmark",
        {"html": False, "typographer": True, "quotes": QUOTES.get(base, QUOTES["en"]), "linkify": False},
    )
    md.enable(["replacements", "smartquotes"])
    md.disable(["image", "html_inline", "html_block"])
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)
    return md


def render_markdown(text: str, language: str, calls: CitationCalls | None, *, inline: bool = False) -> Markup:
    """Render Markdown to safe HTML; with `inline`, no paragraph is wrapped around it."""
    md = markdown_for(language)
    env: dict[str, Any] = {"calls": calls}
    html = md.renderInline(text, env) if inline else md.render(text, env)
    return Markup(html.strip())
