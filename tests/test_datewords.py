"""The date-word resolver: CLDR words per language, the record format's resolution rules, prose scan."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefgen.compose.datewords import (
    AMBIGUOUS_SAME_WEEKDAY,
    NO_PUBLICATION_DATE,
    DayKind,
    day_word_table,
    day_word_table_markdown,
    find_day_words,
    resolve_day_phrase,
    supported_languages,
)

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

    from briefgen.compose.datewords import date_words_document

    docs = Path(__file__).resolve().parents[1] / "docs" / "date-words.md"
    assert docs.read_text(encoding="utf-8") == date_words_document(), (
        "docs/date-words.md is stale: python -m briefgen.compose.datewords > docs/date-words.md"
    )
