"""Validate a desk, and the one rule for which of its problems block an edition.

`validate_desk` is what `briefgen validate` runs and what `build`, `preview` and `send` run first: load
problems, cross-file problems (`briefgen.desk.checks`) and what composing each edition finds. Which of
those problems stop a given edition is `edition_verdict`, the same for every command.

A warning an editor has acknowledged (an `acknowledge:` entry in its record, or `[[acknowledge]]` in
briefgen.toml, with a reason) is set aside in `Report.acknowledged`: it no longer counts as a warning,
so `--strict` passes. An acknowledgement that matches no warning any more is itself a warning, so that
acknowledgements do not outlive what they were about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from briefgen.compose.compose import Composition, compose
from briefgen.compose.dates import prose_day_words
from briefgen.compose.editions import AudienceEdition, audience_editions
from briefgen.compose.model import ComposedBrief
from briefgen.desk.checks import check_desk
from briefgen.desk.citations import find_citations
from briefgen.desk.layout import SETTINGS_FILE
from briefgen.desk.loader import Desk, Loaded
from briefgen.desk.models import Acknowledgement, BriefRecord
from briefgen.errors import Diagnostic, Severity, sort_diagnostics


@dataclass(frozen=True)
class Report:
    """What validation found: all diagnostics, sorted, and each edition's composition."""

    desk: Desk
    diagnostics: list[Diagnostic]
    compositions: list[tuple[Loaded[BriefRecord], Composition]]
    # each brief record's editions to build: the master, then its audiences' (README "Editions for each audience")
    editions: list[tuple[Loaded[BriefRecord], tuple[AudienceEdition, ...]]] = field(default_factory=list)
    acknowledged: list[tuple[Diagnostic, str]] = field(default_factory=list)  # (warning, reason)

    @cached_property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    # Indexes for `edition_verdict`, made once: a desk of many editions is then not passed over for each.
    @cached_property
    def _compositions(self) -> dict[int, Composition]:
        return {id(edition): composition for edition, composition in reversed(self.compositions)}

    @cached_property
    def _editions(self) -> dict[int, tuple[AudienceEdition, ...]]:
        return {id(edition): found for edition, found in reversed(self.editions)}

    @cached_property
    def loaded_files(self) -> frozenset[str]:
        """The desk files that loaded (sources and briefs)."""
        return frozenset(e.file.rel for e in self.desk.sources) | {e.file.rel for e in self.desk.briefs}

    @cached_property
    def _warnings_by_file(self) -> dict[str, list[tuple[int, Diagnostic]]]:
        found: dict[str, list[tuple[int, Diagnostic]]] = {}
        for index, diagnostic in enumerate(self.diagnostics):
            if not diagnostic.is_error:
                found.setdefault(diagnostic.path, []).append((index, diagnostic))
        return found

    def composition_of(self, edition: Loaded[BriefRecord]) -> Composition:
        return self._compositions[id(edition)]

    def editions_of(self, edition: Loaded[BriefRecord]) -> tuple[AudienceEdition, ...]:
        return self._editions.get(id(edition), ())

    def warnings_in(self, files: set[str]) -> list[Diagnostic]:
        """The warnings and notes in these files, in the report's order."""
        return [d for _, d in sorted(found for path in files for found in self._warnings_by_file.get(path, ()))]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]

    @property
    def notes(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.NOTE]


@dataclass(frozen=True)
class EditionVerdict:
    """The problems that concern one edition: errors stop it, warnings are printed with it."""

    composition: Composition
    errors: tuple[Diagnostic, ...]
    warnings: tuple[Diagnostic, ...]
    editions: tuple[AudienceEdition, ...] = ()  # the master first; none when it cannot be composed

    @property
    def blocked(self) -> bool:
        return bool(self.errors) or self.composition.brief is None


def citation_calls(brief: ComposedBrief) -> int:
    """How many citation calls an edition makes: each structured citation and each `[@id]` in its prose."""
    count = sum(len(d.cites) for d in brief.developments) + sum(len(a.cites) for a in brief.actors)
    count += sum(len(q.cites) for q in brief.open_questions)
    count += sum(len(s.cites) for d in brief.discrepancies for s in d.statements)
    prose: list[str | None] = [*brief.bluf, brief.outlook]
    prose += [d.detail for d in brief.developments] + [a.role for a in brief.actors]
    prose += [text for q in brief.open_questions for text in (q.why, q.answer)]
    prose += [d.note for d in brief.discrepancies]
    return count + sum(len(find_citations(text)) for text in prose if text)


def _citation_budget(brief: ComposedBrief, edition: Loaded[BriefRecord], limit: int) -> list[Diagnostic]:
    calls = citation_calls(brief)
    if calls <= limit:
        return []
    message = (
        f"this edition makes {calls:,} citation calls; the limit is {limit:,} ([limits] max_citations): "
        "cite each source once per paragraph, or split the brief"
    )
    return [edition.file.diagnostic(("brief", "id"), message, code="too-many-citations")]


def edition_verdict(report: Report, edition: Loaded[BriefRecord], *, strict: bool) -> EditionVerdict:
    """The one rule, used by `build`, `preview`, `validate` and `send`: an edition is stopped by an error in
    the settings, in a source file that did not load (it may hold anything the edition needs), or in any
    file the edition reads; under `strict`, its warnings stop it too (notes never do)."""
    composition = report.composition_of(edition)
    files = set(composition.files) | {edition.file.rel}
    loaded = report.loaded_files
    errors = [
        d
        for d in report.errors
        if d.path == SETTINGS_FILE or d.path in files or (d.path.startswith("sources/") and d.path not in loaded)
    ]
    warnings = report.warnings_in(files)
    if strict:
        errors += [w for w in warnings if w.severity is Severity.WARNING]
        warnings = [w for w in warnings if w.severity is not Severity.WARNING]
    return EditionVerdict(composition, tuple(errors), tuple(warnings), report.editions_of(edition))


def validate_desk(desk: Desk) -> Report:
    """Every problem of the desk, with each edition's composition."""
    diagnostics = [*desk.diagnostics, *check_desk(desk), *prose_day_words(desk)]
    compositions = []
    editions = []
    for edition in desk.briefs:
        composition = compose(desk, edition)
        compositions.append((edition, composition))
        diagnostics.extend(composition.diagnostics)
        if composition.brief is not None:
            diagnostics.extend(_citation_budget(composition.brief, edition, desk.settings.limits.max_citations))
        if composition.ok and composition.brief is not None:
            found, view_diagnostics = audience_editions(desk, edition, composition.brief)
            editions.append((edition, tuple(found)))
            diagnostics.extend(view_diagnostics)
    kept, acknowledged = _acknowledge(desk, sort_diagnostics(diagnostics))
    return Report(desk, kept, compositions, editions, acknowledged)


@dataclass(frozen=True)
class _Ack:
    path: str  # the desk file whose warnings it acknowledges
    entry: Acknowledgement
    where: Diagnostic  # where it is written, for the warning when it matches nothing

    def matches(self, diagnostic: Diagnostic) -> bool:
        if diagnostic.is_error or diagnostic.path != self.path or diagnostic.code != self.entry.warning:
            return False
        wanted = self.entry.field
        return wanted is None or diagnostic.field == wanted or diagnostic.field.startswith((wanted + ".", wanted + "["))


def _acknowledgements(desk: Desk) -> list[_Ack]:
    found = []
    records = [(e.file, e.record.acknowledge) for e in desk.sources] + [
        (e.file, e.record.acknowledge) for e in desk.briefs
    ]
    for file, entries in records:
        for index, entry in enumerate(entries):
            where = file.diagnostic(("acknowledge", index), "", severity=Severity.WARNING)
            found.append(_Ack(file.rel, entry, where))
    for index, settings_entry in enumerate(desk.settings.acknowledge):
        where = Diagnostic(SETTINGS_FILE, 0, f"acknowledge[{index}]", "", Severity.WARNING)
        found.append(_Ack(settings_entry.file, settings_entry, where))
    return found


def _acknowledge(desk: Desk, diagnostics: list[Diagnostic]) -> tuple[list[Diagnostic], list[tuple[Diagnostic, str]]]:
    """(the diagnostics that still count, the acknowledged warnings with their reasons); see the docstring."""
    acks = _acknowledgements(desk)
    if not acks:
        return diagnostics, []
    kept: list[Diagnostic] = []
    acknowledged: list[tuple[Diagnostic, str]] = []
    used: set[int] = set()
    for diagnostic in diagnostics:
        match = next((i for i, ack in enumerate(acks) if ack.matches(diagnostic)), None)
        if match is None:
            kept.append(diagnostic)
            continue
        used.add(match)
        acknowledged.append((diagnostic, acks[match].entry.reason))
    for index, ack in enumerate(acks):
        if index in used:
            continue
        scope = f" in {ack.entry.field}" if ack.entry.field else ""
        message = (
            f"acknowledges a {ack.entry.warning!r} warning{scope} of {ack.path} that is no longer given; "
            "remove the acknowledgement"
        )
        w = ack.where
        kept.append(Diagnostic(w.path, w.line, w.field, message, Severity.WARNING, "stale-acknowledgement"))
    return sort_diagnostics(kept), acknowledged
