"""What a PDF's bytes are spent on, and whether its endnote calls are working links (pikepdf).

Counts are of objects as WeasyPrint writes them. Streams are counted as stored (compressed); dictionaries
live compressed together in object streams, whose bytes are shared out among the dictionaries' kinds in
proportion to their unparsed sizes, so the categories add up to about the file's size.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf


@dataclass
class Breakdown:
    total: int
    bytes_by_kind: Counter[str] = field(default_factory=Counter)
    count_by_kind: Counter[str] = field(default_factory=Counter)
    note_calls: int = 0  # endnote calls in the HTML
    note_links: int = 0  # link annotations in the PDF that go to an endnote's destination
    broken_links: int = 0  # those whose destination is missing


STREAM_KINDS = {"images and forms", "font programs", "metadata", "page content streams"}


def _kind(obj: pikepdf.Object) -> str:
    if isinstance(obj, pikepdf.Stream):
        subtype = obj.get("/Subtype")
        if obj.get("/Type") == "/XObject" or subtype in ("/Image", "/Form"):
            return "images and forms"
        if "/Length1" in obj or subtype in ("/CIDFontType0C", "/OpenType", "/Type1C"):
            return "font programs"
        if obj.get("/Type") in ("/ObjStm", "/XRef"):
            return "object and xref streams"
        if obj.get("/Type") == "/Metadata" or subtype == "/XML":
            return "metadata"
        return "page content streams"
    if isinstance(obj, pikepdf.Dictionary):
        kind = obj.get("/Type")
        if kind == "/StructElem" or ("/S" in obj and "/P" in obj and "/K" in obj):
            return "structure elements (tagging)"
        if kind == "/Annot" or obj.get("/Subtype") == "/Link":
            return "link annotations"
        if kind in ("/Font", "/FontDescriptor") or "/FontFile2" in obj:
            return "font dictionaries"
        if kind in ("/Page", "/Pages"):
            return "page dictionaries"
    return "other objects"


def breakdown(pdf_path: Path, html: str) -> Breakdown:
    result = Breakdown(pdf_path.stat().st_size)
    result.note_calls = len(re.findall(r'href="#note-\d+"', html))
    with pikepdf.open(pdf_path) as pdf:
        for obj in pdf.objects:
            kind = _kind(obj)
            if isinstance(obj, pikepdf.Stream):
                size = len(obj.read_raw_bytes()) + len(obj.stream_dict.unparse())
            elif isinstance(obj, pikepdf.Dictionary | pikepdf.Array):
                size = len(obj.unparse())
            else:
                continue
            result.bytes_by_kind[kind] += size
            result.count_by_kind[kind] += 1
        packed = result.bytes_by_kind.pop("object and xref streams", 0)
        loose = {k: v for k, v in result.bytes_by_kind.items() if k not in STREAM_KINDS}
        for kind, size in loose.items():
            result.bytes_by_kind[kind] = round(packed * size / max(1, sum(loose.values())))
        names = set()
        if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
            names = {str(key) for key, _ in pikepdf.NameTree(pdf.Root.Names.Dests).items()}
        if "/Dests" in pdf.Root:
            names |= {str(key)[1:] for key in pdf.Root.Dests}
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                target = annot.get("/Dest")
                if target is None and "/A" in annot:
                    target = annot.A.get("/D")
                if isinstance(target, pikepdf.String | pikepdf.Name) and str(target).lstrip("/").startswith("note-"):
                    result.note_links += 1
                    result.broken_links += str(target).lstrip("/") not in names
    return result


def what_if(html: str) -> list[tuple[str, str]]:
    """The brief's HTML with, cumulatively, the markup changes that would make its PDF smaller: measured
    on the HTML only (benchmarks do not change templates), to say what a template change would save."""
    actors_as_text = re.sub(r'<a href="#actor-[^"]+"[^>]*>(.*?)</a>', r"\1", html)
    plain_facts = re.sub(r'<span class="(?:badge|sourcing)[^"]*">(.*?)</span>', r"\1", actors_as_text)
    linked = set(re.findall(r'href="#([^"]+)"', plain_facts))
    fewer_ids = re.sub(r' id="([^"]+)"', lambda m: m.group(0) if m.group(1) in linked else "", plain_facts)
    one_facts_line = re.sub(
        r'(<p class="facts">)(.*?)(</p>)(.*?)<p class="actors-involved">Actors: (.*?)</p>',
        r"\1\2 · actors: \5\3\4",
        fewer_ids,
        flags=re.S,
    )
    return [
        ("development actors as text, not links (the actors section keeps its anchors)", actors_as_text),
        ("+ status badge and sourcing in the facts line as plain text, not spans", plain_facts),
        ("+ no id that nothing links to (named destinations)", fewer_ids),
        ("+ the actors line merged into the facts line (one paragraph fewer per development)", one_facts_line),
    ]


def structure_elements(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return sum(isinstance(o, pikepdf.Dictionary) and "/S" in o and "/P" in o for o in pdf.objects)
