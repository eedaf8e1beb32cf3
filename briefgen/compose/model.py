"""The composed brief: what `compose` produces and every output renders.

These are plain, frozen data (pydantic models, so the JSON edition is `model_dump_json` with a stable key
order). Templates see exactly these fields; the template context reference is generated from them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from briefgen.desk.vocabulary import (
    ActorType,
    DevelopmentKind,
    DiscrepancyKind,
    DiscrepancyStatus,
    Marking,
    Precision,
    Product,
    QuestionKind,
    QuestionStatus,
    Reliability,
    SourceType,
    Status,
)

SCHEMA_VERSION = 2


class Composed(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Cite(Composed):
    """A resolved citation: the source id, where in it, and how the source knows."""

    source: str
    locator: str | None = None
    quote: str | None = None
    via: str | None = None
    anonymous: bool = False


class UnresolvedCode(enum.StrEnum):
    """Why a reported date could not be resolved (the brief says it in its own language)."""

    NO_SOURCE = "no_source"  # no source is cited to date it
    NO_DAY_WORDS = "no_day_words"  # briefgen knows no day words for the source's `language`
    NOT_A_DAY = "not_a_day"  # the `phrase` names no day
    SEVERAL_DAYS = "several_days"  # the `phrase` names more than one day (its `words`)
    NO_PUBLICATION_DATE = "no_publication_date"  # the source has no publication date to count from
    SAME_WEEKDAY = "same_weekday"  # a future weekday that is the publication's own: today or in a week?


class UnresolvedReason(Composed):
    """Why a date is unresolved, as a code with the values its sentence needs."""

    code: UnresolvedCode
    phrase: str | None = None  # the reported phrase, for not_a_day and several_days
    language: str | None = None  # the source's language, for no_day_words
    words: list[str] = []  # the day words found, for several_days


class When(Composed):
    """A date as reported and as resolved. `on` is None when the date could not be resolved."""

    on: date | datetime | None
    as_reported: str | None = None
    precision: Precision = Precision.DAY
    resolved_from: str | None = None  # the source whose publication date resolved a day word
    unresolved: str | None = None  # when `on` is None: why, in English ("the source has no publication date")
    unresolved_reason: UnresolvedReason | None = None  # the same as a code and values, for the brief's words


class Corroboration(enum.StrEnum):
    """How many independent originators stand behind a development (disagreement is a flag beside it)."""

    SINGLE_SOURCE = "single_source"
    MULTIPLE_DEPENDENT = "multiple_dependent"
    MULTIPLE_INDEPENDENT = "multiple_independent"


class Sourcing(Composed):
    """How well a development is sourced: computed from its citations, never typed. A count with flags:
    `independent` originators, `dependent` copies of them, `anonymous` (the independent originators cited
    only anonymously), `anonymous_only` (every citation is anonymous), and `differ_on` (the facts the
    sources disagree on: date, place, status)."""

    corroboration: Corroboration
    sources: int
    independent: int
    dependent: int
    originators: list[list[str]]  # each inner list is one independent originator's source ids
    anonymous: int = 0
    anonymous_only: bool
    differ_on: list[str] = []


class Alternatives(Composed):
    """Every value the sources give for a fact they disagree on, when the brief record sets none."""

    status: list[Status] = []
    occurred: list[When] = []
    where: list[str] = []


class ActorPart(Composed):
    actor: str
    name: str
    role: str | None = None


class Development(Composed):
    id: str
    summary: str
    detail: str | None
    status: Status
    kind: DevelopmentKind
    occurred: When | None
    where: str | None
    credibility: int | None
    actors: list[ActorPart]
    cites: list[Cite]
    theme: str | None
    sourcing: Sourcing
    discrepancies: list[str]  # ids of discrepancies about this development
    alternatives: Alternatives = Alternatives()
    assessed: list[str] = []  # facts (status, date, place) the brief record sets: the desk's assessment


class Actor(Composed):
    id: str
    name: str
    aliases: list[str]
    type: ActorType | None
    parent: str | None
    role: str | None
    cites: list[Cite]


class OpenQuestion(Composed):
    id: str
    question: str
    kind: QuestionKind
    status: QuestionStatus
    why: str | None
    watch_for: list[str]
    answer: str | None
    cites: list[Cite]
    answer_cites: list[Cite] = []  # the record that gave the answer


class Statement(Composed):
    """One side of a discrepancy: what is reported and who reports it; `anonymous_only` when every one of
    its citations is anonymous (a claim from an unnamed official beside a named denial)."""

    value: str
    cites: list[Cite]
    anonymous_only: bool = False

    @classmethod
    def of(cls, value: str, cites: list[Cite]) -> Statement:
        return cls(value=value, cites=cites, anonymous_only=bool(cites) and all(c.anonymous for c in cites))


class Discrepancy(Composed):
    id: str
    topic: str
    kind: DiscrepancyKind
    status: DiscrepancyStatus
    statements: list[Statement]
    note: str | None
    found_by_build: bool
    development: str | None = None
    decided_by_editor: bool = False  # the brief record gives a decision on a discrepancy the build found


class Source(Composed):
    id: str
    title: str
    outlet: str | None
    type: SourceType
    authors: list[str]
    dateline: str | None
    published: date | datetime | None
    url: str | None
    language: str
    reliability: Reliability
    marking: Marking | None
    relays: list[str]  # display names of what it relays
    note: str | None
    # In an audience's edition, a withheld source that gives a `descriptor`: `title` is the descriptor, and
    # nothing else of the source is shown (README "Editions for each audience").
    described_only: bool = Field(default=False, exclude_if=lambda shown: not shown)  # in the JSON only when true


class Endnote(Composed):
    """A numbered endnote: one per source, numbered in order of first call in the rendered brief."""

    number: int
    source: str
    locators: list[str]


class ItemRef(Composed):
    """An item named in the changes section: its id and its headline (summary or question)."""

    id: str
    text: str


class FieldChange(Composed):
    """One fact field of a development that differs from the previous edition, as displayed."""

    field: str  # status | date | place | corroboration
    before: str
    after: str


class ChangedDevelopment(Composed):
    id: str
    text: str
    fields: list[FieldChange]


class Changes(Composed):
    """What differs from the previous edition of the same brief (found in the output archive)."""

    previous: date | None  # None: no earlier edition of this brief was found (or it could not be read)
    unreadable: date | None = None  # an earlier edition of this date is in the archive but could not be read
    # The edition before this one was marked above it (a brief re-marked lower): nothing of it is shown.
    marked_above: date | None = Field(default=None, exclude_if=lambda day: day is None)
    new_developments: list[ItemRef] = []
    changed_developments: list[ChangedDevelopment] = []
    dropped_developments: list[ItemRef] = []
    new_questions: list[ItemRef] = []
    answered_questions: list[ItemRef] = []
    dropped_questions: list[ItemRef] = []

    @property
    def first(self) -> bool:
        return self.previous is None and self.unreadable is None and self.marked_above is None

    @property
    def none(self) -> bool:
        """True when an earlier edition exists and nothing tracked changed."""
        return self.previous is not None and not (
            self.new_developments
            or self.changed_developments
            or self.dropped_developments
            or self.new_questions
            or self.answered_questions
            or self.dropped_questions
        )


class ComposedBrief(Composed):
    """One edition, after merging: the single input of every output."""

    schema_version: int = SCHEMA_VERSION
    id: str
    title: str
    date: date
    issued: datetime | None
    cutoff: datetime | None
    timezone: str
    marking: Marking
    restrictions: str | None
    downgrade_reason: str | None
    product: Product
    authors: list[str]
    language: str
    desk: str
    template: str
    lists: list[str]
    bluf: list[str]
    outlook: str | None
    developments: list[Development]
    discrepancies: list[Discrepancy]
    actors: list[Actor]
    open_questions: list[OpenQuestion]
    sources: list[Source]
    changes: Changes | None = None
    endnotes: list[Endnote] = []
    correction: str | None = None  # what a corrected edition corrects, shown at its top

    @property
    def issued_at(self) -> datetime:
        """When the edition was issued: `issued`, else the start of its date in the desk's time zone (never
        the clock or the machine's time zone, so that the same records give the same bytes)."""
        return self.issued or datetime.combine(self.date, time(), ZoneInfo(self.timezone))

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)
