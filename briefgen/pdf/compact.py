"""Page content written compactly as WeasyPrint writes it, rather than parsed and rewritten afterwards.

WeasyPrint 70 shows each glyph as its own string followed by an adjustment (`[<0030>0<0044>0...] TJ`, the
`0` being a kerning of less than a unit) and writes coordinates to a millionth of a point (adjustments
to 13 decimals). While a PDF renders, `compact_content()` makes its content streams (pydyf's `Stream`
methods, which WeasyPrint draws every page with) write instead:

- text arrays with the strings that no adjustment separates joined, and adjustments to a thousandth of a
  thousandth of an em: the same glyphs at the same places, in about half the bytes;
- coordinates (text matrices, transformations, paths, rectangles) to a thousandth of a point: invisible.

Numbers are rounded as they are written (`%f`, then to three decimals, halves to even), so the page
is the one `tagging.finish` used to get by parsing every instruction of every page and writing it again,
in a tenth of the time; `finish` now parses a page only to mark its margin text as artifacts and to put
right-to-left text in logical order.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pydyf

# A TJ operand as WeasyPrint writes it: hexadecimal strings and adjustments (a float may come as 1e-05).
_TEXT_ITEM = re.compile(r"<([0-9A-Fa-f]*)>|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")


def thousandth(value: Any) -> Any:
    """A number to three decimals as pydyf would have written it and a PDF reader parsed it (`%f`, then
    rounded, halves to even); an integer when it is one. Anything else is returned as it is."""
    if not isinstance(value, float | Decimal):
        return value  # an integer (written as it is), a name, a string
    exact = Decimal(value) if isinstance(value, Decimal) else Decimal(f"{value:f}")
    rounded = round(exact, 3)
    return int(rounded) if rounded == rounded.to_integral_value() else rounded.normalize()


def compact_text(text: str) -> str:
    """A TJ operand with strings that nothing separates joined and adjustments to a thousandth; an
    adjustment that rounds to nothing between two strings is dropped."""
    text = text.replace(">0<", "")  # what WeasyPrint writes between most glyphs: nothing to round
    if text.endswith(">0"):  # and after the last
        text = text[:-1]
    if not _needs_rounding(text):
        return text
    items: list[str] = []
    string = False  # whether the last item is a string
    for match in _TEXT_ITEM.finditer(text):
        digits, number = match.group(1), match.group(2)
        if number is None:
            if string:
                items[-1] = items[-1][:-1] + digits + ">"
            else:
                items.append(f"<{digits}>")
            string = True
            continue
        value = thousandth(Decimal(number))
        if value == 0 and string:
            continue
        items.append(str(value))
        string = False
    return "".join(items)


def _needs_rounding(text: str) -> bool:
    """What is left to do once zeros after strings are gone: a number with decimals or an exponent
    (Python writes 1e-05), a number before the first string, an empty string."""
    return "." in text or "e-" in text or "e+" in text or "<>" in text or not text.startswith("<")


def _rounding(method: Any) -> Any:
    def rounded(self: Any, *values: Any) -> Any:
        return method(self, *(thousandth(value) for value in values))

    return rounded


def _compacting(method: Any) -> Any:
    def compacted(self: Any, text: Any) -> Any:
        return method(self, compact_text(text) if isinstance(text, str) else text)

    return compacted


# pydyf 0.13's methods that write coordinates (cm, Tm, Td, re, m, l, c, v, y) and the one that writes text.
GEOMETRY = (
    "set_matrix",
    "set_text_matrix",
    "move_text_to",
    "rectangle",
    "move_to",
    "line_to",
    "curve_to",
    "curve_start_to",
    "curve_end_to",
)


@contextlib.contextmanager
def compact_content() -> Iterator[None]:
    """Make pydyf's content streams write compactly for the time of one render (see the module)."""
    originals = {
        name: pydyf.Stream.__dict__[name] for name in (*GEOMETRY, "show_text") if name in pydyf.Stream.__dict__
    }
    for name, method in originals.items():
        setattr(pydyf.Stream, name, _compacting(method) if name == "show_text" else _rounding(method))
    try:
        yield
    finally:
        for name, method in originals.items():
            setattr(pydyf.Stream, name, method)
