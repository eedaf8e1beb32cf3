"""The date-word resolver: CLDR words per language, the record format's resolution rules, prose scan."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefgen.compose.datewords import (
    AMBIGUOUS_SAME_WEEKDAY,
    NO_PUBLICATION_DATE,
    find_day_words,
    resolve_day_phrase,
)
from briefgen.compose.datewords_doc import day_word_table, day_word_table_markdown
from briefgen.compose.dayvocab import DayKind, supported_languages

MONDAY = date(2026, 3, 2)
WEDNESDAY = date(2026, 3, 4)


@pytest.mark.parametrize(
    ("language", "phrase", "future", "expected"),
    [
        ("en", "on Tuesday", False, date(2026, 3, 3)),
        ("en", "on Tuesday", True, date(2026, 3, 10)),
        ("en", "next Monday", True, date(2026, 3, 16)),
        ("en", "yesterday", False, date(2026, 3, 8)),
        ("en", "tomorrow", True, date(2026, 3, 10)),
        ("en", "last Friday", False, date(2026, 3, 6)),
        ("fr", "lundi", False, date(2026, 3, 9)),
        ("fr", "mardi prochain", True, date(2026, 3, 10)),
        ("fr", "hier", False, date(2026, 3, 8)),
        ("fr", "avant-hier", False, date(2026, 3, 7)),
        ("ar", "يوم الثلاثاء", True, date(2026, 3, 10)),
        ("ar", "أمس", False, date(2026, 3, 8)),
        ("ar", "الإثنين القادم", True, date(2026, 3, 16)),
        ("he", "ביום שלישי", True, date(2026, 3, 10)),
        ("he", "אתמול", False, date(2026, 3, 8)),
        ("tr", "salı", True, date(2026, 3, 10)),
        ("tr", "Salı günü", False, date(2026, 3, 3)),
        ("tr", "SALI", True, date(2026, 3, 10)),
        ("tr", "dün", False, date(2026, 3, 8)),
        ("tr", "gelecek pazartesi", True, date(2026, 3, 16)),
        ("de", "am Dienstag", True, date(2026, 3, 10)),
        ("de", "gestern", False, date(2026, 3, 8)),
        ("es", "el martes", True, date(2026, 3, 10)),
        ("es", "ayer", False, date(2026, 3, 8)),
        ("ru", "во вторник", True, date(2026, 3, 10)),
        ("ru", "в среду", True, date(2026, 3, 11)),
        ("ru", "вчера", False, date(2026, 3, 8)),
    ],
)
def test_words_of_every_language_resolve(language: str, phrase: str, future: bool, expected: date) -> None:
    published = date(2026, 3, 9)  # a Monday
    result = resolve_day_phrase(phrase, language, published, future=future)
    assert (result.on, result.reason) == (expected, None)
    assert result.matched and result.matched in phrase


def test_next_monday_said_on_a_monday_is_a_week_later() -> None:
    assert resolve_day_phrase("next Monday", "en", MONDAY, future=True).on == MONDAY + timedelta(days=7)
    assert resolve_day_phrase("lundi prochain", "fr", MONDAY, future=True).on == MONDAY + timedelta(days=7)
    assert resolve_day_phrase("last Monday", "en", MONDAY, future=False).on == MONDAY - timedelta(days=7)


def test_same_weekday_with_a_future_status_is_ambiguous_and_a_past_one_is_that_day() -> None:
    future = resolve_day_phrase("on Wednesday", "en", WEDNESDAY, future=True)
    assert (future.on, future.reason, future.matched) == (None, AMBIGUOUS_SAME_WEEKDAY, "Wednesday")
    assert resolve_day_phrase("on Wednesday", "en", WEDNESDAY, future=False).on == WEDNESDAY
    assert resolve_day_phrase("الأربعاء", "ar", WEDNESDAY, future=True).reason == AMBIGUOUS_SAME_WEEKDAY


def test_the_local_publication_day_counts_not_utc() -> None:
    # 23:30 on Monday in New York is Tuesday in UTC: "yesterday" is still Sunday.
    late = datetime(2026, 3, 2, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert resolve_day_phrase("yesterday", "en", late, future=False).on == date(2026, 3, 1)
    # 00:15 on Tuesday in Damascus is Monday in UTC: "today" is Tuesday.
    early = datetime(2026, 3, 3, 0, 15, tzinfo=timezone(timedelta(hours=3)))
    assert resolve_day_phrase("اليوم", "ar", early, future=False).on == date(2026, 3, 3)
    assert resolve_day_phrase("on Tuesday", "en", early, future=True).reason == AMBIGUOUS_SAME_WEEKDAY


@pytest.mark.parametrize(
    ("phrase", "published", "reason"),
    [
        ("in the spring", MONDAY, "'in the spring' is not a day"),
        ("on Wednesday", None, NO_PUBLICATION_DATE),
        ("between Monday and Friday", MONDAY, "names more than one day"),
    ],
)
def test_unresolved_phrases_say_why(phrase: str, published: date | None, reason: str) -> None:
    result = resolve_day_phrase(phrase, "en", published, future=False)
    assert result.on is None and result.reason is not None and reason in result.reason


def test_two_words_for_one_day_give_it_and_two_days_stay_unresolved() -> None:
    """Wire copy names the day twice ("hier mardi", "أمس الثلاثاء", "dün salı"): said on a Wednesday, both
    words are Tuesday; said on a Tuesday, yesterday is Monday, so the phrase is unresolved and says why."""
    wednesday, tuesday = date(2026, 3, 11), date(2026, 3, 10)
    for phrase, language in [
        ("hier mardi", "fr"),
        ("مساء أمس الثلاثاء", "ar"),
        ("dün salı", "tr"),
        ("אתמול, ביום שלישי", "he"),
    ]:
        assert resolve_day_phrase(phrase, language, wednesday, future=False).on == tuesday, phrase
        said_on_tuesday = resolve_day_phrase(phrase, language, tuesday, future=False)
        assert said_on_tuesday.on is None and "names more than one day" in (said_on_tuesday.reason or ""), phrase
    assert resolve_day_phrase("hier mardi", "fr", None, future=False).on is None


def test_an_unknown_language_says_so() -> None:
    result = resolve_day_phrase("on Monday", "xx", MONDAY, future=False)
    assert result.on is None and result.reason == "no day words are known for language 'xx'"


def test_words_in_prose_are_found_with_their_positions() -> None:
    text = "Talks resumed on Wednesday; the next round is due next Monday, officials said yesterday."
    words = find_day_words(text, "en")
    assert [(w.word, w.kind) for w in words] == [
        ("Wednesday", DayKind.WEEKDAY),
        ("next Monday", DayKind.NEXT),
        ("yesterday", DayKind.RELATIVE),
    ]
    assert all(text[w.start : w.end] == w.word for w in words)
    assert find_day_words("The ministry met its Monday-to-Friday quota", "en")[0].word == "Monday"
    assert find_day_words("Dünya Bankası açıkladı", "tr") == []  # "dün" inside "dünya" is not yesterday
    assert [w.word for w in find_day_words("Ankara'da Salı'ya kadar", "tr")] == ["Salı'ya"]
    assert [w.word for w in find_day_words("وقال يوم الثلاثاء", "ar")] == ["يوم الثلاثاء"]


def test_decomposed_and_accented_forms_match() -> None:
    decomposed = "mercredi prochain".replace("e", "e\u0301", 1)  # an accent the word does not have
    assert find_day_words(decomposed, "fr")[0].kind is DayKind.NEXT
    assert find_day_words("MIERCOLES", "es")[0].value == 2


def test_the_table_covers_the_required_languages_from_cldr() -> None:
    languages = set(supported_languages())
    assert {"en", "fr", "ar", "he", "tr", "de", "es", "ru"} <= languages
    rows = day_word_table(("fr",))
    words = {word for row in rows for word in row.words}
    assert {"lundi", "hier", "demain", "mardi prochain", "ce jeudi"} <= words
    assert "| fr | weekday | Monday | lundi |" in day_word_table_markdown(("fr",))


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    weekday=st.integers(0, 6),
    future=st.booleans(),
)
def test_bare_weekdays_land_on_that_weekday_within_a_week(day: date, weekday: int, future: bool) -> None:
    name = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[weekday]
    result = resolve_day_phrase(f"on {name}", "en", day, future=future)
    if result.on is None:
        assert future and day.weekday() == weekday and result.reason == AMBIGUOUS_SAME_WEEKDAY
        return
    assert result.on.weekday() == weekday
    delta = (result.on - day).days
    assert (1 <= delta <= 6) if future else (-6 <= delta <= 0)


@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), weekday=st.integers(0, 6))
def test_next_is_always_after_and_last_always_before(day: date, weekday: int) -> None:
    name = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")[weekday]
    after = resolve_day_phrase(f"{name} prochain", "fr", day, future=True).on
    before = resolve_day_phrase(f"{name} dernier", "fr", day, future=False).on
    assert after is not None and before is not None
    assert 1 <= (after - day).days <= 7 and 1 <= (day - before).days <= 7


def test_the_docs_table_is_generated_from_the_code() -> None:
    from pathlib import Path

    from briefgen.compose.datewords_doc import date_words_document

    docs = Path(__file__).resolve().parents[1] / "docs" / "date-words.md"
    assert docs.read_text(encoding="utf-8") == date_words_document(), (
        "docs/date-words.md is stale: python -m briefgen.compose.datewords_doc > docs/date-words.md"
    )


# --- derived weekday forms and longer expressions (all said on Wednesday 11 March 2026) -----------------

PUBLISHED_WEDNESDAY = date(2026, 3, 11)


def _weekday_rows(language: str) -> dict[str, tuple[str, ...]]:
    return {row.meaning: row.words for row in day_word_table((language,)) if row.kind is DayKind.WEEKDAY}


def test_the_hebrew_word_for_day_is_not_a_weekday() -> None:
    """ "יום" (day) is in every Hebrew weekday's CLDR phrase ("יום שני שעבר"): it names no weekday."""
    assert _weekday_rows("he")["Monday"] == ("יום שני",)
    for phrase in ("באותו יום", "לפני יום", "יום"):  # "that same day", "a day ago"
        result = resolve_day_phrase(phrase, "he", PUBLISHED_WEDNESDAY, future=False)
        assert (result.on, result.reason) == (None, f"{phrase!r} is not a day"), phrase
    assert resolve_day_phrase("ביום שני", "he", PUBLISHED_WEDNESDAY, future=False).on == date(2026, 3, 9)


def test_the_hebrew_last_night_word_is_not_in_cldr_and_stays_unresolved() -> None:
    result = resolve_day_phrase("אמש", "he", PUBLISHED_WEDNESDAY, future=False)
    assert (result.on, result.reason) == (None, "'אמש' is not a day")


def test_the_german_this_is_not_tuesday() -> None:
    """ "diesen" (this) is in every German "this X" phrase and shares "Dienstag"'s first letters only."""
    assert _weekday_rows("de")["Tuesday"] == ("Dienstag",)
    result = resolve_day_phrase("diesen", "de", PUBLISHED_WEDNESDAY, future=False)
    assert (result.on, result.reason) == (None, "'diesen' is not a day")
    assert find_day_words("Er kommt diesen Monat", "de") == []
    assert resolve_day_phrase("diesen Dienstag", "de", PUBLISHED_WEDNESDAY, future=False).on == date(2026, 3, 10)


@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("de", "vorgestern"),
        ("fr", "avant-hier"),
        ("fr", "avant hier"),  # a space for the hyphen
        ("tr", "evvelsi gün"),
        ("he", "שלשום"),
        ("ar", "أول أمس"),
        ("es", "anteayer"),
        ("it", "l’altro ieri"),
    ],
)
def test_cldr_words_for_the_day_before_yesterday_win_over_yesterday(language: str, phrase: str) -> None:
    result = resolve_day_phrase(phrase, language, PUBLISHED_WEDNESDAY, future=False)
    assert (result.on, result.reason) == (date(2026, 3, 9), None)


@pytest.mark.parametrize(
    ("language", "phrase", "longer"),
    [
        ("en", "on the day before yesterday", "day before yesterday"),
        ("en", "the day after tomorrow", "day after tomorrow"),
        ("tr", "dünden önceki gün", "dünden önceki gün"),
        ("es", "antes de ayer", "antes de ayer"),
        ("he", "יום לפני אתמול", "יום לפני אתמול"),
    ],
)
def test_a_longer_expression_without_a_cldr_word_is_never_the_shorter_day(
    language: str, phrase: str, longer: str
) -> None:
    result = resolve_day_phrase(phrase, language, PUBLISHED_WEDNESDAY, future=False)
    assert result.on is None and result.matched == longer and result.problem is not None
    assert result.reason is not None and "says more than the day word" in result.reason
    found = find_day_words(f"Officials said {phrase}.", language)
    assert [(w.word, w.compound) for w in found] == [(longer, True)]


def test_a_day_word_beside_the_word_for_day_still_resolves() -> None:
    """ "يوم أمس" and "ביום אתמול" are how Arabic and Hebrew say "yesterday"; "dün Salı günü" is
    yesterday, Tuesday: the word for "day" belongs to the day word, not to a longer expression."""
    for phrase, language in [("يوم أمس", "ar"), ("ביום אתמול", "he"), ("dün Salı günü", "tr"), ("hier, mardi", "fr")]:
        assert resolve_day_phrase(phrase, language, PUBLISHED_WEDNESDAY, future=False).on == date(2026, 3, 10)


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("fr", "le 10 mars"), ("en", "March 10"), ("es", "el 10 de marzo"), ("de", "am 10.03.2026")],
)
def test_an_explicit_calendar_date_is_reported_as_one(language: str, phrase: str) -> None:
    result = resolve_day_phrase(phrase, language, PUBLISHED_WEDNESDAY, future=False)
    assert result.on is None and result.problem is not None
    assert result.reason == f"{phrase!r} is a calendar date, not a day word: give it as the date's `on`"


def test_no_derived_weekday_form_is_shared_by_two_weekdays_in_any_language() -> None:
    """A weekday form names one weekday: never a word found in the CLDR phrases or Babel names of two
    weekdays ("diesen", "letzten", "next", "יום"), and such a word alone is no weekday word."""
    import json
    import unicodedata
    from pathlib import Path

    from babel import Locale
    from babel.dates import get_day_names

    from briefgen.compose.folding import fold_text

    data = json.loads((Path(__file__).resolve().parents[1] / "briefgen/data/cldr_day_fields.json").read_text())
    fields = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    english = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

    def words(text: str) -> set[str]:
        return set(fold_text(unicodedata.normalize("NFC", text)).split())

    for language in supported_languages():
        locale = Locale.parse(language)
        per_weekday = []
        for weekday, field in enumerate(fields):
            names = {str(get_day_names("wide", c, locale)[weekday]) for c in ("format", "stand-alone")}
            per_weekday.append(set().union(*map(words, [*names, *data[language][field].values()])))
        shared = {w for w in set().union(*per_weekday) if sum(w in s for s in per_weekday) > 1}
        rows = _weekday_rows(language)
        for weekday, meaning in enumerate(english):
            for form in rows[meaning]:
                folded = " ".join(fold_text(unicodedata.normalize("NFC", form)).split())
                assert folded not in shared, (language, meaning, form)
                assert all(folded not in per_weekday[other] for other in range(7) if other != weekday), (language, form)
        for word in shared:
            assert all(w.kind is DayKind.RELATIVE for w in find_day_words(word, language)), (language, word)
