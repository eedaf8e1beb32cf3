"""The HTML editions run nothing and load nothing from any host: checked on what the templates rendered.

Records cannot put markup in an edition (their Markdown is rendered without raw HTML), but desk templates
can write anything, and the HTML edition is opened in readers' browsers and mailed as the message body.
Before an HTML edition (or the archive page) is kept, `refuse_active_content` looks for:

- elements that run code or embed another document: `script`, `iframe`, `frame`, `object`, `embed`,
  `applet`, `portal`, `base`, and `<meta http-equiv="refresh">`;
- event-handler attributes (`onload=`...), `javascript:` and `vbscript:` URLs, and `ping`;
- any URL with a scheme or a host (`https://`, `//host`, `file:`), other than `data:`, that the page would
  load: an attribute of a loading element (`img src`, `link href`, `video poster`, SVG `image href`...) and
  every `url()`, `src()`, `image-set()` string and `@import` in a `<style>` element or a `style` attribute.
  Links a reader follows (`<a href="https://...">`) are not loads and stay.

Relative URLs (a desk's own assets, which the PDF renderer serves) are left alone: they name no host.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from typing import Any

import tinycss2

from briefgen.errors import ResourceBlocked

_EMBEDDING = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "portal", "base"}
_LOADING_ATTRIBUTES = {
    "src",
    "srcset",
    "href",
    "xlink:href",
    "poster",
    "data",
    "action",
    "formaction",
    "background",
    "manifest",
    "codebase",
    "archive",
    "imagesrcset",
}
_FOLLOWED = {"a", "area"}  # their href is a link the reader may follow, not something the page loads
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_CODE_SCHEMES = {"javascript", "vbscript"}


def _remote(url: str) -> bool:
    """A URL the page would fetch from somewhere: it has a scheme other than `data:`, or a host (`//`)."""
    stripped = url.strip().replace("\\", "/")
    if stripped.startswith("//"):
        return True
    scheme = _SCHEME.match(stripped)
    return scheme is not None and scheme.group(1).lower() != "data"


def _code_url(url: str) -> bool:
    scheme = _SCHEME.match(url.replace("\t", "").replace("\n", "").replace("\r", ""))
    return scheme is not None and scheme.group(1).lower() in _CODE_SCHEMES


def _srcset_urls(value: str) -> list[str]:
    return [candidate.strip().split()[0] for candidate in value.split(",") if candidate.strip()]


def css_urls(css: str, *, declarations: bool = False) -> Iterator[str]:
    """Every URL a stylesheet (or a `style` attribute's declarations) would load."""
    nodes: Iterable[Any] = (
        tinycss2.parse_blocks_contents(css) if declarations else tinycss2.parse_stylesheet(css, skip_comments=True)
    )
    yield from _walk(nodes)


def _walk(nodes: Iterable[Any]) -> Iterator[str]:
    for node in nodes:
        kind = getattr(node, "type", None)
        if kind == "url":
            yield node.value
        elif kind == "function":
            if node.lower_name in ("url", "src", "image-set", "-webkit-image-set"):
                yield from (t.value for t in node.arguments if getattr(t, "type", None) == "string")
            yield from _walk(node.arguments)
        elif kind in ("() block", "[] block", "{} block"):
            yield from _walk(node.content)
        elif kind == "at-rule":
            if node.lower_at_keyword == "import":
                yield from (t.value for t in node.prelude if getattr(t, "type", None) == "string")
            yield from _walk(node.prelude)
            if node.content is not None:
                yield from _walk(tinycss2.parse_blocks_contents(node.content))
        elif kind in ("qualified-rule",):
            yield from _walk(node.prelude)
            yield from _walk(tinycss2.parse_blocks_contents(node.content))
        elif kind == "declaration":
            yield from _walk(node.value)


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_style = False
        self._style: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)
        if tag == "style":
            self._in_style, self._style = True, []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self._in_style:
            self._in_style = False
            self._css("".join(self._style), "a <style> element", declarations=False)

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._style.append(data)

    def _css(self, css: str, where: str, *, declarations: bool) -> None:
        for url in css_urls(css, declarations=declarations):
            if _remote(url) or _code_url(url):
                self.problems.append(f"{where} that loads {url!r}")

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _EMBEDDING:
            self.problems.append(f"a <{tag}> element")
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            self.problems.append('<meta http-equiv="refresh">')
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"an event handler ({name}=) on <{tag}>")
            elif name == "ping":
                self.problems.append(f"a ping= on <{tag}>")
            elif name == "style":
                self._css(value, f"a style attribute on <{tag}>", declarations=True)
            elif name in _LOADING_ATTRIBUTES or name.endswith(":href"):
                urls = _srcset_urls(value) if name.endswith("srcset") else [value]
                for url in urls:
                    if _code_url(url):
                        self.problems.append(f"a script URL in <{tag} {name}=>")
                    elif tag not in _FOLLOWED and _remote(url):
                        self.problems.append(f"<{tag} {name}=...> that loads {url!r}")


def active_content(html: str) -> list[str]:
    """What in `html` would run code or load something from a host (empty when the page is inert)."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return list(dict.fromkeys(scanner.problems))


def refuse_active_content(html: str, what: str) -> None:
    """Raise `ResourceBlocked` (exit 4) naming what the templates wrote that would run or load something."""
    problems = active_content(html)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise ResourceBlocked(
            f"{what}: the templates wrote {shown}. An HTML edition runs no script and loads nothing from any "
            "host (a reader's browser and mail client open it); it is not written"
        )
