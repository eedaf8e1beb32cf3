"""What a build was asked to do: one frozen `BuildOptions`, made once from the command line and the settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from briefgen.desk.layout import DeskLayout, OutLayout
from briefgen.desk.loader import Desk
from briefgen.desk.models import OutputFormat


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
