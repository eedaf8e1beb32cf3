"""A long brief's HTML cut into parts that WeasyPrint lays out one after another, so that a render holds the
boxes of one part at a time (a 200-page brief laid out at once holds about 2 MiB a page).

`plan` reads the final HTML once and finds its units: the children of `<main>`, and inside any container
of `<main>` longer than a sixteenth of a part (a section, a list, a div...) that holds only elements, its
children in turn; each unit is marked (`data-briefgen-unit`). `Plan.part(first, last)` writes a whole HTML document
with the units `first` to `last`: the head as it is, the elements around the first unit reopened
(marked continued, without their id, an `ol` with the `start` its items had), each earlier or later sibling
of a unit's ancestors kept as an empty element that is not displayed (so `h3 + p`, `:nth-child` and
`:last-child` match as in the whole document), and the elements around the last unit closed. Only the
first part holds what comes before `<main>`, only the last what comes after it.

The renderer (`render`) keeps the pages of a part up to the first page that starts with a unit, and
starts the next part with that unit: pages are laid out as in the whole document, the page-margin
content (running header, marking, page numbers) is drawn afterwards for the whole, and `merge` joins the
parts. A brief whose stylesheets make a page depend on more than its own content and number
(`cuttable`: counters, page selectors, fixed elements...) is rendered whole: `plan` returns None, as it
does for HTML whose elements are not all closed explicitly (a desk template's) or a brief too short to
cut. What comes after `<main>` is marked (`data-briefgen-after`) for the renderer to check it as it
checks the units.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from briefgen.pdf import cuttable

UNIT_SHARE = 16  # a container of <main> longer than a sixteenth of a part is cut between its children
CONTAINERS = {"main", "section", "div", "article", "ol", "ul", "aside", "nav"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

_ID = re.compile(r"""\s(?:id|aria-labelledby)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_START = re.compile(r"""\sstart\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

UNIT = "data-briefgen-unit"
CONTAINER = "data-briefgen-container"
CONTINUED = "data-briefgen-continued"
PLACEHOLDER = "data-briefgen-placeholder"
FIRST = "data-briefgen-first"
AFTER = "data-briefgen-after"  # an element after <main> (in the last part only)

MARGIN_BOXES = (
    "top-left-corner",
    "top-left",
    "top-center",
    "top-right",
    "top-right-corner",
    "right-top",
    "right-middle",
    "right-bottom",
    "bottom-right-corner",
    "bottom-right",
    "bottom-center",
    "bottom-left",
    "bottom-left-corner",
    "left-bottom",
    "left-middle",
    "left-top",
)


def no_margin_content(boxes: tuple[str, ...] = MARGIN_BOXES) -> str:
    """`@page` rules that make the named margin boxes generate nothing, whatever the desk's stylesheet says."""
    return "@page { " + " ".join(f"@{box} {{ content: none !important }}" for box in boxes) + " }"


# Added to every part: margin boxes are drawn once for the whole document (`in_parts`), placeholders are
# not shown, and the first unit of a continued part has the margins of a unit at the top of a page after an
# unforced break (truncated: `margin-break: discard`, as `auto` does after such a break).
PART_STYLE = (
    "<style>" + no_margin_content() + " "
    f"[{PLACEHOLDER}] {{ display: none !important }} "
    f"[{CONTINUED}], [{FIRST}], [{FIRST}] * {{ margin-break: discard !important }}"
    "</style>"
)


def _break_style(container: int, pseudo: str, side: str) -> str:
    """A page break at the start (`::before`) or end (`::after`) of a container. Before the first unit of
    a part, in the element it is in: the top edges of the elements it is in go on a page of their own, and
    the part's pages start as the whole document's page does. At the end of `<main>`, for the page count
    of the margins document to be the whole's. The pseudo-element is not an element: sibling selectors
    match as in the whole document."""
    return (
        f'<style>[{CONTAINER}="{container}"]::{pseudo} {{ content: "" !important; display: block !important; '
        f"break-{side}: page !important; margin: 0 !important; padding: 0 !important; border: none !important; "
        "height: 0 !important }</style>"
    )


@dataclass(eq=False)  # compared and hashed by identity
class Element:
    tag: str
    start: int  # offset of '<'
    open_end: int  # offset after the start tag's '>'
    end: int = -1  # offset after the end tag's '>'
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)
    items_before: int = 0  # for an <li>: the <li> siblings before it

    def start_tag(self, source: str) -> str:
        return source[self.start : self.open_end]


class _Tree(HTMLParser):
    """The elements of an HTML document with their offsets; `broken` when an end tag does not close the
    element open (an end tag left out, as HTML allows: such HTML is not cut)."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.lines = [0]
        for match in re.finditer("\n", source):
            self.lines.append(match.end())
        self.root = Element("#document", 0, 0, len(source))
        self.stack = [self.root]
        self.broken = False

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def _open(self, tag: str, void: bool) -> None:
        start = self._offset()
        text = self.get_starttag_text() or ""
        parent = self.stack[-1]
        element = Element(tag, start, start + len(text), parent=parent)
        if tag == "li":
            element.items_before = sum(1 for c in parent.children if c.tag == "li")
        parent.children.append(element)
        if void:
            element.end = element.open_end
        else:
            self.stack.append(element)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, tag in VOID)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, True)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.stack[-1].tag != tag or len(self.stack) == 1:
            self.broken = True
            return
        element = self.stack.pop()
        element.end = self.source.index(">", self._offset()) + 1


def _find(element: Element, tag: str) -> Element | None:
    for child in element.children:
        if child.tag == tag:
            return child
        found = _find(child, tag)
        if found is not None:
            return found
    return None


def _only_elements(source: str, element: Element) -> bool:
    """Whether nothing but white space and comments lies between the element's children."""
    position = element.open_end
    for child in element.children:
        if _COMMENT.sub("", source[position : child.start]).strip():
            return False
        position = child.end
    end_tag = source.rfind("<", position, element.end)
    return not _COMMENT.sub("", source[position:end_tag]).strip()


def _marked(tag_text: str, attribute: str) -> str:
    cut = len(tag_text) - (2 if tag_text.endswith("/>") else 1)
    return f"{tag_text[:cut]} {attribute}{tag_text[cut:]}"


@dataclass
class Plan:
    """The units of a long brief's HTML, and how to write a part of it."""

    source: str
    main: Element
    units: list[Element]
    containers: list[Element]  # the elements cut between their children (with <main>)
    body_open_end: int
    head_end: int  # offset of </head>
    part_chars: int  # characters of HTML per part (about 7,000 a page of the built-in template)

    def unit_chars(self, index: int) -> int:
        unit = self.units[index]
        return unit.end - unit.start

    def _ancestors(self, element: Element) -> list[Element]:
        chain = []
        node = element.parent
        while node is not None and node is not self.main.parent:
            chain.append(node)
            node = node.parent
        return chain[::-1]  # <main> first

    def _tag(self, element: Element) -> str:
        text = element.start_tag(self.source)
        if element in self._container_index:
            text = _marked(text, f'{CONTAINER}="{self._container_index[element]}"')
        elif element in self._unit_index:
            text = _marked(text, f'{UNIT}="{self._unit_index[element]}"')
        elif element in self._after:
            text = _marked(text, AFTER)
        return text

    def _placeholder(self, element: Element) -> str:
        text = _marked(_ID.sub("", element.start_tag(self.source)), PLACEHOLDER)
        return text if element.tag in VOID else f"{text}</{element.tag}>"

    def _reopened(self, element: Element, first_child: Element) -> str:
        text = _marked(_ID.sub("", self._tag(element)), CONTINUED)
        if element.tag == "ol" and first_child.tag == "li":
            # Numbered on from the items before it (an item's own `value` still wins).
            start = _start_of(text) + first_child.items_before
            text = _marked(_START.sub("", text), f'start="{start}"')
        return text + self._placeholders(element.children[: element.children.index(first_child)])

    def _placeholders(self, siblings: list[Element]) -> str:
        return "".join(self._placeholder(sibling) for sibling in siblings)

    def _slice(self, start: int, end: int) -> str:
        """The source between two offsets, with the start tags of units and containers marked."""
        pieces = []
        position = start
        for element in self.marks:
            if element.start < start or element.start >= end:
                continue
            pieces += [self.source[position : element.start], self._tag(element)]
            position = element.open_end
        pieces.append(self.source[position:end])
        return "".join(pieces)

    def part(self, first: int, last: int) -> str:
        """A whole HTML document with units `first` to `last` (inclusive), for WeasyPrint. A part after the
        first starts with a page of nothing (`in_parts` leaves it out); a part before the last ends with one."""
        unit_first, unit_last = self.units[first], self.units[last]
        style = PART_STYLE
        body = self.main.parent
        assert body is not None
        if first == 0:
            opening = self._slice(self.body_open_end, unit_first.start)
        else:
            chain = [*self._ancestors(unit_first), unit_first]
            opening = self._placeholders(body.children[: body.children.index(self.main)])
            opening += "".join(self._reopened(a, b) for a, b in itertools.pairwise(chain))
            style += _break_style(self._container_index[chain[-2]], "before", "after")
        middle = self._slice(unit_first.start, unit_last.end)
        if first > 0:
            middle = _marked(self._tag(unit_first), FIRST) + middle[len(self._tag(unit_first)) :]
        if last == len(self.units) - 1:
            closing = self._slice(unit_last.end, len(self.source))
        else:
            closing = ""
            node = unit_last
            for ancestor in reversed(self._ancestors(unit_last)):
                closing += self._placeholders(ancestor.children[ancestor.children.index(node) + 1 :])
                closing += f"</{ancestor.tag}>"
                node = ancestor
            closing += self._placeholders(body.children[body.children.index(self.main) + 1 :]) + "</body></html>"
            style += _break_style(0, "after", "before")  # at the end of <main>: no forced break in what is open
        head = self.source[: self.head_end] + style + self.source[self.head_end : self.body_open_end]
        return head + opening + middle + closing

    def margins(self, pages: int, hidden: tuple[str, ...] = ()) -> str:
        """A document of `pages` pages with what comes before `<main>` (where running content is set):
        rendered for its page-margin boxes only, but the `hidden` ones (`MARGIN_BOXES` names)."""
        before_main = self.source[self.body_open_end : self.main.start]
        page = "display: block !important; height: 0 !important; margin: 0 !important; padding: 0 !important"
        breaks = f'<div style="{page}"></div>' + f'<div style="{page}; break-before: page !important"></div>' * (
            pages - 1
        )
        head = self.source[: self.head_end]
        if hidden:
            head += f"<style>{no_margin_content(hidden)}</style>"
        head += self.source[self.head_end : self.body_open_end]
        return head + before_main + f"<main>{breaks}</main></body></html>"

    def __post_init__(self) -> None:
        self._unit_index = {unit: index for index, unit in enumerate(self.units)}
        self._container_index = {container: index for index, container in enumerate(self.containers)}
        body = self.main.parent
        assert body is not None
        self._after = set(body.children[body.children.index(self.main) + 1 :])
        self.marks = sorted([*self.units, *self.containers, *self._after], key=lambda e: e.start)


def _start_of(tag_text: str) -> int:
    match = re.search(r"""\sstart\s*=\s*["']?(-?\d+)""", tag_text, re.IGNORECASE)
    return int(match.group(1)) if match else 1


def plan(source: str, part_chars: int) -> Plan | None:
    """The units of the HTML, or None when it is to be rendered whole (short, or not cut safely)."""
    if len(source) <= 2 * part_chars:
        return None
    if not cuttable.allows_parts(source):
        return None
    tree = _Tree(source)
    try:
        tree.feed(source)
        tree.close()
    except (AssertionError, ValueError):  # html.parser on malformed markup
        return None
    if tree.broken or len(tree.stack) != 1:
        return None
    body = _find(tree.root, "body")
    main = _find(body, "main") if body is not None else None
    if body is None or main is None or main.parent is not body:
        return None
    units: list[Element] = []
    containers: list[Element] = [main]

    def collect(element: Element) -> None:
        for child in element.children:
            if (
                child.tag in CONTAINERS
                and child.children
                and child.end - child.start > part_chars // UNIT_SHARE
                and _only_elements(source, child)
            ):
                containers.append(child)
                collect(child)
            else:
                units.append(child)

    if not _only_elements(source, main):
        return None
    collect(main)
    if len(units) < 2:
        return None
    head = _find(tree.root, "head")
    if head is None:
        return None
    return Plan(source, main, units, containers, body.open_end, source.rindex("<", head.start, head.end), part_chars)
