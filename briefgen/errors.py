"""One error hierarchy for briefgen, and the diagnostics that validation collects.

Every error carries the message a user reads and the exit code the command ends with, as Click's
exceptions do. Problems found in a desk are `Diagnostic`s: a file, a line, a field path and a message,
so that a whole desk can be reported in one run.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    """Exit codes used consistently by every command; the README's table is `exit_code_table()`."""

    OK = 0
    BAD_DATA = 1
    USAGE = 2
    TEMPLATE = 3
    BLOCKED_RESOURCE = 4
    RENDER_FAILED = 5
    CANNOT_WRITE = 6
    DELIVERY_INCOMPLETE = 7
    INTERNAL = 70
    INTERRUPTED = 130

    @property
    def meaning(self) -> str:
        return _EXIT_MEANINGS[self]


_EXIT_MEANINGS = {
    ExitCode.OK: "success (warnings may have been printed)",
    ExitCode.BAD_DATA: "bad data: the records or settings have errors (or warnings, under `--strict`)",
    ExitCode.USAGE: "usage error: wrong option, a value that matches nothing, or DESK is not a desk",
    ExitCode.TEMPLATE: "template error (file and line are named; `validate` too, when the records have no errors)",
    ExitCode.BLOCKED_RESOURCE: "a resource was refused while rendering (the URL or file is named)",
    ExitCode.RENDER_FAILED: "the PDF could not be rendered (or exceeded its time or memory budget)",
    ExitCode.CANNOT_WRITE: "an output could not be written, or state in `out/` could not be read safely "
    "(or another build holds the desk's `out/`)",
    ExitCode.DELIVERY_INCOMPLETE: "delivery incomplete: a recipient was not reached, or a message was refused "
    "(each is listed)",
    ExitCode.INTERNAL: "internal error (a bug: please report it with `--debug` output)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C); files already written are complete, nothing partial is left",
}


def exit_code_table() -> str:
    """The README's table of exit codes, in Markdown."""
    rows = [f"| {code.value} | {code.meaning} |" for code in ExitCode]
    return "\n".join(["| code | meaning |", "| --- | --- |", *rows])


def nearest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `word`, when one is close enough to be a likely typo."""
    import difflib

    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the nearest candidate (one that differs only in case first), or nothing:
    the one did-you-mean of briefgen."""
    candidates = list(candidates)
    same = [c for c in candidates if c.casefold() == word.casefold()]
    match = same[0] if same else nearest(word, candidates)
    return f" (did you mean {match!r}?)" if match else ""


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # what the build did and why (a source left out after the cut-off); --strict leaves it


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in a desk, located by file (relative to the desk), line and field path."""

    path: str
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR
    code: str = "invalid"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        field = f" {self.field}:" if self.field else ""
        level = "" if self.severity is Severity.ERROR else f" {self.severity.value}:"
        return f"{where}:{field}{level} {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_dict(self) -> dict[str, str | int]:
        return {
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
        }


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort by file, then line, then field; drop exact repeats."""
    return sorted(set(diagnostics), key=lambda d: (d.path, d.line, d.field, d.severity.value, d.message))


class BriefgenError(Exception):
    """Base of every error briefgen reports to a user: a message and an exit code, no traceback."""

    exit_code: ExitCode = ExitCode.BAD_DATA

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(BriefgenError):
    """The command was called wrongly (e.g. DESK is not a desk)."""

    exit_code = ExitCode.USAGE


class DeskError(BriefgenError):
    """The desk's records have errors; `diagnostics` lists every one."""

    exit_code = ExitCode.BAD_DATA

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sort_diagnostics(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error] or self.diagnostics
        super().__init__("\n".join(str(d) for d in errors))


class TemplateError(BriefgenError):
    """A template failed to load or render; the message names its file and line."""

    exit_code = ExitCode.TEMPLATE


class ResourceBlocked(BriefgenError):
    """Rendering asked for a file or URL that briefgen does not let WeasyPrint read."""

    exit_code = ExitCode.BLOCKED_RESOURCE


class RenderError(BriefgenError):
    """The PDF renderer failed or exceeded its budget."""

    exit_code = ExitCode.RENDER_FAILED


class OutputError(BriefgenError):
    """An output could not be written, or state in `out/` could not be read safely."""

    exit_code = ExitCode.CANNOT_WRITE


class SettingsError(BriefgenError):
    """The desk's settings are unusable for this command (e.g. a setting the command needs is missing)."""

    exit_code = ExitCode.BAD_DATA
