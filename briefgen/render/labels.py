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
    """A development's date as resolved (to its precision), or `date not stated` with what the source
    said and why it is not dated."""
    if when is None:
        return "date not stated"
    if when.on is None:
        reason = when.unresolved or ""
        why = (
            ", which is not a day" if reason == f"{(when.as_reported or '').strip()!r} is not a day" else f": {reason}"
        )
        why = why if reason else ""
        reported = f" (reported as “{when.as_reported}”{why})" if when.as_reported else ""
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


SOURCES_DIFFER = "sources differ"
DESK_ASSESSMENT = "desk's assessment"
FACT_NAMES = {"date": "date", "place": "place", "status": "status"}


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def sourcing_label(sourcing: composed.Sourcing) -> str:
    """Corroboration in words, a count with flags: `single source`, `3 sources, one originator`,
    `2 independent sources (3 in all), which differ on date and place`."""
    level = sourcing.corroboration
    if level is composed.Corroboration.SINGLE_SOURCE:
        text = "single source"
    elif level is composed.Corroboration.MULTIPLE_DEPENDENT:
        text = f"{sourcing.sources} sources, one originator"
    else:
        text = f"{sourcing.independent} independent sources"
        if sourcing.dependent:
            text += f" ({sourcing.sources} in all)"
    if sourcing.differ_on:
        text += f", which differ on {_and([FACT_NAMES.get(f, f) for f in sourcing.differ_on])}"
    return text


def _alternative_dates(whens: list[composed.When]) -> str:
    days = [w.on.date() if isinstance(w.on, datetime) else w.on for w in whens]
    plain = [d for d in days if d is not None]
    same_month = len({(d.year, d.month) for d in plain}) == 1
    if len(plain) == len(whens) and all(w.precision == "day" for w in whens) and same_month:
        return f"{' or '.join(str(d.day) for d in plain)} {MONTHS[plain[0].month - 1]} {plain[0].year}"
    return " or ".join(when_label(w) for w in whens)


def occurred_label(development: composed.Development) -> str:
    """The facts line's date: the date; every date when sources differ (`4 or 5 April 2026 — sources
    differ`); the desk's assessment said as such."""
    if development.alternatives.occurred:
        return f"{_alternative_dates(development.alternatives.occurred)} — {SOURCES_DIFFER}"
    text = when_label(development.occurred)
    return f"{text} ({DESK_ASSESSMENT})" if "date" in development.assessed else text


def place_label(development: composed.Development) -> str:
    """The facts line's place (empty when none is given), in the same manner as `occurred_label`."""
    if development.alternatives.where:
        return f"{' or '.join(development.alternatives.where)} — {SOURCES_DIFFER}"
    if development.where is None:
        return ""
    return f"{development.where} ({DESK_ASSESSMENT})" if "place" in development.assessed else development.where


def status_note(development: composed.Development) -> str:
    """What follows the status badge: the statuses sources give when they conflict, or that the status is
    the desk's assessment; empty otherwise."""
    if development.alternatives.status:
        said = " or ".join(LABELS["status"][s.value] for s in development.alternatives.status)
        return f"{SOURCES_DIFFER}: {said}"
    return DESK_ASSESSMENT if "status" in development.assessed else ""


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
