"""Dates as sources report them (rule 6 of "Merging"): a day word ("on Wednesday", "hier", "yesterday",
"gelecek salı") resolved against the reporting source's own local publication date, in the source's
language, by `briefgen.compose.datewords` (CLDR data through Babel); and the day words left bare in
Markdown prose, which a reader cannot date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from briefgen.compose import model as composed
from briefgen.compose.datewords import find_day_words, reason_text, resolve_day_phrase
from briefgen.desk.loader import Desk, RecordFile
from briefgen.desk.models import BriefRecord, DateMapping, SourceDocument, SourceRecord
from briefgen.desk.portions import bullet_fields
from briefgen.desk.reader import Loc
from briefgen.desk.vocabulary import Precision, Status
from briefgen.errors import Diagnostic, Severity


@dataclass(frozen=True)
class ResolvedDate:
    """A reported date as resolved, and (when it stays unresolved) the warning that says why."""

    when: composed.When
    problem: str | None


def resolve_date(mapping: DateMapping, status: Status, source: SourceDocument | None) -> ResolvedDate:
    """Resolve a reported date: `on` when given, else the day word of `as_reported` in the source's
    language against its publication day (its own offset); every unresolved date says the true reason."""
    precision = mapping.precision or (Precision.TIME if isinstance(mapping.on, datetime) else Precision.DAY)
    if mapping.on is not None:
        return ResolvedDate(composed.When(on=mapping.on, as_reported=mapping.as_reported, precision=precision), None)
    reported = mapping.as_reported or ""
    if source is None:
        problem = composed.UnresolvedReason(code=composed.UnresolvedCode.NO_SOURCE)
        resolution = None
    else:
        resolution = resolve_day_phrase(reported, source.language, source.published, future=status.is_future)
        problem = resolution.problem or composed.UnresolvedReason(
            code=composed.UnresolvedCode.NOT_A_DAY, phrase=reported
        )
    if resolution is not None and resolution.on is not None and source is not None:
        when = composed.When(on=resolution.on, as_reported=reported, precision=Precision.DAY, resolved_from=source.id)
        return ResolvedDate(when, None)
    # The reason as a code with its values (the brief says it in its language) and in English words.
    reason = reason_text(problem, source.language if source is not None else None)
    when = composed.When(
        on=None, as_reported=reported, precision=precision, unresolved=reason, unresolved_reason=problem
    )
    who = f" (source {source.id!r}, {source.language})" if source is not None else ""
    return ResolvedDate(when, f"date left unresolved: {reported!r}{who}: {reason}; set `on` when it is known")


def when_key(when: composed.When) -> str:
    """A resolved date as text at its precision (`2026`, `2026-04`, `2026-04-05`, or the full time)."""
    if when.on is None:
        return f"not dated: {when.as_reported}"
    day = when.on.date() if isinstance(when.on, datetime) else when.on
    if when.precision is Precision.YEAR:
        return f"{day.year:04d}"
    if when.precision is Precision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    if when.precision is Precision.TIME and isinstance(when.on, datetime):
        return when.on.isoformat()
    return day.isoformat()


def when_from_key(key: str) -> composed.When | None:
    """The date `when_key` wrote (a discrepancy's statement of a date), or None for other text."""
    try:
        if re.fullmatch(r"\d{4}", key):
            return composed.When(on=date(int(key), 1, 1), precision=Precision.YEAR)
        if re.fullmatch(r"\d{4}-\d{2}", key):
            return composed.When(on=date(int(key[:4]), int(key[5:]), 1), precision=Precision.MONTH)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", key):
            return composed.When(on=date.fromisoformat(key), precision=Precision.DAY)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+(?:[+-]\d{2}:\d{2}|Z)", key):
            return composed.When(on=datetime.fromisoformat(key), precision=Precision.TIME)
    except ValueError:
        return None
    return None


def day_of(when: composed.When) -> date | None:
    """The day of a resolved date (a datetime's own offset), for ordering."""
    if when.on is None:
        return None
    return when.on.date() if isinstance(when.on, datetime) else when.on


# --- day words in prose --------------------------------------------------------------------------------


def _prose_fields(record: SourceRecord | BriefRecord) -> Iterator[tuple[Loc, str]]:
    if isinstance(record, BriefRecord):
        yield from bullet_fields(record.brief)
    for index, development in enumerate(record.developments):
        if development.detail:
            yield ("developments", index, "detail"), development.detail
    for index, actor in enumerate(record.actors):
        if actor.role:
            yield ("actors", index, "role"), actor.role
    for index, question in enumerate(record.open_questions):
        if question.answer:
            yield ("open_questions", index, "answer"), question.answer


def _day_word_warnings(record: SourceRecord | BriefRecord, file: RecordFile, language: str) -> Iterator[Diagnostic]:
    for loc, text in _prose_fields(record):
        for word in find_day_words(text, language):
            yield file.diagnostic(
                loc,
                f"{word.word!r} is a day word the reader cannot date in the brief: write the date "
                "(e.g. '21 May') or put it in a development's `occurred.as_reported`",
                severity=Severity.WARNING,
                code="day-word-in-prose",
            )


def prose_day_words(desk: Desk) -> list[Diagnostic]:
    """A bare weekday or relative day word in Markdown prose (bluf, detail, outlook, role, answer), in the
    record's language: a warning naming file, line and field."""
    found: list[Diagnostic] = []
    for source in desk.sources:
        found.extend(_day_word_warnings(source.record, source.file, source.record.source.language))
    for brief in desk.briefs:
        found.extend(_day_word_warnings(brief.record, brief.file, brief.record.brief.language))
    return found
