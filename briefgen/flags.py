"""The options every command takes: `--debug`, `--quiet`/`-q`, `--verbose`/`-v`, before or after the
command's name (kept in the Click context's `meta`, which the group and its commands share)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


def is_debug(ctx: click.Context) -> bool:
    """`--debug` (before or after the command) or BRIEFGEN_DEBUG set to anything but empty or 0."""
    return bool(ctx.meta.get(_DEBUG)) or os.environ.get("BRIEFGEN_DEBUG", "") not in ("", "0")


_DEBUG, _QUIET, _VERBOSE = "briefgen.debug", "briefgen.quiet", "briefgen.verbose"


def _remember(key: str) -> Callable[[click.Context, click.Parameter, bool], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:
            ctx.meta[key] = True

    return callback


def common_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """`--debug`, `--quiet`/`-q` and `--verbose`/`-v`, accepted by briefgen and by every command."""
    for name, short, key, text in (
        ("--debug", None, _DEBUG, "Show tracebacks for errors (also: BRIEFGEN_DEBUG=1)."),
        ("--verbose", "-v", _VERBOSE, "Print more: every warning again, timings, requests."),
        ("--quiet", "-q", _QUIET, "Print only errors and the totals."),
    ):
        names = [name, short] if short else [name]
        function = click.option(
            *names, is_flag=True, expose_value=False, is_eager=True, callback=_remember(key), help=text
        )(function)
    return function


def verbosity() -> tuple[bool, bool]:
    """(quiet, verbose) as given anywhere on the command line; both is a usage error."""
    meta = click.get_current_context().meta
    quiet, verbose = bool(meta.get(_QUIET)), bool(meta.get(_VERBOSE))
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be combined")
    return quiet, verbose


desk_argument = click.argument(
    "desk", required=False, default=".", type=click.Path(path_type=Path, file_okay=True, dir_okay=True)
)


def desk_folder(desk: Path) -> Path:
    """DESK as given, when it is a desk (the one "not a desk" message of every command)."""
    from briefgen.desk.loader import require_desk

    return require_desk(desk)


def day_option(help_text: str) -> Callable[..., Any]:
    """`--date YYYY-MM-DD`, as `build` and `send` take it."""
    return click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help=help_text)
