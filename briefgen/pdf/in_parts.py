"""Render a long brief part by part (`parts`), so that its memory is that of one part, not of every page.

Each part is laid out by WeasyPrint; its pages are kept up to the first page that starts with a unit of
the plan (nothing of an earlier unit or container on it), and the next part starts with that unit, at
the top of a page as in the whole document. The kept pages are written as a tagged PDF; a link to an
anchor of another part is written as a `merge.LINK_PREFIX` URI that `merge` turns back into a link.
When the last part is written, the page-margin content of the whole (page n of N, running header,
marking) is laid out on its own (`margins`) and drawn on each page by `merge`.
A part whose layout the margins documents cannot stand for (an element in or after `<main>` that sets a
string for the margins, runs into them or names a page), or with no page that starts with one of its units
(a unit as long as a part), makes the brief render whole: `render_parts` returns None.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pikepdf
from weasyprint.formatting_structure import boxes
from weasyprint.layout import LayoutContext

from briefgen.pdf import acyclic, margins, merge, parts, reading, tagging

_IDS = re.compile(r"""\sid\s*=\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class Rendered:
    data: bytes | pikepdf.Pdf  # the PDF not yet finished by `tagging.finish` (bytes), or finished parts joined (open)
    pages: int
    runs: reading.Runs


@dataclass
class _Pages:
    """Where a part's units and containers are: first and last page of each, by its index."""

    units: dict[int, list[int]]
    containers: dict[int, list[int]]
    whole_only: bool = False  # an element of <main> sets a string or names a page


def _placed(document: Any) -> _Pages:
    found = _Pages({}, {})

    def visit(box: Any, page: int, inside: bool) -> None:
        element = box.element
        if element is not None and not isinstance(box, boxes.PageBox):
            for attribute, places in ((parts.UNIT, found.units), (parts.CONTAINER, found.containers)):
                mark = element.get(attribute)
                if mark is not None:
                    span = places.setdefault(int(mark), [page, page])
                    span[1] = page
                    inside = True
            if element.get(parts.AFTER) is not None:
                inside = True
        if inside and (box.style["string_set"] != "none" or box.style["page"] not in ("auto", "")):
            found.whole_only = True
        for child in getattr(box, "children", ()):
            visit(child, page, inside)

    for number, page in enumerate(document.pages):
        visit(page._page_box, number, False)
    return found


def _cut(plan: parts.Plan, first: int, last: int, placed: _Pages, opening: int, pages: int) -> tuple[int, int] | None:
    """(page, unit): the last page after the part's first (`opening` is its index) that starts with a unit
    of this part (not its first or last), and is followed by two pages at least before the part's last
    (a page of nothing, after the end of `<main>`). So what the part leaves out at its end changes none of
    the pages kept: an element still open there spans two pages or more, where `break-inside: avoid` has no
    effect, in the part as in the whole."""
    ended: list[tuple[int, int]] = []  # (end offset, last page) of every unit and container of the part
    for index, (_, last_page) in placed.units.items():
        ended.append((plan.units[index].end, last_page))
    for index, (_, last_page) in placed.containers.items():
        ended.append((plan.containers[index].end, last_page))
    ended.sort()
    best = None
    latest, position = -1, 0
    for index in range(first, last + 1):
        unit = plan.units[index]
        while position < len(ended) and ended[position][0] <= unit.start:
            latest = max(latest, ended[position][1])
            position += 1
        placed_at = placed.units.get(index)
        if first < index < last and placed_at is not None:
            page = placed_at[0]
            if opening < page <= pages - 3 and latest < page:
                best = (page, index)
    return best


def _relinked(document: Any, ids: set[str]) -> None:
    """Links to anchors on pages not in `document` become `merge.LINK_PREFIX` URIs (WeasyPrint would drop them)."""
    here = {name for page in document.pages for name in page.anchors}
    for page in document.pages:
        page.links = [
            ("external", merge.LINK_PREFIX + target, rectangle, box)
            if kind == "internal" and target not in here and target in ids
            else (kind, target, rectangle, box)
            for kind, target, rectangle, box in page.links
        ]


@contextlib.contextmanager
def _running_elements() -> Iterator[list[Any]]:
    """The elements laid out in the block as running elements (`position: running()`, shown by `element()`
    in the page margins). WeasyPrint 70 takes them out of the page's boxes."""
    found: list[Any] = []
    original = LayoutContext.add_running_element

    def add(context: Any, box: Any) -> Any:
        if box.is_running():
            found.append(box.element)
        return original(context, box)

    LayoutContext.add_running_element = add
    try:
        yield found
    finally:
        LayoutContext.add_running_element = original


def _in_or_after_main(source: Any, running: list[Any]) -> bool:
    """Whether one of the `running` elements is in `<main>` of the part (`source`, a `weasyprint.HTML`) or
    after it: the margins documents, made of what comes before `<main>`, could not show it."""
    inside: set[int] = set()
    for body in source.etree_element.iter("body"):
        children = list(body)
        mains = [index for index, child in enumerate(children) if child.tag == "main"]
        for child in children[mains[0] :] if mains else ():
            inside.update(id(element) for element in child.iter())
    return any(id(element) in inside for element in running)


def _release(layouts: list[Any]) -> None:
    """Free what the dropped `layouts` held and collect what is left, for the next part to reuse."""
    acyclic.drop(layouts)
    gc.collect()


def render_parts(
    plan: parts.Plan,
    html: Callable[[str], Any],
    write: Callable[[Any, bool], bytes],
    font_config: Any,
    options: dict[str, Any],
    layouts: list[Any],
) -> Rendered | None:
    """Render the plan's parts: `html(source)` makes a `weasyprint.HTML`, `write(document, first)` its PDF;
    `layouts` lists the layout contexts WeasyPrint makes (`acyclic`), dropped after each part."""
    ids = set(_IDS.findall(plan.source))
    written: list[bytes] = []
    runs: reading.Runs = {}
    pages = 0
    first = 0
    count = len(plan.units)
    while first < count:
        last, size = first, plan.unit_chars(first)
        while last + 1 < count and size < plan.part_chars:
            last += 1
            size += plan.unit_chars(last)
        if sum(plan.unit_chars(i) for i in range(last + 1, count)) < plan.part_chars // 2:
            last = count - 1
        with tagging.tag_languages_and_links() as part_runs, _running_elements() as running:
            source = html(plan.part(first, last))
            document = source.render(font_config=font_config, **options)
            acyclic.laid_out(layouts)
            placed = _placed(document)
            if placed.whole_only or _in_or_after_main(source, running):
                return None
            opening = 0 if first == 0 else 1  # a part after the first starts with a page of nothing
            cut = None if last == count - 1 else _cut(plan, first, last, placed, opening, len(document.pages))
            if cut is None and last < count - 1:
                return None  # no page of the part starts with one of its units (one unit fills it): whole
            end = cut[0] if cut is not None else len(document.pages)
            kept = document.copy(document.pages[opening:end])
            _relinked(kept, ids)
            data = write(kept, not written)
            kept_pages = len(kept.pages)
        del document, kept
        _release(layouts)  # this part's boxes go before its file is finished and the next part's are made
        # Finished on its own (its pages' right-to-left text in logical order, its structure folded): the
        # joining then copies about a third of the objects it would copy unfinished.
        written.append(tagging.finish(data, part_runs))
        runs.update({(page + pages, mcid): run for (page, mcid), run in part_runs.items()})
        pages += kept_pages
        first = cut[1] if cut is not None else last + 1
    margin_content = margins.render_margins(plan, pages, html, font_config)
    _release(layouts)
    if margin_content is None:
        return None
    return Rendered(merge.join(written, margin_content), pages, runs)
