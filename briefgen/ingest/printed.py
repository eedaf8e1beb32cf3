"""What an article prints about itself: bylines, credit lines, its dateline and printed dates.

Months are Babel's (CLDR) names in the source's language, wide and abbreviated, format and stand-alone
(so genitive forms such as Russian "марта" are found); printed weekdays are found by
`briefgen.compose.datewords`. A numeric date whose day and month could be swapped (12.11.2026) is ambiguous and
gives both readings; a time printed without an offset is not a datetime (only its day is kept).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from babel import Locale, UnknownLocaleError
from babel.dates import get_month_names

from briefgen.compose.datewords import find_day_words
from briefgen.compose.dayvocab import DayKind, base_language
from briefgen.compose.folding import fold_text

_BYLINE = re.compile(
    r"^(?:by|par|von|por|di|door|yazan|haber|muhabir|автор|بقلم|كتب|كتبت|إعداد|מאת|כתב|כתבה)\s*[:：]?\s+(?P<names>\S.{0,200})$",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"\b(?P<role>additional reporting|reporting|writing|compiled|editing|translated|translation)\s+by\s+"
    r"(?P<names>[^;()]+)",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(r"^\(?\s*(?:additional reporting|reporting|writing|compiled|editing|translated)\s+by\b", re.I)
_AUTHOR_ROLES = {"additional reporting", "reporting", "writing", "compiled"}
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bet\b|\bund\b|\by\b|\bve\b|\be\b|\s+و)\s*", re.IGNORECASE)
_PUBLISHED_LABEL = re.compile(
    r"^(?:published|posted|first published|publié le|publié|publicado|veröffentlicht|yayınlanma(?: tarihi)?|"
    r"yayımlanma(?: tarihi)?|نشر في|نُشر في|نشر|פורסם|опубликовано)\s*[:：]?\s*",
    re.IGNORECASE,
)
_UPDATE_LABEL = re.compile(
    r"^(?:last updated|updated|last modified|modified|mis à jour le|mis à jour|actualizado|aktualisiert|"
    r"güncelleme(?: tarihi)?|güncellendi|آخر تحديث|تحديث|עודכן|обновлено)\s*(?:on|le|am)?\s*[:：]?\s*",
    re.IGNORECASE,
)
_DATELINE = re.compile(
    r"^(?P<printed>(?P<place>[^\W\d_][^()\n–—:]{0,60}?)\s*(?:\((?P<agency>[^()\n]{1,60})\))?)\s*(?:[–—]|-{1,2}|:)\s+"
)
_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::\d{2}(?:\.\d+)?)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_NUMERIC = re.compile(r"(?<!\d)(?P<a>\d{1,2})[./](?P<b>\d{1,2})[./](?P<y>\d{4})(?!\d)")
_TIME = re.compile(
    r"^[\s,]*(?:at|a|a las|um|saat|في|בשעה|в)?\s*(?P<H>\d{1,2})[:h.](?P<M>\d{2})\s*(?:(?:GMT|UTC)\s*)?(?P<tz>Z|[+-]\d{1,2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_DIGITS = {ord(c): str(unicodedata.digit(c)) for c in "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹"}


@dataclass(frozen=True)
class Dateline:
    """The dateline at the start of the first paragraph: as printed, its place and its (Agency)."""

    printed: str
    place: str
    agency: str | None
    end: int  # where the story starts after it


@dataclass(frozen=True)
class PrintedDate:
    """A date found in a line: the value (None when ambiguous or contradicted), and why not."""

    value: date | datetime | None
    precision: str
    matched: str
    readings: tuple[date, ...] = ()
    problem: str | None = None
    note: str | None = None


def byline_authors(line: str) -> list[str] | None:
    """The names of a byline ("By A and B"), or None when the line is not one. Dates are left out."""
    match = _BYLINE.match(line.strip())
    if match is None:
        return None
    names = [n.strip(" .:|-–—") for n in _NAME_SPLIT.split(match.group("names").split("|")[0])]
    return [n for n in names if _is_name(n)]


def _is_name(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 6 and not any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def credit_authors(line: str) -> tuple[list[str], list[str]] | None:
    """(authors, other credits) of a credit line ("(Reporting by A; Editing by B)"), or None.
    Writers and reporters are authors; editors and translators are not."""
    if not _CREDIT_LINE.match(line.strip()):
        return None
    authors: list[str] = []
    others: list[str] = []
    for match in _CREDIT.finditer(line):
        names = [n.strip(" .)") for n in _NAME_SPLIT.split(match.group("names"))]
        target = authors if match.group("role").lower() in _AUTHOR_ROLES else others
        target.extend(f"{n}" if target is authors else f"{match.group('role')} by {n}" for n in names if _is_name(n))
    return authors, others


def find_dateline(paragraph: str) -> Dateline | None:
    """A dateline such as `DAMASCUS, Syria (North Press) –` or `ANKARA (AA) -` opening a paragraph."""
    match = _DATELINE.match(paragraph)
    if match is None:
        return None
    place = match.group("place").strip(" ,")
    agency = match.group("agency")
    head = place.split(",")[0]
    letters = [c for c in head if c.isalpha()]
    shouting = bool(letters) and all(c.isupper() for c in letters if c.isupper() or c.islower())
    cased = any(c.isupper() or c.islower() for c in letters)
    if len(place.split()) > 6 or (cased and not shouting) or (not cased and agency is None):
        return None
    return Dateline(match.group("printed").strip(), place, agency.strip() if agency else None, match.end())


@functools.cache
def _months(language: str) -> dict[str, int]:
    names: dict[str, int] = {}
    for code in (language, "en"):
        try:
            locale = Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            continue
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    names.setdefault(fold_text(str(name)).rstrip("."), int(number))
    return names


def _offset(text: str | None) -> timezone | None:
    if not text:
        return None
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _with_time(day: date, rest: str) -> tuple[date | datetime, str, str | None]:
    match = _TIME.match(rest)
    if match is None or int(match.group("H")) > 23 or int(match.group("M")) > 59:
        return day, "day", None
    offset = _offset(match.group("tz"))
    if offset is None:
        return (
            day,
            "day",
            f"time {match.group('H')}:{match.group('M')} printed without a UTC offset: only the day is kept",
        )
    moment = datetime(day.year, day.month, day.day, int(match.group("H")), int(match.group("M")), tzinfo=offset)
    return moment, "time", None


def _textual(folded: str, language: str) -> tuple[date, int, int] | None:
    months = _months(base_language(language))
    month = "|".join(sorted((re.escape(m) for m in months if len(m) >= 3), key=len, reverse=True))
    day_first = re.search(rf"(?<!\d)(\d{{1,2}})\.?\s+(?:de\s+)?({month})\.?,?\s+(?:de\s+)?(\d{{4}})(?!\d)", folded)
    month_first = re.search(rf"(?<!\w)({month})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", folded)
    for match, (d, m, y) in ((day_first, (1, 2, 3)), (month_first, (2, 1, 3))):
        if match is not None:
            try:
                return date(int(match.group(y)), months[match.group(m)], int(match.group(d))), *match.span()
            except ValueError:
                return None
    return None


def parse_printed_date(text: str, language: str) -> PrintedDate | None:
    """The first date printed in `text` (ISO, numeric or with a month name), with its time and offset."""
    folded = fold_text(text).translate(_DIGITS)
    found: tuple[date | datetime, str, str | None, int, int] | None = None
    readings: tuple[date, ...] = ()
    iso = _ISO.search(folded)
    if iso is not None:
        try:
            day = date(int(iso["y"]), int(iso["m"]), int(iso["d"]))
        except ValueError:
            return None
        rest = f"{iso['H']}:{iso['M']}{iso['tz'] or ''}" if iso["H"] else ""
        value, precision, note = _with_time(day, rest)
        found = (value, precision, note, *iso.span())
    elif (numeric := _NUMERIC.search(folded)) is not None:
        a, b, year = int(numeric["a"]), int(numeric["b"]), int(numeric["y"])
        options = sorted({d for d in (_safe_date(year, b, a), _safe_date(year, a, b)) if d is not None})
        if not options:
            return None
        if len(options) > 1:
            readings = tuple(options)
            return PrintedDate(None, "day", text[numeric.start() : numeric.end()], readings, "ambiguous", None)
        value, precision, note = _with_time(options[0], folded[numeric.end() :])
        found = (value, precision, note, *numeric.span())
    elif (textual := _textual(folded, language)) is not None:
        day, start, end = textual
        value, precision, note = _with_time(day, folded[end:])
        found = (value, precision, note, start, end)
    if found is None:
        return None
    value, precision, note, start, end = found
    problem = _weekday_problem(text, language, value)
    matched = text[start:end] if len(folded) == len(text) else text.strip()
    if problem:
        return PrintedDate(None, precision, matched, (), problem, note)
    return PrintedDate(value, precision, matched, (), None, note)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _weekday_problem(text: str, language: str, value: date | datetime) -> str | None:
    day = value.date() if isinstance(value, datetime) else value
    for word in find_day_words(text, language):
        if word.kind is DayKind.WEEKDAY and word.value != day.weekday():
            return f"the printed weekday {word.word!r} does not match {day.isoformat()}, a {day.strftime('%A')}"
    return None


def date_stamp(line: str, language: str) -> tuple[str, PrintedDate] | None:
    """('published' | 'updated', date) when the line is a date stamp: a date alone, or after a label."""
    stripped = line.strip()
    kind = "published"
    label = _UPDATE_LABEL.match(stripped)
    if label:
        kind = "updated"
    else:
        label = _PUBLISHED_LABEL.match(stripped)
    rest = stripped[label.end() :] if label else stripped
    printed = parse_printed_date(rest, language)
    if printed is None:
        return None
    leftover = fold_text(rest).replace(fold_text(printed.matched), " ", 1)
    letters = re.sub(r"[\W\d_]+", " ", leftover).split()
    words = [w for w in letters if not find_day_words(w, language) and w not in ("at", "gmt", "utc", "z", "h")]
    if len(words) > 2 and not label:
        return None
    return kind, printed
