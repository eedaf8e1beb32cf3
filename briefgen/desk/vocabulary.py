"""The closed vocabularies of the record format: markings, source types, Admiralty scales, statuses and
kinds, and the output formats. Every record field that takes one of these words is validated against them.
"""

from __future__ import annotations

import enum

TLP_COLOURS = {
    "TLP:CLEAR": "#FFFFFF",
    "TLP:GREEN": "#33FF00",
    "TLP:AMBER": "#FFC000",
    "TLP:AMBER+STRICT": "#FFC000",
    "TLP:RED": "#FF2B2B",
}


class Marking(enum.StrEnum):
    """TLP 2.0 markings, from least to most restrictive."""

    CLEAR = "TLP:CLEAR"
    GREEN = "TLP:GREEN"
    AMBER = "TLP:AMBER"
    AMBER_STRICT = "TLP:AMBER+STRICT"
    RED = "TLP:RED"

    @property
    def rank(self) -> int:
        """0 (CLEAR) to 4 (RED): compared for every source of every edition, so read from a table."""
        return _MARKING_RANKS[self]

    @property
    def label(self) -> str:
        return self.value

    @property
    def colour(self) -> str:
        """The TLP 2.0 colour of the label's text (on black)."""
        return TLP_COLOURS[self.value]

    @property
    def css_class(self) -> str:
        """The marking as a CSS class word: `green`, `amber-strict`..."""
        return self.value.split(":")[1].lower().replace("+", "-")

    @property
    def audience(self) -> str:
        """The marking as the audience part of file names: `tlp-clear` (`brief@tlp-clear.pdf`)."""
        return f"tlp-{self.css_class}"

    @classmethod
    def of_audience(cls, word: str) -> Marking | None:
        return next((m for m in cls if m.audience == word), None)


_MARKING_RANKS = {marking: index for index, marking in enumerate(Marking)}


class SourceType(enum.StrEnum):
    WIRE = "wire"
    NEWS_AGENCY = "news_agency"
    NEWSPAPER = "newspaper"
    BROADCASTER = "broadcaster"
    ONLINE_OUTLET = "online_outlet"
    AGGREGATOR = "aggregator"
    OFFICIAL_STATEMENT = "official_statement"
    GOVERNMENT_DOC = "government_doc"
    IO_NGO = "io_ngo"
    THINK_TANK = "think_tank"
    SOCIAL_MEDIA = "social_media"
    DATASET = "dataset"
    OTHER = "other"
    UNKNOWN = "unknown"


class Reliability(enum.StrEnum):
    """Admiralty source reliability."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"


class Status(enum.StrEnum):
    CONFIRMED = "confirmed"
    REPORTED = "reported"
    CLAIMED = "claimed"
    DISPUTED = "disputed"
    DENIED = "denied"
    RETRACTED = "retracted"
    SCHEDULED = "scheduled"
    EXPECTED = "expected"

    @property
    def is_future(self) -> bool:
        return self in (Status.SCHEDULED, Status.EXPECTED)


class DevelopmentKind(enum.StrEnum):
    NEW = "new"
    UPDATE = "update"
    CONTEXT = "context"
    BACKGROUND = "background"


class Precision(enum.StrEnum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"
    TIME = "time"


class ActorType(enum.StrEnum):
    STATE = "state"
    GOVERNMENT_BODY = "government_body"
    PERSON = "person"
    ARMED_GROUP = "armed_group"
    POLITICAL_ORG = "political_org"
    ADMINISTRATION = "administration"
    INTL_ORG = "intl_org"
    COALITION = "coalition"
    MEDIA = "media"
    OTHER = "other"


class QuestionKind(enum.StrEnum):
    INFORMATION_GAP = "information_gap"
    UNRESOLVED_DISCREPANCY = "unresolved_discrepancy"
    KEY_ASSUMPTION = "key_assumption"
    FORECAST = "forecast"
    INDICATOR = "indicator"


class QuestionStatus(enum.StrEnum):
    OPEN = "open"
    PARTIALLY_ANSWERED = "partially_answered"
    ANSWERED = "answered"
    OVERTAKEN = "overtaken"


class DiscrepancyKind(enum.StrEnum):
    DATE = "date"
    PLACE = "place"
    PARTICIPANTS = "participants"
    OUTCOME = "outcome"
    FIGURE = "figure"
    ATTRIBUTION = "attribution"
    FRAMING = "framing"
    NAMING = "naming"


class DiscrepancyStatus(enum.StrEnum):
    UNRESOLVED = "unresolved"
    RESOLVED = "resolved"
    DIFFERENT_EVENTS = "different_events"
    SOURCE_ERROR = "source_error"


class Product(enum.StrEnum):
    DAILY_UPDATE = "daily_update"
    FLASH_UPDATE = "flash_update"
    SITUATION_REPORT = "situation_report"
    WEEKLY_OVERVIEW = "weekly_overview"
    SPOT_REPORT = "spot_report"


class OutputFormat(enum.StrEnum):
    HTML = "html"
    PDF = "pdf"
    JSON = "json"
    EML = "eml"
    TXT = "txt"
    STIX = "stix"
    CSL = "csl"
