"""Render a composed brief to HTML with Jinja2 (sandboxed, autoescaped, StrictUndefined) and Markdown.

Templates are looked up in the desk's `templates/` first, then in the built-in templates (also reachable
as `builtin/NAME`, so a desk template can extend the one it replaces). Endnote numbers are given while
the page renders, in order of first call; the sources section, rendered after every citing section,
lists them.
"""

from __future__ import annotations

import functools
import itertools
import re
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from briefgen import __version__
from briefgen.compose import model as out
from briefgen.desk.citations import TextCitation
from briefgen.errors import TemplateError
from briefgen.render.markdown import render_markdown, render_markdown_text

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
RTL_LANGUAGES = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ku-arab"}
TLP_COLOURS = {
    "TLP:CLEAR": "#FFFFFF",
    "TLP:GREEN": "#33FF00",
    "TLP:AMBER": "#FFC000",
    "TLP:AMBER+STRICT": "#FFC000",
    "TLP:RED": "#FF2B2B",
}

LABELS: dict[str, dict[str, str]] = {
    "product": {
        "daily_update": "Daily update",
        "flash_update": "Flash update",
        "situation_report": "Situation report",
        "weekly_overview": "Weekly overview",
        "spot_report": "Spot report",
    },
    "status": {
        "confirmed": "confirmed",
        "reported": "reported",
        "claimed": "claimed",
        "disputed": "disputed",
        "denied": "denied",
        "retracted": "retracted",
        "scheduled": "scheduled",
        "expected": "expected",
    },
    "status_help": {
        "confirmed": "established by independent, reliable sourcing",
        "reported": "reported by sources, not independently confirmed",
        "claimed": "asserted by a party or an unnamed source, not verified",
        "disputed": "contested by other sources or parties",
        "denied": "denied by a party concerned",
        "retracted": "withdrawn by the source that reported it",
        "scheduled": "announced for a future date",
        "expected": "anticipated, without a firm announcement",
    },
    "reliability": {
        "A": "completely reliable",
        "B": "usually reliable",
        "C": "fairly reliable",
        "D": "not usually reliable",
        "E": "unreliable",
        "F": "reliability cannot be judged",
    },
    "credibility": {
        "1": "confirmed by other sources",
        "2": "probably true",
        "3": "possibly true",
        "4": "doubtful",
        "5": "improbable",
        "6": "truth cannot be judged",
    },
    "discrepancy_status": {
        "unresolved": "unresolved",
        "resolved": "resolved",
        "different_events": "assessed as different events",
        "source_error": "source error",
    },
    "discrepancy_kind": {
        "date": "date",
        "place": "place",
        "participants": "participants",
        "outcome": "outcome",
        "figure": "figure",
        "attribution": "attribution",
        "framing": "framing",
        "naming": "naming",
    },
    "question_status": {
        "open": "open",
        "partially_answered": "partially answered",
        "answered": "answered",
        "overtaken": "overtaken by events",
    },
    "question_kind": {
        "information_gap": "information gap",
        "unresolved_discrepancy": "unresolved discrepancy",
        "key_assumption": "key assumption",
        "forecast": "forecast",
        "indicator": "indicator",
    },
    "actor_type": {
        "state": "state",
        "government_body": "government body",
        "person": "person",
        "armed_group": "armed group",
        "political_org": "political organisation",
        "administration": "administration",
        "intl_org": "international organisation",
        "coalition": "coalition",
        "media": "media",
        "other": "other",
    },
}


def builtin_templates_dir() -> Path:
    """The built-in templates: inside the installed package (wheel) or at the top of a checkout."""
    here = Path(__file__).resolve().parent.parent  # the briefgen package
    for candidate in (here / "_templates", here.parent / "templates"):
        if (candidate / "brief.html.j2").is_file():
            return candidate
    raise TemplateError(
        f"the built-in templates are missing (looked in {here / '_templates'} and {here.parent / 'templates'})"
    )


# --- labels ------------------------------------------------------------------------------------------


def date_label(value: date) -> str:
    """A date as `22 May 2025`."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def datetime_label(value: datetime, tz: ZoneInfo) -> str:
    """A date-time in the desk's time zone, with its offset and zone name."""
    local = value.astimezone(tz)
    offset = local.strftime("%z")
    return f"{date_label(local.date())}, {local:%H:%M} UTC{offset[:3]}:{offset[3:]} ({tz.key})"


def when_label(when: out.When | None) -> str:
    """A development's date as resolved (to its precision), or `date not stated` with what the source said."""
    if when is None:
        return "date not stated"
    if when.on is None:
        reported = f" (reported as “{when.as_reported}”, which the sources do not date)" if when.as_reported else ""
        return f"date not stated{reported}"
    day = when.on.date() if isinstance(when.on, datetime) else when.on
    if when.precision == "year":
        return str(day.year)
    if when.precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    text = date_label(day)
    if isinstance(when.on, datetime) and when.precision == "time":
        text += f", {when.on:%H:%M} UTC{when.on.strftime('%z')[:3]}:{when.on.strftime('%z')[3:]}"
    return text


def published_label(value: date | datetime | None) -> str:
    """A source's publication date, or `date not stated`."""
    if value is None:
        return "date not stated"
    return date_label(value.date() if isinstance(value, datetime) else value)


def sourcing_label(sourcing: out.Sourcing) -> str:
    """Corroboration in words: `single source`, `2 independent sources`, `conflicting reports`..."""
    level = sourcing.corroboration
    if level is out.Corroboration.SINGLE_SOURCE:
        return "single source"
    if level is out.Corroboration.MULTIPLE_DEPENDENT:
        return f"{sourcing.sources} sources, one originator"
    if level is out.Corroboration.MULTIPLE_INDEPENDENT:
        return f"{len(sourcing.originators)} independent sources"
    return "conflicting reports"


def text_direction(text: str | None) -> str:
    """`rtl` when the first strongly directional character of the text is right-to-left."""
    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


@jinja2.pass_context
def _isolate(context: jinja2.runtime.Context, text: str | None) -> Markup:
    """A name or phrase isolated from the text around it (`<bdi>`) when its direction could disturb that
    text: it holds right-to-left characters, or the brief itself is right-to-left."""
    value = text or ""
    rtl = any(unicodedata.bidirectional(char) in ("R", "AL") for char in value)
    if rtl or language_direction(context["brief"].language) == "rtl":
        return Markup('<bdi dir="{}">{}</bdi>').format(text_direction(value), value)
    return Markup("{}").format(value)


def language_direction(language: str) -> str:
    """`rtl` for a right-to-left language code (ar, he, fa...), else `ltr`."""
    return "rtl" if language.lower().split("-")[0] in RTL_LANGUAGES else "ltr"


# --- endnotes ------------------------------------------------------------------------------------------


@dataclass
class EndnoteView:
    number: int
    source: out.Source
    locators: list[str] = field(default_factory=list)
    via: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)


class Endnotes:
    """Numbers sources in order of first call while a page renders; one number per source.

    Given the numbers an earlier rendering gave (the HTML edition's), it keeps them, so that every
    edition of a brief shows the same endnote numbers.
    """

    def __init__(self, brief: out.ComposedBrief, numbered: list[out.Endnote] | None = None) -> None:
        self._sources = {s.id: s for s in brief.sources}
        self._notes: dict[str, EndnoteView] = {}
        self._given = {note.source: note.number for note in numbered or []}

    def _note(self, citation: TextCitation | out.Cite) -> EndnoteView:
        note = self._notes.get(citation.source)
        if note is None:
            number = self._given.get(citation.source) or max([0, *self._given.values()]) + len(self._notes) + 1
            note = EndnoteView(number, self._sources[citation.source])
            self._notes[citation.source] = note
        note.calls.append(f"call-{note.number}-{len(note.calls) + 1}")
        if citation.locator and citation.locator not in note.locators:
            note.locators.append(citation.locator)
        via = getattr(citation, "via", None)
        if via and via not in note.via:
            note.via.append(via)
        return note

    def text_call(self, citations: Sequence[TextCitation | out.Cite]) -> str:
        """Plain-text calls: `[1, para 7; 3]`."""
        if not citations:
            return ""
        parts = []
        for citation in citations:
            note = self._note(citation)
            parts.append(f"{note.number}, {citation.locator}" if citation.locator else str(note.number))
        return "[" + "; ".join(parts) + "]"

    def call(self, citation: TextCitation | out.Cite) -> Markup:
        note = self._note(citation)
        call_id = note.calls[-1]
        source = note.source
        title = source.outlet or source.title
        if citation.locator:
            title += f", {citation.locator}"
        return Markup('<a id="{}" href="#note-{}" title="{}">{}</a>').format(call_id, note.number, title, note.number)

    def group(self, citations: list[TextCitation] | list[out.Cite]) -> Markup:
        if not citations:
            return Markup("")
        calls = Markup(",").join(self.call(c) for c in citations)
        return Markup('<sup class="cite">{}</sup>').format(calls)

    def entries(self) -> list[EndnoteView]:
        return sorted(self._notes.values(), key=lambda n: n.number)

    def numbered(self) -> list[out.Endnote]:
        return [out.Endnote(number=n.number, source=n.source.id, locators=list(n.locators)) for n in self.entries()]


# --- the environment -------------------------------------------------------------------------------------


# Filters and `cites` see whether the template autoescapes: HTML templates get HTML, text templates
# (`*.txt.j2`) get plain text with `[n]` calls.


@jinja2.pass_context
def _markdown(context: jinja2.runtime.Context, text: str | None) -> Markup | str:
    """Record Markdown as safe HTML (no raw HTML, images or unsafe links), citations as endnote calls."""
    if not context.eval_ctx.autoescape:
        return render_markdown_text(text or "", context["brief"].language, context["notes"])
    return render_markdown(text or "", context["brief"].language, context["notes"])


@jinja2.pass_context
def _markdown_inline(context: jinja2.runtime.Context, text: str | None) -> Markup | str:
    """As `markdown`, without the paragraph around it."""
    if not context.eval_ctx.autoescape:
        return render_markdown_text(text or "", context["brief"].language, context["notes"])
    return render_markdown(text or "", context["brief"].language, context["notes"], inline=True)


@jinja2.pass_context
def _cites(context: jinja2.runtime.Context, citations: list[out.Cite]) -> Markup | str:
    """`cites(item.cites)`: the endnote calls of structured citations, numbered in order of first call."""
    notes: Endnotes = context["notes"]
    if not context.eval_ctx.autoescape:
        return notes.text_call(citations)
    return notes.group(citations)


def wrap_text(text: str, indent: int = 0, width: int = 76) -> str:
    """Wrap each line of plain text to `width`, indented; list items get a hanging indent."""
    lines = []
    for line in str(text).split("\n"):
        if not line.strip():
            lines.append("")
            continue
        hanging = re.match(r"^(?:> )*\s*(?:[-*]|\d+\.|\[\d+\])\s+", line)
        first = " " * indent
        rest = first + " " * (len(hanging.group(0)) if hanging else 0)
        lines.append(
            textwrap.fill(
                line,
                width=max(width, indent + 20),
                initial_indent=first,
                subsequent_indent=rest,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines)


def _autoescape(name: str | None) -> bool:
    return not (name or "").endswith(".txt.j2")


@jinja2.pass_context
def _datetime_label(context: jinja2.runtime.Context, value: datetime) -> str:
    """A date-time in the desk's time zone, with its offset and zone name."""
    return datetime_label(value, ZoneInfo(context["brief"].timezone))


def _theme_label(theme: str | None) -> str:
    """A theme key as a heading (`armed-conflict` -> `Armed conflict`)."""
    return theme.replace("-", " ").replace("_", " ").capitalize() if theme else "Other developments"


def environment(desk_templates: Path | None) -> ImmutableSandboxedEnvironment:
    """The template environment for a desk, cached per desk folder.

    Jinja reloads a cached template when its file changes, but not when a new desk file starts to shadow
    a built-in one (or a desk file is removed): when the desk's list of templates changes (as it can
    while `briefgen preview` runs), the compiled templates are dropped."""
    exists = desk_templates is not None and desk_templates.is_dir()
    env = _environment(desk_templates if exists else None)
    if exists and desk_templates is not None:
        listing = tuple(sorted(p.relative_to(desk_templates).as_posix() for p in desk_templates.rglob("*.j2")))
        if _listings.get(desk_templates) != listing:
            if desk_templates in _listings and env.cache is not None:
                env.cache.clear()
            _listings[desk_templates] = listing
    return env


_listings: dict[Path, tuple[str, ...]] = {}


MAX_SEQUENCE = 100_000  # the longest string or list a template may make with `*`
MAX_EXPONENT = 1_000  # the largest exponent of `**`


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with `*` and `**` bounded: a template cannot make a string of a gigabyte
    or a number of a million digits (`range` is bounded by the sandbox itself)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise jinja2.exceptions.SecurityError(f"exponent {right} is larger than {MAX_EXPONENT}")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                too_long = isinstance(sequence, str | list | tuple) and isinstance(count, int)
                if too_long and len(sequence) * count > MAX_SEQUENCE:
                    raise jinja2.exceptions.SecurityError(
                        f"a sequence of {len(sequence) * count:,} items is longer than {MAX_SEQUENCE:,}"
                    )
        return super().call_binop(context, operator, left, right)


@functools.cache
def _environment(desk_templates: Path | None) -> ImmutableSandboxedEnvironment:
    builtin = jinja2.FileSystemLoader(builtin_templates_dir())
    loaders: list[jinja2.BaseLoader] = []
    if desk_templates is not None:
        loaders.append(jinja2.FileSystemLoader(desk_templates))
    loaders += [jinja2.PrefixLoader({"builtin": builtin}), builtin]
    env = BoundedSandbox(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )
    env.filters.update(
        markdown=_markdown,
        markdown_inline=_markdown_inline,
        date_label=date_label,
        datetime_label=_datetime_label,
        when_label=when_label,
        published_label=published_label,
        sourcing_label=sourcing_label,
        textdir=text_direction,
        langdir=language_direction,
        theme_label=_theme_label,
        wrap=wrap_text,
        isolate=_isolate,
    )
    env.globals["cites"] = _cites
    return env


@dataclass(frozen=True)
class RenderedBrief:
    """The final HTML of an edition and the endnotes its rendering numbered."""

    html: str
    endnotes: list[out.Endnote]

    def composed_with_endnotes(self, brief: out.ComposedBrief) -> out.ComposedBrief:
        return brief.model_copy(update={"endnotes": self.endnotes})


def _legend(brief: out.ComposedBrief, notes: Endnotes) -> dict[str, list[str]]:
    statuses = {d.status.value for d in brief.developments}
    return {
        "statuses": [s for s in LABELS["status"] if s in statuses],
        "reliability": sorted({n.source.reliability.value for n in notes.entries()}),
        "credibility": sorted({str(d.credibility) for d in brief.developments if d.credibility}),
    }


def _themes(brief: out.ComposedBrief) -> list[tuple[str | None, list[out.Development]]]:
    order: dict[str | None, int] = {}
    for dev in brief.developments:
        order.setdefault(dev.theme, len(order))
    ordered = sorted(brief.developments, key=lambda d: order[d.theme])
    return [(theme, list(items)) for theme, items in itertools.groupby(ordered, key=lambda d: d.theme)]


CONTEXT_VARIABLES: dict[str, str] = {
    "brief": "the composed edition: a [ComposedBrief](#composedbrief)",
    "themes": "the developments grouped by theme, in order: a list of (theme or none, list of developments)",
    "endnotes()": "the endnotes numbered so far, in order (call it after every citing section): each has "
    "`number`, `source` (a [Source](#source)), `locators`, `via` and `calls` (the ids of its calls)",
    "notes": "the endnote numbering itself (used by `cites` and `markdown`)",
    "labels": "display words: `labels.status[...]`, `labels.product[...]`, `labels.reliability[...]`, "
    "`labels.credibility[...]`, `labels.actor_type[...]`, `labels.question_status[...]`, "
    "`labels.question_kind[...]`, `labels.discrepancy_status[...]`, `labels.discrepancy_kind[...]`",
    "legend": "the scales the brief uses, found when the legend renders: `legend.statuses`, "
    "`legend.reliability`, `legend.credibility`",
    "marking_colour": "the TLP 2.0 colour of the marking (`#33FF00` for TLP:GREEN...)",
    "marking_class": "the marking as a CSS class word (`green`, `amber-strict`...)",
    "keywords": "the PDF keywords: themes and main actors",
    "created": "the edition's issued time (ISO 8601), for the metadata",
    "page_size": "`A4` or `Letter` (settings `[pdf] page_size`)",
    "version": "briefgen's version",
}


def render_html(brief: out.ComposedBrief, *, desk_templates: Path | None, page_size: str = "A4") -> RenderedBrief:
    """Render one edition's HTML. Raises `TemplateError` naming the template file and line."""
    html, notes = _render(brief, f"{brief.template}.html.j2", desk_templates, page_size, None)
    return RenderedBrief(html, notes.numbered())


def render_text(brief: out.ComposedBrief, endnotes: list[out.Endnote], *, desk_templates: Path | None) -> str:
    """Render the plain-text edition, keeping the endnote numbers the HTML edition gave."""
    text, _ = _render(brief, f"{brief.template}.txt.j2", desk_templates, "A4", endnotes)
    return text.strip("\n") + "\n"


def _render(
    brief: out.ComposedBrief,
    name: str,
    desk_templates: Path | None,
    page_size: str,
    numbered: list[out.Endnote] | None,
) -> tuple[str, Endnotes]:
    env = environment(desk_templates)
    notes = Endnotes(brief, numbered)
    legend_cache: dict[str, list[str]] = {}

    def legend() -> dict[str, list[str]]:
        if not legend_cache:
            legend_cache.update(_legend(brief, notes))
        return legend_cache

    context: dict[str, Any] = {
        "brief": brief,
        "notes": notes,
        "endnotes": notes.entries,
        "labels": LABELS,
        "themes": _themes(brief),
        "marking_colour": TLP_COLOURS[brief.marking.value],
        "marking_class": brief.marking.value.split(":")[1].lower().replace("+", "-"),
        "keywords": _keywords(brief),
        "created": (brief.issued or datetime.combine(brief.date, datetime.min.time())).isoformat(),
        "page_size": page_size,
        "version": __version__,
        "legend": _LazyLegend(legend),
    }
    try:
        return env.get_template(name).render(context), notes
    except jinja2.TemplateSyntaxError as exc:
        message = exc.message or ""
        unknown_filter = re.match(r"No filter named '([^']+)'", message)
        if unknown_filter:
            message = message.rstrip(".") + _did_you_mean(unknown_filter.group(1), env.filters)
        raise TemplateError(
            _template_message(_shown_name(exc.filename or exc.name, desk_templates), exc.lineno, message, exc.source)
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(
            f"template {exc.name!r} not found (in the desk's templates/ or the built-in ones)"
        ) from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as exc:
        raise TemplateError(_runtime_message(exc, desk_templates, [*context, *env.globals])) from None


class _LazyLegend:
    """The legend's scales, computed when the legend renders (after every endnote is numbered)."""

    def __init__(self, compute: Any) -> None:
        self._compute = compute

    def __getattr__(self, name: str) -> list[str]:
        values: dict[str, list[str]] = self._compute()
        return values[name]


def _keywords(brief: out.ComposedBrief) -> list[str]:
    themes = [d.theme for d in brief.developments if d.theme]
    actors = [a.name for a in brief.actors if a.type in ("state", "armed_group", "intl_org")]
    return list(dict.fromkeys([*themes, *actors]))


def _template_message(filename: str | None, line: int | None, message: str, source: str | None) -> str:
    where = f"{filename}:{line}" if filename else "template"
    text = f"{where}: {message}"
    if source and line:
        lines = source.splitlines()
        if 0 < line <= len(lines):
            text += f"\n    {lines[line - 1].strip()}"
    return text


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    import difflib

    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def _shown_name(filename: str | None, desk_templates: Path | None) -> str | None:
    """A template file as an editor knows it: `templates/NAME` in the desk, `builtin/NAME` otherwise."""
    if not filename:
        return filename
    path = Path(filename)
    if desk_templates is not None and path.is_relative_to(desk_templates):
        return f"templates/{path.relative_to(desk_templates).as_posix()}"
    builtin = builtin_templates_dir()
    if path.is_relative_to(builtin):
        return f"builtin/{path.relative_to(builtin).as_posix()}"
    return filename


def _model_fields(owner: str) -> list[str]:
    """The fields of a composed-brief model named in a Jinja message (`briefgen.composed.Development`)."""
    model = getattr(out, owner.rsplit(".", 1)[-1], None)
    fields = getattr(model, "model_fields", None)
    return list(fields) if isinstance(fields, dict) else []


def _explain(exc: Exception, line: str, names: Iterable[str]) -> str:
    """Jinja's message, said as an editor would look for it: the expression, and the likely intended name."""
    text = str(exc)
    missing_attribute = re.match(r"'(?P<owner>.+?) object' has no attribute '(?P<attr>[^']+)'", text)
    if missing_attribute:
        attr = missing_attribute.group("attr")
        expression = re.search(rf"([A-Za-z_][\w.]*)\.{re.escape(attr)}\b", line)
        shown = f"{expression.group(1)}.{attr}" if expression else attr
        return f"{shown!r} is undefined{_did_you_mean(attr, _model_fields(missing_attribute.group('owner')))}"
    missing_name = re.match(r"'(?P<name>[^']+)' is undefined", text)
    if missing_name:
        return f"{text}{_did_you_mean(missing_name.group('name'), names)}"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"not allowed in templates (sandbox): {text}"
    return text


def _runtime_message(exc: Exception, desk_templates: Path | None, names: Iterable[str]) -> str:
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if frames:
        frame = frames[-1]
        line = (frame.line or "").strip()
        message = _explain(exc, line, names)
        return _template_message(_shown_name(frame.filename, desk_templates), frame.lineno, message, None) + (
            f"\n    {line}" if line else ""
        )
    return f"template error: {_explain(exc, '', names)}"
