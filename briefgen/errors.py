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
    """Exit codes used consistently by every command (documented in the README)."""

    OK = 0
    BAD_DATA = 1
    USAGE = 2
    TEMPLATE = 3
    BLOCKED_RESOURCE = 4
    RENDER_FAILED = 5
    CANNOT_WRITE = 6
    DELIVERY_INCOMPLETE = 7
    INTERRUPTED = 130


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


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
        level = " warning:" if self.severity is Severity.WARNING else ""
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
    """An output could not be written."""

    exit_code = ExitCode.CANNOT_WRITE
