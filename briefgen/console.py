"""What the command line prints while a build runs: one line per edition as it finishes, warnings once.

`BuildPrinter` gets each `EditionResult` as the build finishes it (`briefgen.build.runner.build`'s
`progress`) and prints its warnings and its line at once, so that a long build shows its progress in
order. On a terminal (and not under CI) a progress bar stays on the last line of the terminal, redrawn
below each edition's line. A warning shared by several editions (one source cited by every brief) is
printed once per build; an edition that is up to date prints its warnings again only with `--verbose`.
Counts are written by `briefgen.render.counts.counted` (plural forms from the message catalog).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from briefgen.desk.layout import OutLayout
from briefgen.errors import Diagnostic, Severity
from briefgen.render.counts import counted

if TYPE_CHECKING:
    from briefgen.build.edition import EditionResult
    from briefgen.build.runner import BuildResult


def size(count: int) -> str:
    return f"{count / 1024:.1f} KiB"


def format_word(path: Path) -> str:
    """The format a written file is of: `html`, `stix` (`brief.stix.json`), `eml`."""
    parsed = OutLayout.parse_edition_file(path.name)
    return parsed[1].removesuffix(".json") if parsed is not None else path.suffix.lstrip(".")


def _is_note(diagnostic: Diagnostic) -> bool:
    return diagnostic.severity is Severity.NOTE


def edition_line(edition: EditionResult, *, hidden: int = 0) -> str:
    """The one line of an edition; `hidden`: how many of its warnings were not printed again."""
    name = str(edition.key)
    count = sum(not _is_note(d) for d in edition.warnings)
    notes = len(edition.warnings) - count
    warnings = counted(count, "warning") + (f", {counted(notes, 'note')}" if notes else "")
    if hidden:
        warnings += f" ({hidden} not shown again: --verbose shows them)"
    if not edition.ok:
        return f"FAILED  {name}: {counted(len(edition.errors), 'error')}; earlier outputs left as they were"
    if edition.kept_sent:
        return f"kept    {name}: already sent, left as it was sent (--force rebuilds it), {warnings}"
    if edition.up_to_date:
        return f"ok      {name}: up to date, {warnings}"
    words = [format_word(p) for p in edition.written]
    # One email edition per list: "eml, eml" read as a stutter; "2 eml" says how many.
    written = ", ".join(w if words.count(w) == 1 else f"{words.count(w)} {w}" for w in dict.fromkeys(words))
    pdf = ""
    if edition.pdf_bytes is not None:
        pdf = f", {counted(edition.pdf_pages or 0, 'page')}, PDF {size(edition.pdf_bytes)}"
    folder = edition.written[0].parent if edition.written else ""
    revision = f", revision {edition.revision} (a correction)" if edition.revision > 1 else ""
    return f"built   {name}: {written} -> {folder}{pdf}{revision}, {edition.seconds:.2f} s, {warnings}"


def show_progress(quiet: bool, stream: TextIO | None = None) -> bool:
    stream = stream or sys.stderr
    return not quiet and stream.isatty() and not os.environ.get("CI")


@dataclass
class BuildPrinter:
    """Prints a build's editions as they finish (see the module's docstring)."""

    quiet: bool = False
    verbose: bool = False
    bar_total: int = 0  # editions selected, when a progress bar is shown
    done: int = 0
    printed: set[Diagnostic] = field(default_factory=set)
    printed_errors: set[str] = field(default_factory=set)

    def selected(self, count: int) -> None:
        if count > 1 and show_progress(self.quiet):
            self.bar_total = count
            self._draw_bar()

    def _draw_bar(self) -> None:
        width = 30
        filled = width * self.done // max(self.bar_total, 1)
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r\x1b[Kbuilding [{bar}] {self.done}/{self.bar_total}")
        sys.stderr.flush()

    def _clear_bar(self) -> None:
        if self.bar_total:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

    def edition(self, edition: EditionResult) -> None:
        """Print one finished edition: its new warnings, its errors and its line."""
        self.done += 1
        self._clear_bar()
        # An edition that was not built now (up to date, or kept as sent) shows its warnings only with
        # --verbose; a warning already printed in this build (a shared source's) is not printed again.
        unchanged = edition.up_to_date or edition.kept_sent
        new = [d for d in edition.warnings if d not in self.printed]
        shown = [] if self.quiet or (unchanged and not self.verbose) else new
        hidden = len(new) - len(shown) if unchanged and not self.quiet else 0
        for diagnostic in shown:
            self.printed.add(diagnostic)
            click.echo(str(diagnostic), err=True)
        for error in edition.errors:
            if error not in self.printed_errors:  # the editions of a brief that cannot be composed share them
                self.printed_errors.add(error)
                click.echo(error, err=True)
        if not self.quiet or not edition.ok:
            click.echo(edition_line(edition, hidden=hidden))
        if self.verbose and edition.stages:
            click.echo("        " + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in edition.stages))
        if self.bar_total:
            self._draw_bar()

    def finish(self) -> None:
        self._clear_bar()
        self.bar_total = 0

    def summary(self, result: BuildResult) -> None:
        """Desk errors, errors of editions not built now, and the totals (which agree with the exit code)."""
        for diagnostic in result.desk_errors:
            click.echo(str(diagnostic), err=True)
        for diagnostic in result.unselected_errors:
            click.echo(f"{diagnostic} (in an edition not built now: a warning for this build)", err=True)
        if any(e.pdf_bytes is not None for e in result.editions):
            from briefgen.pdf.fonts import harfbuzz_subset_missing

            warning = harfbuzz_subset_missing()
            if warning:
                click.echo(f"briefgen: warning: {warning}", err=True)
        if not result.editions:
            return
        editions = result.editions
        built = [e for e in editions if e.ok and not e.up_to_date and not e.kept_sent]
        failed = sum(not e.ok for e in editions)
        pages = sum(e.pdf_pages or 0 for e in built)
        pdf_bytes = sum(e.pdf_bytes or 0 for e in built)
        warnings = len({d for e in editions for d in e.warnings if not _is_note(d)})
        seconds = sum(e.seconds for e in editions)
        parts = [f"{len(built)} built", f"{sum(e.up_to_date for e in editions)} up to date"]
        kept = sum(e.kept_sent for e in editions)
        if kept:
            parts.append(f"{kept} kept as sent")
        parts.append(f"{failed} failed")
        head = ", ".join(parts)
        if result.desk_errors:
            head += f", {counted(len(result.desk_errors), 'desk error')}"
        pdf = (
            f"{counted(pages, 'page')}, {size(pdf_bytes)} of PDF; "
            if any(e.pdf_bytes is not None for e in built)
            else ""
        )
        processes = f", PDFs in {counted(result.jobs, 'process')}" if result.jobs else ""
        unselected = (
            f"; {counted(len(result.unselected_errors), 'error')} in editions not built now (warnings for this build)"
            if result.unselected_errors
            else ""
        )
        click.echo(
            f"{head}; {pdf}{counted(warnings, 'warning')}{unselected}; {seconds:.2f} s of work{processes}"
            f" ({result.selection})",
            err=True,
        )
