"""WeasyPrint's layout without reference cycles, so that a render's garbage is freed as soon as it is
dropped, not by a collection that walks all of it.

WeasyPrint 70 makes three kinds of cycle in every render:
- each anonymous style (of an anonymous box) is its own `specified` style, and is cached on the style it
  inherits from, which it refers to; the initial style is its own `specified` style too;
- the layout context refers to itself through its image loader (a `functools.partial` given the context),
  and holds every computed style of the document, its footnotes and its target collector.

So the garbage of a layout (about 280,000 objects for 40 pages) was freed only by a full collection, which
walks every object it frees: 0.2 s for each part of a long brief (`in_parts`), a tenth of its layout.
Within `freed_when_dropped`, an anonymous style is cached by weak reference (the style a box holds is
reused as long as a box holds it), `specified` is a property giving the style itself, and the layout
contexts made are listed: `laid_out` clears them of what only the layout uses once their pages are laid
out, `drop` of the rest once their document is written (an SVG image is drawn with its context's image
loader and fonts). What is left for the collector is a few cycles made inside the layout. The changes are
made to WeasyPrint's classes for the time of a render: a process renders one PDF at a time (briefgen's
worker processes do; a Dask worker's task threads each have a render process of their own).
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from typing import Any

from weasyprint import css as weasy_css
from weasyprint.document import Document

_ANONYMOUS = "_briefgen_anonymous_style"  # where a style keeps a weak reference to its anonymous style


def _anonymous_style(style: Any) -> Any:
    held = style.__dict__.get(_ANONYMOUS)
    anonymous = held() if held is not None else None
    if anonymous is None:
        anonymous = weasy_css.AnonymousStyle(style)
        style.__dict__[_ANONYMOUS] = weakref.ref(anonymous)
    return anonymous


def _itself(style: Any) -> Any:
    return style


def _ignored(style: Any, value: Any) -> None:
    """`self.specified = self`, as WeasyPrint's constructors write it: the property gives it already."""


# What a layout context is used for once its pages are laid out: an SVG image draws with it, reading the
# images it refers to and the fonts of its text.
_DRAWN_WITH = ("get_image_from_uri", "font_config")


def laid_out(contexts: list[Any]) -> None:
    """Clear the listed layout contexts of all but what drawing uses (their computed styles, page makers,
    tables, footnotes...): called when their pages are laid out, so that writing the PDF does not hold it."""
    for context in contexts:
        held = vars(context)
        for name in [name for name in held if name not in _DRAWN_WITH]:
            del held[name]


def drop(contexts: list[Any]) -> None:
    """Clear the listed layout contexts (what they hold is freed unless a document still refers to it)."""
    while contexts:
        vars(contexts.pop()).clear()


@contextlib.contextmanager
def freed_when_dropped() -> Iterator[list[Any]]:
    """For one render: styles without cycles, and the list of the layout contexts WeasyPrint makes (for
    `drop`; those left are dropped at the end). With a WeasyPrint that has not these attributes, a render
    is as it would be."""
    style_cache = weasy_css.Style.__dict__.get("anonymous_style")
    build = Document.__dict__.get("_build_layout_context")
    patchable = isinstance(build, classmethod) and style_cache is not None and not isinstance(style_cache, property)
    contexts: list[Any] = []
    if not patchable:
        yield contexts
        return

    def build_and_list(cls: Any, *args: Any, **kwargs: Any) -> Any:
        context = build.__func__(cls, *args, **kwargs)
        contexts.append(context)
        return context

    specified = property(_itself, _ignored)
    weasy_css.Style.anonymous_style = property(_anonymous_style)
    weasy_css.AnonymousStyle.specified = specified
    weasy_css.InitialStyle.specified = specified
    Document._build_layout_context = classmethod(build_and_list)
    try:
        yield contexts
    finally:
        drop(contexts)
        Document._build_layout_context = build
        weasy_css.Style.anonymous_style = style_cache
        del weasy_css.AnonymousStyle.specified, weasy_css.InitialStyle.specified
