"""The bidi facts `reading` needs: levels and visual order from FriBidi (the library Pango lays text out
with, loaded from the system: WeasyPrint needs it through Pango), mirrored characters, and a model of how a
content-stream text extractor (pypdf) orders what it reads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

# ---------------------------------------------------------------------------------------------- bidi levels


@functools.cache
def _fribidi() -> Any:
    name = ctypes.util.find_library("fribidi") or "libfribidi.so.0"
    try:
        library = ctypes.CDLL(name)
    except OSError:
        return None
    library.fribidi_log2vis.restype = ctypes.c_byte
    library.fribidi_get_mirror_char.restype = ctypes.c_int
    return library


def available() -> bool:
    """Whether FriBidi could be loaded (without it, right-to-left text keeps WeasyPrint's stream order)."""
    return _fribidi() is not None


@functools.cache
def mirror(character: str) -> str:
    """The character's bidi mirror ("(" for ")"), or the character itself (FriBidi's table)."""
    library = _fribidi()
    mirrored = ctypes.c_uint32(0)
    if library is None or not library.fribidi_get_mirror_char(ord(character), ctypes.byref(mirrored)):
        return character
    return chr(mirrored.value)


PAR_LTR, PAR_RTL = 0x110, 0x111  # FriBidiParType values (fribidi-bidi-types.h)


def visual_order(text: str, rtl: bool) -> tuple[list[int], list[int]] | None:
    """Per visual position, the logical index of its character; and per logical index, its bidi level.
    None without FriBidi."""
    library = _fribidi()
    if library is None:
        return None
    size = len(text)
    characters = (ctypes.c_uint32 * size)(*map(ord, text))
    base = ctypes.c_uint32(PAR_RTL if rtl else PAR_LTR)
    visual_to_logical = (ctypes.c_int * size)()
    levels = (ctypes.c_byte * size)()
    library.fribidi_log2vis(characters, size, ctypes.byref(base), None, None, visual_to_logical, levels)
    return list(visual_to_logical), list(levels)


# ----------------------------------------------------------------------------------- how extractors read


RIGHT_TO_LEFT = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))
NEUTRAL = ((0x00, 0x2F), (0x3A, 0x40), (0x0660, 0x066D), (0x06F0, 0x06F9), (0x2000, 0x206F), (0x20A0, 0x21FF))


@functools.cache
def reading_class(text: str) -> str:
    """How a content-stream extractor (pypdf's rule) takes one glyph's text: "R", "L" or neutral "N"
    (neutral too: a glyph of several characters)."""
    if len(text) != 1:
        return "N"
    code = ord(text)
    if any(low <= code <= high for low, high in NEUTRAL):
        return "N"
    return "R" if any(low <= code <= high for low, high in RIGHT_TO_LEFT) else "L"


def extractor_reads(strings: Iterable[Sequence[str]], mode: str | None) -> tuple[str, str | None]:
    """The text a content-stream extractor reads from strings shown one after the other, each string given
    as its glyphs' texts, each string starting fresh (a font is set before it), with `mode` the direction
    it is in ("R", "L", or None for either). Right-to-left stretches are reversed, neutral glyphs go the way
    of the stretch they are in. Returns the text and the mode after. With mode None the text is returned
    only if it is the same either way (else "\\0")."""
    if mode is None:
        left, after_left = extractor_reads(strings, "L")
        right, after_right = extractor_reads(strings, "R")
        return (left, after_left if after_left == after_right else None) if left == right else ("\0", None)
    out: list[str] = []
    for string in strings:
        run: list[str] = []
        for text in string:
            kind = reading_class(text)
            if kind != "N" and kind != mode:
                out.append("".join(reversed(run)) if mode == "R" else "".join(run))
                run, mode = [], kind
            run.append(text)
        out.append("".join(reversed(run)) if mode == "R" else "".join(run))
    return "".join(out), mode


RTL_PATTERN = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in RIGHT_TO_LEFT) + "]")


def has_rtl(text: str) -> bool:
    return RTL_PATTERN.search(text) is not None
