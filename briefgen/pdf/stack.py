"""A render called on a Python data stack with room for its recursion, so that no call in it crosses a chunk.

CPython keeps the frames of a thread's Python calls in chunks of 16 KiB, and frees a chunk as soon as the
call at its base returns (until 3.13, which keeps one: python/cpython#142183). WeasyPrint's layout recurses
through the boxes of a page and loops deep in that recursion: where the depth it loops at is a chunk
boundary, every call there maps and unmaps a chunk. Whether it is depends on the depth the render was called
from. For the 187-page benchmark brief it was 250,000 `mmap`/`munmap` pairs and 1.5 s of system time, a
tenth of its render; for the 49-page brief, 24,000.

`call_with_room(function, *args)` calls `function` from a frame that reserves half of a 1 MiB chunk (as
evaluation stack it never uses, so never touched): the frames of the call go in the other half, in one
chunk, mapped once.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

WORD = 8  # bytes of a stack slot (a pointer)
CHUNK = 1 << 20  # bytes of the chunk that CPython maps for the reserving frame (the next power of two)
# Slots the reserving frame takes: half the chunk. CPython maps, for a frame of n slots, the smallest power of
# two of at least 16 KiB holding n + 1000 slots: one of 1 MiB for this one, leaving its other half free.
RESERVED = CHUNK // 2 // WORD


def _call(function: Callable[..., T], *args: object) -> T:
    return function(*args)


_code = _call.__code__
_reserving: Callable[..., Any] = types.FunctionType(
    _code.replace(co_stacksize=max(_code.co_stacksize, RESERVED - _code.co_nlocals)), _call.__globals__
)


def call_with_room(function: Callable[..., T], *args: object) -> T:
    """`function(*args)`, its frames and their calls in a data stack chunk with 512 KiB free."""
    result: T = _reserving(function, *args)
    return result
