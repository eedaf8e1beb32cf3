"""The console entry point (`briefgen` and `python -m briefgen`).

For `briefgen build`, the fork server that PDF workers are forked from is started here, before even the
command-line parser is imported: WeasyPrint's set-up (about a second) then overlaps everything else the
build does before its first PDF. Only a plain reading of the build's own options decides it (a PDF
format); the command itself decides again with the real parser and starts no worker if none is needed.
"""

from __future__ import annotations

import gc
import os
import sys

from briefgen import GC_THRESHOLDS

_VALUE_OPTIONS = {"--date", "--brief", "--format", "--out", "--jobs", "-j"}
_FLAGS = {"--all", "--strict", "--force", "--quiet", "-q", "--verbose", "-v", "--debug"}


def _build_options(argv: list[str]) -> tuple[str, str | None, int | None] | None:
    """(desk, formats, jobs) of a `build` command line, or None when it is not one or not plainly read."""
    args = list(argv)
    while args and args[0] in ("--debug", "--quiet", "-q", "--verbose", "-v"):  # briefgen's own flags
        args.pop(0)
    if not args or args[0] != "build":
        return None
    desk, formats, jobs = ".", None, None
    tokens = iter(args[1:])
    for token in tokens:
        name, _, attached = token.partition("=")
        if name in _VALUE_OPTIONS:
            value = attached or next(tokens, None)
            if value is None:
                return None
            if name == "--format":
                formats = value
            elif name in ("--jobs", "-j"):
                if not value.isdigit():
                    return None
                jobs = int(value)
        elif token in _FLAGS:
            continue
        elif token.startswith("-"):
            return None  # --help, or something the command will report
        else:
            desk = token
    return desk, formats, jobs


def _exit_code(code: object) -> int:
    from briefgen.errors import ExitCode

    if code is None:
        return ExitCode.OK
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return ExitCode.USAGE


def main() -> None:
    gc.set_threshold(*GC_THRESHOLDS)  # Python's own spent a third of a no-op build of 1,000 editions collecting
    options = _build_options(sys.argv[1:])
    if options is not None:
        from briefgen.pdf.workers import prestart

        prestart(*options)
    from briefgen.cli import main as cli_main

    try:
        cli_main()
        code = _exit_code(None)
    except SystemExit as stop:
        code = _exit_code(stop.code)
    # Every output is written, synced and closed and the workers are stopped by now: leave without the
    # interpreter's teardown of every imported module (about 40 ms, a few percent of a one-brief build).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
