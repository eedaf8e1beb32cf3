"""A saved web page: its metadata and its main text, never fetching or running anything.

The page is parsed by lxml (no network, no DTDs, no entities); scripts, styles, frames, objects and
external resources (images, media, stylesheets) are dropped unread and counted. Metadata: `lang` of
`<html>`; the title from `og:title`, else `<title>` (without a trailing "| Site"), else the first
`<h1>`; the site name from `og:site_name`, else JSON-LD `publisher.name`; authors from JSON-LD
`author.name`, else `<meta name="author">`; the publication time from `article:published_time`, else
JSON-LD `datePublished`, else `<meta name="date">` or `<time itemprop="datePublished">`. Modification
times (`dateModified`, "Last updated") are never the publication date. The main text is trafilatura's
(boilerplate such as navigation and footers removed), one line per block.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml import etree

_DROPPED = (
    "script",
    "style",
    "noscript",
    "iframe",
    "frame",
    "object",
    "embed",
    "img",
    "video",
    "audio",
    "source",
    "link",
    "svg",
    "canvas",
    "form",
    "template",
)


@dataclass(frozen=True)
class Stamp:
    """A publication time from the page's metadata, as written, and where it was found."""

    value: str
    origin: str


@dataclass(frozen=True)
class Page:
    text: str
    lang: str | None
    title: str | None
    site_name: str | None
    authors: tuple[str, ...]
    published: tuple[Stamp, ...]  # every metadata stamp, in order of precedence
    dropped: tuple[tuple[str, int], ...]


def _meta(tree: Any, *names: str) -> str | None:
    for name in names:
        for element in tree.xpath("//meta[@property=$n or @name=$n or @itemprop=$n]", n=name):
            content = (element.get("content") or "").strip()
            if content:
                return str(content)
    return None


def _json_ld(tree: Any) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for element in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(element.text or "")
        except ValueError:
            continue
        pending = data if isinstance(data, list) else [data]
        while pending:
            item = pending.pop(0)
            if isinstance(item, dict):
                objects.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    pending.extend(graph)
    return objects


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def _title(tree: Any, site_name: str | None) -> str | None:
    title = _meta(tree, "og:title")
    if title is None:
        found = tree.xpath("//title/text()")
        title = str(found[0]).strip() if found else None
        if title and site_name:
            title = re.sub(rf"\s*[|–—-]\s*{re.escape(site_name)}\s*$", "", title)
    if not title:
        heading = tree.xpath("//h1")
        title = " ".join(heading[0].text_content().split()) if heading else None
    return " ".join(title.split()) if title else None


def _main_text(cleaned: str, tree: Any) -> str:
    import trafilatura

    text = trafilatura.extract(
        cleaned,
        output_format="txt",
        include_comments=False,
        include_tables=False,
        with_metadata=False,
        deduplicate=False,
        favor_precision=True,
    )
    if text:
        return str(text)
    # A page too short for trafilatura's main-text heuristics: its block elements, in order.
    blocks = tree.xpath("//body//*[self::p or self::h1 or self::h2 or self::h3 or self::li or self::blockquote]")
    return "\n".join(" ".join(block.text_content().split()) for block in blocks)


def read_page(html: str) -> Page:
    """The metadata and main text of a saved page."""
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True)
    tree = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
    objects = _json_ld(tree)
    articles = [o for o in objects if "datePublished" in o or "headline" in o] or objects
    site_name = _meta(tree, "og:site_name") or next(
        (names[0] for o in articles if (names := _names(o.get("publisher")))), None
    )
    stamps: list[Stamp] = []
    meta_time = _meta(tree, "article:published_time")
    if meta_time:
        stamps.append(Stamp(meta_time, "page metadata (article:published_time)"))
    stamps.extend(
        Stamp(str(o["datePublished"]), "page metadata (JSON-LD datePublished)")
        for o in articles
        if isinstance(o.get("datePublished"), str)
    )
    other = _meta(tree, "date", "pubdate", "dc.date", "DC.date.issued", "datePublished")
    if other:
        stamps.append(Stamp(other, "page metadata (meta date)"))
    stamps.extend(
        Stamp(str(t.get("datetime")), "page metadata (time datePublished)")
        for t in tree.xpath("//time[@itemprop='datePublished'][@datetime]")
    )
    authors = [name for o in articles for name in _names(o.get("author"))] or _names(_meta(tree, "author"))
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    title = _title(tree, site_name)
    dropped = Counter(
        element.tag for element in tree.iter() if isinstance(element.tag, str) and element.tag in _DROPPED
    )
    for element in list(tree.iter(*_DROPPED)):
        element.drop_tree()
    cleaned = etree.tostring(tree, encoding="unicode", method="html")
    return Page(
        text=_main_text(cleaned, tree),
        lang=lang.strip() if lang and lang.strip() else None,
        title=title,
        site_name=site_name,
        authors=tuple(dict.fromkeys(authors)),
        published=tuple(stamps),
        dropped=tuple(sorted(dropped.items())),
    )
