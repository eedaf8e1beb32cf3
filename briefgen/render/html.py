"""Render a composed brief to HTML and plain text with the desk's templates.

Endnote numbers are given while the page renders, in order of first call; the sources section, rendered
after every citing section, lists them. The text edition keeps the HTML edition's numbers.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from briefgen import __version__
from briefgen.compose import model as composed
from briefgen.errors import TemplateError, did_you_mean
from briefgen.render.endnotes import Endnotes
from briefgen.render.filters import FirstMention
from briefgen.render.inert import refuse_active_content
from briefgen.render.labels import LABELS, labels_for
from briefgen.render.sandbox import RenderBudget, budget
from briefgen.render.templates import environment, runtime_message, shown_name, template_message
from briefgen.render.words import Words, words_for


@dataclass(frozen=True)
class RenderedBrief:
    """The final HTML of an edition and the endnotes its rendering numbered."""

    html: str
    endnotes: list[composed.Endnote]

    def composed_with_endnotes(self, brief: composed.ComposedBrief) -> composed.ComposedBrief:
        return brief.model_copy(update={"endnotes": self.endnotes})


def _legend(brief: composed.ComposedBrief, notes: Endnotes) -> dict[str, list[str]]:
    statuses = {d.status.value for d in brief.developments}
    return {
        "statuses": [s for s in LABELS["status"] if s in statuses],
        "reliability": sorted({n.source.reliability.value for n in notes.entries()}),
        "credibility": sorted({str(d.credibility) for d in brief.developments if d.credibility}),
    }


def _themes(brief: composed.ComposedBrief) -> list[tuple[str | None, list[composed.Development]]]:
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
    "_(message, **values)": "a message of the brief's catalog, translated (`_('Sources')`); `%(name)s` "
    "placeholders take the keyword values. A desk adds or overrides messages in `templates/locale/<lang>.po`",
    "ngettext(singular, plural, n, **values)": "a message with plural forms (`%(num)d` is n); an integer "
    "given for a `%(name)d` placeholder is written as the locale's number (`1 200` in French)",
    "number(n)": "a number as the brief's locale writes it (grouping, and the digits of its numbering system)",
    "pgettext(context, message, **values)": "a message with a gettext context",
    "first_mention(section, key)": "true the first time a key (an actor id) is named in a section: "
    "the built-in templates link an actor's name at its first mention in a section only",
    "actor_ids": "the ids of the brief's actors",
    "direction": "`rtl` or `ltr`: the direction of the brief's language (from CLDR)",
    "page_start": "`left`, or `right` in a right-to-left brief: the side of the page where lines start "
    "(for `@top-left`... margin boxes, which CSS names by physical side)",
    "page_end": "the other side",
    "punct": "the language's separators: `punct.comma` (`, `; `، ` in Arabic), `punct.semicolon`, `punct.stop`",
    "page_of": "the CSS `content` value of the page-number footer in the brief's language",
    "counter_style": "the CSS counter style of the locale's digits (`decimal`; `arabic-indic` for `ar-EG`), for "
    "`list-style-type` and `counter()`",
    "labels": "display words in the brief's language: `labels.status[...]`, `labels.product[...]`, `labels.reliability[...]`, "
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


def render_html(
    brief: composed.ComposedBrief,
    *,
    desk_templates: Path | None,
    page_size: str = "A4",
    limits: RenderBudget | None = None,
) -> RenderedBrief:
    """Render one edition's HTML within `limits`. Raises `TemplateError` naming the template file and line,
    and `ResourceBlocked` when the templates wrote something that would run or load from a host."""
    html, notes = _render(brief, f"{brief.template}.html.j2", desk_templates, page_size, None, limits)
    refuse_active_content(html, "the HTML edition")
    return RenderedBrief(html, notes.numbered())


def render_text(
    brief: composed.ComposedBrief,
    endnotes: list[composed.Endnote],
    *,
    desk_templates: Path | None,
    limits: RenderBudget | None = None,
) -> str:
    """Render the plain-text edition, keeping the endnote numbers the HTML edition gave."""
    text, _ = _render(brief, f"{brief.template}.txt.j2", desk_templates, "A4", endnotes, limits)
    return text.strip("\n") + "\n"


def _render(
    brief: composed.ComposedBrief,
    name: str,
    desk_templates: Path | None,
    page_size: str,
    numbered: list[composed.Endnote] | None,
    limits: RenderBudget | None,
) -> tuple[str, Endnotes]:
    env = environment(desk_templates)
    words = words_for(brief.language, desk_templates)
    notes = Endnotes(brief, numbered, words)
    legend_cache: dict[str, list[str]] = {}

    def legend() -> dict[str, list[str]]:
        if not legend_cache:
            legend_cache.update(_legend(brief, notes))
        return legend_cache

    context: dict[str, Any] = {
        "brief": brief,
        "notes": notes,
        "endnotes": notes.entries,
        "words": words,
        "first_mention": FirstMention(),
        "actor_ids": {actor.id for actor in brief.actors},
        "_": words.gettext,
        "ngettext": words.ngettext,
        "pgettext": words.pgettext,
        "number": words.number,
        "direction": words.direction,
        "page_start": "right" if words.direction == "rtl" else "left",
        "page_end": "left" if words.direction == "rtl" else "right",
        "page_of": page_of_css(words),
        "counter_style": words.counter_style,
        "punct": words.punctuation(),
        "labels": labels_for(words),
        "themes": _themes(brief),
        "marking_colour": brief.marking.colour,
        "marking_class": brief.marking.css_class,
        "keywords": _keywords(brief),
        "created": brief.issued_at.isoformat(),
        "page_size": page_size,
        "version": __version__,
        "legend": _LazyLegend(legend),
    }
    try:
        with budget(limits or RenderBudget()):
            return env.get_template(name).render(context), notes
    except jinja2.TemplateSyntaxError as exc:
        message = exc.message or ""
        unknown_filter = re.match(r"No filter named '([^']+)'", message)
        if unknown_filter:
            message = message.rstrip(".") + did_you_mean(unknown_filter.group(1), env.filters)
        raise TemplateError(
            template_message(shown_name(exc.filename or exc.name, desk_templates), exc.lineno, message, exc.source)
        ) from None
    except MemoryError:
        raise TemplateError(f"{name}: the template ran out of memory") from None
    except Exception as exc:  # anything a template can raise fails its edition with the file and line
        raise TemplateError(runtime_message(exc, desk_templates, [*context, *env.globals])) from None


def page_of_css(words: Words) -> Markup:
    """`Page 1 of 3` as a CSS `content` value: the translated message with its placeholders as counters."""
    message = words.gettext("Page %(page)s of %(pages)s", page="\0page\0", pages="\0pages\0")
    parts = []
    for index, part in enumerate(message.split("\0")):
        if index % 2:
            parts.append(f"counter({part}, {words.counter_style})")
        elif part:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", " ")
            parts.append(f'"{escaped}"')
    return Markup(" ".join(parts))


class _LazyLegend:
    """The legend's scales, computed when the legend renders (after every endnote is numbered)."""

    def __init__(self, compute: Any) -> None:
        self._compute = compute

    def __getattr__(self, name: str) -> list[str]:
        values: dict[str, list[str]] = self._compute()
        return values[name]


def _keywords(brief: composed.ComposedBrief) -> list[str]:
    themes = [d.theme for d in brief.developments if d.theme]
    actors = [a.name for a in brief.actors if a.type in ("state", "armed_group", "intl_org")]
    return list(dict.fromkeys([*themes, *actors]))
