"""CSL-JSON of the sources an edition shows (`--format csl`, `<brief>.csl.json`), for Pandoc or Zotero.

One item per source in the edition's endnotes, in endnote order, with the source id as the citation key
(the same `@id` the records cite). Names are written as literals: sources are in many languages and
scripts, and splitting a name into family and given parts would guess.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from briefgen.compose.model import ComposedBrief, Source
from briefgen.desk.vocabulary import SourceType
from briefgen.export.edition import visible_sources

_CSL_TYPE = {
    SourceType.WIRE: "article-newspaper",
    SourceType.NEWS_AGENCY: "article-newspaper",
    SourceType.NEWSPAPER: "article-newspaper",
    SourceType.BROADCASTER: "broadcast",
    SourceType.ONLINE_OUTLET: "article-newspaper",
    SourceType.AGGREGATOR: "webpage",
    SourceType.OFFICIAL_STATEMENT: "document",
    SourceType.GOVERNMENT_DOC: "report",
    SourceType.IO_NGO: "report",
    SourceType.THINK_TANK: "report",
    SourceType.SOCIAL_MEDIA: "post",
    SourceType.DATASET: "dataset",
    SourceType.OTHER: "document",
    SourceType.UNKNOWN: "document",
}


def _issued(published: date | datetime) -> dict[str, Any]:
    return {"date-parts": [[published.year, published.month, published.day]]}


def csl_item(source: Source) -> dict[str, Any]:
    """One source as a CSL-JSON item."""
    item: dict[str, Any] = {"id": source.id, "type": _CSL_TYPE[source.type], "title": source.title}
    if source.authors:
        item["author"] = [{"literal": name} for name in source.authors]
    if source.outlet:
        item["container-title"] = source.outlet
    if source.published is not None:
        item["issued"] = _issued(source.published)
    if source.url:
        item["URL"] = source.url
    item["language"] = source.language
    return item


def csl_json(brief: ComposedBrief) -> bytes:
    """The edition's visible sources as a CSL-JSON array (UTF-8, indented, endnote order)."""
    items = [csl_item(source) for source in visible_sources(brief)]
    return (json.dumps(items, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
