"""The record model: pydantic v2 models for every record a desk holds.

These models are the input contract (README "A desk", exported as JSON Schema by `briefgen schema`).
Unknown keys are rejected, enums are closed, ids follow the slug pattern, single-line fields refuse
control and bidirectional-override characters, and every text has a length bound.

Items come in two shapes: in a source record an item is complete (`SourceDevelopment` needs a summary); in a
brief record an item may be an override of an item with the same id (`DevelopmentPatch`, every field
but the id optional). Whether an item is complete after merging is checked by `compose`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Self

from pydantic import BeforeValidator, EmailStr, Field, StringConstraints, model_validator

from briefgen.desk.fields import (
    MAX_ITEMS,
    IsoDate,
    IsoDatetime,
    IsoWhen,
    Language,
    Line,
    Record,
    Slug,
    SourceText,
    Text,
    Url,
    Verbatim,
)
from briefgen.desk.ingest_block import IngestBlock
from briefgen.desk.portions import Bullet, Downgrade, Editions
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

# --- citations and dates -------------------------------------------------------------------------


class Citation(Record):
    """One citation: a source id with an optional locator, quote and attribution."""

    source: Slug
    para: Annotated[int, Field(ge=1, le=10_000)] | None = None
    quote: Annotated[str, StringConstraints(min_length=1, max_length=2_000), Verbatim] | None = None
    via: Line | None = None
    anonymous: bool = False

    @property
    def locator(self) -> str | None:
        return f"para {self.para}" if self.para is not None else None


def _citation_from_id(value: Any) -> Any:
    return {"source": value} if isinstance(value, str) else value


CitationField = Annotated[
    Citation,
    BeforeValidator(_citation_from_id, json_schema_input_type=Slug | Citation),
]
Cites = Annotated[list[CitationField], Field(max_length=MAX_ITEMS)]


class DateMapping(Record):
    """A date as the source reported it, beside what it means (`on`, when it is known)."""

    on: IsoWhen | None = None
    as_reported: Line | None = None
    precision: Precision | None = None

    @model_validator(mode="after")
    def _something_given(self) -> Self:
        if self.on is None and self.as_reported is None:
            raise ValueError("a date mapping needs `on`, `as_reported` or both")
        return self


def _date_mapping_from_value(value: Any) -> Any:
    if isinstance(value, str | date):
        return {"on": value}
    return value


Occurred = Annotated[
    DateMapping,
    BeforeValidator(_date_mapping_from_value, json_schema_input_type=IsoWhen | DateMapping),
]


# --- items ---------------------------------------------------------------------------------------


class Variant(Record):
    """What an edition below a portion's marking shows in its place (`releasable_as`): only what it says
    here, never a field of the full portion."""

    marking: Marking
    downgrade: Downgrade | None = None
    cites: Cites = []


class DevelopmentVariant(Variant):
    summary: Line
    detail: Text | None = None
    status: Status | None = None
    kind: DevelopmentKind | None = None
    occurred: Occurred | None = None
    where: Line | None = None
    theme: Line | None = None


class ActorVariant(Variant):
    name: Line
    type: ActorType | None = None
    role: Text | None = None


class QuestionVariant(Variant):
    question: Line
    kind: QuestionKind | None = None
    status: QuestionStatus | None = None
    why: Text | None = None
    watch_for: Annotated[list[Line], Field(max_length=100)] = []
    answer: Text | None = None


class ActorRole(Record):
    """An actor's part in a development: `actor` is an actor id, name or alias."""

    actor: Line
    role: Line | None = None


def _actor_role_from_name(value: Any) -> Any:
    return {"actor": value} if isinstance(value, str) else value


ActorRef = Annotated[
    ActorRole,
    BeforeValidator(_actor_role_from_name, json_schema_input_type=Line | ActorRole),
]


class DevelopmentPatch(Record):
    """A development as a brief record may give it: any field but `id` may be left to the sources."""

    id: Slug
    summary: Line | None = None
    detail: Text | None = None
    status: Status | None = None
    kind: DevelopmentKind | None = None
    occurred: Occurred | None = None
    where: Line | None = None
    credibility: Annotated[int, Field(ge=1, le=6)] | None = None
    actors: Annotated[list[ActorRef], Field(max_length=200)] = []
    cites: Cites = []
    theme: Line | None = None
    marking: Marking | None = None
    downgrade: Downgrade | None = None
    releasable_as: DevelopmentVariant | None = None


class SourceDevelopment(DevelopmentPatch):
    """A development taken from a source: something that happened, is reported or is expected. Its
    `summary` may be left to another source of the brief that reports it, or to the brief record: a
    source that only corroborates a development gives its `id` and `cites`."""


class ActorPatch(Record):
    id: Slug
    name: Line | None = None
    aliases: Annotated[list[Line], Field(max_length=100)] = []
    type: ActorType | None = None
    parent: Slug | None = None
    role: Text | None = None
    cites: Cites = []
    marking: Marking | None = None
    downgrade: Downgrade | None = None
    releasable_as: ActorVariant | None = None


class SourceActor(ActorPatch):
    """A state, body, person or group that takes part in developments."""

    name: Line


class OpenQuestionPatch(Record):
    id: Slug
    question: Line | None = None
    kind: QuestionKind | None = None
    status: QuestionStatus | None = None
    why: Text | None = None
    watch_for: Annotated[list[Line], Field(max_length=100)] = []
    answer: Text | None = None
    cites: Cites = []
    marking: Marking | None = None
    downgrade: Downgrade | None = None
    releasable_as: QuestionVariant | None = None


class SourceQuestion(OpenQuestionPatch):
    """A question the desk cannot answer yet, with what to watch for."""

    question: Line


class BriefDevelopment(DevelopmentPatch):
    """A development in a brief record: an override or the editor's own, with its place in the brief."""

    order: (
        Annotated[
            int,
            Field(
                ge=0,
                le=100_000,
                description="The development's place in the brief, lower first; developments without one follow "
                "by theme, latest date and strength of sourcing (docs/sourcing.md).",
            ),
        ]
        | None
    ) = None


class BriefStatement(Record):
    """One side of a discrepancy: what is said, and who says it."""

    value: Line
    cites: Annotated[list[CitationField], Field(min_length=1, max_length=MAX_ITEMS)]


class BriefDiscrepancy(Record):
    """Sources that disagree (or may describe different events), each value beside its sources.

    With the id of a discrepancy the build finds (`<development>-date`, `-place`, `-status`) it is the
    editor's decision on that one and replaces it: `topic`, `kind` and `statements` may then be left to the
    build. Otherwise `topic`, `kind` and two or more `statements` are needed (checked by `compose`).
    """

    id: Slug
    topic: Line | None = None
    kind: DiscrepancyKind | None = None
    status: DiscrepancyStatus = DiscrepancyStatus.UNRESOLVED
    statements: Annotated[list[BriefStatement], Field(max_length=100)] = []
    note: Text | None = None
    marking: Marking | None = None
    downgrade: Downgrade | None = None

    @model_validator(mode="after")
    def _two_sides(self) -> Self:
        if len(self.statements) == 1:
            raise ValueError("a discrepancy needs two or more statements (or none, to decide one the build finds)")
        return self


# --- source and brief records --------------------------------------------------------------------


class SourceDocument(Record):
    """The document a source record describes."""

    id: Slug
    title: Line
    outlet: Line | None = None
    type: SourceType = SourceType.UNKNOWN
    authors: Annotated[list[Line], Field(max_length=100)] = []
    dateline: Line | None = None
    published: IsoWhen | None = None
    accessed: IsoWhen | None = None
    url: Url | None = None
    language: Language = "en"
    reliability: Reliability = Reliability.F
    marking: Marking | None = None
    descriptor: Line | None = None  # how an edition that may not name the source describes it
    relays: Annotated[list[Line], Field(max_length=100)] = []
    note: Text | None = None
    text: SourceText | None = None


WarningCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$"), Verbatim]


class Acknowledgement(Record):
    """A warning of this record that an editor has read and accepts, with why: `--strict` then passes.

    `warning` is the warning's code (`briefgen validate --format json` shows it); `field`, when given,
    limits it to that field and the fields under it. One that matches no warning is itself a warning."""

    warning: WarningCode
    field: Line | None = None
    reason: Line


Acknowledgements = Annotated[list[Acknowledgement], Field(max_length=MAX_ITEMS)]


class SourceRecord(Record):
    """`sources/*.yaml`: one source document and the items the analyst took from it."""

    source: SourceDocument
    developments: Annotated[list[SourceDevelopment], Field(max_length=MAX_ITEMS)] = []
    actors: Annotated[list[SourceActor], Field(max_length=MAX_ITEMS)] = []
    open_questions: Annotated[list[SourceQuestion], Field(max_length=MAX_ITEMS)] = []
    ingest: IngestBlock | None = None  # written by `briefgen ingest`; ignored by builds
    acknowledge: Acknowledgements = []


SourcePattern = Annotated[str, StringConstraints(pattern=r"^[a-z0-9*?\[\]!-]{1,80}$"), Verbatim]


class Brief(Record):
    """One edition of a brief: what goes in, how it is marked."""

    id: Slug
    title: Line
    date: IsoDate
    issued: IsoDatetime | None = None
    cutoff: IsoDatetime | None = None
    marking: Marking
    restrictions: Line | None = None
    downgrade_reason: Line | None = None
    product: Product = Product.DAILY_UPDATE
    authors: Annotated[list[Line], Field(max_length=100)] = []
    language: Language = "en"
    sources: Annotated[list[SourcePattern], Field(max_length=MAX_ITEMS)] | None = None
    bluf: Annotated[list[Bullet], Field(min_length=1, max_length=7)]
    outlook: Bullet | None = None
    lists: Annotated[list[Slug], Field(max_length=100)] = []
    template: Slug = "brief"
    correction: Line | None = None
    editions: Editions = []


class BriefRecord(Record):
    """`briefs/*.yaml`: one edition, with the editor's own items and overrides."""

    brief: Brief
    developments: Annotated[list[BriefDevelopment], Field(max_length=MAX_ITEMS)] = []
    actors: Annotated[list[ActorPatch], Field(max_length=MAX_ITEMS)] = []
    open_questions: Annotated[list[OpenQuestionPatch], Field(max_length=MAX_ITEMS)] = []
    discrepancies: Annotated[list[BriefDiscrepancy], Field(max_length=MAX_ITEMS)] = []
    acknowledge: Acknowledgements = []


# --- distribution lists --------------------------------------------------------------------------


class Member(Record):
    name: Line
    email: EmailStr


class DistributionList(Record):
    """`lists/*.yaml`: who receives editions, and the most restrictive marking they may receive."""

    id: Slug
    name: Line
    clearance: Marking
    members: Annotated[list[Member], Field(max_length=10_000)] = []
    unsubscribe: (
        Annotated[str, StringConstraints(pattern=r"^(https?|mailto):\S+$", max_length=500), Verbatim] | None
    ) = None
    allowed_domains: Annotated[list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9.-]+$")]], Field()] = []

    @model_validator(mode="after")
    def _members_in_allowed_domains(self) -> Self:
        if self.allowed_domains:
            for index, member in enumerate(self.members):
                domain = member.email.rsplit("@", 1)[-1].lower()
                if domain not in self.allowed_domains:
                    raise ValueError(
                        f"members[{index}].email: {member.email} is outside the allowed domains "
                        f"({', '.join(self.allowed_domains)})"
                    )
        return self
