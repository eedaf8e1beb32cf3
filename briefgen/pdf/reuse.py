"""Work that WeasyPrint 70 does again and again with the same result, done once while a PDF renders.

- Parsed stylesheets, from one render to the next in a rendering process. WeasyPrint parses a brief's
  `<style>` again for every PDF and compiles each of its selectors to a matcher: the same work for every
  edition of a desk and every refresh of the preview. A `<style>` whose text (with its base URL and media
  type) was parsed before is not parsed again: its `CSS` object, with its selectors and `@page` rules, is
  reused. Only a stylesheet that reads nothing and registers nothing is kept: no `url(`, `@import`,
  `@font-face`, `@counter-style`, `@color-profile` or `@layer`. Parsing such a sheet has no effect but its
  `CSS` object, so reusing it renders the same PDF; a sheet that reads a file (an image, a font) is parsed
  again with the job's own URL fetcher, so each job still reads only its own assets.
- Page references: pydyf builds the tuple of every page's reference each time one is asked for, and
  WeasyPrint asks once per structure element and link: quadratic in the pages of a long brief (about a
  tenth of writing a 200-page PDF). The tuple is built once per number of pages instead.
- C array types: WeasyPrint subsets each font with HarfBuzz through arrays it asks cffi for as
  `hb_codepoint_t[N]`, N the font's glyph count, and cffi parses every type string it has not seen with
  pycparser (about 2.5 ms each): a few new strings for every font of every edition. An array of N items
  is made as `hb_codepoint_t[]` from its N items instead: one type, parsed once per process.
"""

from __future__ import annotations

import contextlib
import re
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import pydyf
import weasyprint
from weasyprint import css as weasy_css
from weasyprint.pdf import fonts as weasy_fonts
from weasyprint.text import ffi as weasy_ffi

# What makes parsing a stylesheet do more than build its CSS object (its selectors and page rules).
_EFFECTS = re.compile(r"url\(|@import|@font-face|@counter-style|@color-profile|@layer", re.IGNORECASE)
KEPT = 8  # stylesheets kept per process (a desk has one or two; the preview's refreshes reuse one)

_kept: OrderedDict[tuple[str, str | None, str], Any] = OrderedDict()


def _reusing(original: Any) -> Any:
    def parsed(*args: Any, **kwargs: Any) -> Any:
        text = kwargs.get("string")
        wanted = {"string", "base_url", "url_fetcher", "media_type", "font_config", "counter_style"}
        wanted |= {"page_rules", "color_profiles", "layers"}
        if args or not isinstance(text, str) or set(kwargs) - wanted or _EFFECTS.search(text):
            return original(*args, **kwargs)
        key = (text, kwargs.get("base_url"), str(kwargs.get("media_type", "print")))
        held = _kept.get(key)
        if held is None:
            # Its own lists of page rules and layers: WeasyPrint reads a sheet's page rules from the sheet.
            held = _kept[key] = original(**{**kwargs, "page_rules": [], "layers": []})
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
        _kept.move_to_end(key)
        return held

    return parsed


def _page_references(pdf: Any) -> tuple[bytes, ...]:
    """pydyf's `PDF.page_references`, built once per number of pages (pages are only ever added)."""
    kids = pdf.pages["Kids"]
    held = pdf.__dict__.get("_briefgen_page_references")
    if held is None or held[0] is not kids or held[1] != len(kids):
        held = (kids, len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_briefgen_page_references"] = held
    references: tuple[bytes, ...] = held[2]
    return references


_SIZED_ARRAY = re.compile(r"(\w+)\[(\d+)\]")


class _OneArrayType:
    """WeasyPrint's cffi `FFI` for its font subsetting, making `T[N]` arrays of N given items as `T[]`."""

    def __init__(self, ffi: Any) -> None:
        self._ffi = ffi

    def new(self, cdecl: str, init: Any = None) -> Any:
        sized = _SIZED_ARRAY.fullmatch(cdecl)
        if sized is not None and isinstance(init, (list, tuple)) and len(init) == int(sized.group(2)):
            return self._ffi.new(sized.group(1) + "[]", init)
        return self._ffi.new(cdecl, init)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ffi, name)


@contextlib.contextmanager
def reused_work() -> Iterator[None]:
    """Reuse parsed `<style>` sheets, page references and C array types for one render (WeasyPrint 70
    parses sheets by `weasyprint.css.CSS` and subsets fonts through `weasyprint.pdf.fonts.ffi`; pydyf 0.13
    has `PDF.page_references`); with another version, do as it does."""
    original_css = getattr(weasy_css, "CSS", None)
    original_references = pydyf.PDF.__dict__.get("page_references")
    original_ffi = getattr(weasy_fonts, "ffi", None)
    if original_css is weasyprint.CSS:
        weasy_css.CSS = _reusing(original_css)
    if isinstance(original_references, property):
        pydyf.PDF.page_references = property(_page_references)
    if original_ffi is weasy_ffi.ffi:
        weasy_fonts.ffi = _OneArrayType(original_ffi)
    try:
        yield
    finally:
        if original_css is weasyprint.CSS:
            weasy_css.CSS = original_css
        if isinstance(original_references, property):
            pydyf.PDF.page_references = original_references
        if original_ffi is weasy_ffi.ffi:
            weasy_fonts.ffi = original_ffi
