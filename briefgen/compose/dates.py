"""Dates as sources report them: a weekday resolved against the reporting source's publication date."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from briefgen.compose import model as composed
from briefgen.desk.models import DateMapping, Precision, SourceDocument, Status

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)


def resolve_date(
    mapping: DateMapping, status: Status, source: SourceDocument | None
) -> tuple[composed.When, str | None]:
    """Resolve a reported date; returns the date and, when it stays unresolved, why."""
    precision = mapping.precision or (Precision.TIME if isinstance(mapping.on, datetime) else Precision.DAY)
    if mapping.on is not None:
        return composed.When(on=mapping.on, as_reported=mapping.as_reported, precision=precision), None
    reported = mapping.as_reported or ""
    weekday = _WEEKDAY.search(reported)
    if weekday is None:
        return composed.When(on=None, as_reported=reported, precision=precision), (
            f"date left unresolved: {reported!r} gives no date (set `on` when it is known)"
        )
    if source is None or source.published is None:
        who = f"source {source.id!r}" if source else "the citing source"
        return composed.When(on=None, as_reported=reported, precision=precision), (
            f"date left unresolved: {reported!r} is a weekday and {who} has no publication date"
        )
    published = source.published.date() if isinstance(source.published, datetime) else source.published
    target = WEEKDAYS.index(weekday.group(1).lower())
    if status.is_future:
        resolved = published + timedelta(days=(target - published.weekday()) % 7)
    else:
        resolved = published - timedelta(days=(published.weekday() - target) % 7)
    return composed.When(on=resolved, as_reported=reported, precision=Precision.DAY, resolved_from=source.id), None


def date_key(when: composed.When | None) -> str | None:
    if when is None:
        return None
    return when.on.isoformat() if when.on is not None else f"unresolved: {when.as_reported}"
