"""`briefgen ingest`: the command line of `briefgen.ingest` (drafts from raw articles), kept apart from
`briefgen.cli` so that module stays a short table of commands."""

from __future__ import annotations

from pathlib import Path

import click

from briefgen.flags import common_options


@click.command()
@common_options
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
