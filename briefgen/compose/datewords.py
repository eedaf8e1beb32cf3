"""Weekday names and relative day words in a source's language, and the day they mean.

One implementation for every part of briefgen that reads "on Wednesday", "yesterday", "lundi",
"salı" or "يوم الثلاثاء": compose (resolving a development's `as_reported`), ingest (date candidates in
a draft) and the prose checks (a bare day word in Markdown).

The words are CLDR data, never written by hand (`briefgen.compose.dayvocab`): weekday names (format
and stand-alone, wide) come from Babel; the relative day fields ("today", "yesterday", "tomorrow", and
per weekday "last X", "this X", "next X"), which Babel does not ship, are copied unchanged from CLDR's
JSON into `briefgen/data/cldr_day_fields.json` by `scripts/extract_cldr_day_fields.py`. Inflected weekday forms
are read off those phrases (Russian "в прошлую среду" gives "среду"): a word of one weekday's phrases that
keeps that weekday's one-word name but for its last two letters, never a word found in the phrases of
several weekdays ("diesen", "letzten", Hebrew "יום") nor one of the word for "day" or of the relative
days. Matching is on NFC text, folded for case and diacritics (Arabic vowel marks and hamza seats,
Hebrew points, Turkish dotted and dotless i); Arabic and Hebrew one-letter prefixes (و، ب، ל، ב ...) may precede a word and Turkish suffixes
("Salı'ya", "salıdan") may follow one; a hyphen and a space are the same ("avant hier" is "avant-hier").
The longest word wins ("avant-hier" over "hier"); a relative day written as a longer expression that
CLDR has no field for ("the day before yesterday", "dünden önceki gün", "antes de ayer": the word for
"day" one word away, or the part that makes CLDR's two-day word out of the one-day word) is found as the
whole expression and never resolved as the shorter word.

Resolution (the record format's rule): against the source's own local publication date (a datetime's
own offset, never UTC); relative days by their offset; "next X" is the first X after the publication
day (seven days later when said on an X), "last X" the last one before it, "this X" the coming X for
future statuses and the latest for past ones (the publication day itself when said on an X); a bare weekday is the most recent such day
(the same day allowed) for past statuses, and the next one for future statuses (scheduled, expected),
except that the publication's own weekday is then ambiguous. Words that name the same day together
("hier mardi", "أمس الثلاثاء", "yesterday, Tuesday" said on a Wednesday) give that day; words that name
different days (the same phrase said on a Tuesday) are unresolved. Every unresolved result says why.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel import Locale
from babel.dates import get_month_names

from briefgen.compose import model as composed
from briefgen.compose.dayvocab import (
    PREFIXES,
    SUFFIXES,
    DayForm,
    DayKind,
    base_language,
    canon,
    cldr_fields,
    relative_field,
    supported_languages,
    vocabulary,
)
from briefgen.compose.folding import fold, fold_text

AMBIGUOUS_SAME_WEEKDAY = "same weekday as publication: today or in a week?"
NO_PUBLICATION_DATE = "the source has no publication date"


@dataclass(frozen=True, order=True)
class DayWord:
    """A day word found in text: the characters as written, where, and what it says."""

    start: int
    end: int
    word: str
    kind: DayKind
    value: int  # days from publication for RELATIVE; else the weekday, 0 = Monday
    compound: bool = False  # a longer expression around the word that CLDR has no field for: not that day


@dataclass(frozen=True)
class DayResolution:
    """The day a phrase means, or (`on` None) the reason it cannot be told (`problem`, and `reason` in
    English words); `matched` is the day word."""

    on: date | None
    reason: str | None
    matched: str | None
    problem: composed.UnresolvedReason | None = None


def reason_text(problem: composed.UnresolvedReason, language: str | None = None) -> str:
    """An unresolved date's reason in English (warnings, the JSON edition's `unresolved`); `language`, the
    source's, is where a calendar date's month names are looked for (with English)."""
    code = composed.UnresolvedCode
    match problem.code:
        case code.NO_SOURCE:
            return "no source is cited to date it"
        case code.NO_DAY_WORDS:
            return f"no day words are known for language {problem.language!r}"
        case code.NOT_A_DAY:
            if problem.words:  # a longer expression around a day word (`find_day_words`' compound)
                return (
                    f"{problem.phrase!r} says more than the day word in it ({', '.join(map(repr, problem.words))}) "
                    "and CLDR has no word for the whole: give the date as `on`"
                )
            if is_calendar_date(problem.phrase or "", language):
                return f"{problem.phrase!r} is a calendar date, not a day word: give it as the date's `on`"
            return f"{problem.phrase!r} is not a day"
        case code.SEVERAL_DAYS:
            return f"{problem.phrase!r} names more than one day ({', '.join(map(repr, problem.words))})"
        case code.NO_PUBLICATION_DATE:
            return NO_PUBLICATION_DATE
        case code.SAME_WEEKDAY:
            return AMBIGUOUS_SAME_WEEKDAY


def _unresolved(matched: str | None, problem: composed.UnresolvedReason, language: str | None = None) -> DayResolution:
    return DayResolution(None, reason_text(problem, language), matched, problem)


def _word_pattern(form: str) -> str:
    return r"[\s\-]+".join(re.escape(part) for part in canon(form).split(" "))


@functools.cache
def _pattern(language: str) -> re.Pattern[str] | None:
    forms = vocabulary(language)
    if not forms:
        return None

    def alternatives(relative: bool) -> str:
        chosen = [f for f in forms if (f.kind is DayKind.RELATIVE) == relative]
        return "|".join(_word_pattern(form.folded) for form in chosen)

    prefix = f"[{PREFIXES[language]}]{{0,2}}" if language in PREFIXES else ""
    weekday_suffix, relative_suffix = SUFFIXES.get(language, ("", ""))
    word = rf"(?:{alternatives(False)}){weekday_suffix}|(?:{alternatives(True)}){relative_suffix}"
    return re.compile(rf"(?<!\w){prefix}(?P<word>{word})(?!\w)")


@dataclass(frozen=True)
class _Longer:
    """What makes a relative day word part of a longer expression: CLDR's word for "day" one word away
    ("the day before yesterday", "dünden önceki gün"), or, one or two words before it, the part that
    makes CLDR's two-day word of the one-day word ("ante" of "anteayer" before "ayer": "antes de ayer")."""

    day: re.Pattern[str]
    markers: dict[int, str]  # relative day -> letters that turn it into the day beyond


@functools.cache
def _longer(language: str) -> _Longer:
    fields = cldr_fields()[language]
    prefix = f"[{PREFIXES[language]}]{{0,2}}" if language in PREFIXES else ""
    suffix = SUFFIXES.get(language, ("", ""))[0]
    day = re.compile(rf"{prefix}(?:{_word_pattern(fold_text(str(fields['day-name'])))}){suffix}")
    relative = {offset: re.sub(r"\W", "", fold_text(word)) for offset, word in relative_field(fields, "day").items()}
    markers: dict[int, str] = {}
    for near in (-1, 1):
        one, two = relative.get(near), relative.get(2 * near)
        if one and two and len(two) >= len(one) + 3 and two.endswith(one):
            markers[near] = two[: -len(one)]
    return _Longer(day, markers)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    text: str


def _words_around(folded: str, start: int, end: int) -> tuple[list[_Span], list[_Span]]:
    """The words of the same clause (no punctuation but hyphens and apostrophes between) just before and
    just after a span of folded text, in text order."""
    low = max(0, start - 80)
    head = folded[low:start]
    low += max((m.end() for m in re.finditer(r"[^\w\s'\-]", head)), default=0)
    tail = folded[end : end + 80]
    high = end + next((m.start() for m in re.finditer(r"[^\w\s'\-]", tail)), len(tail))
    before = [_Span(m.start() + low, m.end() + low, m.group()) for m in re.finditer(r"[\w']+", folded[low:start])]
    after = [_Span(m.start() + end, m.end() + end, m.group()) for m in re.finditer(r"[\w']+", folded[end:high])]
    return before, after


def _longer_span(
    language: str, folded: str, found: tuple[int, int, int], taken: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """The span of the longer expression a relative day word (start, end, days) is part of, if any."""
    start, end, value = found
    longer = _longer(language)
    before, after = _words_around(folded, start, end)

    def free(word: _Span) -> bool:  # not part of another day word ("ביום שלישי", "Salı günü")
        return not any(word.start < high and low < word.end for low, high in taken)

    # the word between is free too: "dün Salı günü" is yesterday, Tuesday
    if len(before) >= 2 and free(before[-2]) and free(before[-1]) and longer.day.fullmatch(before[-2].text):
        return before[-2].start, end  # "the day before yesterday"
    if len(after) >= 2 and free(after[1]) and free(after[0]) and longer.day.fullmatch(after[1].text):
        return start, after[1].end  # "dünden önceki gün"
    marker = longer.markers.get(value, "")
    for word in before[-2:] if marker else []:
        letters = re.sub(r"\W", "", word.text)
        close = letters.startswith(marker) and len(letters) <= len(marker) + 1  # "antes" of "anteayer"
        if free(word) and (close or (len(letters) >= 3 and marker.endswith(letters))):  # "altro" of "l'altro ieri"
            return word.start, end
    return None


def _meaning(language: str, found: str) -> DayForm | None:
    normal = canon(found)
    for form in vocabulary(language):
        folded = canon(form.folded)
        if normal == folded or (language in SUFFIXES and normal.startswith(folded)):
            return form
    return None


def find_day_words(text: str, language: str) -> list[DayWord]:
    """Every weekday name and relative day word of `language` in `text`, in order, longest first."""
    language = base_language(language)
    pattern = _pattern(language)
    if pattern is None:
        return []
    normal = unicodedata.normalize("NFC", text)
    if pattern.search(fold_text(normal)) is None:  # most prose has no day word: no index map needed
        return []
    folded, origin = fold(normal)
    matches = [
        (match.start("word"), match.end("word"), form)
        for match in pattern.finditer(folded)
        if (form := _meaning(language, match.group("word"))) is not None
    ]
    taken = [(start, end) for start, end, _ in matches]
    found: list[DayWord] = []
    for start, end, form in matches:
        wider = None
        if form.kind is DayKind.RELATIVE:
            wider = _longer_span(language, folded, (start, end, form.value), taken)
        low, high = wider or (start, end)
        first, last = origin[low], origin[high - 1] + 1
        found.append(DayWord(first, last, normal[first:last], form.kind, form.value, compound=wider is not None))
    return found


@functools.cache
def _calendar_date(languages: tuple[str, ...]) -> re.Pattern[str]:
    months: set[str] = set()
    for language in languages:
        locale = Locale.parse(language)
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                written = get_month_names(width, context, locale).values()
                months |= {fold_text(unicodedata.normalize("NFC", str(name))).strip(".") for name in written}
    names = "|".join(re.escape(m) for m in sorted((m for m in months if len(m) >= 3), key=lambda m: (-len(m), m)))
    prefix = f"[{''.join(PREFIXES.values())}]{{0,2}}"
    month = rf"(?<!\w){prefix}(?:{names})\.?(?!\w)"
    number = r"(?<!\w)\d{1,4}[^\W\d_]{0,2}\.?(?!\w)"  # "10", "1er", "10th", "10."
    numeric = r"(?<!\w)\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?!\w)"
    return re.compile(rf"{number}[\s,]+(?:\w{{1,3}}\s+)?{month}|{month}[\s,]+{number}|{numeric}")


def is_calendar_date(phrase: str, language: str | None = None) -> bool:
    """Whether `phrase` states a calendar date ("le 10 mars", "March 10", "10 de marzo", "2026-03-10"),
    by CLDR's month names in `language` and English (loading every language's took a quarter of a second
    of each `validate`): not a day word, a date the record gives as `on`."""
    base = base_language(language) if language else "en"
    languages = tuple(sorted({"en", base} & set(supported_languages()) | {"en"}))
    return _calendar_date(languages).search(fold_text(unicodedata.normalize("NFC", phrase))) is not None


# --- resolution ----------------------------------------------------------------------------------------


def local_date(published: date | datetime) -> date:
    """The publication day where the source was published: a datetime's own offset, not UTC."""
    return published.date() if isinstance(published, datetime) else published


def _resolve(word: DayWord, day: date, *, future: bool) -> DayResolution:
    ahead = (word.value - day.weekday()) % 7  # 0..6 days to the next such weekday, 0 = today
    back = (day.weekday() - word.value) % 7
    if word.kind is DayKind.RELATIVE:
        return DayResolution(day + timedelta(days=word.value), None, word.word)
    if word.kind is DayKind.NEXT:
        return DayResolution(day + timedelta(days=ahead or 7), None, word.word)
    if word.kind is DayKind.LAST:
        return DayResolution(day - timedelta(days=back or 7), None, word.word)
    if word.kind is DayKind.THIS:
        return DayResolution(day + timedelta(days=ahead) if future else day - timedelta(days=back), None, word.word)
    if not future:
        return DayResolution(day - timedelta(days=back), None, word.word)
    if ahead == 0:
        return _unresolved(word.word, composed.UnresolvedReason(code=composed.UnresolvedCode.SAME_WEEKDAY))
    return DayResolution(day + timedelta(days=ahead), None, word.word)


def resolve_day_phrase(phrase: str, language: str, published: date | datetime | None, *, future: bool) -> DayResolution:
    """The day `phrase` ("on Wednesday", "hier", "gelecek salı") names, said by a source published at
    `published` in `language`; `future` is True for scheduled and expected events."""
    code = composed.UnresolvedCode
    words = find_day_words(phrase, language)
    if not words:
        if _pattern(base_language(language)) is None:
            return _unresolved(None, composed.UnresolvedReason(code=code.NO_DAY_WORDS, language=language), language)
        return _unresolved(None, composed.UnresolvedReason(code=code.NOT_A_DAY, phrase=phrase.strip()), language)
    longer = [w.word for w in words if w.compound]
    if longer:  # "the day before yesterday" is not "yesterday"
        return _unresolved(
            longer[0], composed.UnresolvedReason(code=code.NOT_A_DAY, phrase=phrase.strip(), words=longer), language
        )
    if len({(w.kind, w.value) for w in words}) > 1:
        found = [w.word for w in words]
        several = composed.UnresolvedReason(code=code.SEVERAL_DAYS, phrase=phrase.strip(), words=found)
        days = {_resolve(w, local_date(published), future=future).on for w in words} if published else {None}
        if len(days) == 1 and None not in days:  # "hier mardi", "أمس الثلاثاء": two words for one day
            return DayResolution(days.pop(), None, " ".join(found))
        return _unresolved(None, several, language)
    if published is None:
        return _unresolved(words[0].word, composed.UnresolvedReason(code=code.NO_PUBLICATION_DATE), language)
    return _resolve(words[0], local_date(published), future=future)
