"""The sandbox desk templates run in: Jinja's immutable sandbox, with a time and memory budget and with
every operation that grows a value bounded by the size of its result.

Templates are untrusted (editors write them; a desk may be shared). Jinja's sandbox already refuses
unsafe attributes and bounds `range`; on top of it:

- a **budget** per render (`[limits] render_seconds` and `render_memory`, the limits of PDF renders): the
  compiled template checks it at every loop iteration and every call, so nested loops stop at the
  deadline and a render whose memory grows past the budget stops, in any thread;
- **bounded growth**: `*`, `**`, `%`, `str.format`, `ljust`/`rjust`/`center`/`zfill`/`expandtabs`/`replace`
  and the filters `center`, `indent`, `format`, `replace`, `batch`, `slice` are refused when their
  result would exceed `MAX_RESULT` characters (or `MAX_INT_BITS` bits), judged from the operands before
  anything is allocated;
- nothing random: `random` and `lipsum` are removed (outputs must be reproducible).

Every refusal is a `SecurityError`; the caller reports it with the template's file and line.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jinja2
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_RESULT = 1_000_000  # characters (or items) one operation may produce
MAX_INT_BITS = 100_000  # bits of the largest integer one operation may produce (about 30,000 digits)
_FORMAT_WIDTH = re.compile(r"%[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?|\{[^{}]*?:[^{}]*?(\d+)[^{}]*\}")
_PAGE_BYTES = os.sysconf("SC_PAGESIZE") if hasattr(os, "sysconf") else 4096


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_BYTES
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class RenderBudget:
    """How long a render may take and how much memory it may add."""

    seconds: float = 600.0
    memory_mib: int = 4096
    deadline: float = 0.0
    memory_limit: int = 0
    ticks: int = field(default=0)

    def start(self) -> None:
        self.deadline = time.monotonic() + self.seconds
        self.memory_limit = _rss_bytes() + self.memory_mib * 1024 * 1024
        self.ticks = 0

    def spend(self) -> None:
        self.ticks += 1
        if self.ticks & 63:  # the clock every 64 steps, the memory every 1,024: cheap enough for every loop
            return
        if time.monotonic() > self.deadline:
            raise SecurityError(
                f"the template took longer than its budget of {self.seconds:g} s ([limits] render_seconds)"
            )
        if self.ticks % 1024 == 0 and _rss_bytes() > self.memory_limit:
            raise SecurityError(
                f"the template used more memory than its budget of {self.memory_mib} MiB ([limits] render_memory)"
            )


_current: contextvars.ContextVar[RenderBudget | None] = contextvars.ContextVar("briefgen_render_budget", default=None)


@contextlib.contextmanager
def budget(limits: RenderBudget) -> Iterator[None]:
    """Run one render within `limits` (in this thread or task)."""
    limits.start()
    token = _current.set(limits)
    try:
        yield
    finally:
        _current.reset(token)


def _spend() -> None:
    current = _current.get()
    if current is not None:
        current.spend()


class _BudgetedCodeGenerator(CodeGenerator):
    """Compiles a budget check into the body of every loop."""

    def blockvisit(self, nodes: Any, frame: Frame) -> None:
        if frame.loop_frame:
            self.writeline("environment.spend_budget()")
        super().blockvisit(nodes, frame)


def _refuse(size: float, what: str) -> None:
    if size > MAX_RESULT:
        raise SecurityError(f"{what} would make {size:,.0f} characters; the limit is {MAX_RESULT:,}")


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple | dict) else len(str(value))


def _format_growth(template: str, width_args: tuple[Any, ...] = ()) -> int:
    """The largest width or precision a %-format or str.format template asks for."""
    widest = 0
    for match in _FORMAT_WIDTH.finditer(template):
        for group in match.groups():
            if group and group.isdigit():
                widest = max(widest, int(group))
            elif group == "*":
                widest = max(widest, *(abs(a) for a in width_args if isinstance(a, int)), 0)
    return widest


def _check_int_growth(operator: str, left: Any, right: Any) -> None:
    if not (isinstance(left, int) and isinstance(right, int)) or isinstance(left, bool) or isinstance(right, bool):
        return
    if operator == "**" and right > 0:
        bits = max(left.bit_length(), 1) * right
    elif operator == "*":
        bits = left.bit_length() + right.bit_length()
    elif operator == "<<":
        bits = left.bit_length() + max(right, 0)
    else:
        return
    if bits > MAX_INT_BITS:
        raise SecurityError(f"the number would have about {bits * math.log10(2):,.0f} digits; that is too large")


_GROWING_METHODS = {"ljust", "rjust", "center", "zfill"}


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with a budget and bounded growth (see the module's docstring)."""

    intercepted_binops = frozenset({"*", "**", "%", "<<"})
    code_generator_class = _BudgetedCodeGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals.pop("lipsum", None)
        for name in ("random",):
            self.filters.pop(name, None)
        for name, wrapper in _BOUNDED_FILTERS.items():
            if name in self.filters:
                self.filters[name] = wrapper(self.filters[name])

    def spend_budget(self) -> None:
        _spend()

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`str.format` and `format_map`, refused when the widths their template asks for are too large."""
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            template = value.__self__
            _refuse(len(template) + _format_growth(template) * max(template.count("{"), 1), "str.format")
        return wrapped

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        _spend()
        _check_int_growth(operator, left, right)
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(count, int):
                    _refuse(len(sequence) * count, "repeating a sequence")
        if operator == "%" and isinstance(left, str):
            arguments = right if isinstance(right, tuple) else (right,)
            _refuse(len(left) + _format_growth(left, arguments) * max(len(arguments), 1), "formatting")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in _GROWING_METHODS and args and isinstance(args[0], int):
                _refuse(args[0], f"str.{name}")
            elif name == "expandtabs":
                size = args[0] if args and isinstance(args[0], int) else 8
                _refuse(len(owner) + owner.count("\t") * size, "str.expandtabs")
            elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
                count = owner.count(args[0]) if args[0] else len(owner) + 1
                _refuse(len(owner) + count * len(args[1]), "str.replace")
        return super().call(__context, __obj, *args, **kwargs)


def _bounded_center(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    def center(value: Any, width: int = 80) -> Any:
        _refuse(max(_length(value), width if isinstance(width, int) else 0), "the center filter")
        return filter_function(value, width)

    return center


def _bounded_indent(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    def indent(value: Any, width: int | str = 4, *args: Any, **kwargs: Any) -> Any:
        text = str(value)
        step = width if isinstance(width, int) else len(str(width))
        _refuse(len(text) + (text.count("\n") + 1) * step, "the indent filter")
        return filter_function(value, width, *args, **kwargs)

    return indent


def _bounded_format(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    def format_filter(value: Any, *args: Any, **kwargs: Any) -> Any:
        text = str(value)
        _refuse(len(text) + _format_growth(text, args) * max(len(args) + len(kwargs), 1), "the format filter")
        return filter_function(value, *args, **kwargs)

    return format_filter


def _bounded_replace(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    @jinja2.pass_eval_context
    def replace(eval_ctx: Any, value: Any, old: Any, new: Any, count: int | None = None) -> Any:
        text, old_text, new_text = str(value), str(old), str(new)
        occurrences = text.count(old_text) if old_text else len(text) + 1
        if count is not None and isinstance(count, int):
            occurrences = min(occurrences, max(count, 0))
        _refuse(len(text) + occurrences * len(new_text), "the replace filter")
        return filter_function(eval_ctx, value, old, new, count)

    return replace


def _bounded_slicing(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    def slicing(value: Any, count: int, *args: Any, **kwargs: Any) -> Any:
        if isinstance(count, int) and count > MAX_RESULT:
            raise SecurityError(f"{count:,} slices or batches is more than the limit of {MAX_RESULT:,}")
        return filter_function(value, count, *args, **kwargs)

    return slicing


_BOUNDED_FILTERS: dict[str, Callable[[Callable[..., Any]], Callable[..., Any]]] = {
    "center": _bounded_center,
    "indent": _bounded_indent,
    "format": _bounded_format,
    "replace": _bounded_replace,
    "batch": _bounded_slicing,
    "slice": _bounded_slicing,
}
