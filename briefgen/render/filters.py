"""The filters and functions templates call: Markdown, citation calls, labels, wrapping, isolation.

Filters and `cites` see whether the template autoescapes: HTML templates get HTML, text templates
(`*.txt.j2`) get plain text with `[n]` calls.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import wcwidth
from markupsafe import Markup

from briefgen.compose import model as composed
from briefgen.compose.dates import when_from_key
from briefgen.desk.vocabulary import DiscrepancyKind
from briefgen.render import labels
from briefgen.render.endnotes import Endnotes
from briefgen.render.labels import isolated_plain, language_direction, text_direction
from briefgen.render.markdown import render_markdown, render_markdown_text
from briefgen.render.typography import field_language, typeset
from briefgen.render.words import Words

LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"  # left-to-right and right-to-left isolates, and their end


def _words(context: jinja2.runtime.Context) -> Words:
    words: Words = context["words"]
    return words


@jinja2.pass_context
def _isolate(context: jinja2.runtime.Context, text: object, lang: str | None = None) -> Markup | str:
    """A field from a record in its own bidi isolate with its own language: `<bdi dir lang>` in HTML,
    Unicode isolates (FSI ... PDI) in plain text where it could reorder what is around it (`isolated_plain`),
    set as its language sets quotes and spacing.
    `lang` is the field's language when known (a source's), else the brief's; a field plainly in another
    script's direction is marked `und-<Script>`."""
    value = "" if text is None else str(text)
    brief_language = context["brief"].language
    language = field_language(value, lang or brief_language, language_direction(lang or brief_language))
    value = typeset(value, language)
    if not context.eval_ctx.autoescape:
        return isolated_plain(value, language_direction(brief_language))
    direction = text_direction(value)
    # The isolate characters inside <bdi> are for WeasyPrint, which does not implement `unicode-bidi`
    # (Pango does isolate the text between them); browsers isolate <bdi> anyway.
    mark = RLI if direction == "rtl" else LRI
    return Markup('<bdi dir="{}" lang="{}">{}{}{}</bdi>').format(direction, language, mark, value, PDI)


@jinja2.pass_context
def _field_attrs(context: jinja2.runtime.Context, text: object, lang: str | None = None) -> Markup:
    """`dir` and `lang` attributes for an element that holds one record field, written inside its start tag."""
    value = "" if text is None else str(text)
    brief_language = context["brief"].language
    language = field_language(value, lang or brief_language, language_direction(lang or brief_language))
    return Markup('dir="{}" lang="{}"').format(text_direction(value), language)


@jinja2.pass_context
def _typeset(context: jinja2.runtime.Context, text: object, lang: str | None = None) -> str:
    """A plain record field set as its language sets quotes and spacing (for an element carrying `field`)."""
    value = "" if text is None else str(text)
    brief_language = context["brief"].language
    return typeset(value, field_language(value, lang or brief_language, language_direction(lang or brief_language)))


@jinja2.pass_context
def _isolated(context: jinja2.runtime.Context, text: object, lang: str | None = None) -> str:
    """As `typeset`, between isolate characters: for an inline element carrying `field` (a link), which
    WeasyPrint would not isolate; no extra element, so a link stays one link annotation."""
    value = _typeset(context, text, lang)
    return f"{RLI if text_direction(value) == 'rtl' else LRI}{value}{PDI}" if value else ""


def _text_language(context: jinja2.runtime.Context, text: str | None) -> str:
    """The language record text is set in: the brief's, unless the text is plainly in another script's
    direction (English in an Arabic brief keeps English quotes)."""
    language = context["brief"].language
    return field_language(text or "", language, language_direction(language))


@jinja2.pass_context
def _markdown(context: jinja2.runtime.Context, text: str | None) -> Markup | str:
    """Record Markdown as safe HTML (no raw HTML, images or unsafe links), citations as endnote calls."""
    if not context.eval_ctx.autoescape:
        return render_markdown_text(text or "", _text_language(context, text), context["notes"])
    return render_markdown(text or "", _text_language(context, text), context["notes"])


@jinja2.pass_context
def _markdown_inline(context: jinja2.runtime.Context, text: str | None) -> Markup | str:
    """As `markdown`, without the paragraph around it."""
    if not context.eval_ctx.autoescape:
        return render_markdown_text(text or "", _text_language(context, text), context["notes"])
    return render_markdown(text or "", _text_language(context, text), context["notes"], inline=True)


@jinja2.pass_context
def _cites(context: jinja2.runtime.Context, citations: list[composed.Cite]) -> Markup | str:
    """`cites(item.cites)`: the endnote calls of structured citations, numbered in order of first call."""
    notes: Endnotes = context["notes"]
    if not context.eval_ctx.autoescape:
        return notes.text_call(citations)
    return notes.group(citations)


NO_BREAK = "\u00a0"
# A citation call (`[3]`, `[1, para 7; 3]`) and the space before it: the call stays with its word.
_CALL = re.compile(r" (\[\d+(?:,[^\]\n]*)?(?:;[^\]\n]*)*\])")


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide characters (CJK, emoji) count two, combining marks none."""
    shown = "".join(char for char in text if unicodedata.category(char) != "Cf")  # isolates take no column
    width = wcwidth.wcswidth(shown)
    return width if width >= 0 else len(shown)


def _fill(words: list[str], width: int, first: str, rest: str) -> list[str]:
    """Greedy fill by display width; a word longer than a line stands alone (never broken)."""
    lines: list[str] = []
    current, used = first, display_width(first)
    empty = True
    for word in words:
        size = display_width(word)
        if not empty and used + 1 + size > width:
            lines.append(current)
            current, used, empty = rest, display_width(rest), True
        current += ("" if empty else " ") + word
        used += (0 if empty else 1) + size
        empty = False
    lines.append(current)
    return lines


def wrap_text(text: str, indent: int = 0, width: int = 76) -> str:
    """Wrap each line of plain text to `width` columns (measured as a terminal shows them), indented;
    list items get a hanging indent. Lines break only at plain spaces: a citation call is tied to the word
    before it and never split (no-break spaces)."""
    lines = []
    for line in str(text).split("\n"):
        if not line.strip():
            lines.append("")
            continue
        line = _CALL.sub(lambda m: NO_BREAK + m.group(1).replace(" ", NO_BREAK), line)
        hanging = re.match(r"^(?:> )*\s*(?:[-*]|\d+\.|\[\d+\])\s+", line)
        first = " " * indent
        rest = first + " " * (len(hanging.group(0)) if hanging else 0)
        lines.extend(_fill([w for w in line.split(" ") if w], max(width, indent + 20), first, rest))
    return "\n".join(lines)


@jinja2.pass_context
def _datetime_label(context: jinja2.runtime.Context, value: datetime) -> str:
    """A date-time in the desk's time zone, with its offset and zone name."""
    return labels.datetime_label(value, ZoneInfo(context["brief"].timezone), _words(context))


@jinja2.pass_context
def _date_label(context: jinja2.runtime.Context, value: date) -> str:
    """A date in words for the brief's locale (`22 May 2025`, `22 mai 2025`)."""
    return labels.date_label(value, _words(context))


@jinja2.pass_context
def _when_label(context: jinja2.runtime.Context, value: composed.When | None) -> str:
    """A development's date as resolved (to its precision), or `date not stated` with what the source said."""
    return labels.when_label(value, _words(context))


@jinja2.pass_context
def _published_label(context: jinja2.runtime.Context, value: date | datetime | None) -> str:
    """A source's publication date in words, or `date not stated`."""
    return labels.published_label(value, _words(context))


@jinja2.pass_context
def _sourcing_label(context: jinja2.runtime.Context, value: composed.Sourcing) -> str:
    """Corroboration in words: `single source`, `2 independent sources`, `conflicting reports`..."""
    return labels.sourcing_label(value, _words(context))


@jinja2.pass_context
def _occurred_label(context: jinja2.runtime.Context, value: composed.Development) -> str:
    """A development's date for the facts line: every value when sources differ, the desk's assessment said."""
    return labels.occurred_label(value, _words(context))


@jinja2.pass_context
def _place_label(context: jinja2.runtime.Context, value: composed.Development) -> str:
    """A development's place for the facts line, as `occurred_label` says its date."""
    return labels.place_label(value, _words(context))


@jinja2.pass_context
def _place(context: jinja2.runtime.Context, value: composed.Development) -> Markup | str:
    """As `place_label`, each place a record field in its own isolate (`isolate`): places that sources give
    differently ("Mersin or مرسين") each keep their direction and language, the words around them are
    in the brief's."""
    isolates: dict[str, Markup | str] = {}

    def held(place: str) -> str:
        key = f"\x00{len(isolates)}\x00"  # kept by escaping, never in a label
        isolates[key] = _isolate(context, place)
        return key

    label = labels.place_label(value, _words(context), each=held)
    text = str(Markup.escape(label)) if context.eval_ctx.autoescape else label
    for key, isolate in isolates.items():
        text = text.replace(key, str(isolate))
    return Markup(text) if context.eval_ctx.autoescape else text


@jinja2.pass_context
def _status_note(context: jinja2.runtime.Context, value: composed.Development) -> str:
    """What follows the status badge: the statuses sources give when they conflict, or the desk's assessment."""
    return labels.status_note(value, _words(context))


@jinja2.pass_context
def _theme_label(context: jinja2.runtime.Context, value: str | None) -> str:
    """A theme key as a heading (`armed-conflict` -> `Armed conflict`), capitalised as the language does it."""
    return labels.theme_label(value, _words(context))


@jinja2.pass_context
def _list_label(context: jinja2.runtime.Context, items: list[str], style: str = "standard") -> str:
    """Items joined as the brief's locale joins a list: `a, b and c` (`unit`: `a, b, c`)."""
    shown = [item if isinstance(item, Markup) else str(item) for item in items]
    return labels.list_label(shown, _words(context), style)


@jinja2.pass_context
def _upper(context: jinja2.runtime.Context, text: str) -> str:
    """Upper case as the brief's language does it (Turkish `i` -> `İ`)."""
    return labels.upper(str(text), context["brief"].language)


@jinja2.pass_context
def _colon(context: jinja2.runtime.Context, label: str) -> str:
    """A label followed by its colon as the language writes it (`Edition:`, `Édition :`)."""
    return _words(context).gettext("%(label)s:", label=label)


def _url_breaks(url: str) -> str:
    """A URL that may break after `/` (and before `?`, `&`, `#`) without a hyphen, never mid-word: zero-width
    spaces, not `<wbr>` elements (each of which would split the link into one PDF annotation per piece)."""
    return re.sub(r"(?<=/)(?=[^/])|(?=[?&#])", "\u200b", str(url)).lstrip("\u200b")


@jinja2.pass_context
def _statement_label(
    context: jinja2.runtime.Context, statement: composed.Statement, discrepancy: composed.Discrepancy
) -> str:
    """What a statement of a discrepancy says, in the brief's words: a date the build compared as the brief
    writes dates (not `2026-03-09`), a status by its label; a statement the desk wrote, as written."""
    value = statement.value
    if discrepancy.found_by_build and discrepancy.kind is DiscrepancyKind.DATE:
        when = when_from_key(value)
        return labels.when_label(when, _words(context)) if when is not None else value
    if discrepancy.found_by_build and discrepancy.kind is DiscrepancyKind.OUTCOME and value in labels.LABELS["status"]:
        return str(context["labels"]["status"][value])
    return value


@jinja2.pass_context
def _discrepancy_topic(context: jinja2.runtime.Context, discrepancy: composed.Discrepancy, short: bool = False) -> str:
    """A discrepancy's topic: for one the build found, what its sources differ on (`short`: only that, for a
    link from the development itself) and the development's summary, in the brief's language; for one the
    desk wrote, as written."""
    brief: composed.ComposedBrief = context["brief"]
    development = next((d for d in brief.developments if d.id == discrepancy.development), None)
    if not discrepancy.found_by_build or development is None:
        return discrepancy.topic
    words = _words(context)
    # The fact by the name the development's sourcing gives it ("which differ on status"): a status
    # conflict is of the kind "outcome", but the facts line and this topic name the same fact.
    fact = _FOUND_FACTS.get(discrepancy.kind)
    if fact is not None:
        named = labels.fact_label(fact, words)
    else:
        named = str(context["labels"]["discrepancy_kind"][discrepancy.kind.value])
    if short:
        return named
    # The summary in its own isolate where it could reorder the sentence around it (an English summary in
    # an Arabic brief keeps its full stop at its end).
    summary = isolated_plain(development.summary, language_direction(brief.language))
    return words.gettext("Sources differ on the %(fact)s of: %(summary)s", fact=named, summary=summary)


_FOUND_FACTS = {DiscrepancyKind.DATE: "date", DiscrepancyKind.PLACE: "place", DiscrepancyKind.OUTCOME: "status"}


class FirstMention:
    """Which names a section has already linked: a name links at its first mention in a section only."""

    def __init__(self) -> None:
        self._seen: set[tuple[str, str]] = set()

    def __call__(self, section: str, key: str) -> bool:
        first = (section, key) not in self._seen
        self._seen.add((section, key))
        return first


FILTERS: dict[str, Any] = {
    "markdown": _markdown,
    "markdown_inline": _markdown_inline,
    "date_label": _date_label,
    "datetime_label": _datetime_label,
    "when_label": _when_label,
    "statement_label": _statement_label,
    "discrepancy_topic": _discrepancy_topic,
    "published_label": _published_label,
    "sourcing_label": _sourcing_label,
    "occurred_label": _occurred_label,
    "place_label": _place_label,
    "place": _place,
    "status_note": _status_note,
    "textdir": text_direction,
    "langdir": language_direction,
    "theme_label": _theme_label,
    "list_label": _list_label,
    "upper_label": _upper,
    "colon": _colon,
    "wrap": wrap_text,
    "isolate": _isolate,
    "url_breaks": _url_breaks,
    "field": _field_attrs,
    "typeset": _typeset,
    "isolated": _isolated,
}
GLOBALS: dict[str, Any] = {"cites": _cites}
