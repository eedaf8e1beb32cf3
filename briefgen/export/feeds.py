"""Feeds of the archive: a JSON Feed 1.1 and an Atom feed per audience, beside `out/index.html`.

An audience is a TLP marking: its feeds list the editions marked at that level or below (what readers
cleared for it may receive), newest first, each entry linking the edition's HTML and PDF and carrying its
marking in the title. An edition whose marking is not known is in no feed. Only the TLP:CLEAR feeds are
meant for publication; the others are for their audience's own readers. Ids are uuid5 and every date comes
from the editions, so the same archive gives the same bytes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime

from briefgen.desk.layout import OutLayout
from briefgen.desk.vocabulary import Marking
from briefgen.export.edition import stable_uuid

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class FeedEdition:
    """One edition as the feeds show it (from the archive: the edition's own JSON and manifest)."""

    brief_id: str
    date: date
    title: str
    marking: Marking
    updated: datetime  # the edition's `issued` (UTC), else its date
    summary: str
    html: str | None  # paths relative to out/
    pdf: str | None


@dataclass(frozen=True)
class Feeds:
    desk: str
    base_url: str  # where out/ is published ("" gives links relative to the feed)
    editions: list[FeedEdition]

    def link(self, path: str) -> str:
        return self.base_url + path

    def for_audience(self, audience: Marking) -> list[FeedEdition]:
        """The editions an audience may receive, newest first (then by brief id)."""
        cleared = [e for e in self.editions if e.marking.rank <= audience.rank]
        return sorted(cleared, key=lambda e: (-e.date.toordinal(), -e.updated.timestamp(), e.brief_id))


def feed_names(audience: Marking) -> tuple[str, str]:
    """The file names of an audience's feeds in out/: (`feed-green.json`, `feed-green.atom`)."""
    return OutLayout.feed_file(audience.css_class, "json"), OutLayout.feed_file(audience.css_class, "atom")


def _entry_id(feeds: Feeds, edition: FeedEdition) -> str:
    return f"urn:uuid:{stable_uuid(feeds.desk, edition.brief_id, edition.date.isoformat(), edition.marking.value)}"


def _entry_title(edition: FeedEdition) -> str:
    return f"[{edition.marking.value}] {edition.title} — {edition.date.isoformat()}"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _feed_title(feeds: Feeds, audience: Marking) -> str:
    return f"{feeds.desk}: editions for {audience.value} readers"


def json_feed(feeds: Feeds, audience: Marking) -> bytes:
    """The audience's JSON Feed 1.1."""
    json_name, _ = feed_names(audience)
    data: dict[str, object] = {"version": JSON_FEED_VERSION, "title": _feed_title(feeds, audience)}
    if feeds.base_url:
        data["home_page_url"] = feeds.link("index.html")
        data["feed_url"] = feeds.link(json_name)
    data["description"] = f"Editions marked {audience.value} or below, newest first."
    data["authors"] = [{"name": feeds.desk}]
    items = []
    for edition in feeds.for_audience(audience):
        item: dict[str, object] = {"id": _entry_id(feeds, edition)}
        if edition.html:
            item["url"] = feeds.link(edition.html)
        item["title"] = _entry_title(edition)
        item["content_text"] = edition.summary or edition.title
        item["date_published"] = _stamp(edition.updated)
        item["tags"] = [edition.marking.value]
        if edition.pdf:
            item["attachments"] = [{"url": feeds.link(edition.pdf), "mime_type": "application/pdf", "title": "PDF"}]
        item["_briefgen"] = {
            "brief": edition.brief_id,
            "date": edition.date.isoformat(),
            "marking": edition.marking.value,
        }
        items.append(item)
    data["items"] = items
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = _NOT_XML.sub("", text)
    return element


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"rel": rel, "type": kind, "href": _NOT_XML.sub("", href)})


def atom_feed(feeds: Feeds, audience: Marking) -> bytes:
    """The audience's Atom feed (RFC 4287)."""
    json_name, atom_name = feed_names(audience)
    editions = feeds.for_audience(audience)
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "id", f"urn:uuid:{stable_uuid(feeds.desk, 'feed', audience.value)}")
    _text(root, "title", _feed_title(feeds, audience))
    _text(root, "subtitle", f"Editions marked {audience.value} or below, newest first.")
    newest = max((e.updated for e in editions), default=None)
    _text(root, "updated", _stamp(newest) if newest else "1970-01-01T00:00:00Z")
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", feeds.desk)
    if feeds.base_url:
        _link(root, feeds.link(atom_name), "self", "application/atom+xml")
    _link(root, feeds.link("index.html"), "alternate", "text/html")
    _link(root, feeds.link(json_name), "alternate", "application/feed+json")
    for edition in editions:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        _text(entry, "id", _entry_id(feeds, edition))
        _text(entry, "title", _entry_title(edition))
        _text(entry, "updated", _stamp(edition.updated))
        _text(entry, "published", _stamp(edition.updated))
        ET.SubElement(entry, f"{{{ATOM}}}category", {"term": edition.marking.value, "label": edition.marking.value})
        if edition.html:
            _link(entry, feeds.link(edition.html), "alternate", "text/html")
        if edition.pdf:
            _link(entry, feeds.link(edition.pdf), "alternate" if not edition.html else "enclosure", "application/pdf")
        _text(entry, "summary", edition.summary or edition.title, type="text")
    ET.register_namespace("", ATOM)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"


def all_feeds(feeds: Feeds) -> dict[str, bytes]:
    """Every audience's two feeds: file name in out/ -> bytes."""
    made: dict[str, bytes] = {}
    for audience in Marking:
        json_name, atom_name = feed_names(audience)
        made[json_name] = json_feed(feeds, audience)
        made[atom_name] = atom_feed(feeds, audience)
    return made
