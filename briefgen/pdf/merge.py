"""Join the tagged PDFs of a long brief's parts (`parts`) into one document, with pikepdf.

The first part gives the document its catalogue (metadata, language, output intent, attachments). The
pages of the others follow, with what refers to them: their structure elements join the first part's
`Document` element (WeasyPrint 70 makes a structure element per page, so nothing is cut), their keys in
the parent tree are renumbered after the first part's, their named destinations join one sorted name
tree and their bookmarks one outline. A link that pointed into another part (written by `in_parts` as a
`LINK_PREFIX` URI) becomes a link to that destination. Then each page gets its margin content (running
header, marking, page number of the whole) from the margins documents (`margins`), as an artifact drawn
outside the page area, as WeasyPrint would have drawn its margin boxes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import string
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pikepdf

LINK_PREFIX = "x-briefgen-part:"  # a link to an anchor of another part, until the parts are joined

Area = tuple[float, float, float, float]  # the page area (x, y, width, height) in PDF points


@dataclass(frozen=True)
class Margins:
    """A brief's margin content (`briefgen.pdf.margins`): `fixed`, the margin edges that are the same on
    every page after the first, as a PDF of its first page and one page for all later ones; `every`, the
    edges with a page counter, as a PDF of a page per page (None when no edge has one); each page's area."""

    fixed: bytes
    every: bytes | None
    areas: Sequence[Area]


def _nums(tree: Any) -> list[tuple[int, Any]]:
    parent_tree = tree.get("/ParentTree")
    if parent_tree is None:
        return []
    return [(int(key), value) for key, value in pikepdf.NumberTree(parent_tree).items()]


def _document_element(tree: Any) -> Any:
    kids = tree.K
    return kids[0] if isinstance(kids, pikepdf.Array) else kids


def _names(pdf: pikepdf.Pdf) -> list[tuple[str, Any]]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    return [(str(key), value) for key, value in pikepdf.NameTree(names.Dests).items()]


def _outline_items(pdf: pikepdf.Pdf) -> list[tuple[int, Any, Any]]:
    """The bookmarks as (level, title, destination), in order."""
    items: list[tuple[int, Any, Any]] = []
    outlines = pdf.Root.get("/Outlines")

    def walk(node: Any, level: int) -> None:
        while node is not None:
            items.append((level, node.get("/Title"), node.get("/Dest")))
            walk(node.get("/First"), level + 1)
            node = node.get("/Next")

    if outlines is not None:
        walk(outlines.get("/First"), 0)
    return items


class _Bookmark:
    def __init__(self, item: pikepdf.Dictionary) -> None:
        self.item = item
        self.children: list[_Bookmark] = []

    def link(self) -> int:
        """Chain the children, and set the number of bookmarks below (all open): returns it."""
        if not self.children:
            return 0
        for before, after in zip(self.children, self.children[1:], strict=False):
            before.item.Next, after.item.Prev = after.item, before.item
        self.item.First, self.item.Last = self.children[0].item, self.children[-1].item
        count = len(self.children) + sum(child.link() for child in self.children)
        self.item.Count = count
        return count


def _outline(pdf: pikepdf.Pdf, items: list[tuple[int, Any, Any]]) -> None:
    if "/Outlines" in pdf.Root:
        del pdf.Root["/Outlines"]
    if not items:
        return
    root = _Bookmark(pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines)))
    chain = [root]
    for level, title, destination in items:
        del chain[min(level, len(chain) - 1) + 1 :]
        bookmark = _Bookmark(pdf.make_indirect(pikepdf.Dictionary(Title=title, Dest=destination)))
        bookmark.item.Parent = chain[-1].item
        chain[-1].children.append(bookmark)
        chain.append(bookmark)
    root.link()
    pdf.Root.Outlines = root.item


def _copied(pdf: pikepdf.Pdf, other: pikepdf.Pdf, value: Any) -> Any:
    """`value` of `other` in `pdf` (what it refers to copied once: pages already copied are not copied again)."""
    if not isinstance(value, pikepdf.Object):
        return value
    return pdf.copy_foreign(value if value.is_indirect else other.make_indirect(value))


def join(parts: Sequence[bytes], margins: Margins) -> pikepdf.Pdf:
    """One PDF of the parts, in order, with the margin content drawn over their margins: open,
    for `tagging.finish` to complete and write (not written here: a long brief's file, uncompressed, is
    the largest thing its render holds)."""
    base = pikepdf.open(io.BytesIO(parts[0]))
    try:
        tree = base.Root.StructTreeRoot
        document = _document_element(tree)
        nums = _nums(tree)
        offset = max((key for key, _ in nums), default=-1) + 1
        names = _names(base)
        bookmarks = _outline_items(base)
        for data in parts[1:]:
            with pikepdf.open(io.BytesIO(data)) as other:
                offset = _append(base, other, document, offset, nums, names, bookmarks)
        tree.ParentTree = base.make_indirect(
            pikepdf.Dictionary(Nums=pikepdf.Array([item for key, value in nums for item in (key, value)]))
        )
        tree.ParentTreeNextKey = offset
        _destinations(base, names)
        _outline(base, bookmarks)
        _margins(base, margins)
        _unique_subset_tags(base)
    except BaseException:
        base.close()
        raise
    return base


def _append(
    base: pikepdf.Pdf,
    other: pikepdf.Pdf,
    document: Any,
    offset: int,
    nums: list[tuple[int, Any]],
    names: list[tuple[str, Any]],
    bookmarks: list[tuple[int, Any, Any]],
) -> int:
    """Add the pages of `other` to `base`, its structure elements to `document` and its parent tree keys
    (from `offset` on), anchors and bookmarks to the lists; return the next free key."""
    first_new = len(base.pages)
    with warnings.catch_warnings():  # named destinations are joined by `_destinations`
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        base.pages.extend(other.pages)
    for page in base.pages[first_new:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    other_tree = other.Root.StructTreeRoot
    for kid in _copied(base, other, _document_element(other_tree).K):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            kid.P = document
        document.K.append(kid)
    other_nums = _nums(other_tree)
    nums += [(key + offset, _copied(base, other, value)) for key, value in other_nums]
    names += [(name, _copied(base, other, value)) for name, value in _names(other)]
    bookmarks += [(level, title, _copied(base, other, dest)) for level, title, dest in _outline_items(other)]
    return offset + max((key for key, _ in other_nums), default=-1) + 1


def _destinations(pdf: pikepdf.Pdf, names: list[tuple[str, Any]]) -> None:
    """One sorted name tree of the parts' anchors (the first of a name wins, as in WeasyPrint), and the
    links between parts pointed at them."""
    chosen: dict[str, Any] = {}
    for name, value in names:
        chosen.setdefault(name, value)
    if chosen:
        array = pikepdf.Array()
        for name in sorted(chosen):
            array.extend([pikepdf.String(name), chosen[name]])
        if "/Names" not in pdf.Root:
            pdf.Root.Names = pikepdf.Dictionary()
        pdf.Root.Names.Dests = pdf.make_indirect(pikepdf.Dictionary(Names=array))
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            action = annotation.get("/A")
            if action is None or action.get("/S") != "/URI":
                continue
            target = str(action.URI)
            if not target.startswith(LINK_PREFIX):
                continue
            del annotation["/A"]
            name = target[len(LINK_PREFIX) :]
            if name in chosen:
                annotation.Dest = pikepdf.String(name)
            if str(annotation.get("/Contents", "")) == target:
                annotation.Contents = pikepdf.String(name)


def _margins(pdf: pikepdf.Pdf, margins: Margins) -> None:
    save = pdf.make_indirect(pdf.make_stream(b"q\n"))  # one stream for every page
    with contextlib.ExitStack() as stack:
        fixed_source = stack.enter_context(pikepdf.open(io.BytesIO(margins.fixed)))
        every = stack.enter_context(pikepdf.open(io.BytesIO(margins.every))) if margins.every else None
        fixed = [pdf.copy_foreign(page.as_form_xobject()) for page in fixed_source.pages]
        for index, (page, area) in enumerate(zip(pdf.pages, margins.areas, strict=True)):
            # Named by what they draw (pages of a part share one resource dictionary): the same names every time.
            forms = [(fixed[min(index, len(fixed) - 1)], "/MarginFirst" if index == 0 else "/MarginRest")]
            if every is not None:
                forms.append((pdf.copy_foreign(every.pages[index].as_form_xobject()), f"/Margin{index + 1}"))
            names = [page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name(name)) for form, name in forms]
            box = [float(v) for v in page.mediabox]
            x, y, width, height = area
            # Everything but the page area is drawn (even-odd clip: the page, less the page area).
            clip = (
                f"{box[0]:.2f} {box[1]:.2f} {box[2] - box[0]:.2f} {box[3] - box[1]:.2f} re "
                f"{x:.2f} {y:.2f} {width:.2f} {height:.2f} re W* n"
            )
            shown = " ".join(f"{name} Do" for name in names)
            drawn = f"Q\n/Artifact <</Type /Pagination>> BDC q {clip} {shown} Q EMC\n".encode("ascii")
            # The page's own content as it is (compressed), between a saved and a restored graphics state.
            contents = page.obj.Contents
            streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
            page.obj.Contents = pikepdf.Array([save, *streams, pdf.make_stream(b"\n" + drawn)])


def _subset_tag(name: str, taken: set[str]) -> str:
    """A six-letter tag for another subset of the font `name`, derived from it (the same file each time)."""
    for attempt in range(1000):
        digest = hashlib.sha256(f"{name}/{attempt}".encode()).digest()
        tag = "".join(string.ascii_uppercase[byte % 26] for byte in digest[:6])
        if tag not in taken:
            return tag
    raise RuntimeError(f"no free subset tag for {name}")  # 26**6 tags: never


def _unique_subset_tags(pdf: pikepdf.Pdf) -> None:
    """Each part (and the margins document) subsets its fonts on its own, under the tag WeasyPrint derives
    from the font (`HUHQIP+Noto-Sans` in each): PDF requires different subsets in one file to have
    different tags (ISO 32000-1, 9.6.4), so every subset after the first of a name gets a tag of its own."""
    taken = set()
    seen: set[str] = set()
    fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]
    for font in fonts:
        name = str(font.get("/BaseFont", ""))[1:]
        if len(name) > 7 and name[6] == "+":
            taken.add(name[:6])
    for font in fonts:
        if font.get("/Subtype") == "/CIDFontType2" or font.get("/Subtype") == "/CIDFontType0":
            continue  # renamed with the Type0 font it descends from
        name = str(font.get("/BaseFont", ""))[1:]
        if len(name) <= 7 or name[6] != "+":
            continue
        if name not in seen:
            seen.add(name)
            continue
        tag = _subset_tag(name, taken)
        taken.add(tag)
        renamed = pikepdf.Name("/" + tag + name[6:])
        for each in [font, *font.get("/DescendantFonts", pikepdf.Array())]:
            each.BaseFont = renamed
            if "/FontDescriptor" in each:
                each.FontDescriptor.FontName = renamed
