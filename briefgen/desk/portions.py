"""Portion markings in records: what lets one brief be released at several clearances (README "Editions for
each audience").

A development, actor, open question or discrepancy, a BLUF bullet and the outlook may carry its own TLP
`marking` (a portion marking); an unmarked portion takes the brief's marking, so releasing a portion lower
is always a deliberate act. A portion marked below a source it cites needs a `downgrade` that says why and
who authorised it. `releasable_as` gives a sanitised variant of a portion for editions that may not hold
the full one. `brief.editions` lists the clearances to build, each with its lists and optional overrides.
The rules that use these fields are in `briefgen.compose.audience`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Protocol

from pydantic import Discriminator, Field, Tag

from briefgen.desk.fields import Line, Record, Slug, Text
from briefgen.desk.vocabulary import Marking


class Downgrade(Record):
    """Why a portion may be released below a source it cites, and who authorised it."""

    reason: Line
    authorized_by: Line


class MarkedText(Record):
    """A BLUF bullet or the outlook with its own marking (a plain string takes the brief's)."""

    text: Text
    marking: Marking
    downgrade: Downgrade | None = None


def _bullet_shape(value: object) -> str:
    return "(marked)" if isinstance(value, dict | MarkedText) else "(text)"


# A string, or a mapping with a marking: one shape is validated, so a mistake gets one located message.
# The tags, in parentheses, are left out of the field paths diagnostics show (`briefgen.desk.loader`).
Bullet = Annotated[
    Annotated[Text, Tag("(text)")] | Annotated[MarkedText, Tag("(marked)")], Discriminator(_bullet_shape)
]


class BriefLike(Protocol):
    @property
    def bluf(self) -> Sequence[str | MarkedText]: ...

    @property
    def outlook(self) -> str | MarkedText | None: ...


def bullet_text(bullet: str | MarkedText) -> str:
    return bullet if isinstance(bullet, str) else bullet.text


def bullet_fields(brief: BriefLike) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Each BLUF bullet's and the outlook's text, with where it is in the brief record."""
    for index, bullet in enumerate(brief.bluf):
        yield ("brief", "bluf", index, *(() if isinstance(bullet, str) else ("text",))), bullet_text(bullet)
    if brief.outlook is not None:
        yield ("brief", "outlook", *(() if isinstance(brief.outlook, str) else ("text",))), bullet_text(brief.outlook)


class CompilationMarking(Record):
    """A marking above the strictest portion of an edition, for what the portions reveal together."""

    marking: Marking
    reason: Line


class EditionSpec(Record):
    """One audience's edition of a brief: the clearance it is built for, the lists that want it, and what it
    says differently from the brief (its own title and BLUF)."""

    clearance: Marking
    lists: Annotated[list[Slug], Field(max_length=100)] = []
    title: Line | None = None
    bluf: Annotated[list[Bullet], Field(min_length=1, max_length=7)] | None = None
    compilation_marking: CompilationMarking | None = None


Editions = Annotated[list[EditionSpec], Field(max_length=len(Marking))]
