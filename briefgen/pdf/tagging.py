"""What WeasyPrint's tagged PDF lacks, added: languages on structure elements, link descriptions in words,
header and footer content as artifacts, an IDTree for table headers, click areas of at least 5 pt.

Two steps. While WeasyPrint builds the structure tree, `tag_languages_and_links` (installed around
`weasyprint.pdf.tags._build_box_tree` for the render, then removed) gives each structure element of an
HTML element with a `lang` attribute that language (`/Lang`; WeasyPrint sets only the catalog's), tags
`<bdi>` as a `Span`, gives table headers their `/Scope`, and describes each
link annotation with its anchor's `title` or `aria-label` (else its text) instead of its raw target id; it
also records each text box's logical text and direction for `reading`.

That function is private: WeasyPrint 70 has no public way to reach the structure elements of HTML elements
(its `finisher` gets the finished `pydyf.PDF`, with no link from a structure element to its box; its
tagging knows no `lang` but the root's, and writes a link's target id as its description). The PDF/UA
requests are grouped upstream in https://github.com/Kozea/WeasyPrint/issues/2482 (open). So
`check_weasyprint` refuses, with one clear line, a WeasyPrint whose major version was not tested
(`TESTED_MAJOR`) or whose `_build_box_tree` does not take the arguments this module reads, rather than
writing a PDF without languages or with raw link ids.
Then `finish` rewrites the PDF with pikepdf: WeasyPrint marks the text of page-margin boxes (running title,
marking, page numbers) as tagged content that belongs to no element of the tree (upstream, open:
https://github.com/Kozea/WeasyPrint/issues/1836 "PDF/UA page header and footer"; the maintainers' plan,
artifacts in the tree, is PDF 2.0 only), so that content becomes `/Artifact` marked content and leaves the
parent tree; table header ids get the `/IDTree` the structure tree root needs; a link area lower than 5 pt is
grown about its middle. Only the pages with right-to-left text are parsed (`reading` puts it in logical
order); on the others the artifacts are marked in the content as written, which is compact from the start
(`compact`). The file is written with object streams (smaller) and an /ID from its content,
so the same inputs still give the same bytes.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import re
from collections.abc import Iterator
from typing import Any

import pikepdf
import pydyf
import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.pdf import tags as weasy_tags

from briefgen.errors import RenderError
from briefgen.pdf import reading

TESTED_MAJOR = (70,)  # WeasyPrint versions whose private structure-tree builder this module completes
HOOK_ARGUMENTS = ("box", "parent", "pdf", "page_number", "nums", "annotations", "tags")

MIN_LINK_HEIGHT = 5.0  # points
ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200b"))


def _describe(element: Any) -> str | None:
    for attribute in ("aria-label", "title"):
        value = element.get(attribute)
        if value:
            return str(value)
    text = " ".join("".join(element.itertext()).translate(ISOLATES).split())
    return text or None


def _with_languages(original: Any, runs: reading.Runs) -> Any:
    def build(box: Any, *args: Any) -> Iterator[Any]:
        if isinstance(box, boxes.PageBox):  # the page's marked content, before WeasyPrint maps it
            page_number, marked = args[2], args[5]
            for text_box, tag in marked.items():
                if isinstance(text_box, boxes.TextBox):
                    direction = text_box.style["direction"] == "rtl"
                    runs[(page_number, tag["mcid"])] = reading.TextRun(text_box.text, direction)
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


@functools.cache
def weasyprint_problem(version: str = weasyprint.__version__) -> str | None:
    """Why this WeasyPrint cannot be completed (see the module docstring), or None."""
    original = getattr(weasy_tags, "_build_box_tree", None)
    arguments = tuple(inspect.signature(original).parameters) if callable(original) else ()
    major = version.split(".")[0]
    if major.isdigit() and int(major) in TESTED_MAJOR and arguments == HOOK_ARGUMENTS:
        return None
    tested = ", ".join(f"{v}.x" for v in TESTED_MAJOR)
    return (
        f"WeasyPrint {version} is not supported for tagged PDFs: briefgen adds languages and link descriptions "
        f"through weasyprint.pdf.tags._build_box_tree{HOOK_ARGUMENTS} of WeasyPrint {tested} (no public way "
        "yet: https://github.com/Kozea/WeasyPrint/issues/2482); install the version in constraints.txt "
        "(pip install -c constraints.txt weasyprint)"
    ).replace("'", "")


def check_weasyprint() -> None:
    """Raise `RenderError` with one clear line if this WeasyPrint is not one the tagging was made for."""
    problem = weasyprint_problem()
    if problem is not None:
        raise RenderError(problem)


@contextlib.contextmanager
def tag_languages_and_links() -> Iterator[reading.Runs]:
    """Install the structure-tree additions for one PDF write (WeasyPrint 70's `_build_box_tree`); gives
    the text boxes' texts by page and MCID, for `finish`."""
    check_weasyprint()
    runs: reading.Runs = {}
    original = weasy_tags._build_box_tree
    weasy_tags._build_box_tree = _with_languages(original, runs)
    try:
        yield runs
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


# Marked content as WeasyPrint (pydyf) and pikepdf write it: a tag, a property list with only an MCID, BDC.
_MARKED = re.compile(rb"/[^\s/<>\[\]()%{}]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")


def _as_artifacts(content: bytes, artifacts: set[int]) -> bytes:
    """A page's content with the marked content of the given MCIDs as artifacts (`/Artifact BMC`). The
    content is WeasyPrint's: glyph strings in hexadecimal and no inline image, so nothing but an operator
    can look like one (a page with an inline image is parsed instead, see `_artifacts_parsed`)."""
    return _MARKED.sub(lambda m: b"/Artifact BMC" if int(m.group(1)) in artifacts else m.group(0), content)


def _artifacts_parsed(instructions: list[Any], artifacts: set[int]) -> list[Any]:
    changed: list[Any] = []
    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInstruction) and str(instruction.operator) == "BDC":
            operands = instruction.operands
            if len(operands) == 2 and isinstance(operands[1], pikepdf.Dictionary):
                mcid = operands[1].get("/MCID")
                if mcid is not None and int(mcid) in artifacts:
                    instruction = pikepdf.ContentStreamInstruction([pikepdf.Name.Artifact], pikepdf.Operator("BMC"))
        changed.append(instruction)
    return changed


def _rewrite_page(pdf: pikepdf.Pdf, page: pikepdf.Page, artifacts: set[int], instructions: list[Any] | None) -> None:
    """A page's content with the given marked content as artifacts; `instructions`, if given, replace it
    (right-to-left text put in logical order). The content is compact already (`compact`)."""
    if instructions is None:
        if not artifacts:
            return
        contents = page.obj.get("/Contents")
        content = contents.read_bytes() if isinstance(contents, pikepdf.Stream) else None
        if content is not None and _INLINE_IMAGE.search(content) is None:
            page.obj.Contents = pdf.make_stream(_as_artifacts(content, artifacts))
            return
        instructions = list(pikepdf.parse_content_stream(page))
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(_artifacts_parsed(instructions, artifacts)))


_INLINE_IMAGE = re.compile(rb"(?:^|\s)BI\s")


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


PLAIN_KEYS = {"/Type", "/S", "/K", "/Pg", "/P"}
FOLDED = {"/NonStruct", "/Div"}  # grouping without meaning: its children go to its parent


def _page_numbers(pdf: pikepdf.Pdf) -> tuple[dict[tuple[int, int], int], dict[int, pikepdf.Object]]:
    """Pages by object, and the parent tree's MCID arrays by their key."""
    keys = {page.obj.objgen: int(page.obj.get("/StructParents", index)) for index, page in enumerate(pdf.pages)}
    nums = pdf.Root.StructTreeRoot.ParentTree.get("/Nums", pikepdf.Array())
    arrays = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2) if isinstance(nums[i + 1], pikepdf.Array)}
    return keys, arrays


def _collapse(pdf: pikepdf.Pdf, tree: pikepdf.Dictionary) -> None:
    """Fold the structure elements that say nothing into their parent: a `Span` with no attribute around
    marked content (WeasyPrint makes one per line of text) becomes that content, referenced by the parent;
    a `NonStruct` or `Div` with no attribute gives its children to its parent. Same reading order, same content,
    about a third of the structure's objects (upstream, PAC's "useless Span" warnings:
    https://github.com/Kozea/WeasyPrint/issues/2482)."""
    page_keys, arrays = _page_numbers(pdf)

    def fold(element: pikepdf.Object, language: str) -> None:
        if "/Lang" in element:
            if str(element.Lang) == language:
                del element["/Lang"]  # said by an ancestor already
            else:
                language = str(element.Lang)
        if "/Type" in element and element.get("/S") is not None:
            del element["/Type"]  # optional for structure elements: /S says what it is
        kids = element.get("/K")
        if not isinstance(kids, pikepdf.Array):
            return
        page = element.get("/Pg")
        result: list[Any] = []
        for kid in kids:
            is_element = isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/OBJR" and "/S" in kid
            if not is_element:
                result.append(kid)
                continue
            if str(kid.get("/Lang", "")) == language:
                del kid["/Lang"]
            plain = set(kid.keys()) <= PLAIN_KEYS
            fold(kid, language)  # its own children first: a span of spans becomes a span of content
            inner = kid.get("/K", pikepdf.Array())
            inner = inner if isinstance(inner, pikepdf.Array) else pikepdf.Array([inner])
            content_only = all(
                isinstance(item, int) or (isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/MCR")
                for item in inner
            )
            if plain and (kid.get("/S") in FOLDED or (kid.get("/S") == "/Span" and content_only)):
                for item in inner:
                    _adopt(int(item) if isinstance(item, int) else item, kid, element, page, result)
                continue
            result.append(kid)
        element.K = pikepdf.Array(result)

    def _adopt(item: Any, old: pikepdf.Object, parent: pikepdf.Object, page: Any, result: list[Any]) -> None:
        if isinstance(item, int):
            kid_page = old.get("/Pg", page)
            array = arrays.get(page_keys.get(kid_page.objgen, -1)) if kid_page is not None else None
            if array is not None and item < len(array):
                array[item] = parent
            if page is not None and kid_page is not None and kid_page.objgen == page.objgen:
                result.append(item)
            else:
                result.append(pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=kid_page, MCID=item))
        elif isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/MCR":
            array = arrays.get(page_keys.get(item.Pg.objgen, -1))
            if array is not None and int(item.MCID) < len(array):
                array[int(item.MCID)] = parent
            result.append(item)
        else:
            if isinstance(item, pikepdf.Dictionary) and "/S" in item:
                item.P = parent
            result.append(item)

    document_language = str(pdf.Root.get("/Lang", ""))
    for top in tree.K if isinstance(tree.K, pikepdf.Array) else [tree.K]:
        fold(top, document_language)


def _tall_enough(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            if annotation.get("/Subtype") != "/Link":
                continue
            x1, y1, x2, y2 = (float(v) for v in annotation.Rect)
            low, high = min(y1, y2), max(y1, y2)
            if high - low < MIN_LINK_HEIGHT:
                middle = (low + high) / 2
                low, high = middle - MIN_LINK_HEIGHT / 2, middle + MIN_LINK_HEIGHT / 2
            # Normalised (lower-left, upper-right), to a hundredth of a point.
            annotation.Rect = pikepdf.Array([round(v, 2) for v in (min(x1, x2), low, max(x1, x2), high)])


def _run(runs: reading.Runs, page: int, mcid: int) -> reading.TextRun | None:
    return runs.get((page, mcid))


def finish(data: bytes, runs: reading.Runs | None = None) -> bytes:
    """The PDF with margin content as artifacts, right-to-left text in logical order (`reading`), an IDTree,
    links at least 5 pt high; written compactly and reproducibly."""
    runs = runs or {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        if isinstance(tree, pikepdf.Dictionary):
            artifacts = _artifact_pages(pdf, tree)
            bidi_pages = {page for (page, _), run in runs.items() if run.rtl or reading.has_rtl(run.text)}
            fonts = reading.FontCache(pdf)
            for index, page in enumerate(pdf.pages):
                instructions = None
                if index in bidi_pages:
                    page_fonts = fonts.page_fonts(page)
                    parsed = list(pikepdf.parse_content_stream(page))
                    instructions = reading.reorder_page(parsed, functools.partial(_run, runs, index), page_fonts)
                    fonts.add_variants(page, page_fonts)
                _rewrite_page(pdf, page, artifacts.get(index, set()), instructions)
            _collapse(pdf, tree)
            _id_tree(pdf, tree)
        _tall_enough(pdf)
        return written(pdf)


def finish_joined(pdf: pikepdf.Pdf) -> bytes:
    """A PDF joined from finished parts (`merge.join`), with the IDTree of the whole, written; closes it."""
    with pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        if isinstance(tree, pikepdf.Dictionary):
            if "/IDTree" in tree:
                del tree["/IDTree"]
            _id_tree(pdf, tree)
        return written(pdf)


def written(pdf: pikepdf.Pdf) -> bytes:
    """The file's bytes: object streams, the smallest Flate streams, an /ID from the content."""
    pikepdf.settings.set_flate_compression_level(9)  # the smallest streams zlib makes (a process setting)
    out = io.BytesIO()
    pdf.save(
        out,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
        deterministic_id=True,
        linearize=False,
    )
    return out.getvalue()
