"""What a build was asked to do: one frozen `BuildOptions`, made once from the command line and the settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from briefgen.desk.layout import DeskLayout, OutLayout
from briefgen.desk.loader import Desk
from briefgen.desk.vocabulary import OutputFormat
from briefgen.errors import UsageError, did_you_mean


@dataclass(frozen=True)
class BuildOptions:
    """Which editions, which formats, where, and how."""

    layout: DeskLayout
    out: OutLayout
    formats: tuple[OutputFormat, ...]
    day: date | None  # None with `all_editions`
    all_editions: bool = False
    brief_ids: tuple[str, ...] = ()
    strict: bool = False
    force: bool = False
    jobs: int | None = None  # PDF processes; None: the cores available
    executor: str | None = None  # "local" or dask://HOST:PORT; None: the settings' `[executor] url`
    day_given: bool = True  # False when `day` is today in the desk's time zone

    @classmethod
    def resolve(
        cls,
        desk: Desk,
        *,
        on: date | None = None,
        all_editions: bool = False,
        brief_ids: Sequence[str] = (),
        formats: Sequence[OutputFormat] | None = None,
        out_dir: Path | None = None,
        strict: bool = False,
        force: bool = False,
        jobs: int | None = None,
        executor: str | None = None,
    ) -> BuildOptions:
        """The options of a build of `desk`: command-line values first, then the desk's settings. `out_dir`
        from the command line may be anywhere; `[build] out` is checked to stay inside the desk when loaded."""
        chosen = tuple(dict.fromkeys(formats or desk.settings.build.formats))
        day = None if all_editions else on or datetime.now(desk.settings.timezone).date()
        return cls(
            layout=desk.layout,
            out=OutLayout(out_dir if out_dir is not None else desk.root / desk.settings.build.out),
            formats=chosen,
            day=day,
            all_editions=all_editions,
            brief_ids=tuple(dict.fromkeys(brief_ids)),
            strict=strict,
            force=force,
            jobs=jobs,
            executor=executor,
            day_given=on is not None,
        )

    def selection_label(self, timezone: str) -> str:
        """What was selected, in words (`editions dated 2025-05-22 (today in Asia/Beirut)`)."""
        if self.day is None:
            return "all editions"
        return f"editions dated {self.day.isoformat()}" + ("" if self.day_given else f" (today in {timezone})")


def check_selection(
    desk: Desk, brief_ids: tuple[str, ...], list_ids: tuple[str, ...] = (), on: date | None = None
) -> None:
    """A `--brief`, `--list` or `--date` that matches nothing in the desk is a usage error (exit 2) with a
    did-you-mean, never a run that does nothing and says it is done."""
    # A brief file that does not load counts by what can be read of it; one whose id (or date) cannot be
    # read may be of any brief (or day): then no --brief (or --date) is said to match nothing.
    broken = desk.unloaded_briefs
    known_briefs = sorted({e.record.brief.id for e in desk.briefs} | {b.id for b in broken if b.id is not None})
    for brief_id in brief_ids:
        if brief_id not in known_briefs and all(b.id is not None for b in broken):
            raise UsageError(f"--brief {brief_id}: no brief has this id{did_you_mean(brief_id, known_briefs)}")
    known_lists = sorted({e.record.id for e in desk.lists})
    for list_id in list_ids:
        if list_id not in known_lists:
            raise UsageError(f"--list {list_id}: no distribution list has this id{did_you_mean(list_id, known_lists)}")
    maybe = [b for b in broken if not brief_ids or b.id is None or b.id in brief_ids]
    if on is not None and all(b.date is not None for b in maybe):
        dates = sorted(
            {e.record.brief.date.isoformat() for e in desk.briefs if not brief_ids or e.record.brief.id in brief_ids}
            | {b.date.isoformat() for b in maybe if b.date is not None}
        )
        if on.isoformat() not in dates:
            which = f" of {', '.join(brief_ids)}" if brief_ids else ""
            nearby = did_you_mean(on.isoformat(), dates) or (
                f" (editions are dated {dates[0]} to {dates[-1]})" if dates else ""
            )
            raise UsageError(f"--date {on.isoformat()}: no edition{which} is dated so{nearby}")
