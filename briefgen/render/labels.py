"""The words and dates briefgen writes itself: labels for statuses, scales and kinds, dates in words,
corroboration in words, and text direction.

Labels are catalog messages (`briefgen.render.words`), each with its category as gettext context; dates,
times, numbers and lists are formatted by Babel for the brief's locale. Every function takes the brief's
`Words` (English when none is given).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time
from babel.lists import format_list
from markupsafe import Markup, escape

from briefgen.compose import model as composed
from briefgen.render.words import N_, Words, direction, words_for

LABELS: dict[str, dict[str, str]] = {
    "product": {
        "daily_update": N_("Daily update"),
        "flash_update": N_("Flash update"),
        "situation_report": N_("Situation report"),
        "weekly_overview": N_("Weekly overview"),
        "spot_report": N_("Spot report"),
    },
    "status": {
        "confirmed": N_("confirmed"),
        "reported": N_("reported"),
        "claimed": N_("claimed"),
        "disputed": N_("disputed"),
        "denied": N_("denied"),
        "retracted": N_("retracted"),
        "scheduled": N_("scheduled"),
        "expected": N_("expected"),
    },
    "status_help": {
        "confirmed": N_("established by independent, reliable sourcing"),
        "reported": N_("reported by sources, not independently confirmed"),
        "claimed": N_("asserted by a party or an unnamed source, not verified"),
        "disputed": N_("contested by other sources or parties"),
        "denied": N_("denied by a party concerned"),
        "retracted": N_("withdrawn by the source that reported it"),
        "scheduled": N_("announced for a future date"),
        "expected": N_("anticipated, without a firm announcement"),
    },
    "reliability": {
        "A": N_("completely reliable"),
        "B": N_("usually reliable"),
        "C": N_("fairly reliable"),
        "D": N_("not usually reliable"),
        "E": N_("unreliable"),
        "F": N_("reliability cannot be judged"),
    },
    "credibility": {
        "1": N_("confirmed by other sources"),
        "2": N_("probably true"),
        "3": N_("possibly true"),
        "4": N_("doubtful"),
        "5": N_("improbable"),
        "6": N_("truth cannot be judged"),
    },
    "discrepancy_status": {
        "unresolved": N_("unresolved"),
        "resolved": N_("resolved"),
        "different_events": N_("assessed as different events"),
        "source_error": N_("source error"),
    },
    "discrepancy_kind": {
        "date": N_("date"),
        "place": N_("place"),
        "participants": N_("participants"),
        "outcome": N_("outcome"),
        "figure": N_("figure"),
        "attribution": N_("attribution"),
        "framing": N_("framing"),
        "naming": N_("naming"),
    },
    "question_status": {
        "open": N_("open"),
        "partially_answered": N_("partially answered"),
        "answered": N_("answered"),
        "overtaken": N_("overtaken by events"),
    },
    "question_kind": {
        "information_gap": N_("information gap"),
        "unresolved_discrepancy": N_("unresolved discrepancy"),
        "key_assumption": N_("key assumption"),
        "forecast": N_("forecast"),
        "indicator": N_("indicator"),
    },
    "unresolved_date": {  # why a date is not stated (compose's codes, `When.unresolved_reason`)
        "no_source": N_("no source is cited to date it"),
        "no_day_words": N_("no day words are known in %(language)s"),
        "not_a_day": N_("“%(phrase)s” is not a day"),
        "several_days": N_("“%(phrase)s” names more than one day (%(words)s)"),
        "no_publication_date": N_("the source has no publication date"),
        "same_weekday": N_("same weekday as publication: today or in a week?"),
    },
    "changed_field": {
        "status": N_("status"),
        "date": N_("date"),
        "place": N_("place"),
        "corroboration": N_("corroboration"),
    },
    "actor_type": {
        "state": N_("state"),
        "government_body": N_("government body"),
        "person": N_("person"),
        "armed_group": N_("armed group"),
        "political_org": N_("political organisation"),
        "administration": N_("administration"),
        "intl_org": N_("international organisation"),
        "coalition": N_("coalition"),
        "media": N_("media"),
        "other": N_("other"),
    },
}


def labels_for(words: Words) -> dict[str, dict[str, str]]:
    """Every label category, translated: `labels.status["reported"]`..."""
    return {
        category: {key: words.pgettext(category, message) for key, message in messages.items()}
        for category, messages in LABELS.items()
    }


def _words(words: Words | None) -> Words:
    return words if words is not None else words_for("en")


def date_label(value: date, words: Words | None = None) -> str:
    """A date in words for the brief's locale (`22 May 2025`, `22 mai 2025`, `22 مايو 2025`)."""
    w = _words(words)
    return w.digits(format_date(value, "long", locale=w.locale))


def _time(value: datetime, words: Words) -> str:
    offset = value.strftime("%z")
    return words.gettext(
        "%(time)s UTC%(offset)s",
        time=words.digits(format_time(value, "HH:mm", locale=words.locale)),
        offset=words.digits(f"{offset[:3]}:{offset[3:]}"),
    )


def datetime_label(value: datetime, tz: ZoneInfo, words: Words | None = None) -> str:
    """A date-time in the desk's time zone, with its offset and zone name."""
    w = _words(words)
    local = value.astimezone(tz)
    return w.gettext(
        "%(date)s, %(time)s (%(zone)s)", date=date_label(local.date(), w), time=_time(local, w), zone=tz.key
    )


def when_label(when: composed.When | None, words: Words | None = None) -> str:
    """A development's date as resolved (to its precision), or `date not stated` with what the source
    said and why it is not dated."""
    w = _words(words)
    if when is None:
        return w.gettext("date not stated")
    if when.on is None:
        problem = when.unresolved_reason
        if when.as_reported and problem is not None and problem.code == "not_a_day":
            return w.gettext(
                "date not stated (reported as “%(reported)s”, which is not a day)", reported=when.as_reported
            )
        if when.as_reported and problem is not None:
            return w.gettext(
                "date not stated (reported as “%(reported)s”: %(reason)s)",
                reported=when.as_reported,
                reason=unresolved_label(problem, w),
            )
        if when.as_reported:
            return w.gettext("date not stated (reported as “%(reported)s”)", reported=when.as_reported)
        return w.gettext("date not stated")
    day = when.on.date() if isinstance(when.on, datetime) else when.on
    if when.precision == "year":
        return w.digits(format_skeleton("y", day, locale=w.locale))
    if when.precision == "month":
        return w.digits(format_skeleton("yMMMM", day, locale=w.locale))
    text = date_label(day, w)
    if isinstance(when.on, datetime) and when.precision == "time":
        text = w.gettext("%(date)s, %(time)s", date=text, time=_time(when.on, w))
    return text


def published_label(value: date | datetime | None, words: Words | None = None) -> str:
    """A source's publication date, or `date not stated`."""
    w = _words(words)
    if value is None:
        return w.gettext("date not stated")
    return date_label(value.date() if isinstance(value, datetime) else value, w)


def sourcing_label(sourcing: composed.Sourcing, words: Words | None = None) -> str:
    """Corroboration in words, a count with flags: `single source`, `3 sources, one originator`,
    `2 independent sources (3 in all), which differ on date and place`, `2 independent sources, 1 of them
    anonymous`."""
    w = _words(words)
    level = sourcing.corroboration
    if level is composed.Corroboration.SINGLE_SOURCE:
        text = w.gettext("single source")
    elif level is composed.Corroboration.MULTIPLE_DEPENDENT:
        text = w.ngettext("%(num)d source, one originator", "%(num)d sources, one originator", sourcing.sources)
    else:
        text = w.ngettext("%(num)d independent source", "%(num)d independent sources", sourcing.independent)
        if sourcing.dependent:
            text = w.gettext("%(count)s (%(all)d in all)", count=text, all=sourcing.sources)
        if sourcing.anonymous and not sourcing.anonymous_only:
            text = w.ngettext(
                "%(sources)s, %(num)d of them anonymous",
                "%(sources)s, %(num)d of them anonymous",
                sourcing.anonymous,
                sources=text,
            )
    if sourcing.differ_on:
        facts = list_label([fact_label(f, w) for f in sourcing.differ_on], w)
        text = w.gettext("%(count)s, which differ on %(facts)s", count=text, facts=facts)
    return text


def fact_label(fact: str, words: Words | None = None) -> str:
    """A fact sources can differ on (`status`, `date`, `place`), translated ("fact" was a context no catalog
    had); another name as given."""
    names = LABELS["changed_field"]
    return _words(words).pgettext("changed_field", names[fact]) if fact in names else fact


def _differ(w: Words, values: str) -> str:
    return w.gettext("%(values)s — sources differ", values=values)


def unresolved_label(problem: composed.UnresolvedReason, words: Words | None = None) -> str:
    """Why a date is not stated, in the brief's language (compose gives a code and its values)."""
    w = _words(words)
    message = LABELS["unresolved_date"][problem.code.value]
    language = problem.language or ""
    with contextlib.suppress(ValueError, TypeError, UnknownLocaleError):
        language = Locale.parse(language.replace("-", "_")).get_display_name(w.locale) or language
    return w.pgettext(
        "unresolved_date",
        message,
        phrase=problem.phrase or "",
        language=language,
        words=list_label(problem.words, w),
    )


def _assessed(w: Words, value: str) -> str:
    return w.gettext("%(value)s (desk's assessment)", value=value)


def _alternative_dates(whens: list[composed.When], w: Words) -> str:
    days = [x.on.date() if isinstance(x.on, datetime) else x.on for x in whens]
    plain = [d for d in days if d is not None]
    same_month = len({(d.year, d.month) for d in plain}) == 1
    if len(plain) == len(whens) and all(x.precision == "day" for x in whens) and same_month:
        # The locale's long date with its day as the days ("March 9 or 10, 2026", "9 ou 10 mars 2026"),
        # so that it reads as the brief's other dates do.
        long = format_date(plain[0], "long", locale=w.locale)
        day = re.compile(rf"(?<!\d){plain[0].day}(?!\d)")
        if len(day.findall(long)) == 1:
            either = list_label([str(d.day) for d in plain], w, style="or")
            return w.digits(day.sub(lambda _: either, long))
        return w.gettext(
            "%(days)s %(month)s",
            days=list_label([w.number(d.day) for d in plain], w, style="or"),
            month=w.digits(format_skeleton("yMMMM", plain[0], locale=w.locale)),
        )
    return list_label([when_label(x, w) for x in whens], w, style="or")


def occurred_label(development: composed.Development, words: Words | None = None) -> str:
    """The facts line's date: the date; every date when sources differ (`4 or 5 April 2026 — sources
    differ`); the desk's assessment said as such."""
    w = _words(words)
    if development.alternatives.occurred:
        return _differ(w, _alternative_dates(development.alternatives.occurred, w))
    text = when_label(development.occurred, w)
    return _assessed(w, text) if "date" in development.assessed else text


def place_label(
    development: composed.Development, words: Words | None = None, each: Callable[[str], str] | None = None
) -> str:
    """The facts line's place (empty when none is given), in the same manner as `occurred_label`; `each`
    (a place name as the record gives it -> what stands for it) isolates each place in its own direction
    and language, the words around them in the brief's."""
    w = _words(words)
    name = each or (lambda place: place)
    if development.alternatives.where:
        places = list(development.alternatives.where)
        if any(re.search(r"[,،;؛]", place) for place in places):  # "Tell Hamra, Orontes valley": one place each
            return _differ(w, list_label([_quoted(w, name(place)) for place in places], w, style="or"))
        return _differ(w, list_label([name(place) for place in places], w, style="or"))
    if development.where is None:
        return ""
    where = name(development.where)
    return _assessed(w, where) if "place" in development.assessed else where


def _quoted(w: Words, text: str) -> str:
    """Text between the language's quotation marks (Babel ships no CLDR delimiters: the catalog has them)."""
    return w.gettext("“%(title)s”", title=text)  # the catalog's quotation marks, as a source's title has them


def status_note(development: composed.Development, words: Words | None = None) -> str:
    """What follows the status badge: the statuses sources give when they conflict, or that the status is
    the desk's assessment; empty otherwise."""
    w = _words(words)
    if development.alternatives.status:
        said = list_label(
            [w.pgettext("status", LABELS["status"][s.value]) for s in development.alternatives.status], w, style="or"
        )
        return w.gettext("sources differ: %(statuses)s", statuses=said)
    return w.gettext("desk's assessment") if "status" in development.assessed else ""


def list_label(items: list[str], words: Words | None = None, style: str = "standard") -> str:
    """Items joined as the locale joins a list (`a, b and c`; `unit` style: `a, b, c`). HTML items
    (`Markup`) give HTML, the locale's words between them escaped."""
    if not items:
        return ""
    if any(isinstance(item, Markup) for item in items):
        joined = format_list([str(escape(item)) for item in items], style=style, locale=_words(words).locale)  # type: ignore[arg-type]
        return Markup(joined)
    return format_list(list(items), style=style, locale=_words(words).locale)  # type: ignore[arg-type]


def text_direction(text: str | None) -> str:
    """`rtl` when the first strongly directional character of the text is right-to-left."""
    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


# Bidi classes that can reorder plain text around them: in left-to-right text, right-to-left letters and
# Arabic digits; in right-to-left text, left-to-right letters and European digits; anywhere, the controls.
_REORDERING = {
    "ltr": {"R", "AL", "AN"},
    "rtl": {"L", "EN"},
}
_CONTROLS = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}


def isolated_plain(text: str, direction: str) -> str:
    """Plain text (an email subject, the TXT edition) between Unicode isolates (FSI ... PDI) if it could
    otherwise reorder the text around it in a line of that direction; as it is if not, so that an English
    title in an English brief stays the characters a mail filter or a search looks for."""
    reordering = _REORDERING["rtl" if direction == "rtl" else "ltr"] | _CONTROLS
    if text and any(unicodedata.bidirectional(char) in reordering for char in text):
        return f"\u2068{text}\u2069"
    return text


def language_direction(language: str) -> str:
    """`rtl` for a right-to-left language tag (ar, he, ckb, ku-Arab, syr...: from CLDR), else `ltr`."""
    return direction(language)


def capitalize(text: str, language: str) -> str:
    """The first letter in upper case, as the language does it (Turkish `iç` -> `İç`)."""
    if not text:
        return text
    first = text[0]
    if first == "i" and language.split("-")[0].lower() in ("tr", "az"):
        return "İ" + text[1:]
    return first.upper() + text[1:]


def upper(text: str, language: str) -> str:
    """Upper case as the language does it (Turkish `i` -> `İ`)."""
    if language.split("-")[0].lower() in ("tr", "az"):
        text = text.replace("i", "İ")
    return text.upper()


def theme_label(theme: str | None, words: Words | None = None) -> str:
    """A theme key as a heading (`armed-conflict` -> `Armed conflict`)."""
    w = _words(words)
    if not theme:
        return w.gettext("Other developments")
    return capitalize(theme.replace("-", " ").replace("_", " "), w.language)
