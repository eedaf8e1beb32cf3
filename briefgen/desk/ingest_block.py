"""The `ingest:` block of a source record: how ingest filled each field, what it removed, what the
analyst must review, and candidates ready to paste into `cites`.

Allowed in every source record (the record format and the JSON Schema include it); briefgen's build
ignores it. `--accept` keeps it in the accepted record, with its hashes, so a file is never ingested
twice. This module depends on pydantic only, so that `briefgen.desk.models` can import it.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Short = Annotated[str, StringConstraints(min_length=1, max_length=2_000)]
Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Para = Annotated[int, Field(ge=1, le=10_000)]
Many = 10_000


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Confidence(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


class FieldNote(_Block):
    """How one field of `source:` was filled (`origin`), and how sure ingest is."""

    field: Short
    origin: Short
    confidence: Confidence
    note: Short | None = None


class RemovedLine(_Block):
    """A line of the input that is not in `text` (title, byline, date stamp, credit, junk, repeat)."""

    line: Annotated[int, Field(ge=1)]
    kind: Short
    text: Short
    note: Short | None = None


class RemovedCharacter(_Block):
    """Invisible characters stripped from the text: which, how many, on which lines."""

    char: Annotated[str, StringConstraints(pattern=r"^U\+[0-9A-F]{4,6}$")]
    name: Short
    count: Annotated[int, Field(ge=1)]
    lines: Annotated[list[int], Field(max_length=Many)]


class RemovedMarkup(_Block):
    """Elements of a saved page dropped unread (scripts, frames, external resources)."""

    element: Short
    count: Annotated[int, Field(ge=1)]


class ReviewItem(_Block):
    """Something the analyst must decide; `--accept` refuses a draft while any is left."""

    field: Short
    message: Short


class CiteCandidate(_Block):
    """A citation ready to paste into `cites` (the shape of the record format's citation)."""

    source: Short
    para: Para
    quote: Short | None = None
    via: Short | None = None
    anonymous: bool = False


class AttributionCandidate(_Block):
    para: Para
    who: Short
    cue: Short
    anonymous: bool
    outlet: Short | None = None
    cite: CiteCandidate


class DateReading(_Block):
    on: date | None = None
    reason: Short | None = None


class DateCandidate(_Block):
    """A day word of the text, resolved by the desk's rules for a past and for a future status."""

    para: Para
    phrase: Short
    if_past: DateReading
    if_future: DateReading


class ActorMention(_Block):
    para: Para
    actor: Short
    written: Short


class QuoteCandidate(_Block):
    para: Para
    cite: CiteCandidate


class NearDuplicate(_Block):
    para: Para
    of: Para
    similarity: Annotated[int, Field(ge=0, le=100)]


class Overlap(_Block):
    """Paragraphs that (nearly) repeat those of a source already in the desk."""

    source: Short
    paragraphs: Annotated[list[Para], Field(max_length=Many)]


class Candidates(_Block):
    attributions: Annotated[list[AttributionCandidate], Field(max_length=Many)] = []
    dates: Annotated[list[DateCandidate], Field(max_length=Many)] = []
    actors: Annotated[list[ActorMention], Field(max_length=Many)] = []
    quotes: Annotated[list[QuoteCandidate], Field(max_length=Many)] = []


class IngestBlock(_Block):
    """`ingest:` in a source record: written by `briefgen ingest`, kept by `--accept`."""

    file: Short
    raw_sha256: Hash
    text_sha256: Hash
    fields: Annotated[list[FieldNote], Field(max_length=100)] = []
    removed: Annotated[list[RemovedLine], Field(max_length=Many)] = []
    removed_characters: Annotated[list[RemovedCharacter], Field(max_length=100)] = []
    removed_markup: Annotated[list[RemovedMarkup], Field(max_length=100)] = []
    near_duplicates: Annotated[list[NearDuplicate], Field(max_length=Many)] = []
    overlaps: Annotated[list[Overlap], Field(max_length=Many)] = []
    review: Annotated[list[ReviewItem], Field(max_length=Many)] = []
    candidates: Candidates = Candidates()
