"""The page-margin content of a brief rendered in parts (`in_parts`): running header, marking, page n of N.

The parts are laid out without it; once they are, the page count is known and the margin boxes are laid
out in documents of their own (`parts.Plan.margins`: what comes before `<main>`, where running content is
set, on empty pages), which `merge` draws on the pages of the whole. The boxes of an edge of the page
(its top, bottom, left or right boxes, sized together, or a corner) that show no counter show the same
on every page after the first: they are laid out on two pages only, page 1 and one that stands for all
the others. Only the edges with a counter (`page`, `pages`) are laid out on every page. For the built-in
template that halves the work: the title and the marking at the top are laid out twice, the page number
and the marking at the bottom on every page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from weasyprint.formatting_structure import boxes

from briefgen.pdf import merge, parts

PX_TO_PT = 0.75


def _edge(box_name: str) -> str:
    """The boxes laid out together: those of one side of the page (`top-left` with `top-right`), or a corner."""
    return box_name if box_name.endswith("-corner") else box_name.split("-")[0]


def _margin_boxes(document: Any) -> list[Any]:
    return [box for page in document.pages for box in page._page_box.children if isinstance(box, boxes.MarginBox)]


def _shows_a_counter(box: Any) -> bool:
    content = box.style["content"]
    return isinstance(content, tuple) and any(item[0] in ("counter()", "counters()") for item in content)


def _extent(box: Any) -> tuple[float, float, float, float]:
    """The rectangle (left, top, right, bottom) that a box and everything in it cover, in CSS pixels."""
    left, top = box.position_x, box.position_y
    right, bottom = left + box.margin_width(), top + box.margin_height()
    for child in getattr(box, "children", ()):
        inner = _extent(child)
        left, top, right, bottom = min(left, inner[0]), min(top, inner[1]), max(right, inner[2]), max(bottom, inner[3])
    return left, top, right, bottom


def _reaches_the_page_area(document: Any) -> bool:
    """Whether something in a margin box reaches into the page area (text too wide or too tall for its
    box): WeasyPrint draws it over the page's content, which the joined pages cannot (`merge` draws the
    margins outside the page area only)."""
    for page in document.pages:
        page_box = page._page_box
        x, y = page_box.content_box_x(), page_box.content_box_y()
        area = (x, y, x + page_box.width, y + page_box.height)
        for box in page_box.children:
            if isinstance(box, boxes.MarginBox) and box.children:
                left, top, right, bottom = _extent(box)
                if (
                    left < area[2] - 0.01
                    and right > area[0] + 0.01
                    and top < area[3] - 0.01
                    and bottom > area[1] + 0.01
                ):
                    return True
    return False


def _areas(document: Any) -> list[merge.Area]:
    """Each page's page area (inside its margins), in PDF points from the bottom left."""
    areas = []
    for page in document.pages:
        page_box = page._page_box
        x, y = page_box.content_box_x(), page_box.content_box_y()
        areas.append(
            (
                x * PX_TO_PT,
                (page.height - y - page_box.height) * PX_TO_PT,
                page_box.width * PX_TO_PT,
                page_box.height * PX_TO_PT,
            )
        )
    return areas


def _margins_only(document: Any) -> bytes:
    """The document's PDF with nothing but its margin boxes."""
    for page in document.pages:
        page_box = page._page_box
        page_box.children = tuple(child for child in page_box.children if isinstance(child, boxes.MarginBox))
    data: bytes = document.write_pdf()
    return data


def render_margins(plan: parts.Plan, pages: int, html: Callable[[str], Any], font_config: Any) -> merge.Margins | None:
    """The margin content of a brief of `pages` pages; None when the desk's stylesheet breaks pages in what
    comes before `<main>` (the margins documents would not have the pages of the whole) or puts margin
    content over the page area."""

    def laid_out(count: int, hidden: tuple[str, ...]) -> Any:
        document = html(plan.margins(count, hidden)).render(font_config=font_config)
        return document if len(document.pages) == count and not _reaches_the_page_area(document) else None

    fixed_pages = min(pages, 2)
    probe = laid_out(fixed_pages, ())
    if probe is None:
        return None
    counted = {_edge(box.at_keyword[1:]) for box in _margin_boxes(probe) if _shows_a_counter(box)}
    if not counted:
        areas = _areas(probe)  # page 1's, and the one that stands for every later page
        return merge.Margins(_margins_only(probe), None, areas + areas[-1:] * (pages - len(areas)))
    per_page = tuple(name for name in parts.MARGIN_BOXES if _edge(name) in counted)
    same = tuple(name for name in parts.MARGIN_BOXES if _edge(name) not in counted)
    fixed, every = laid_out(fixed_pages, per_page), laid_out(pages, same)
    if fixed is None or every is None:
        return None
    return merge.Margins(_margins_only(fixed), _margins_only(every), _areas(every))
