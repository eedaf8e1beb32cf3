"""`briefgen build`: the pipeline, in order.

load the desk -> lock out/ -> validate (cross-file checks, compose each edition) -> select the editions ->
build them (each brief's editions in date order, briefs in parallel across processes) -> write the archive
index. An edition that fails writes nothing and leaves its earlier outputs as they were; the others
still build. Editions whose inputs did not change are left alone unless `force` is given.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from briefgen.archive import write_index
from briefgen.changes import archived_json
from briefgen.edition import BuildPlan, EditionJob, EditionResult, build_chain, check_up_to_date, shared_digest
from briefgen.errors import Diagnostic, ExitCode, UsageError
from briefgen.loader import SETTINGS_FILE, Desk, Loaded, load_desk
from briefgen.models import BriefRecord, OutputFormat
from briefgen.output import build_lock, remove_stale_temporaries
from briefgen.validate import Report, validate_desk

Progress = Callable[[EditionResult], None]


@dataclass(frozen=True)
class BuildResult:
    selection: str
    editions: list[EditionResult] = field(default_factory=list)
    desk_errors: list[Diagnostic] = field(default_factory=list)
    jobs: int = 1

    @property
    def exit_code(self) -> ExitCode:
        failed = [e for e in self.editions if not e.ok]
        if not failed:
            return ExitCode.BAD_DATA if self.desk_errors else ExitCode.OK
        codes = {e.exit_code for e in failed}
        return codes.pop() if len(codes) == 1 else ExitCode.BAD_DATA


def default_jobs() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def select_editions(
    desk: Desk, *, on: date | None, all_editions: bool, brief_ids: Sequence[str]
) -> tuple[list[Loaded[BriefRecord]], str]:
    editions = list(desk.briefs)
    if brief_ids:
        editions = [e for e in editions if e.record.brief.id in brief_ids]
    if all_editions:
        return editions, "all editions"
    day = on or datetime.now(desk.settings.timezone).date()
    label = f"editions dated {day.isoformat()}" + ("" if on else f" (today in {desk.settings.desk.timezone})")
    return [e for e in editions if e.record.brief.date == day], label


def _jobs(desk: Desk, report: Report, editions: list[Loaded[BriefRecord]], strict: bool) -> list[EditionJob]:
    """Each edition with its composed brief, the files it reads and the problems that concern it."""
    compositions = {id(edition): composition for edition, composition in report.compositions}
    loaded = {e.file.rel for e in desk.sources} | {e.file.rel for e in desk.briefs}
    # Settings, or a source file that failed to load, may hold anything an edition needs: they fail every edition.
    blocking = [
        d for d in report.errors if d.path == SETTINGS_FILE or (d.path.startswith("sources/") and d.path not in loaded)
    ]
    jobs = []
    for edition in editions:
        composition = compositions[id(edition)]
        files = tuple(sorted(set(composition.files) | {edition.file.rel}))
        warnings = tuple(d for d in report.warnings if d.path in files)
        errors = [*blocking, *(d for d in report.errors if d.path in files)]
        if strict:
            errors, warnings = [*errors, *warnings], ()
        brief = edition.record.brief
        jobs.append(
            EditionJob(
                brief.id,
                brief.date,
                composition.brief if not errors else None,
                files,
                errors=tuple(str(d) for d in errors),
                warnings=warnings,
            )
        )
    return jobs


def _skip_up_to_date(
    plan: BuildPlan, chains: list[list[EditionJob]], progress: Progress | None
) -> tuple[list[EditionResult], list[list[EditionJob]]]:
    """Settle, in this process, the editions that need no work: each chain's up-to-date head (an edition
    after one that is rebuilt may compare with new output, so the rest of its chain goes to the builders).
    A build with nothing to do then starts no worker process at all."""
    settled: list[EditionResult] = []
    remaining: list[list[EditionJob]] = []
    for chain in chains:
        index = 0
        while index < len(chain) and (result := check_up_to_date(plan, chain[index])) is not None:
            settled.append(result)
            if progress:
                progress(result)
            index += 1
        if index < len(chain):
            remaining.append(chain[index:])
    return settled, remaining


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the main process, which stops them; SIGTERM unwinds so temporaries are removed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _run_chain(args: tuple[BuildPlan, list[EditionJob]]) -> list[EditionResult]:
    return build_chain(*args)


def _run(plan: BuildPlan, chains: list[list[EditionJob]], jobs: int, progress: Progress | None) -> list[EditionResult]:
    results: list[EditionResult] = []

    def done(chain_results: list[EditionResult]) -> None:
        results.extend(chain_results)
        for result in chain_results:
            if progress:
                progress(result)

    if jobs <= 1:
        for chain in chains:
            done(build_chain(plan, chain))
        return results
    # Fork: workers start at once and import WeasyPrint (and set up its fonts) once each, on first use.
    pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_ignore_interrupts)
    try:
        for chain_results in pool.imap_unordered(_run_chain, [(plan, chain) for chain in chains]):
            done(chain_results)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    return results


def build(
    desk_root: Path,
    *,
    on: date | None = None,
    all_editions: bool = False,
    brief_ids: Sequence[str] = (),
    formats: Sequence[OutputFormat] | None = None,
    out_dir: Path | None = None,
    strict: bool = False,
    force: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
    on_selected: Callable[[int], None] | None = None,
) -> BuildResult:
    """Build the selected editions of the desk at `desk_root`; with `strict`, a warning fails its edition."""
    desk = load_desk(desk_root)
    chosen = tuple(dict.fromkeys(formats or desk.settings.build.formats))
    if OutputFormat.EML in chosen:
        raise UsageError("the eml format (email editions) is not available in this version of briefgen")
    target = out_dir or desk.out_dir
    with build_lock(target):
        remove_stale_temporaries(target)
        report = validate_desk(desk)
        editions, selection = select_editions(desk, on=on, all_editions=all_editions, brief_ids=brief_ids)
        if on_selected:
            on_selected(len(editions))
        plan = BuildPlan(
            desk_root=desk.root,
            settings=desk.settings,
            formats=chosen,
            out_dir=target,
            shared_digest=shared_digest(desk.root, desk.root / SETTINGS_FILE, chosen),
            archive=archived_json(target),
            force=force,
        )
        edition_jobs = _jobs(desk, report, editions, strict)
        by_brief = sorted(edition_jobs, key=lambda j: (j.brief_id, j.date))
        chains = [list(group) for _, group in itertools.groupby(by_brief, key=lambda j: j.brief_id)]
        results, remaining = _skip_up_to_date(plan, chains, progress)
        workers = max(1, min(jobs or default_jobs(), len(remaining)))
        results += _run(plan, remaining, workers, progress)
        if results:
            write_index(target, desk_templates=plan.desk_templates, desk_name=desk.settings.desk.name)
    brief_files = {e.file.rel for e in desk.briefs}
    desk_errors = [d for d in report.errors if d.path.startswith("briefs/") and d.path not in brief_files]
    results.sort(key=lambda r: (r.date, r.brief_id))
    return BuildResult(selection, results, desk_errors, workers)
