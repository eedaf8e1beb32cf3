"""Validate a desk, and the one rule for which of its problems block an edition.

`validate_desk` is what `briefgen validate` runs and what `build`, `preview` and `send` run first: load
problems, cross-file problems (`briefgen.desk.checks`) and what composing each edition finds. Which of
those problems stop a given edition is `edition_verdict`, the same for every command.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.compose.compose import Composition, compose
from briefgen.compose.dates import prose_day_words
from briefgen.desk.checks import check_desk
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
    return Report(desk, sort_diagnostics(diagnostics), compositions)
