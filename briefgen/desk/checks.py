"""The checks of a desk that span files: duplicate ids, citations to unknown sources, quotes not found in
a source's text, locators beyond it, publication dates missing, sources nobody cites, Markdown that will
show literally. The checks of one edition are made while composing it (`briefgen.compose`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from briefgen.desk.citations import CitationSyntaxError, TextCitation, find_citations, unsupported_forms
from briefgen.desk.loader import Desk, Loaded, RecordFile
from briefgen.desk.models import BriefRecord, Citation, SourceDocument, SourceRecord
from briefgen.desk.portions import bullet_fields
from briefgen.desk.prose import dropped_constructs
from briefgen.desk.reader import Loc
from briefgen.errors import Diagnostic, Severity, did_you_mean

_QUOTE_CHARS = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2039\u203a\u0060\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u300c\u300d", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000", " "),
        **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", None),
    }
)
# Space inside quotation marks and before French high punctuation (« oui », « non » : ...) is typographic.
_TYPOGRAPHIC_SPACE = re.compile(r"(?<=\") | (?=\")| (?=[;:!?])")
_PARA_LOCATOR = re.compile(r"^(?:para|paras|paragraph|paragraphs|¶)\.?\s*(\d+)(?:\s*[-–]\s*(\d+))?$", re.IGNORECASE)


def normalise_quote_text(text: str) -> str:
    """Fold typographic quotes (curly, guillemets), dashes, no-break, narrow and other spaces, invisible
    characters and Unicode forms (NFKC), so a quote matches however it was typed. Only the folded copies
    are compared: the stored text and quote are never altered."""
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTE_CHARS)
    folded = re.sub(r"\s+", " ", folded).strip()
    return _TYPOGRAPHIC_SPACE.sub("", folded)


def locator_paragraph(locator: str) -> int | None:
    """The last paragraph a Markdown locator names (`para 7`, `paras 2-3`, `¶ 4`), or None."""
    match = _PARA_LOCATOR.match(locator.strip())
    if match is None:
        return None
    return int(match.group(2) or match.group(1))


def paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


# --- where citations are written ------------------------------------------------------------------


def _structured_cites(record: SourceRecord | BriefRecord) -> Iterator[tuple[Loc, Citation]]:
    for key in ("developments", "actors", "open_questions"):
        for index, item in enumerate(getattr(record, key)):
            for c_index, citation in enumerate(item.cites):
                yield (key, index, "cites", c_index), citation
    if isinstance(record, BriefRecord):
        for index, discrepancy in enumerate(record.discrepancies):
            for s_index, statement in enumerate(discrepancy.statements):
                for c_index, citation in enumerate(statement.cites):
                    yield ("discrepancies", index, "statements", s_index, "cites", c_index), citation


def _markdown_fields(record: SourceRecord | BriefRecord) -> Iterator[tuple[Loc, str]]:
    fields = {"developments": ("detail",), "actors": ("role",), "open_questions": ("why", "answer")}
    for key, names in fields.items():
        for index, item in enumerate(getattr(record, key)):
            for name in names:
                value = getattr(item, name)
                if value:
                    yield (key, index, name), value
    if isinstance(record, SourceRecord) and record.source.note:
        yield ("source", "note"), record.source.note
    if isinstance(record, BriefRecord):
        yield from bullet_fields(record.brief)
        for index, discrepancy in enumerate(record.discrepancies):
            if discrepancy.note:
                yield ("discrepancies", index, "note"), discrepancy.note


# --- cross-file checks --------------------------------------------------------------------------------


class _DeskChecks:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.sources: dict[str, Loaded[SourceRecord]] = {}
        self.diagnostics: list[Diagnostic] = []
        self.cited: set[str] = set()
        self.unloaded = {source.id for source in desk.unloaded_sources}

    def run(self) -> list[Diagnostic]:
        self._unique_ids()
        records: list[tuple[SourceRecord | BriefRecord, RecordFile]] = [(s.record, s.file) for s in self.desk.sources]
        records += [(b.record, b.file) for b in self.desk.briefs]
        for record, file in records:
            self._citations(record, file)
        self._sources_dated_and_cited()
        return self.diagnostics

    def _unique_ids(self) -> None:
        for entry in self.desk.sources:
            source_id = entry.record.source.id
            first = self.sources.get(source_id)
            if first is None:
                self.sources[source_id] = entry
                continue
            self.diagnostics.append(
                entry.file.diagnostic(
                    ("source", "id"),
                    f"duplicate source id {source_id!r} (also in {first.file.rel}:{first.file.lines.line_of(('source', 'id'))})",
                    code="duplicate-id",
                )
            )
        self._unique(
            [(e.record.id, e.file, ("id",)) for e in self.desk.lists],
            "distribution list id",
        )
        self._unique(
            [(f"{e.record.brief.id} {e.record.brief.date}", e.file, ("brief", "id")) for e in self.desk.briefs],
            "edition (brief id and date)",
        )

    def _unique(self, entries: list[tuple[str, RecordFile, Loc]], what: str) -> None:
        seen: dict[str, tuple[RecordFile, Loc]] = {}
        for key, file, loc in entries:
            if key in seen:
                other, other_loc = seen[key]
                self.diagnostics.append(
                    file.diagnostic(
                        loc,
                        f"duplicate {what} {key!r} (also in {other.rel}:{other.lines.line_of(other_loc)})",
                        code="duplicate-id",
                    )
                )
            else:
                seen[key] = (file, loc)

    def _unknown(self, file: RecordFile, loc: Loc, source_id: str) -> bool:
        if source_id in self.sources:
            self.cited.add(source_id)
            return False
        if source_id in self.unloaded:
            return True  # its file has errors, reported there: the citation itself is not wrong
        self.diagnostics.append(
            file.diagnostic(
                loc, f"unknown source {source_id!r}{did_you_mean(source_id, self.sources)}", code="unknown-source"
            )
        )
        return True

    def _citations(self, record: SourceRecord | BriefRecord, file: RecordFile) -> None:
        for loc, citation in _structured_cites(record):
            if not self._unknown(file, loc, citation.source):
                self._quote(file, loc, citation, self.sources[citation.source].record.source)
        for loc, text in _markdown_fields(record):
            for construct in dropped_constructs(text):
                self.diagnostics.append(
                    file.diagnostic(
                        loc, f"{construct} is shown as literal text", severity=Severity.WARNING, code="markdown-dropped"
                    )
                )
            for message in unsupported_forms(text, set(self.sources)):
                self.diagnostics.append(
                    file.diagnostic(loc, message, severity=Severity.WARNING, code="unsupported-citation")
                )
            for found in find_citations(text):
                if isinstance(found, CitationSyntaxError):
                    self.diagnostics.append(file.diagnostic(loc, str(found), code="bad-citation"))
                elif isinstance(found, TextCitation) and not self._unknown(file, loc, found.source):
                    self._text_locator(file, loc, found)

    def _text_locator(self, file: RecordFile, loc: Loc, found: TextCitation) -> None:
        """A Markdown locator beyond the source's paragraphs is an error, as in `cites:`."""
        source = self.sources[found.source].record.source
        para = locator_paragraph(found.locator or "")
        if source.text is None or para is None:
            return
        count = len(paragraphs(source.text))
        if para > count:
            self.diagnostics.append(
                file.diagnostic(
                    loc,
                    f"[@{found.source}, {found.locator}]: para {para} is beyond the text of source "
                    f"{source.id!r}, which has {count} paragraphs",
                    code="bad-locator",
                )
            )

    def _quote(self, file: RecordFile, loc: Loc, citation: Citation, source: SourceDocument) -> None:
        if source.text is None:
            return
        paras = paragraphs(source.text)
        if citation.para is not None and citation.para > len(paras):
            self.diagnostics.append(
                file.diagnostic(
                    (*loc, "para"),
                    f"para {citation.para} is beyond the text of source {source.id!r}, which has {len(paras)} paragraphs",
                    code="bad-locator",
                )
            )
            return
        if citation.quote is None:
            return
        where = paras[citation.para - 1] if citation.para is not None else source.text
        if normalise_quote_text(citation.quote) not in normalise_quote_text(where):
            place = f"paragraph {citation.para} of " if citation.para is not None else ""
            self.diagnostics.append(
                file.diagnostic(
                    (*loc, "quote"),
                    f"quote {citation.quote!r} is not found in {place}the text of source {source.id!r}",
                    code="quote-not-found",
                )
            )

    def _sources_dated_and_cited(self) -> None:
        for entry in self.desk.sources:
            record = entry.record
            if record.source.published is None:
                self.diagnostics.append(
                    entry.file.diagnostic(
                        ("source", "published"),
                        "no publication date: weekdays it reports cannot be resolved and its endnote says "
                        "'date not stated'",
                        severity=Severity.WARNING,
                        code="no-published-date",
                    )
                )
            has_items = record.developments or record.actors or record.open_questions
            if not has_items and record.source.id not in self.cited:
                self.diagnostics.append(
                    entry.file.diagnostic(
                        ("source", "id"),
                        f"source {record.source.id!r} is cited by no item and carries none",
                        severity=Severity.WARNING,
                        code="uncited-source",
                    )
                )


def check_desk(desk: Desk) -> list[Diagnostic]:
    """Checks that span files (not those of one edition)."""
    return _DeskChecks(desk).run()
