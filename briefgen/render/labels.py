"""The words and dates briefgen writes itself: labels for statuses, scales and kinds, dates in words,
corroboration in words, and text direction."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

from briefgen.compose import model as composed

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
RTL_LANGUAGES = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ku-arab"}


LABELS: dict[str, dict[str, str]] = {
    "product": {
        "daily_update": "Daily update",
        "flash_update": "Flash update",
        "situation_report": "Situation report",
        "weekly_overview": "Weekly overview",
        "spot_report": "Spot report",
    },
    "status": {
        "confirmed": "confirmed",
        "reported": "reported",
        "claimed": "claimed",
        "disputed": "disputed",
        "denied": "denied",
        "retracted": "retracted",
        "scheduled": "scheduled",
        "expected": "expected",
    },
    "status_help": {
        "confirmed": "established by independent, reliable sourcing",
        "reported": "reported by sources, not independently confirmed",
        "claimed": "asserted by a party or an unnamed source, not verified",
        "disputed": "contested by other sources or parties",
        "denied": "denied by a party concerned",
        "retracted": "withdrawn by the source that reported it",
        "scheduled": "announced for a future date",
        "expected": "anticipated, without a firm announcement",
    },
    "reliability": {
        "A": "completely reliable",
        "B": "usually reliable",
        "C": "fairly reliable",
        "D": "not usually reliable",
        "E": "unreliable",
        "F": "reliability cannot be judged",
    },
    "credibility": {
        "1": "confirmed by other sources",
        "2": "probably true",
        "3": "possibly true",
        "4": "doubtful",
        "5": "improbable",
        "6": "truth cannot be judged",
    },
    "discrepancy_status": {
        "unresolved": "unresolved",
        "resolved": "resolved",
        "different_events": "assessed as different events",
        "source_error": "source error",
    },
    "discrepancy_kind": {
        "date": "date",
        "place": "place",
        "participants": "participants",
        "outcome": "outcome",
        "figure": "figure",
        "attribution": "attribution",
        "framing": "framing",
        "naming": "naming",
    },
    "question_status": {
        "open": "open",
        "partially_answered": "partially answered",
        "answered": "answered",
        "overtaken": "overtaken by events",
    },
    "question_kind": {
        "information_gap": "information gap",
        "unresolved_discrepancy": "unresolved discrepancy",
        "key_assumption": "key assumption",
        "forecast": "forecast",
        "indicator": "indicator",
    },
    "actor_type": {
        "state": "state",
        "government_body": "government body",
        "person": "person",
        "armed_group": "armed group",
        "political_org": "political organisation",
        "administration": "administration",
        "intl_org": "international organisation",
        "coalition": "coalition",
        "media": "media",
        "other": "other",
    },
}


def date_label(value: date) -> str:
    """A date as `22 May 2025`."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def datetime_label(value: datetime, tz: ZoneInfo) -> str:
    """A date-time in the desk's time zone, with its offset and zone name."""
    local = value.astimezone(tz)
    offset = local.strftime("%z")
    return f"{date_label(local.date())}, {local:%H:%M} UTC{offset[:3]}:{offset[3:]} ({tz.key})"


def when_label(when: composed.When | None) -> str:
    """A development's date as resolved (to its precision), or `date not stated` with what the source said."""
    if when is None:
        return "date not stated"
    if when.on is None:
        reported = f" (reported as “{when.as_reported}”, which the sources do not date)" if when.as_reported else ""
        return f"date not stated{reported}"
    day = when.on.date() if isinstance(when.on, datetime) else when.on
    if when.precision == "year":
        return str(day.year)
    if when.precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    text = date_label(day)
    if isinstance(when.on, datetime) and when.precision == "time":
        text += f", {when.on:%H:%M} UTC{when.on.strftime('%z')[:3]}:{when.on.strftime('%z')[3:]}"
    return text


def published_label(value: date | datetime | None) -> str:
    """A source's publication date, or `date not stated`."""
    if value is None:
        return "date not stated"
    return date_label(value.date() if isinstance(value, datetime) else value)


def sourcing_label(sourcing: composed.Sourcing) -> str:
    """Corroboration in words: `single source`, `2 independent sources`, `conflicting reports`..."""
    level = sourcing.corroboration
    if level is composed.Corroboration.SINGLE_SOURCE:
        return "single source"
    if level is composed.Corroboration.MULTIPLE_DEPENDENT:
        return f"{sourcing.sources} sources, one originator"
    if level is composed.Corroboration.MULTIPLE_INDEPENDENT:
        return f"{len(sourcing.originators)} independent sources"
    return "conflicting reports"


def text_direction(text: str | None) -> str:
    """`rtl` when the first strongly directional character of the text is right-to-left."""
    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def language_direction(language: str) -> str:
    """`rtl` for a right-to-left language code (ar, he, fa...), else `ltr`."""
    return "rtl" if language.lower().split("-")[0] in RTL_LANGUAGES else "ltr"


def theme_label(theme: str | None) -> str:
    """A theme key as a heading (`armed-conflict` -> `Armed conflict`)."""
    return theme.replace("-", " ").replace("_", " ").capitalize() if theme else "Other developments"
