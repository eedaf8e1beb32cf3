"""Whether a brief's stylesheets let it be laid out in parts (`parts`, `in_parts`), read as CSS (tinycss2:
comments skipped, escapes decoded, `@media` and `@supports` blocks read too).

A part is laid out as a document of its own, its page-margin content afterwards for the whole
(`margins`). That gives the pages of the whole document only when what a page shows depends on nothing
but its own content and the page it is on. Laid out whole instead, a brief whose stylesheets (its
`<style>` elements and `style` attributes) use:

- counters of their own (`counter-reset`, `counter-increment`, `counter-set`), elements numbered as list
  items (`display: list-item`), footnotes (`float: footnote`);
- a counter, or another element's page or text (`counter()`, `counters()`, `target-counter()`,
  `target-counters()`, `target-text()`), anywhere but the page counters in a page-margin box;
- elements repeated on every page (`position: fixed`), breaks to a left or right page;
- page selectors (`@page :first`, `:left`, `:right`, `:blank`, `:nth()`...);
- a stylesheet read from elsewhere (`<link rel="stylesheet">`, `@import`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

import tinycss2

_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.IGNORECASE | re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_LINKED = re.compile(r"<link\b[^>]*\bstylesheet\b", re.IGNORECASE)

_COUNTER_PROPERTIES = {"counter-reset", "counter-increment", "counter-set"}
_BREAKS = {"break-before", "break-after", "page-break-before", "page-break-after"}
_SIDES = {"left", "right", "recto", "verso"}
_LOOKUPS = {"counter", "counters", "target-counter", "target-counters", "target-text"}
_PAGE_COUNTERS = {"page", "pages"}
_NESTED = {"media", "supports", "layer", "container", "document"}


def _tokens(values: Iterable[Any]) -> Iterable[Any]:
    """Every token of a value, those inside functions and blocks too."""
    for token in values:
        yield token
        if token.type == "function":
            yield from _tokens(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            yield from _tokens(token.content)


def _idents(values: Iterable[Any]) -> set[str]:
    return {token.lower_value for token in _tokens(values) if token.type == "ident"}


def _page_counter(function: Any) -> bool:
    """`counter(page)` or `counter(pages)`, with or without a counter style."""
    names = [token for token in function.arguments if token.type == "ident"]
    return function.lower_name == "counter" and bool(names) and names[0].lower_value in _PAGE_COUNTERS


def _declaration_allows_parts(declaration: Any, in_margin_box: bool) -> bool:
    name, value = declaration.lower_name, declaration.value
    idents = _idents(value)
    if name in _COUNTER_PROPERTIES:
        return False
    if (name == "display" and "list-item" in idents) or (name == "float" and "footnote" in idents):
        return False
    if (name == "position" and "fixed" in idents) or (name in _BREAKS and idents & _SIDES):
        return False
    margin_counter = in_margin_box and name == "content"
    lookups = [token for token in _tokens(value) if token.type == "function" and token.lower_name in _LOOKUPS]
    return all(margin_counter and _page_counter(token) for token in lookups)


def _declarations_allow_parts(content: list[Any], in_margin_box: bool) -> bool:
    for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if item.type == "declaration" and not _declaration_allows_parts(item, in_margin_box):
            return False
        if item.type == "at-rule" and not _rule_allows_parts(item, inside_page=True):
            return False
    return True


def _rule_allows_parts(rule: Any, inside_page: bool = False) -> bool:
    if rule.type == "qualified-rule":
        return _declarations_allow_parts(rule.content or [], in_margin_box=False)
    if rule.type != "at-rule":
        return True
    keyword = rule.lower_at_keyword
    if keyword == "import":
        return False
    if keyword == "page":
        if any(token.type == "literal" and token.value == ":" for token in rule.prelude):
            return False  # :first, :left, :right, :blank, :nth()...
        return _declarations_allow_parts(rule.content or [], in_margin_box=False)
    if inside_page:  # a page-margin box (`@top-left` ...)
        return _declarations_allow_parts(rule.content or [], in_margin_box=True)
    if keyword in _NESTED and rule.content is not None:
        return _sheet_allows_parts(rule.content)
    return True


def _sheet_allows_parts(content: Any) -> bool:
    rules = tinycss2.parse_rule_list(content, skip_comments=True, skip_whitespace=True)
    return all(_rule_allows_parts(rule) for rule in rules)


def allows_parts(source: str) -> bool:
    """Whether the HTML document's stylesheets let it be laid out in parts."""
    if _LINKED.search(source):
        return False
    sheets = [html.unescape(text) for text in _STYLE_ELEMENT.findall(source)]
    if not all(_sheet_allows_parts(sheet) for sheet in sheets):
        return False
    for match in _STYLE_ATTRIBUTE.finditer(source):
        text = html.unescape(match.group(1).strip("\"'"))
        if not _declarations_allow_parts(tinycss2.parse_component_value_list(text), in_margin_box=False):
            return False
    return True
