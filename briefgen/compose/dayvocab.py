"""The day words of a language, as CLDR has them: weekday names (format and stand-alone, wide) from
Babel, the relative day fields ("today", "yesterday", per weekday "last X", "this X", "next X") from
`briefgen/data/cldr_day_fields.json` (copied unchanged from CLDR's JSON by
`scripts/extract_cldr_day_fields.py`), and the inflected weekday forms read off those phrases. What the
words mean in a text, and the day they name, is `briefgen.compose.datewords`.
"""

from __future__ import annotations

import enum
import functools
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import get_day_names

from briefgen.compose.folding import fold_text

_DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "cldr_day_fields.json"
_WEEKDAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
PREFIXES = {"ar": "وفبلك", "he": "ובהלמשכ"}  # one-letter proclitics written onto the next word
_DAY_WORD_FIRST = {"ar", "fa"}  # "يوم الثلاثاء", "روز سه‌شنبه": CLDR's word for "day" before the weekday
# Turkish case and possessive endings written onto a day word ("Salı'ya", "salıdan", "dünkü"), on folded
# text; relative days take fewer of them, so that "dünya" (world) is not "dün" (yesterday).
SUFFIXES = {
    "tr": (r"(?:'?(?:y?[aeiu]|[dt][ae]n?|n?[iu]n|k[iu]|y?l[ae]|gunu))?", r"(?:'?(?:k[iu]|[dt][ae]n?|ne|n?[iu]n))?"),
}


class DayKind(enum.StrEnum):
    """What a day word says: an offset in days, or a weekday with its qualifier."""

    RELATIVE = "relative day"
    LAST = "last weekday"
    THIS = "this weekday"
    NEXT = "next weekday"
    WEEKDAY = "weekday"


@dataclass(frozen=True)
class DayForm:
    """One recognised word: folded for matching, as written in CLDR, its kind and the day it means (a
    weekday index or an offset in days)."""

    folded: str
    written: str
    kind: DayKind
    value: int


@functools.cache
def cldr_fields() -> dict[str, dict[str, object]]:
    """CLDR's day fields per language (its word for "day", relative days, last/this/next weekday)."""
    data: dict[str, dict[str, object]] = json.loads(_DATA_FILE.read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}


def base_language(language: str) -> str:
    """`fr-FR` -> `fr`, `AR_sy` -> `ar`."""
    return re.split(r"[-_]", language.strip(), maxsplit=1)[0].lower()


def supported_languages() -> tuple[str, ...]:
    """Languages with both Babel's weekday names and CLDR's relative day fields."""
    return tuple(sorted(cldr_fields()))


def relative_field(fields: dict[str, object], field: str) -> dict[int, str]:
    """One relative field of a language's CLDR fields, as offset -> phrase."""
    entry = fields[field]
    assert isinstance(entry, dict)
    return {int(key): str(value) for key, value in entry.items()}


def _words(text: str) -> list[str]:
    """The folded words of a CLDR phrase."""
    return fold_text(unicodedata.normalize("NFC", text)).split()


def canon(folded: str) -> str:
    """Folded text with a hyphen and white space alike: "avant hier" is "avant-hier"."""
    return " ".join(folded.replace("-", " ").split())


def _inflects(word: str, name: str) -> bool:
    """Whether folded `word` reads as an inflection of the one-word folded weekday `name`: it keeps all of
    the name but its last two letters, and at least three ("среду" of "среда", "понеділка" of "понеділок";
    not "diesen" of "dienstag")."""
    if " " in name:  # Hebrew "יום שני": no one word of a two-word name is the weekday
        return False
    same = next((i for i, (a, b) in enumerate(zip(word, name, strict=False)) if a != b), min(len(word), len(name)))
    return same >= max(3, len(name) - 2)


@functools.cache
def vocabulary(language: str) -> tuple[DayForm, ...]:
    """Every day word of a language (empty for one CLDR has no day fields for)."""
    fields = cldr_fields().get(language)
    if fields is None:
        return ()
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return ()
    forms: dict[str, DayForm] = {}

    def add(written: str, kind: DayKind, value: int) -> None:
        folded = " ".join(fold_text(unicodedata.normalize("NFC", written)).split())
        forms.setdefault(folded, DayForm(folded, written, kind, value))

    names = [
        sorted({str(get_day_names("wide", context, locale)[weekday]) for context in ("format", "stand-alone")})
        for weekday in range(7)
    ]
    phrases = [sorted(relative_field(fields, field).items()) for field in _WEEKDAY_FIELDS]
    relative = sorted(relative_field(fields, "day").items())
    # A word in the phrases (or names) of several weekdays is the template's ("diesen", "last", "w") or the
    # word for "day" (Hebrew "יום" of "יום שני שעבר"), never one weekday's form; nor are the words of
    # CLDR's word for "day" and of its relative days.
    seen = Counter(
        word
        for weekday in range(7)
        for word in {w for _, phrase in phrases[weekday] for w in _words(phrase)}
        | {w for name in names[weekday] for w in _words(name)}
    )
    generic = {word for word, count in seen.items() if count > 1}
    generic |= set(_words(str(fields["day-name"]))) | {w for _, phrase in relative for w in _words(phrase)}

    for weekday in range(7):
        folded_names = [" ".join(_words(name)) for name in names[weekday]]
        for name in names[weekday]:
            add(name, DayKind.WEEKDAY, weekday)
            if language in _DAY_WORD_FIRST:
                add(f"{fields['day-name']} {name}", DayKind.WEEKDAY, weekday)  # Arabic "يوم الثلاثاء"
        for offset, phrase in phrases[weekday]:
            kind = {-1: DayKind.LAST, 0: DayKind.THIS, 1: DayKind.NEXT}[offset]
            if " ".join(_words(phrase)) not in folded_names:  # Hebrew "this X" is the bare name
                add(phrase, kind, weekday)
            for token in phrase.split():  # inflected forms: Russian "среду" in "в прошлую среду"
                word = " ".join(_words(token))
                if word not in generic and any(_inflects(word, name) for name in folded_names):
                    add(token, DayKind.WEEKDAY, weekday)
    for offset, phrase in relative:
        add(phrase, DayKind.RELATIVE, offset)
    return tuple(sorted(forms.values(), key=lambda f: (-len(f.folded), f.folded)))
