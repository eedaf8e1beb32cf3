"""Endnote numbering: one number per source, given in order of first call while a page renders.

A call lists its numbers in ascending order (`[1, para 2; 3]`), an endnote its locators in reading order
(`para 1, para 2, para 3`); `para N` locators of structured citations are said in the brief's language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from briefgen.compose import model as composed
from briefgen.desk.citations import TextCitation
from briefgen.render.words import Words, words_for

_PARA = re.compile(r"para (\d+)")
_NUMBER = re.compile(r"\d+")


def locator_key(locator: str) -> tuple[str, int, str]:
    """Locators sort by their words, then their first number (`para 2` before `para 10`)."""
    number = _NUMBER.search(locator)
    head = locator[: number.start()] if number else locator
    return (head, int(number.group()) if number else -1, locator)


@dataclass
class EndnoteView:
    number: int
    source: composed.Source
    locators: list[str] = field(default_factory=list)
    via: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)


class Endnotes:
    """Numbers sources in order of first call while a page renders; one number per source.

    Given the numbers an earlier rendering gave (the HTML edition's), it keeps them, so that every
    edition of a brief shows the same endnote numbers.
    """

    def __init__(
        self, brief: composed.ComposedBrief, numbered: list[composed.Endnote] | None = None, words: Words | None = None
    ) -> None:
        self._words = words or words_for("en")
        self._sources = {s.id: s for s in brief.sources}
        self._notes: dict[str, EndnoteView] = {}
        self._given = {note.source: note.number for note in numbered or []}

    def _note(self, citation: TextCitation | composed.Cite, *, call: bool = True) -> EndnoteView:
        note = self._notes.get(citation.source)
        if note is None:
            number = self._given.get(citation.source) or max([0, *self._given.values()]) + len(self._notes) + 1
            note = EndnoteView(number, self._sources[citation.source])
            self._notes[citation.source] = note
        if call:
            note.calls.append(f"call-{note.number}-{len(note.calls) + 1}")
        if citation.locator and citation.locator not in note.locators:
            note.locators.append(citation.locator)
        via = getattr(citation, "via", None)
        if via and via not in note.via:
            note.via.append(via)
        return note

    def locator(self, locator: str) -> str:
        """A locator as shown: `para 7` in the brief's language; others as the record wrote them."""
        match = _PARA.fullmatch(locator)
        return self._words.gettext("para %(number)s", number=match.group(1)) if match else locator

    def _ordered(self, citations: Sequence[TextCitation | composed.Cite]) -> list[tuple[EndnoteView, str | None, str]]:
        """The calls of a group, numbered, in ascending order: (note, locator, the call's id)."""
        calls = []
        for citation in citations:
            note = self._note(citation)
            calls.append((note, citation.locator, note.calls[-1]))
        return sorted(calls, key=lambda call: (call[0].number, locator_key(call[1] or "")))

    def text_call(self, citations: Sequence[TextCitation | composed.Cite]) -> str:
        """Plain-text calls, numbers ascending: `[1, para 7; 3]`, with no-break spaces (a call is never split
        across lines)."""
        if not citations:
            return ""
        parts = [
            self._words.gettext("%(number)d, %(locator)s", number=note.number, locator=self.locator(locator))
            if locator
            else self._words.number(note.number)
            for note, locator, _ in self._ordered(citations)
        ]
        separator = self._words.punctuation()["semicolon"].replace(" ", "\u00a0")
        return "[" + separator.join(part.replace(" ", "\u00a0") for part in parts) + "]"

    def description(self, note: EndnoteView) -> str:
        """A call's link described in words: `Endnote 3: North Press Agency`."""
        return self._words.gettext(
            "Endnote %(number)d: %(source)s", number=note.number, source=note.source.outlet or note.source.title
        )

    def _call(self, note: EndnoteView, locators: Sequence[str], call_id: str) -> Markup:
        label = self.description(note)
        if locators:
            where = self._words.punctuation()["comma"].join(self.locator(locator) for locator in locators)
            label = self._words.gettext("%(label)s, %(locator)s", label=label, locator=where)
        shown = self._words.number(note.number)
        return Markup('<a id="{}" href="#note-{}" title="{}">{}</a>').format(call_id, note.number, label, shown)

    def call(self, citation: TextCitation | composed.Cite) -> Markup:
        note = self._note(citation)
        return self._call(note, [citation.locator] if citation.locator else [], note.calls[-1])

    def group(self, citations: list[TextCitation] | list[composed.Cite]) -> Markup:
        """The calls of a group, one per endnote, numbers ascending: two citations of one source (two
        paragraphs of it) are one call, whose link names both locators (`4`, not `4,4`)."""
        if not citations:
            return Markup("")
        grouped: dict[str, tuple[EndnoteView, list[str], str]] = {}
        for citation in citations:
            first = citation.source not in grouped
            note = self._note(citation, call=first)
            if first:
                grouped[citation.source] = (note, [], note.calls[-1])
            locators = grouped[citation.source][1]
            if citation.locator and citation.locator not in locators:
                locators.append(citation.locator)
        ordered = sorted(grouped.values(), key=lambda call: call[0].number)
        calls = Markup(",").join(
            self._call(note, sorted(locators, key=locator_key), call_id) for note, locators, call_id in ordered
        )
        # A left-to-right isolate keeps `1,2` in that order inside right-to-left text (WeasyPrint has no
        # `unicode-bidi`; Pango honours the isolate characters).
        return Markup('<sup class="cite">\u2066{}\u2069</sup>').format(calls)

    def entries(self) -> list[EndnoteView]:
        for note in self._notes.values():
            note.locators.sort(key=locator_key)
        return sorted(self._notes.values(), key=lambda n: n.number)

    def shown_locators(self, note: EndnoteView) -> list[str]:
        return [self.locator(locator) for locator in note.locators]

    def numbered(self) -> list[composed.Endnote]:
        return [
            composed.Endnote(number=n.number, source=n.source.id, locators=list(n.locators)) for n in self.entries()
        ]
