"""Parsed stylesheets kept from one render to the next in a rendering process.

WeasyPrint parses a brief's `<style>` again for every PDF and compiles each of its selectors to a matcher:
the same work for every edition of a desk and for every refresh of the preview. While
`reused_stylesheets` is active, a `<style>` whose text (with its base URL and media type) was parsed
before is not parsed again: its `CSS` object is reused, and the `@page` rules it contributed are given to
the new render, as parsing would have given them.

Only a stylesheet that reads nothing and registers nothing is kept: no `url(`, `@import`, `@font-face`,
`@counter-style`, `@color-profile` or `@layer`. Parsing such a sheet has no effect but its `CSS` object
and its page rules, so reusing them renders the same PDF; a sheet that reads a file (an image, a font) is
parsed again with the job's own URL fetcher, so each job still reads only its own assets.
"""

from __future__ import annotations

import contextlib
import re
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import weasyprint
from weasyprint import css as weasy_css

# What makes parsing a stylesheet do more than build its CSS object and page rules.
_EFFECTS = re.compile(r"url\(|@import|@font-face|@counter-style|@color-profile|@layer", re.IGNORECASE)
KEPT = 8  # stylesheets kept per process (a desk has one or two; the preview's refreshes reuse one)

_kept: OrderedDict[tuple[str, str | None, str], tuple[Any, list[Any]]] = OrderedDict()


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
            own_rules: list[Any] = []
            sheet = original(**{**kwargs, "page_rules": own_rules, "layers": []})
            held = _kept[key] = (sheet, own_rules)
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
        _kept.move_to_end(key)
        sheet, rules = held
        page_rules = kwargs.get("page_rules")
        if page_rules is not None:
            page_rules.extend(rules)
        return sheet

    return parsed


@contextlib.contextmanager
def reused_stylesheets() -> Iterator[None]:
    """Reuse parsed `<style>` sheets for one render (WeasyPrint 70 parses them by `weasyprint.css.CSS`)."""
    original = getattr(weasy_css, "CSS", None)
    if original is not weasyprint.CSS:  # another WeasyPrint: parse as it does
        yield
        return
    weasy_css.CSS = _reusing(original)
    try:
        yield
    finally:
        weasy_css.CSS = original
