"""Endnote numbering: one number per source, given in order of first call while a page renders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from briefgen.compose import model as composed
from briefgen.desk.citations import TextCitation


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

    def __init__(self, brief: composed.ComposedBrief, numbered: list[composed.Endnote] | None = None) -> None:
        self._sources = {s.id: s for s in brief.sources}
        self._notes: dict[str, EndnoteView] = {}
        self._given = {note.source: note.number for note in numbered or []}

    def _note(self, citation: TextCitation | composed.Cite) -> EndnoteView:
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

    def text_call(self, citations: Sequence[TextCitation | composed.Cite]) -> str:
        """Plain-text calls: `[1, para 7; 3]`, with no-break spaces (a call is never split across lines)."""
        if not citations:
            return ""
        parts = []
        for citation in citations:
            note = self._note(citation)
            locator = citation.locator.replace(" ", "\u00a0") if citation.locator else None
            parts.append(f"{note.number},\u00a0{locator}" if locator else str(note.number))
        return "[" + ";\u00a0".join(parts) + "]"

    def call(self, citation: TextCitation | composed.Cite) -> Markup:
        note = self._note(citation)
        call_id = note.calls[-1]
        source = note.source
        title = source.outlet or source.title
        if citation.locator:
            title += f", {citation.locator}"
        return Markup('<a id="{}" href="#note-{}" title="{}">{}</a>').format(call_id, note.number, title, note.number)

    def group(self, citations: list[TextCitation] | list[composed.Cite]) -> Markup:
        if not citations:
            return Markup("")
        calls = Markup(",").join(self.call(c) for c in citations)
        return Markup('<sup class="cite">{}</sup>').format(calls)

    def entries(self) -> list[EndnoteView]:
        return sorted(self._notes.values(), key=lambda n: n.number)

    def numbered(self) -> list[composed.Endnote]:
        return [
            composed.Endnote(number=n.number, source=n.source.id, locators=list(n.locators)) for n in self.entries()
        ]
