"""What WeasyPrint's tagged PDF lacks, added: languages on structure elements, link descriptions in words,
header and footer content as artifacts, an IDTree for table headers, click areas of at least 5 pt.

Two steps. While WeasyPrint builds the structure tree, `tag_languages_and_links` (installed around
`weasyprint.pdf.tags._build_box_tree` for the render, then removed) gives each structure element of an
HTML element with a `lang` attribute that language (`/Lang`; WeasyPrint sets only the catalog's), tags
`<bdi>` as a `Span`, gives table headers their `/Scope`, and describes each
link annotation with its anchor's `title` or `aria-label` (else its text) instead of its raw target id.
Then `finish` rewrites the PDF with pikepdf: WeasyPrint marks the text of page-margin boxes (running title,
marking, page numbers) as tagged content that belongs to no element of the tree (upstream, open:
https://github.com/Kozea/WeasyPrint/issues/1836 "PDF/UA page header and footer"; the maintainers' plan,
artifacts in the tree, is PDF 2.0 only), so that content becomes `/Artifact` marked content and leaves the
parent tree; table header ids get the `/IDTree` the structure tree root needs; a link area lower than 5 pt is
grown about its middle. The file is written with object streams (smaller) and an /ID from its content,
so the same inputs still give the same bytes.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import Any

import pikepdf
import pydyf
from weasyprint.pdf import tags as weasy_tags

MIN_LINK_HEIGHT = 5.0  # points
ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200b"))


def _describe(element: Any) -> str | None:
    for attribute in ("aria-label", "title"):
        value = element.get(attribute)
        if value:
            return str(value)
    text = " ".join("".join(element.itertext()).translate(ISOLATES).split())
    return text or None


def _with_languages(original: Any) -> Any:
    def build(box: Any, *args: Any) -> Iterator[Any]:
        for element in original(box, *args):
            html = getattr(box, "element", None)
            if html is not None and getattr(box, "element_tag", None) is not None:
                language = html.get("lang")
                if language and "Lang" not in element:
                    element["Lang"] = pydyf.String(language)
                if box.element_tag == "bdi" and element.get("S") == "/NonStruct":
                    element["S"] = "/Span"
                if box.element_tag == "th" and isinstance(element.get("A"), dict):
                    element["A"]["Scope"] = "/Row" if html.get("scope") == "row" else "/Column"
                annotation = getattr(box, "link_annotation", None)
                if annotation is not None and box.element_tag == "a":
                    description = _describe(html)
                    if description:
                        annotation["Contents"] = pydyf.String(description)
            yield element

    return build


@contextlib.contextmanager
def tag_languages_and_links() -> Iterator[None]:
    """Install the structure-tree additions for one PDF write (WeasyPrint 70's `_build_box_tree`)."""
    original = getattr(weasy_tags, "_build_box_tree", None)
    if original is None:  # another WeasyPrint: the PDF is still tagged, without these additions
        yield
        return
    weasy_tags._build_box_tree = _with_languages(original)
    try:
        yield
    finally:
        weasy_tags._build_box_tree = original


def _reachable(root: pikepdf.Object) -> set[tuple[int, int]]:
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
        elif isinstance(node, pikepdf.Dictionary):
            if node.is_indirect:
                if node.objgen in seen:
                    continue
                seen.add(node.objgen)
            kids = node.get("/K")
            if kids is not None:
                stack.append(kids)
    return seen


def _artifact_pages(pdf: pikepdf.Pdf, tree: pikepdf.Dictionary) -> dict[int, set[int]]:
    """Per page index, the MCIDs whose structure element is not in the tree (the margin boxes' text)."""
    reachable = _reachable(tree)
    nums = tree.ParentTree.get("/Nums", pikepdf.Array())
    found: dict[int, set[int]] = {}
    for index in range(0, len(nums), 2):
        key, value = int(nums[index]), nums[index + 1]
        if key >= len(pdf.pages) or not isinstance(value, pikepdf.Array):
            continue
        orphans = {
            mcid
            for mcid, element in enumerate(value)
            if isinstance(element, pikepdf.Dictionary) and element.objgen not in reachable
        }
        if orphans:
            found[key] = orphans
            for mcid in orphans:
                value[mcid] = None
    return found


def _mark_artifacts(pdf: pikepdf.Pdf, page: pikepdf.Page, mcids: set[int]) -> None:
    instructions = pikepdf.parse_content_stream(page)
    changed = []
    for operands, operator in instructions:
        if str(operator) == "BDC" and len(operands) == 2 and isinstance(operands[1], pikepdf.Dictionary):
            mcid = operands[1].get("/MCID")
            if mcid is not None and int(mcid) in mcids:
                changed.append(pikepdf.ContentStreamInstruction([pikepdf.Name.Artifact], pikepdf.Operator("BMC")))
                continue
        changed.append(pikepdf.ContentStreamInstruction(operands, operator))
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(changed))


def _id_tree(pdf: pikepdf.Pdf, tree: pikepdf.Dictionary) -> None:
    ids: dict[str, pikepdf.Object] = {}
    stack: list[pikepdf.Object] = [tree.K]
    seen: set[tuple[int, int]] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
        elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") != "/OBJR":
            if node.is_indirect:
                if node.objgen in seen:
                    continue
                seen.add(node.objgen)
            if "/ID" in node:
                ids[str(node.ID)] = node
            if "/K" in node:
                stack.append(node.K)
    if ids:
        names = pikepdf.Array()
        for key in sorted(ids):
            names.extend([pikepdf.String(key), ids[key]])
        tree.IDTree = pdf.make_indirect(pikepdf.Dictionary(Names=names))


def _tall_enough(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            if annotation.get("/Subtype") != "/Link":
                continue
            x1, y1, x2, y2 = (float(v) for v in annotation.Rect)
            low, high = min(y1, y2), max(y1, y2)
            if high - low < MIN_LINK_HEIGHT:
                middle = (low + high) / 2
                annotation.Rect = pikepdf.Array(
                    [x1, middle - MIN_LINK_HEIGHT / 2, x2, middle + MIN_LINK_HEIGHT / 2]
                )


def finish(data: bytes) -> bytes:
    """The PDF with margin content as artifacts, an IDTree, links at least 5 pt high; written compactly
    and reproducibly."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        if isinstance(tree, pikepdf.Dictionary):
            for index, mcids in _artifact_pages(pdf, tree).items():
                _mark_artifacts(pdf, pdf.pages[index], mcids)
            _id_tree(pdf, tree)
        _tall_enough(pdf)
        out = io.BytesIO()
        pdf.save(
            out,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
            deterministic_id=True,
            linearize=False,
        )
        return out.getvalue()
