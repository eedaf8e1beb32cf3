"""`briefgen send`: the command line of delivery (which built messages may go: `briefgen.build.sendable`;
the SMTP transactions: `briefgen.mail.send`)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from briefgen.errors import ExitCode
from briefgen.flags import common_options, day_option, desk_argument, verbosity
from briefgen.render.counts import counted


@click.command()
@common_options
@desk_argument
@day_option("Send the editions of this date (default: today).")
@click.option("--brief", "brief_ids", multiple=True, metavar="ID", help="Only this brief (repeatable).")
@click.option("--list", "list_ids", multiple=True, metavar="LIST", help="Only this distribution list (repeatable).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), help="The build's output folder.")
@click.option("--dry-run", is_flag=True, help="Show who would get what; send nothing.")
@click.option("--resend", is_flag=True, help="Send again to recipients the send log says already got the message.")
def send(
    desk: Path,
    on: datetime | None,
    brief_ids: tuple[str, ...],
    list_ids: tuple[str, ...],
    out_dir: Path | None,
    dry_run: bool,
    resend: bool,
) -> None:
    """Send the built email editions of DESK over SMTP (settings [mail]; credentials from the environment).

    Each message goes to each member once: out/sent.jsonl records every delivery, so a re-run sends only
    what was not sent. An edition rebuilt with other content after it was sent is a correction: a new
    message (its own Message-ID, the [mail] correction_prefix in its subject), sent to the list's members,
    the output says how many of them got the earlier revision. Exit 7 when anything was not delivered
    (with --dry-run, when a message would be refused or an edition is not built).
    """
    from briefgen.build.options import check_selection
    from briefgen.build.sendable import not_built, sendable
    from briefgen.compose.validate import validate_desk
    from briefgen.desk.layout import SETTINGS_FILE, OutLayout
    from briefgen.desk.loader import load_desk
    from briefgen.desk.outfolder import OutFolder
    from briefgen.errors import DeskError
    from briefgen.mail.send import send as deliver

    quiet, _ = verbosity()
    loaded = load_desk(desk)
    blocking = [
        d for d in loaded.diagnostics if d.is_error and (d.path == SETTINGS_FILE or d.path.startswith("lists/"))
    ]
    if blocking:
        raise DeskError(blocking)
    check_selection(loaded, brief_ids, list_ids, on.date() if on else None)
    day = on.date() if on else datetime.now(loaded.settings.timezone).date()
    out_root = out_dir if out_dir is not None else loaded.out_layout.root

    def say(line: str) -> None:
        if not quiet or not line.startswith(("sent ", "already ", "would ")):
            click.echo(line)

    out = OutFolder.open_existing(out_root)
    items = []
    if out is not None:
        with out:
            items = sendable(validate_desk(loaded), out, day, brief_ids, list_ids)
            report = deliver(items, out, loaded.settings.mail, dry_run=dry_run, resend=resend, say=say)
    missing = not_built(loaded, day, brief_ids, list_ids, items)
    for brief_id in missing:
        click.echo(
            f"not built {OutLayout.day_folder(day)}/{brief_id}: no email edition in {out_root} "
            f"(run briefgen build --date {day.isoformat()} --format html,pdf,eml)"
        )
    if not items:
        click.echo(f"no email editions to send for {day.isoformat()} in {out_root}")
        if missing:
            sys.exit(ExitCode.DELIVERY_INCOMPLETE)
        return
    click.echo(
        f"{len(report.sent)} delivered, {len(report.already)} already sent earlier, {len(report.failed)} failed, "
        f"{counted(len(report.refused), 'message')} refused, {len(missing)} not built"
        + (" (dry run: nothing sent)" if dry_run else ""),
        err=True,
    )
    # A dry run exits as the send would where it can tell: a refused message or an edition not built.
    if (not dry_run and not report.complete) or report.refused or missing:
        sys.exit(ExitCode.DELIVERY_INCOMPLETE)
