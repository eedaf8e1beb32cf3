"""Markdown for record text: markdown-it-py with raw HTML and images off, only http(s)/mailto links,
typographic quotes for the brief's language, and Pandoc-style citations as linked endnote calls.

Record text is untrusted. Whatever cannot be rendered safely is shown as literal, escaped text.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, Protocol

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from markupsafe import Markup, escape

from briefgen.desk.citations import TextCitation
from briefgen.desk.prose import citation_rule, is_safe_link
from briefgen.render.typography import base_language, french_spacing, quotes_for


class CitationCalls(Protocol):
    """What renders a citation call: numbers it and returns the call's HTML (or, for text, `[n]`)."""

    def group(self, citations: list[TextCitation]) -> Markup: ...

    def text_call(self, citations: Sequence[TextCitation]) -> str: ...


def _render_citation(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict[str, Any]
) -> str:
    calls: CitationCalls | None = env.get("calls")
    citations: list[TextCitation] = tokens[idx].meta["citations"]
    if calls is None:
        return str(escape("[" + "; ".join(f"@{c.source}" for c in citations) + "]"))
    return str(calls.group(citations))


@functools.cache
def markdown_for(language: str) -> MarkdownIt:
    """A Markdown renderer configured for one language (cached: building one costs more than rendering)."""
    md = MarkdownIt(
        "commonmark",
        {"html": False, "typographer": True, "quotes": quotes_for(language), "linkify": False},
    )
    md.enable(["replacements", "smartquotes"])
    md.disable(["image", "html_inline", "html_block"])
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    md.inline.ruler.before("link", "citation", citation_rule)
    md.add_render_rule("citation", _render_citation)
    if base_language(language) == "fr":
        md.core.ruler.after("smartquotes", "french_spacing", _french_spacing)
    return md


def _french_spacing(state: Any) -> None:
    """French no-break spaces in the text of a French brief's Markdown (not in code or link targets)."""
    for token in state.tokens:
        for child in token.children or []:
            if child.type == "text":
                child.content = french_spacing(child.content)


def render_markdown(text: str, language: str, calls: CitationCalls | None, *, inline: bool = False) -> Markup:
    """Render Markdown to safe HTML; with `inline`, no paragraph is wrapped around it."""
    md = markdown_for(language)
    env: dict[str, Any] = {"calls": calls}
    html = md.renderInline(text, env) if inline else md.render(text, env)
    return Markup(html.strip())


class _TextWriter:
    """Plain text from markdown-it tokens: one line per paragraph or list item, blank lines between blocks.

    Lines are not wrapped here; the text template wraps them to its width.
    """

    def __init__(self, calls: CitationCalls | None) -> None:
        self.calls = calls
        self.blocks: list[str] = []
        self.lists: list[list[int | None]] = []  # per open list: [next number or None for bullets]
        self.prefix = ""
        self.quote_depth = 0
        self.tight = False
        self.list_start = False

    def inline(self, tokens: Sequence[Token]) -> str:
        parts: list[str] = []
        hrefs: list[tuple[str, int]] = []
        for token in tokens:
            if token.type in ("text", "code_inline", "html_inline"):
                parts.append(token.content)
            elif token.type == "softbreak":
                parts.append(" ")
            elif token.type == "hardbreak":
                parts.append("\n")
            elif token.type == "link_open":
                hrefs.append((str(token.attrs.get("href", "")), len(parts)))
            elif token.type == "link_close" and hrefs:
                href, start = hrefs.pop()
                label = "".join(parts[start:])
                shown = href.removeprefix("mailto:")
                if label.strip() != shown:
                    parts.append(f" <{shown}>")
            elif token.type == "citation":
                citations: list[TextCitation] = token.meta["citations"]
                if self.calls is None:
                    parts.append(" [" + "; ".join(f"@{c.source}" for c in citations) + "]")
                else:
                    parts.append(" " + self.calls.text_call(citations))
        return "".join(parts)

    def write(self, tokens: Sequence[Token]) -> str:
        for token in tokens:
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                start = int(token.attrs.get("start", 1)) if kind == "ordered_list_open" else None
                self.lists.append([start])
                self.list_start = True
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif kind == "list_item_open":
                number = self.lists[-1][0]
                marker = "-" if number is None else f"{number}."
                if number is not None:
                    self.lists[-1][0] = number + 1
                self.prefix = "  " * (len(self.lists) - 1) + marker + " "
            elif kind == "paragraph_open":
                self.tight = token.hidden
            elif kind == "blockquote_open":
                self.quote_depth += 1
            elif kind == "blockquote_close":
                self.quote_depth -= 1
            elif kind == "inline":
                self._block(self.inline(token.children or []))
            elif kind in ("code_block", "fence"):
                self._block("\n".join("    " + line for line in token.content.rstrip("\n").split("\n")))
            elif kind == "hr":
                self._block("* * *")
        return "".join(self.blocks).strip("\n")

    def _block(self, text: str) -> None:
        separator = "\n" if self.tight and not self.list_start else "\n\n"
        self.list_start = False
        self.blocks.append(separator + "> " * self.quote_depth + self.prefix + text)
        self.prefix = ""
        self.tight = False


def render_markdown_text(text: str, language: str, calls: CitationCalls | None) -> str:
    """Render Markdown to plain text: links as `label <url>`, citations as `[n]`, blocks as paragraphs."""
    tokens = markdown_for(language).parse(text, {"calls": calls})
    return _TextWriter(calls).write(tokens)
