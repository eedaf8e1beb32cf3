"""What a PDF's bytes are spent on, and whether its endnote calls are working links (pikepdf).

Counts are of objects as WeasyPrint writes them. Streams are counted as stored (compressed); dictionaries
live compressed together in object streams, whose bytes are shared out among the dictionaries' kinds in
proportion to their unparsed sizes, so the categories add up to about the file's size.
"""

from __future__ import annotations

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
