"""The command line: parses arguments and hands over to the stage that does the work.

Errors are `BriefgenError`s carrying their message and exit code; they are printed as one line (or one
line per diagnostic) without a traceback, unless `--debug` is given.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from briefgen import __version__
from briefgen.errors import BriefgenError, Diagnostic, ExitCode, Severity

if TYPE_CHECKING:
    from briefgen.build.edition import EditionResult
    from briefgen.build.runner import BuildResult
    from briefgen.desk.models import OutputFormat


class _Group(click.Group):
    """Turns briefgen's errors into one-line messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug")) or bool(os.environ.get("BRIEFGEN_DEBUG"))
        try:
            return super().invoke(ctx)
        except BriefgenError as exc:
            if debug:
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
            if debug:
                raise
            click.echo(
                f"briefgen: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                err=True,
            )
            ctx.exit(ExitCode.INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(__version__, prog_name="briefgen")
def cli(debug: bool) -> None:
    """Turn a desk of report records into situation briefs (HTML, PDF, JSON, email)."""


desk_argument = click.argument(
    "desk", required=False, default=".", type=click.Path(path_type=Path, file_okay=True, dir_okay=True)
)


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(str(diagnostic))


@cli.command()
@desk_argument
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def validate(desk: Path, strict: bool, output_format: str) -> None:
    """Check every record of DESK and report all problems (exit 1 on errors)."""
    from briefgen.compose.validate import validate_desk
    from briefgen.desk.loader import load_desk
    from briefgen.ingest.drafts import read_drafts

    loaded = load_desk(desk)
    report = validate_desk(loaded)
    drafts = read_drafts(desk)  # drafts/ of `briefgen ingest`: listed, never records of the desk
    errors, warnings = len(report.errors), len(report.warnings)
    files = len(loaded.sources) + len(loaded.briefs) + len(loaded.lists)
    if output_format == "json":
        payload = {
            "desk": str(desk),
            "errors": errors,
            "warnings": warnings,
            "strict": strict,
            "diagnostics": [d.as_dict() for d in report.diagnostics],
        }
        payload["drafts"] = [{"path": d.rel, "review": [r.as_dict() for r in d.review]} for d in drafts]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        _print_diagnostics(report.diagnostics)
        for draft in drafts:
            click.echo(f"{draft.rel}: draft, {len(draft.review)} open review item{'s' * (len(draft.review) != 1)}")
            _print_diagnostics(list(draft.review))
        verdict = "invalid" if errors or (strict and warnings) else "valid"
        click.echo(
            f"{desk}: {verdict}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
            f"({files} record files, {len(loaded.briefs)} editions)",
            err=True,
        )
    if errors or (strict and warnings):
        sys.exit(ExitCode.BAD_DATA)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option(
    "--desk", "desk", type=click.Path(path_type=Path, file_okay=False), default=".", help="The desk (default: .)."
)
@click.option("--accept", "accepting", is_flag=True, help="FILES are reviewed drafts: move them into sources/.")
@click.option("--url", help="Where the page came from (recorded only; nothing is fetched).")
@click.option("--accessed", metavar="ISO", help="When it was read (ISO date or datetime with offset).")
@click.option("--lang", "language", metavar="xx", help="Its language (default: the page's, else identified).")
@click.option("--outlet", help="Its outlet (default: the dateline's agency or the page's site name).")
@click.option("--type", "source_type", metavar="T", help="Its source type (default: the gazetteer's).")
@click.option("--encoding", default="utf-8", show_default=True, help="The encoding of text inputs.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
    help="yaml: write DESK/drafts/ID.yaml; json: print the draft instead.",
)
@click.option("--dry-run", is_flag=True, help="Print the draft; write nothing.")
def ingest(
    files: tuple[Path, ...],
    desk: Path,
    accepting: bool,
    url: str | None,
    accessed: str | None,
    language: str | None,
    outlet: str | None,
    source_type: str | None,
    encoding: str,
    output_format: str,
    dry_run: bool,
) -> None:
    """Draft source records from raw articles (.txt, .md, saved .html, - for stdin) into DESK/drafts/.

    With --accept, move reviewed drafts (no review items left) into DESK/sources/.
    """
    try:
        from briefgen.ingest.command import accept_drafts
        from briefgen.ingest.command import ingest as run_ingest
        from briefgen.ingest.draft import Options
    except ImportError as exc:
        raise click.UsageError(f"ingest needs the 'ingest' extra (pip install 'briefgen[ingest]'): {exc}") from None

    if accepting:
        accept_drafts(desk, list(files), click.echo)
        return
    options = Options(url, accessed, language, outlet, source_type, encoding)
    inputs = [None if str(f) == "-" else f for f in files]
    run_ingest(
        desk,
        inputs,
        options,
        output=output_format,
        dry_run=dry_run,
        say=click.echo,
        err=lambda line: click.echo(line, err=True),
    )


@cli.command()
@click.option(
    "--kind",
    type=click.Choice(["source", "brief", "list", "settings", "gazetteer"]),
    default=None,
    help="One record kind; default: any record file (source, brief or list).",
)
def schema(kind: str | None) -> None:
    """Print the JSON Schema of the records (for editors' YAML language servers)."""
    from briefgen.desk.schema import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--name", default="Example Desk", show_default=True, help="The desk's name.")
def init(directory: Path, name: str) -> None:
    """Create a new desk in DIRECTORY with one source, one brief and one list."""
    from briefgen.desk.scaffold import create_desk

    written = create_desk(directory, name=name, today=datetime.now(UTC).date())
    for path in written:
        click.echo(f"created {path}")
    click.echo(f"next: briefgen validate {directory} && briefgen build {directory}")


def _desk_folder(desk: Path) -> Path:
    from briefgen.desk.loader import require_desk

    return require_desk(desk)


@cli.group()
def templates() -> None:
    """See, copy and document the templates (the desk's templates/ folder comes first)."""


@templates.command("list")
@desk_argument
def templates_list(desk: Path) -> None:
    """Every template: built-in, or the desk's own (and which built-in one it replaces)."""
    from briefgen.render.editors import list_templates

    for entry in list_templates(_desk_folder(desk)):
        where = f"  {entry.desk_file}" if entry.desk_file else ""
        click.echo(f"{entry.name:<34} {entry.origin}{where}")


@templates.command("eject")
@click.argument("name")
@desk_argument
@click.option("--extend", is_flag=True, help="Write a template that extends the built-in one (replace single blocks).")
@click.option("--force", is_flag=True, help="Replace the desk's template if it exists.")
def templates_eject(name: str, desk: Path, extend: bool, force: bool) -> None:
    """Copy the built-in template NAME into DESK/templates/ to start from."""
    from briefgen.render.editors import eject

    target = eject(_desk_folder(desk), name, extend=extend, force=force)
    click.echo(f"wrote {target}: the desk's builds now use it")


@templates.command("context")
def templates_context() -> None:
    """Print the reference of what templates can use (variables, filters, every field), in Markdown."""
    from briefgen.render.editors import context_reference

    click.echo(context_reference(), nl=False)


@cli.command()
@desk_argument
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (0: any free port).",
)
def preview(desk: Path, port: int) -> None:
    """Serve DESK's editions on 127.0.0.1, refreshing open pages on every save (Ctrl-C stops)."""
    from briefgen.preview import serve

    folder = _desk_folder(desk)
    try:
        serve(folder, port, lambda url: click.echo(f"preview of {folder} at {url} (Ctrl-C stops)", err=True))
    except OSError as exc:
        raise click.UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        click.echo("preview stopped", err=True)


@cli.command()
@desk_argument
@click.option(
    "--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Send the editions of this date (default: today)."
)
@click.option("--brief", "brief_ids", multiple=True, metavar="ID", help="Only this brief (repeatable).")
@click.option("--list", "list_ids", multiple=True, metavar="LIST", help="Only this distribution list (repeatable).")
@click.option("--dry-run", is_flag=True, help="Show who would get what; send nothing.")
def send(desk: Path, on: datetime | None, brief_ids: tuple[str, ...], list_ids: tuple[str, ...], dry_run: bool) -> None:
    """Send the built email editions of DESK over SMTP (settings [mail]; credentials from the environment).

    Each message goes to each member once: out/sent.jsonl records every delivery, so a re-run sends only
    what was not sent. Exit 7 when anything was not delivered.
    """
    from briefgen.build.sendable import sendable
    from briefgen.compose.validate import validate_desk
    from briefgen.desk.layout import SETTINGS_FILE
    from briefgen.desk.loader import load_desk
    from briefgen.desk.outfolder import OutFolder
    from briefgen.errors import DeskError
    from briefgen.mail.send import send as deliver

    loaded = load_desk(desk)
    blocking = [
        d for d in loaded.diagnostics if d.is_error and (d.path == SETTINGS_FILE or d.path.startswith("lists/"))
    ]
    if blocking:
        raise DeskError(blocking)
    day = on.date() if on else datetime.now(loaded.settings.timezone).date()
    out = OutFolder.open_existing(loaded.out_layout.root)
    if out is None:
        click.echo("no email editions to send (nothing is built yet: run briefgen build --format eml)", err=True)
        return
    with out:
        items = sendable(validate_desk(loaded), out, day, brief_ids, list_ids)
        report = deliver(items, out, loaded.settings.mail, dry_run=dry_run, say=click.echo)
    click.echo(
        f"{len(report.sent)} delivered, {len(report.already)} already sent earlier, {len(report.failed)} failed, "
        f"{len(report.refused)} message(s) refused" + (" (dry run: nothing sent)" if dry_run else ""),
        err=True,
    )
    if not dry_run and not report.complete:
        sys.exit(ExitCode.DELIVERY_INCOMPLETE)


def _formats(value: str | None) -> list[OutputFormat] | None:
    from briefgen.desk.models import OutputFormat

    if value is None:
        return None
    names = [part.strip() for part in value.split(",") if part.strip()]
    known = [f.value for f in OutputFormat]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise click.BadParameter(f"expected a comma-separated list of {', '.join(known)}; got {value!r}")
    return [OutputFormat(n) for n in names]


def _size(count: int) -> str:
    return f"{count / 1024:.1f} KiB"


def _format_word(path: Path) -> str:
    """The format a written file is of: `html`, `stix` (`brief.stix.json`), `eml`."""
    from briefgen.desk.layout import OutLayout

    parsed = OutLayout.parse_edition_file(path.name)
    return parsed[1].removesuffix(".json") if parsed is not None else path.suffix.lstrip(".")


def _is_note(diagnostic: Diagnostic) -> bool:
    return diagnostic.severity is Severity.NOTE


def _edition_line(edition: EditionResult) -> str:
    name = f"{edition.brief_id} {edition.date.isoformat()}"
    count = sum(not _is_note(d) for d in edition.warnings)
    notes = len(edition.warnings) - count
    warnings = f"{count} warning{'s' * (count != 1)}" + (f", {notes} note{'s' * (notes != 1)}" if notes else "")
    if not edition.ok:
        return f"FAILED  {name}: {len(edition.errors)} error(s); earlier outputs left as they were"
    if edition.up_to_date:
        return f"ok      {name}: up to date, {warnings}"
    written = ", ".join(_format_word(p) for p in edition.written)
    pdf = f", {edition.pdf_pages} pages, PDF {_size(edition.pdf_bytes)}" if edition.pdf_bytes is not None else ""
    folder = edition.written[0].parent if edition.written else ""
    return f"built   {name}: {written} -> {folder}{pdf}, {edition.seconds:.2f} s, {warnings}"


def _show_progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI")


@cli.command()
@desk_argument
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Build the editions of this date.")
@click.option("--all", "all_editions", is_flag=True, help="Build every edition of the desk.")
@click.option("--brief", "brief_ids", multiple=True, metavar="ID", help="Only this brief (repeatable).")
@click.option(
    "--format", "formats", metavar="LIST", help="Comma-separated: html,pdf,json,txt,eml,stix,csl (default: settings)."
)
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), help="Output folder.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors: an edition with warnings is not built.")
@click.option("--force", is_flag=True, help="Rebuild editions whose inputs did not change.")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), metavar="N", help="Build in N processes (default: the number of cores)."
)
@click.option(
    "--executor",
    metavar="URL",
    help="Where PDFs render: local (worker processes here) or dask://HOST:PORT (default: [executor] url, local).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the totals.")
@click.option("--verbose", "-v", is_flag=True, help="Also print the time of each stage of each edition.")
def build(
    desk: Path,
    on: datetime | None,
    all_editions: bool,
    brief_ids: tuple[str, ...],
    formats: str | None,
    out_dir: Path | None,
    strict: bool,
    force: bool,
    jobs: int | None,
    executor: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build the editions of DESK dated today (or --date/--all) into out/<date>/<brief-id>.<ext>.

    Editions whose inputs did not change since the last build are left as they are (--force rebuilds
    them). Each build also rewrites out/index.html, the archive of every edition.
    """
    if on is not None and all_editions:
        raise click.UsageError("--date and --all cannot be combined")
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be combined")
    from briefgen.pdf.workers import workers_for_build

    if executor not in (None, "local"):
        from briefgen.pdf.dask_executor import scheduler_address

        scheduler_address(executor)  # a malformed URL is a usage error before anything starts
    # Local workers start before briefgen's heavier imports (see briefgen.entry); not for a Dask build.
    workers = workers_for_build(desk, formats, jobs) if executor in (None, "local") else None
    try:
        from briefgen.build.options import BuildOptions
        from briefgen.build.runner import build as run_build
        from briefgen.desk.loader import load_desk

        loaded = load_desk(desk)
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
        bar: Any = None

        def selected(count: int) -> None:
            nonlocal bar
            if count > 1 and _show_progress(quiet):
                bar = click.progressbar(length=count, label="building", file=sys.stderr, show_pos=True)
                bar.__enter__()

        def progress(edition: EditionResult) -> None:
            if bar is not None:
                bar.update(1)

        try:
            result = run_build(loaded, options, progress=progress, on_selected=selected, workers=workers)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        _print_build(result, quiet=quiet, verbose=verbose)
        sys.exit(result.exit_code)
    finally:
        if workers is not None:
            workers.close()


def _print_build(result: BuildResult, *, quiet: bool, verbose: bool) -> None:
    """Desk errors, each edition's warnings, errors and line, and the totals."""
    for diagnostic in result.desk_errors:
        click.echo(str(diagnostic), err=True)
    for diagnostic in result.unselected_errors:
        click.echo(f"{diagnostic} (in an edition not built now: a warning for this build)", err=True)
    if not result.editions:
        click.echo(f"briefgen: nothing to build ({result.selection}; use --date YYYY-MM-DD or --all)", err=True)
    if any(e.pdf_bytes is not None for e in result.editions):
        from briefgen.pdf.fonts import harfbuzz_subset_missing

        warning = harfbuzz_subset_missing()
        if warning:
            click.echo(f"briefgen: warning: {warning}", err=True)
    for edition in result.editions:
        if not quiet:
            for diagnostic in edition.warnings:
                click.echo(str(diagnostic), err=True)
        for error in edition.errors:
            click.echo(error, err=True)
        if not quiet or not edition.ok:
            click.echo(_edition_line(edition))
        if verbose and edition.stages:
            click.echo("        " + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in edition.stages))
    if result.editions:
        built = [e for e in result.editions if e.ok and not e.up_to_date]
        failed = sum(not e.ok for e in result.editions)
        up_to_date = sum(e.up_to_date for e in result.editions)
        pages = sum(e.pdf_pages or 0 for e in built)
        pdf_bytes = sum(e.pdf_bytes or 0 for e in built)
        warnings = sum(not _is_note(d) for e in result.editions for d in e.warnings)
        seconds = sum(e.seconds for e in result.editions)
        pdf = f"{pages} pages, {_size(pdf_bytes)} of PDF; " if any(e.pdf_bytes is not None for e in built) else ""
        click.echo(
            f"{len(built)} built, {up_to_date} up to date, {failed} failed; {pdf}"
            f"{warnings} warning{'s' * (warnings != 1)}; {seconds:.2f} s of work"
            + (f", PDFs in {result.jobs} process{'es' * (result.jobs != 1)}" if result.jobs else "")
            + f" ({result.selection})",
            err=True,
        )


def main() -> None:
    """Run the command line (the console script is `briefgen.entry:main`)."""
    cli(prog_name="briefgen")
