"""How many of something, in the words of briefgen's own output: `1 page`, `2 editions`, `1 process`.

The command line (and the preview's notices) speak English; the plural forms are the message catalog's
(`briefgen/render/locale`, `ngettext`), one message per thing counted, so that no message builds a plural
by hand. The catalog is read when a count is first written (not when a command module is imported).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from briefgen.render.words import Words

Counted = Literal[
    "delivery",
    "desk error",
    "edition",
    "error",
    "message",
    "note",
    "open review item",
    "page",
    "process",
    "recipient",
    "record file",
    "warning",
]

_MESSAGES: dict[Counted, Callable[[Words, int], str]] = {
    "delivery": lambda w, n: w.ngettext("%(num)d delivery", "%(num)d deliveries", n),
    "desk error": lambda w, n: w.ngettext("%(num)d desk error", "%(num)d desk errors", n),
    "edition": lambda w, n: w.ngettext("%(num)d edition", "%(num)d editions", n),
    "error": lambda w, n: w.ngettext("%(num)d error", "%(num)d errors", n),
    "message": lambda w, n: w.ngettext("%(num)d message", "%(num)d messages", n),
    "note": lambda w, n: w.ngettext("%(num)d note", "%(num)d notes", n),
    "open review item": lambda w, n: w.ngettext("%(num)d open review item", "%(num)d open review items", n),
    "page": lambda w, n: w.ngettext("%(num)d page", "%(num)d pages", n),
    "process": lambda w, n: w.ngettext("%(num)d process", "%(num)d processes", n),
    "recipient": lambda w, n: w.ngettext("%(num)d recipient", "%(num)d recipients", n),
    "record file": lambda w, n: w.ngettext("%(num)d record file", "%(num)d record files", n),
    "warning": lambda w, n: w.ngettext("%(num)d warning", "%(num)d warnings", n),
}


def counted(number: int, thing: Counted) -> str:
    """`number` of `thing`, as the command line writes it (`counted(1, "page")` is `1 page`)."""
    from briefgen.render.words import words_for

    return _MESSAGES[thing](words_for("en"), number)
