"""Record prose (Markdown) as the desk sees it: which links are safe, what a citation call is, and
what a record's Markdown asks for that briefgen will show as literal text.

The renderers (`briefgen.render.markdown`) use the same citation rule and link check, so validation
and rendering agree on what a citation and a safe link are.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from briefgen.desk.citations import CITATION_GROUP, CitationSyntaxError, parse_group

SAFE_LINK = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)


def citation_rule(state: StateInline, silent: bool) -> bool:
    """markdown-it inline rule: a Pandoc-style citation group becomes one `citation` token."""
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
        # A call hugs the word before it ("outlet¹"), as Pandoc places note citations.
        state.pending = state.pending.rstrip(" ")
        token = state.push("citation", "", 0)
        token.meta = {"citations": citations}
    state.pos = match.end()
    return True


def is_safe_link(url: str) -> bool:
    return bool(SAFE_LINK.match(url.strip()))


@functools.cache
def _inspector() -> MarkdownIt:
    """A permissive parser that sees what the safe renderer refuses: raw HTML, images, every link."""
    md = MarkdownIt("commonmark", {"html": True})
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.inline.ruler.before("link", "citation", citation_rule)
    return md


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dropped_constructs(text: str) -> list[str]:
    """What record text asks for that the safe renderer shows as literal text instead.

    Raw HTML, images and links to anything but http(s)/mailto, each described for a warning.
    """
    if "<" not in text and "](" not in text and "]:" not in text:
        return []  # no raw HTML, inline link or image, or link reference definition can be in it
    found: list[str] = []

    def walk(tokens: Sequence[Token]) -> None:
        for token in tokens:
            if token.type == "html_inline":
                if not token.content.startswith("</"):  # a closing tag is reported with its opening one
                    found.append(f"raw HTML {_shorten(token.content)!r}")
            elif token.type == "html_block":
                # A block of raw HTML: report its first tag, then whatever else the block's text asks for.
                tag = re.search(r"<[^>]*>?", token.content)
                found.append(f"raw HTML {_shorten(tag.group(0) if tag else token.content)!r}")
                walk(_inspector().parseInline(token.content))
            elif token.type == "image":
                found.append(f"an image ({_shorten(str(token.attrs.get('src', '')))!r})")
            elif token.type == "link_open":
                href = str(token.attrs.get("href", ""))
                if not is_safe_link(href):
                    found.append(f"a link to {_shorten(href)!r} (only http, https and mailto links are allowed)")
            if token.children:
                walk(token.children)

    walk(_inspector().parse(text))
    return list(dict.fromkeys(found))
