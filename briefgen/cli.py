"""The command line: parses arguments and hands over to the stage that does the work.

Errors are `BriefgenError`s carrying their message and exit code; they are printed as one line (or one
line per diagnostic) without a traceback, unless `--debug` is given.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from briefgen import __version__
from briefgen.errors import BriefgenError, Diagnostic, ExitCode, Severity, UsageError
from briefgen.flags import common_options, day_option, desk_argument, desk_folder, is_debug, verbosity

if TYPE_CHECKING:
    from briefgen.desk.vocabulary import OutputFormat


class _Group(click.Group):
    """Turns briefgen's errors into one-line messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BriefgenError as exc:
            if is_debug(ctx):
                traceback.print_exc()
            click.echo(f"briefgen: error: {exc.message}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("briefgen: interrupted; nothing partial was written", err=True)
            ctx.exit(ExitCode.INTERRUPTED)
        except BrokenPipeError:
            # The reader went away (`briefgen ... | head`): stop quietly, as command-line tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(ExitCode.OK)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if is_debug(ctx):
                raise
            click.echo(
                f"briefgen: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                err=True,
            )
            ctx.exit(ExitCode.INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@common_options
@click.version_option(__version__, "--version", "-V", prog_name="briefgen")
def cli() -> None:
    """Turn a desk of report records into situation briefs (HTML, PDF, JSON, email).

    Every command works from any folder inside a desk (it looks up for briefgen.toml). Set
    BRIEFGEN_DEBUG=1 (or give --debug) to see the traceback of an error.
    """


def _print_diagnostics(diagnostics: list[Diagnostic], *, err: bool = False) -> None:
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=err)


@cli.command()
@common_options
@desk_argument
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def validate(desk: Path, strict: bool, output_format: str) -> None:
    """Check every record and template of DESK and report all problems (exit 1 on errors in the records
    or settings, else 3 on errors in the templates, as the build would).

    Templates in the desk's templates/ are compiled: syntax errors, blocks the extended template does not
    have and names no template is given are reported with their file and line. Acknowledged warnings
    (see the README) are not counted; --verbose lists them with their reasons.
    """
    from briefgen.compose.validate import validate_desk
    from briefgen.desk.loader import load_desk
    from briefgen.errors import sort_diagnostics
    from briefgen.ingest.drafts import read_drafts
    from briefgen.render.check import check_templates
    from briefgen.render.counts import counted

    quiet, verbose = verbosity()
    loaded = load_desk(desk)
    report = validate_desk(loaded)
    drafts = read_drafts(loaded.root)  # drafts/ of `briefgen ingest`: listed, never records of the desk
    diagnostics = sort_diagnostics([*report.diagnostics, *check_templates(loaded.root)])
    errors = sum(d.is_error for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)  # notes are neither
    files = len(loaded.sources) + len(loaded.briefs) + len(loaded.lists)
    if output_format == "json":
        payload = {
            "desk": str(loaded.root),
            "errors": errors,
            "warnings": warnings,
            "acknowledged": len(report.acknowledged),
            "strict": strict,
            "diagnostics": [d.as_dict() for d in diagnostics],
            "drafts": [{"path": d.rel, "review": [r.as_dict() for r in d.review]} for d in drafts],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        _print_diagnostics([d for d in diagnostics if d.is_error or not quiet])
        if verbose:
            for diagnostic, reason in report.acknowledged:
                click.echo(f"{diagnostic} (acknowledged: {reason})")
        for draft in drafts:
            click.echo(f"{draft.rel}: draft, {counted(len(draft.review), 'open review item')}")
            _print_diagnostics(list(draft.review))
        verdict = "invalid" if errors or (strict and warnings) else "valid"
        acknowledged = f", {len(report.acknowledged)} acknowledged" if report.acknowledged else ""
        click.echo(
            f"{loaded.root}: {verdict}: {counted(errors, 'error')}, {counted(warnings, 'warning')}{acknowledged} "
            f"({counted(files, 'record file')}, {counted(len(loaded.briefs), 'edition')})",
            err=True,
        )
    if errors and all(d.code == "template" for d in diagnostics if d.is_error):
        sys.exit(ExitCode.TEMPLATE)
    if errors or (strict and warnings):
        sys.exit(ExitCode.BAD_DATA)


@cli.command()
@common_options
@click.option(
    "--kind",
    type=click.Choice(["source", "brief", "list", "settings", "gazetteer"]),
    default=None,
    help="One record kind; default: any record file (source, brief or list).",
)
@click.option("--write", "write_to", is_flag=True, help="Write the schemas and the editors' set-up into DESK.")
@click.option("--modelines", is_flag=True, help="With --write: also put the schema modeline atop every YAML record.")
@click.argument("desk", required=False, type=click.Path(path_type=Path))
def schema(kind: str | None, write_to: bool, modelines: bool, desk: Path | None) -> None:
    """Print the JSON Schema of the records, or (--write [DESK]) write them into the desk's schemas/ with
    the editors' configuration mapping sources/**, briefs/**, lists/* and briefgen.toml to them
    (.vscode/settings.json for the YAML language server and JSON, .taplo.toml for TOML)."""
    from briefgen.desk.schema import json_schema, write_editor_setup

    if not write_to:
        if desk is not None or modelines:
            raise click.UsageError("DESK and --modelines go with --write")
        click.echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))
        return
    if kind is not None:
        raise click.UsageError("--write writes every kind; --kind is for printing one")
    quiet, _ = verbosity()
    root = desk_folder(desk or Path("."))
    for path in write_editor_setup(root, modelines=modelines):
        if not quiet:
            click.echo(f"wrote {path}")


@cli.command()
@common_options
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--name", default="Example Desk", show_default=True, help="The desk's name.")
def init(directory: Path, name: str) -> None:
    """Create a new desk in DIRECTORY with one source, one brief and one list."""
    from briefgen.desk.scaffold import create_desk

    if not name.strip() or any(char in name for char in "\r\n\x00"):
        raise UsageError(f"--name: expected one line of text; got {name!r}")
    quiet, _ = verbosity()
    written = create_desk(directory, name=name, now=datetime.now(UTC))
    for path in written if not quiet else ():
        click.echo(f"created {path}")
    click.echo(f"next: briefgen validate {directory} && briefgen build {directory}")


@cli.command()
@common_options
@desk_argument
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (0: any free port); when it is taken, the next free one is used (and named).",
)
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), help="The build's output folder.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the web browser.")
def preview(desk: Path, port: int, out_dir: Path | None, open_browser: bool) -> None:
    """Serve DESK's editions on 127.0.0.1, refreshing open pages on every save (Ctrl-C stops).

    Local only, by design: nothing but this machine can reach it. Each request, reload and error is logged
    here (--quiet: errors only); an edition's warnings are listed at the top of its page.
    """
    from briefgen.preview_server import serve

    quiet, _ = verbosity()
    folder = desk_folder(desk)

    def log(line: str) -> None:
        if not quiet or line.startswith("error"):
            click.echo(line, err=True)

    def announce(line: str) -> None:
        click.echo(line if not line.startswith("http") else f"preview of {folder} at {line} (Ctrl-C stops)", err=True)

    try:
        serve(folder, port, announce, out_dir=out_dir, log=log, next_free=20, open_browser=open_browser)
    except OSError as exc:
        raise UsageError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}"
            + (" (it and the next 20 ports are in use; give --port)" if exc.errno == errno.EADDRINUSE else "")
        ) from None
    except KeyboardInterrupt:
        click.echo("preview stopped", err=True)


def _formats(value: str | None) -> list[OutputFormat] | None:
    from briefgen.desk.vocabulary import OutputFormat

    if value is None:
        return None
    names = [part.strip() for part in value.split(",") if part.strip()]
    known = [f.value for f in OutputFormat]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise click.BadParameter(f"expected a comma-separated list of {', '.join(known)}; got {value!r}")
    return [OutputFormat(n) for n in names]


@cli.command()
@common_options
@desk_argument
@day_option("Build the editions of this date.")
@click.option("--all", "all_editions", is_flag=True, help="Build every edition (those already sent only with --force).")
@click.option("--brief", "brief_ids", multiple=True, metavar="ID", help="Only this brief (repeatable).")
@click.option(
    "--format", "formats", metavar="LIST", help="Comma-separated: html,pdf,json,txt,eml,stix,csl (default: settings)."
)
@click.option(
    "--executor",
    metavar="URL",
    help="Where PDFs render: local (worker processes here) or dask://HOST:PORT (default: [executor] url, local).",
)
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), help="Output folder.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors: an edition with warnings is not built.")
@click.option(
    "--force", is_flag=True, help="Rebuild editions whose inputs did not change (and, with --all, sent ones)."
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), metavar="N", help="Build in N processes (default: the number of cores)."
)
def build(
    desk: Path,
    on: datetime | None,
    all_editions: bool,
    brief_ids: tuple[str, ...],
    formats: str | None,
    out_dir: Path | None,
    strict: bool,
    force: bool,
    executor: str | None,
    jobs: int | None,
) -> None:
    """Build the editions of DESK dated today (or --date/--all) into out/<date>/<brief-id>.<ext>.

    Editions whose inputs did not change since the last build are left as they are (--force rebuilds
    them); with --all, editions already sent are left as they were sent (--force rebuilds them too).
    Each edition's line is printed as it finishes. Each build also rewrites out/index.html.
    """
    if on is not None and all_editions:
        raise click.UsageError("--date and --all cannot be combined")
    quiet, verbose = verbosity()
    from briefgen.pdf.workers import workers_for_build

    if executor not in (None, "local"):
        from briefgen.pdf.dask_executor import scheduler_address

        scheduler_address(executor)  # a malformed URL is a usage error before anything starts
    # Local workers start before briefgen's heavier imports (see briefgen.entry); not for a Dask build.
    workers = workers_for_build(desk, formats, jobs) if executor in (None, "local") else None
    try:
        from briefgen.build.options import BuildOptions, check_selection
        from briefgen.build.runner import build as run_build
        from briefgen.console import BuildPrinter
        from briefgen.desk.loader import load_desk

        loaded = load_desk(desk)
        try:
            check_selection(loaded, brief_ids, on=on.date() if on else None)
        except UsageError:
            from briefgen.compose.validate import validate_desk

            _print_diagnostics(validate_desk(loaded).errors, err=True)  # what validate lists, even so
            raise
        options = BuildOptions.resolve(
            loaded,
            on=on.date() if on else None,
            all_editions=all_editions,
            brief_ids=brief_ids,
            formats=_formats(formats),
            out_dir=out_dir,
            strict=strict,
            force=force,
            jobs=jobs,
            executor=executor,
        )
        printer = BuildPrinter(quiet=quiet, verbose=verbose)
        try:
            result = run_build(loaded, options, progress=printer.edition, on_selected=printer.selected, workers=workers)
        finally:
            printer.finish()
        if not result.editions and not result.desk_errors:  # else the errors (a brief that does not load) say why
            hint = "" if options.day_given or options.all_editions else "; use --date YYYY-MM-DD or --all"
            click.echo(f"briefgen: nothing to build ({result.selection}{hint})", err=True)
        printer.summary(result)
        sys.exit(result.exit_code)
    finally:
        if workers is not None:
            workers.close()


def main() -> None:
    """Run the command line (the console script is `briefgen.entry:main`)."""
    cli(prog_name="briefgen")


def _add_commands() -> None:
    from briefgen.cli_ingest import ingest
    from briefgen.cli_send import send
    from briefgen.cli_templates import templates

    cli.add_command(ingest)
    cli.add_command(send)
    cli.add_command(templates)


_add_commands()
