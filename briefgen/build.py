"""`briefgen build`: the pipeline, in order.

load the desk -> lock out/ -> validate (cross-file checks, compose each edition) -> select the editions ->
build them (each brief's editions composed in date order, PDFs rendered in parallel) -> write the archive
index. An edition that fails writes nothing and leaves its earlier outputs as they were; the others
still build. Editions whose inputs did not change are left alone unless `force` is given.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from briefgen.archive import write_index
from briefgen.changes import archived_json
from briefgen.edition import (
    BuildPlan,
    EditionJob,
    EditionResult,
    PreparedEdition,
    finish_edition,
    prepare_edition,
    shared_digest,
)
from briefgen.errors import Diagnostic, ExitCode
from briefgen.loader import SETTINGS_FILE, Desk, Loaded, load_desk
from briefgen.models import BriefRecord, OutputFormat
from briefgen.output import build_lock, remove_stale_temporaries
from briefgen.pdfcheck import warm_up as warm_up_pdf_check
from briefgen.pdfjob import PdfFailure, PdfJob, RenderedPdf
from briefgen.validate import Report, validate_desk
from briefgen.workers import Workers, default_jobs

Progress = Callable[[EditionResult], None]


@dataclass(frozen=True)
class BuildResult:
    selection: str
    editions: list[EditionResult] = field(default_factory=list)
    desk_errors: list[Diagnostic] = field(default_factory=list)
    jobs: int = 0  # processes that rendered PDFs

    @property
    def exit_code(self) -> ExitCode:
        failed = [e for e in self.editions if not e.ok]
        if not failed:
            return ExitCode.BAD_DATA if self.desk_errors else ExitCode.OK
        codes = {e.exit_code for e in failed}
        return codes.pop() if len(codes) == 1 else ExitCode.BAD_DATA


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


class Renderer(Protocol):
    """What builds PDFs: the local worker processes (`briefgen.workers.Workers`) or a Dask cluster
    (`briefgen.dask_executor.DaskRenderer`). At most `capacity` jobs are submitted at once."""

    capacity: int

    @property
    def used(self) -> int: ...

    def submit(self, key: int, job: PdfJob) -> None: ...

    def completed(self) -> list[tuple[int, RenderedPdf | PdfFailure]]: ...

    def close(self) -> None: ...

    def terminate(self) -> None: ...


@dataclass(eq=False)  # told apart by identity
class _Held:
    """An edition of a chain prepared (its PDF rendering, or back), not yet finished."""

    job: EditionJob
    outcome: PreparedEdition | EditionResult
    pdf: RenderedPdf | PdfFailure | None = None
    back: bool = False


@dataclass
class _Chain:
    """One brief's editions: those not prepared yet, those held until the ones before them are finished,
    and the JSON editions this build wrote (what the next edition compares with)."""

    todo: list[EditionJob]
    held: list[_Held] = field(default_factory=list)
    earlier: list[tuple[date, Path]] = field(default_factory=list)


def _build_chains(
    plan: BuildPlan, chains: list[list[EditionJob]], renderer: Renderer, progress: Progress | None
) -> list[EditionResult]:
    """Build each brief's editions, briefs side by side: HTML, JSON and text here, PDFs by the renderer, as
    many at once as it has capacity for.

    A brief's editions are composed in date order, each comparing with the one before. When PDFs are built,
    an edition is prepared as soon as the one before it is (against that one's JSON, as if it were already
    written), so that their PDFs render at the same time; editions are still finished (written) in date
    order, and if one fails, those prepared after it are prepared again against what was really written:
    the bytes are those of a serial build."""
    results: list[EditionResult] = []
    state = [_Chain(list(chain)) for chain in chains]
    in_flight: dict[int, tuple[_Chain, _Held]] = {}
    stale: set[int] = set()  # renders of editions prepared against an edition that then failed
    keys = itertools.count()
    overlap = OutputFormat.PDF in plan.formats  # then no edition is written before its PDF is back
    writes_json = OutputFormat.JSON in plan.formats

    def settle(chain: _Chain) -> None:
        while chain.held and chain.held[0].back:
            item = chain.held.pop(0)
            outcome = item.outcome
            result = outcome if isinstance(outcome, EditionResult) else finish_edition(plan, outcome, item.pdf)
            results.append(result)
            if progress:
                progress(result)
            written = [(result.date, path) for path in result.written if path.suffix == ".json"]
            chain.earlier += written
            assumed = writes_json and isinstance(outcome, PreparedEdition)
            if chain.held and assumed and not written:
                stale.update(key for key, (_, held) in in_flight.items() if held in chain.held)
                chain.todo[:0] = [held.job for held in chain.held]
                chain.held.clear()

    def ready() -> _Chain | None:
        waiting = [c for c in state if c.todo and (overlap or not c.held)]
        return min(waiting, key=lambda c: len(c.held), default=None)

    while True:
        while len(in_flight) < renderer.capacity and (chain := ready()) is not None:
            job = chain.todo.pop(0)
            last = chain.held[-1].outcome if chain.held else None
            pending = None
            if writes_json and isinstance(last, PreparedEdition) and "json" in last.outputs:
                pending = (last.job.date, last.outputs["json"])
            outcome = prepare_edition(plan, job, chain.earlier, pending)
            item = _Held(job, outcome, back=isinstance(outcome, EditionResult))
            chain.held.append(item)
            if isinstance(outcome, PreparedEdition):
                assert outcome.pdf_job is not None
                key = next(keys)
                renderer.submit(key, outcome.pdf_job)
                if key == 0:
                    warm_up_pdf_check()
                in_flight[key] = (chain, item)
            settle(chain)
        if not in_flight:
            break
        for key, pdf in renderer.completed():
            chain, item = in_flight.pop(key)
            if key in stale:
                stale.discard(key)
                continue
            item.pdf, item.back = pdf, True
            settle(chain)
    return results


def _renderer(url: str, workers: Renderer | None, jobs: int | None) -> tuple[Renderer, bool]:
    """The renderer for `url` and whether the build owns it (then it closes it)."""
    if url != "local":
        from briefgen.dask_executor import DaskRenderer

        return DaskRenderer(url), True
    return workers or Workers(jobs or default_jobs(), start=False), workers is None


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
    workers: Renderer | None = None,
    executor: str | None = None,
) -> BuildResult:
    """Build the selected editions of the desk at `desk_root`; with `strict`, a warning fails its edition.

    PDFs are rendered where `executor` (else `[executor] url`) says: "local" worker processes (`workers`, when
    given, see `briefgen.workers`; the caller closes it), or the Dask cluster of a dask://HOST:PORT URL."""
    desk = load_desk(desk_root)
    chosen = tuple(dict.fromkeys(formats or desk.settings.build.formats))
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
            lists={entry.record.id: entry.record for entry in desk.lists},
            strict=strict,
        )
        edition_jobs = _jobs(desk, report, editions, strict)
        by_brief = sorted(edition_jobs, key=lambda j: (j.brief_id, j.date))
        chains = [list(group) for _, group in itertools.groupby(by_brief, key=lambda j: j.brief_id)]
        # PDFs are rendered in worker processes (each within its time and memory budget), never here.
        renderer, owned = _renderer(executor or desk.settings.executor.url, workers, jobs)
        try:
            results = _build_chains(plan, chains, renderer, progress)
        except BaseException:
            renderer.terminate()
            raise
        finally:
            if owned:
                renderer.close()
        processes = renderer.used
        if results:
            write_index(target, desk_templates=plan.desk_templates, desk_name=desk.settings.desk.name)
    brief_files = {e.file.rel for e in desk.briefs}
    # Errors no edition reports as its own: brief files that did not load, and the distribution lists.
    desk_errors = [
        d
        for d in report.errors
        if (d.path.startswith("briefs/") and d.path not in brief_files) or d.path.startswith("lists/")
    ]
    results.sort(key=lambda r: (r.date, r.brief_id))
    return BuildResult(selection, results, desk_errors, processes)
