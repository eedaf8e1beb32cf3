"""Validate a desk, and the one rule for which of its problems block an edition.

`validate_desk` is what `briefgen validate` runs and what `build`, `preview` and `send` run first: load
problems, cross-file problems (`briefgen.desk.checks`) and what composing each edition finds. Which of
those problems stop a given edition is `edition_verdict`, the same for every command.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.compose.compose import Composition, compose
from briefgen.compose.dates import prose_day_words
from briefgen.compose.model import ComposedBrief
from briefgen.desk.checks import check_desk
from briefgen.desk.citations import find_citations
from briefgen.desk.layout import SETTINGS_FILE
from briefgen.desk.loader import Desk, Loaded
from briefgen.desk.models import BriefRecord
from briefgen.errors import Diagnostic, Severity, sort_diagnostics


@dataclass(frozen=True)
class Report:
    """What validation found: all diagnostics, sorted, and each edition's composition."""

    desk: Desk
    diagnostics: list[Diagnostic]
    compositions: list[tuple[Loaded[BriefRecord], Composition]]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

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
    composition = next(c for e, c in report.compositions if e is edition)
    files = set(composition.files) | {edition.file.rel}
    loaded = {e.file.rel for e in report.desk.sources} | {e.file.rel for e in report.desk.briefs}
    errors = [
        d
        for d in report.errors
        if d.path == SETTINGS_FILE or d.path in files or (d.path.startswith("sources/") and d.path not in loaded)
    ]
    warnings = [d for d in report.diagnostics if not d.is_error and d.path in files]
    if strict:
        errors += [w for w in warnings if w.severity is Severity.WARNING]
        warnings = [w for w in warnings if w.severity is not Severity.WARNING]
    return EditionVerdict(composition, tuple(errors), tuple(warnings))


def validate_desk(desk: Desk) -> Report:
    """Every problem of the desk, with each edition's composition."""
    diagnostics = [*desk.diagnostics, *check_desk(desk), *prose_day_words(desk)]
    compositions = []
    for edition in desk.briefs:
        composition = compose(desk, edition)
        compositions.append((edition, composition))
        diagnostics.extend(composition.diagnostics)
        if composition.brief is not None:
            diagnostics.extend(_citation_budget(composition.brief, edition, desk.settings.limits.max_citations))
    return Report(desk, sort_diagnostics(diagnostics), compositions)
