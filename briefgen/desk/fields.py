"""The field types of records: ids, single-line and multi-line text, URLs, dates, and the closed base model.

Single-line fields refuse control and bidirectional-override characters; every text has a length bound;
single-line and Markdown text is NFC-normalised on load (a source's own `text` and
quotes are kept exactly as typed); dates are ISO 8601 (a datetime needs its UTC offset). Numbers a reader found where text is expected keep
the text as written in the file (`1.10` stays "1.10", see `briefgen.desk.reader`).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)

from briefgen.desk.reader import verbatim_text

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
MAX_LINE = 500
MAX_TEXT = 20_000
MAX_SOURCE_TEXT = 200_000
MAX_ITEMS = 1_000
MIN_YEAR, MAX_YEAR = 1000, 2999  # dates far from both ends of what datetime can compute with

# Characters refused in single-line fields: C0/C1 controls and the bidirectional embedding, override
# and isolate controls that can make a title read differently from what it is.
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


# Every character either check below refuses (category Cc is exactly U+0000-U+001F and U+007F-U+009F):
# one regular-expression search finds whether a text has any, so that only such a text is walked.
_REFUSED_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI_CONTROLS}]")
_REFUSED_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _refuse_control_characters(value: str, *, allow_newlines: bool) -> str:
    if _REFUSED_IN_LINE.search(value) is None:
        return value
    for position, char in enumerate(value, start=1):
        if allow_newlines and char in "\n\t":
            continue
        if char in _BIDI_CONTROLS:
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            raise ValueError(f"bidirectional control character U+{ord(char):04X} ({name}) at position {position}")
        if unicodedata.category(char) == "Cc" or char in "\u2028\u2029":
            what = "line break" if char in "\r\n\u2028\u2029" else "control character"
            raise ValueError(f"{what} U+{ord(char):04X} at position {position} (a single line is expected)")
    return value


def _single_line(value: str) -> str:
    return _refuse_control_characters(value, allow_newlines=False)


def _multi_line(value: str) -> str:
    if _REFUSED_IN_TEXT.search(value) is None:
        return value
    for position, char in enumerate(value, start=1):
        if char not in "\n\t\r" and unicodedata.category(char) == "Cc":
            raise ValueError(f"control character U+{ord(char):04X} at position {position}")
    return value


def _nfc(value: str) -> str:
    """Text is compared and shown in NFC: a name pasted with decomposed accents is the same name."""
    return unicodedata.normalize("NFC", value)


Verbatim = BeforeValidator(verbatim_text)
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN), Verbatim]
Line = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_LINE),
    Verbatim,
    AfterValidator(_single_line),
    AfterValidator(_nfc),
]
Text = Annotated[
    str, StringConstraints(max_length=MAX_TEXT), Verbatim, AfterValidator(_multi_line), AfterValidator(_nfc)
]
SourceText = Annotated[str, StringConstraints(max_length=MAX_SOURCE_TEXT), Verbatim, AfterValidator(_multi_line)]
Language = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$"), Verbatim]


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/?#]+[^\s]*$", value):
        raise ValueError("expected an http:// or https:// URL")
    return value


Url = Annotated[str, StringConstraints(max_length=2_000), AfterValidator(_http_url)]


def _parse_when(value: Any, *, allow_date: bool, allow_datetime: bool) -> date | datetime:
    expected = " or ".join(
        part
        for part, allowed in (
            ("an ISO date (YYYY-MM-DD)", allow_date),
            ("an ISO datetime with offset (YYYY-MM-DDTHH:MM:SS+HH:MM)", allow_datetime),
        )
        if allowed
    )
    if isinstance(value, datetime):
        parsed: date | datetime = value
    elif isinstance(value, date):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text) if ("T" in text or " " in text) else date.fromisoformat(text)
        except ValueError as exc:
            reason = str(exc).replace("Invalid isoformat string: ", "not ISO 8601: ")
            raise ValueError(f"expected {expected}; got {value!r} ({reason})") from None
    else:
        raise ValueError(f"expected {expected}; got {type(value).__name__} {value!r}")
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"the year {parsed.year} is outside the years briefgen accepts ({MIN_YEAR}-{MAX_YEAR})")
    if isinstance(parsed, datetime):
        if not allow_datetime:
            raise ValueError(f"expected {expected}; got a datetime {value!r}")
        if parsed.utcoffset() is None:
            raise ValueError(f"a datetime needs a UTC offset (e.g. +03:00 or Z); got {value!r}")
        return parsed
    if not allow_date:
        raise ValueError(f"expected {expected}; got a date without a time {value!r}")
    return parsed


_DATE_SCHEMA = {"type": "string", "format": "date"}
_DATETIME_SCHEMA = {"type": "string", "format": "date-time"}
IsoDate = Annotated[
    date,
    PlainValidator(lambda v: _parse_when(v, allow_date=True, allow_datetime=False)),
    WithJsonSchema(_DATE_SCHEMA),
]
IsoDatetime = Annotated[
    datetime,
    PlainValidator(lambda v: _parse_when(v, allow_date=False, allow_datetime=True)),
    WithJsonSchema(_DATETIME_SCHEMA),
]
IsoWhen = Annotated[
    date | datetime,
    PlainValidator(lambda v: _parse_when(v, allow_date=True, allow_datetime=True)),
    WithJsonSchema({"anyOf": [_DATE_SCHEMA, _DATETIME_SCHEMA]}),
]


class Record(BaseModel):
    """Base of every record model: closed (unknown keys rejected) and immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)
