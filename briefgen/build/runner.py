"""`briefgen build`: the pipeline, in order.

options -> lock out/ -> validate (cross-file checks, compose each edition) -> select the editions -> build
them (each brief's editions prepared and committed in date order, so each compares with the one before;
PDFs rendered by worker processes, those of one brief side by side too) -> write the archive index. An edition that fails writes nothing and leaves its earlier files as
they were; the others still build. A desk whose settings have errors writes nothing at all.
"""

from __future__ import annotations

import collections
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol

from briefgen.build import formats
from briefgen.build.archive import write_index
from briefgen.build.changes import archived_json
from briefgen.build.edition import (
    BuildContext,
    EditionJob,
    EditionResult,
    PreparedEdition,
    finish_edition,
    prepare_edition,
)
from briefgen.build.fingerprint import shared_fingerprint
from briefgen.build.options import BuildOptions
from briefgen.build.revisions import SentEditions
from briefgen.compose.validate import Report, edition_verdict, validate_desk
from briefgen.desk.layout import SETTINGS_FILE, EditionKey, OutLayout
from briefgen.desk.loader import Desk, Loaded
from briefgen.desk.models import BriefRecord
from briefgen.desk.outfolder import OutFolder
from briefgen.desk.unloaded import UnloadedBrief
from briefgen.errors import DeskError, Diagnostic, ExitCode
from briefgen.pdf.check import warm_up as warm_up_pdf_check
from briefgen.pdf.job import PdfFailure, PdfJob, RenderedPdf
from briefgen.pdf.workers import Workers, default_jobs

Progress = Callable[[EditionResult], None]


class Renderer(Protocol):
    """What builds PDFs: the local worker processes (`briefgen.pdf.workers.Workers`) or a Dask cluster
    (`briefgen.pdf.dask_executor.DaskRenderer`). At most `capacity` jobs are submitted at once."""

    capacity: int

    @property
    def used(self) -> int: ...

    def submit(self, key: int, job: PdfJob) -> None: ...

    def completed(self) -> list[tuple[int, RenderedPdf | PdfFailure]]: ...

    def close(self) -> None: ...

    def terminate(self) -> None: ...


def _renderer(url: str, workers: Renderer | None, jobs: int | None) -> tuple[Renderer, bool]:
    """The renderer for `url` and whether the build owns it (then it closes it)."""
    if url != "local":
        from briefgen.pdf.dask_executor import DaskRenderer

        return DaskRenderer(url), True
    return workers or Workers(jobs or default_jobs(), start=False), workers is None


@dataclass(frozen=True)
class BuildResult:
    selection: str
    editions: list[EditionResult] = field(default_factory=list)
    desk_errors: list[Diagnostic] = field(default_factory=list)  # errors no selected edition reports as its own
    unselected_errors: list[Diagnostic] = field(default_factory=list)  # errors of editions not built now
    jobs: int = 0  # processes that rendered PDFs

    @property
    def exit_code(self) -> ExitCode:
        failed = [e for e in self.editions if not e.ok]
        if not failed:
            return ExitCode.BAD_DATA if self.desk_errors else ExitCode.OK
        codes = {e.exit_code for e in failed}
        return codes.pop() if len(codes) == 1 else ExitCode.BAD_DATA


def select_editions(desk: Desk, options: BuildOptions) -> list[Loaded[BriefRecord]]:
    editions = [e for e in desk.briefs if not options.brief_ids or e.record.brief.id in options.brief_ids]
    if options.day is None:
        return editions
    return [e for e in editions if e.record.brief.date == options.day]


def unloaded_selected(brief: UnloadedBrief, options: BuildOptions) -> bool | None:
    """Whether a brief file that does not load is one of the editions `options` select: False when what can
    be read of it (its id, its date) says it is not, None when that cannot be known (it may be one)."""
    if options.brief_ids and brief.id is not None and brief.id not in options.brief_ids:
        return False
    if options.day is not None and brief.date is not None and brief.date != options.day:
        return False
    if (options.brief_ids and brief.id is None) or (options.day is not None and brief.date is None):
        return None
    return True


def _why_an_error(brief: UnloadedBrief, options: BuildOptions) -> str:
    """Why the errors of a brief file that does not load fail a build that may not be of its edition."""
    unknown = [
        name
        for name, value, selects in (("brief.date", brief.date, options.day), ("brief.id", brief.id, options.brief_ids))
        if value is None and selects
    ]
    which = " ".join(
        ([f"of {', '.join(options.brief_ids)}"] if options.brief_ids else [])
        + ([f"dated {options.day.isoformat()}"] if options.day is not None else [])
    )
    return (
        f" (this brief file does not load and its {' and '.join(unknown)} cannot be read, so it may be an "
        f"edition {which}: its errors fail this build)"
    )


def _jobs(report: Report, editions: list[Loaded[BriefRecord]], strict: bool) -> list[EditionJob]:
    """One job per edition to build: each brief record's master edition and its audiences' editions. When
    the brief cannot be composed, every edition its record asks for fails with its errors (each named, so
    that the totals count the editions that were not built)."""
    jobs = []
    for edition in editions:
        verdict = edition_verdict(report, edition, strict=strict)
        files = tuple(sorted(set(verdict.composition.files) | {edition.file.rel}))
        brief = edition.record.brief
        if verdict.blocked or not verdict.editions:
            asked = [s.clearance.audience for s in brief.editions if s.clearance.rank < brief.marking.rank]
            for audience in ["", *(asked if verdict.blocked else [])]:
                jobs.append(EditionJob(EditionKey(brief.id, brief.date, audience), verdict, files, None))
            continue
        for built in verdict.editions:
            audience = built.audience.audience if built.audience else ""
            jobs.append(EditionJob(EditionKey(brief.id, brief.date, audience), verdict, files, built.brief))
    return jobs


@dataclass(eq=False)
class _Slot:
    """One edition of a chain between its preparation and its commit."""

    job: EditionJob
    basis: tuple[date, bytes] | None  # the latest earlier JSON it was prepared against (None: the archive's)
    outcome: EditionResult | PreparedEdition
    pdf: RenderedPdf | PdfFailure | None = None  # its PDF, once back
    rendered_at: float = 0.0  # when the PDF came back

    @property
    def json(self) -> bytes | None:
        """The JSON this edition will write if it succeeds, for the editions after it to compare with."""
        return self.outcome.edition.json if isinstance(self.outcome, PreparedEdition) else self.outcome.json

    @property
    def settled(self) -> bool:
        return isinstance(self.outcome, EditionResult) or self.pdf is not None


@dataclass(eq=False)
class _Chain:
    """One brief's editions in date order: those still to prepare, those prepared (their PDFs rendering or
    back) and not yet committed, and the JSON this build has committed, by date."""

    todo: collections.deque[EditionJob]
    slots: collections.deque[_Slot] = field(default_factory=collections.deque)
    written: dict[date, bytes] = field(default_factory=dict)

    def earlier(self) -> dict[date, bytes]:
        """What the next edition compares with: the JSON committed, and that of the editions prepared before
        it, assuming they will be committed as prepared (if one is not, the editions after it are prepared
        again: see `_build_chains`)."""
        expected = {s.job.key.date: s.json for s in self.slots}
        return {**self.written, **{day: data for day, data in expected.items() if data is not None}}


def _basis(earlier: dict[date, bytes]) -> tuple[date, bytes] | None:
    """The edition of `earlier` that an edition compares with (the latest: `changes.previous_edition`)."""
    return max(earlier.items()) if earlier else None


def _build_chains(
    context: BuildContext, chains: list[list[EditionJob]], renderer: Renderer, progress: Progress | None
) -> list[EditionResult]:
    """Build each brief's editions in date order, each compared with the one before, and their PDFs side by
    side: edition N+1 is prepared (HTML, JSON, text) as soon as edition N is, against N's JSON, so that their
    PDFs render at once, as many as the renderer has capacity for (briefs side by side too). Editions are
    committed and reported in date order per brief. When an edition is not committed as prepared (its PDF
    failed: nothing written), the editions after it are prepared again, against what out/ really holds.
    Without PDFs, preparing writes the edition: then each waits for the one before."""
    window = 2 * renderer.capacity if formats.needs_pdf(context.options.formats) else 1
    pending = [_Chain(collections.deque(chain)) for chain in chains]
    results: list[EditionResult] = []
    in_flight: dict[int, _Slot | None] = {}  # None: a render whose edition is prepared again (its PDF is dropped)
    keys = itertools.count()

    def settle(chain: _Chain) -> None:
        """Commit and report the editions at the head of the chain whose PDFs are back, in date order."""
        while chain.slots and chain.slots[0].settled:
            head = chain.slots.popleft()
            if head.basis != _basis(chain.written):  # an edition before it was not committed as prepared
                later = {id(slot) for slot in chain.slots}
                for key, slot in in_flight.items():
                    if id(slot) in later:
                        in_flight[key] = None
                chain.todo.extendleft(reversed([head.job, *(s.job for s in chain.slots)]))
                chain.slots.clear()
                return
            result = head.outcome
            if isinstance(result, PreparedEdition):
                result = finish_edition(context, result, head.pdf, rendered_at=head.rendered_at)
            if result.json is not None:
                chain.written[result.date] = result.json
            results.append(result)
            if progress:
                progress(result)

    def prepare(chain: _Chain) -> None:
        job = chain.todo.popleft()
        earlier = chain.earlier()
        submitted: list[int] = []

        def submit(pdf_job: PdfJob) -> None:
            key = next(keys)
            renderer.submit(key, pdf_job)
            in_flight[key] = None  # the edition's slot once it is prepared; dropped if it fails before
            submitted.append(key)
            if key == 0:
                warm_up_pdf_check()

        slot = _Slot(job, _basis(earlier), prepare_edition(context, job, earlier, submit))
        chain.slots.append(slot)
        if isinstance(slot.outcome, PreparedEdition):
            in_flight.update(dict.fromkeys(submitted, slot))

    while pending:
        for chain in pending:
            settle(chain)
            while chain.todo and len(chain.slots) < window and len(in_flight) < renderer.capacity:
                prepare(chain)
                settle(chain)
        pending = [chain for chain in pending if chain.todo or chain.slots]
        if in_flight:
            for key, pdf in renderer.completed():
                slot = in_flight.pop(key)
                if slot is not None:
                    slot.pdf, slot.rendered_at = pdf, time.perf_counter()
    return results


def _desk_errors(
    report: Report, jobs: list[EditionJob], selected: list[Loaded[BriefRecord]], options: BuildOptions
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """The desk's errors that no selected edition reports as its own, as (errors, errors of editions not
    selected). A build that builds nothing still lists what `validate` lists; an error that concerns only
    editions not built now (another day's draft, even one whose file does not load but whose date can be
    read) does not fail this build, unless `options.strict`. The errors of a brief file whose date (or id)
    cannot be read fail it, and say why."""
    shown = {d for job in jobs for d in job.verdict.errors}
    chosen = {id(edition) for edition in selected}
    others = {
        d
        for edition in report.desk.briefs
        if id(edition) not in chosen
        for d in edition_verdict(report, edition, strict=False).errors
        if d.path != SETTINGS_FILE
    }
    unloaded = {brief.file: brief for brief in report.desk.unloaded_briefs}
    verdicts = {file: unloaded_selected(brief, options) for file, brief in unloaded.items()}
    others |= {d for d in report.errors if verdicts.get(d.path, True) is False}
    rest: list[Diagnostic] = []
    explained: set[str] = set()
    for d in report.errors:
        if d in shown:
            continue
        if d.path in unloaded and verdicts[d.path] is None and d.path not in explained:
            explained.add(d.path)
            d = replace(d, message=d.message + _why_an_error(unloaded[d.path], options))
        rest.append(d)
    if options.strict:
        return rest, []
    return [d for d in rest if d not in others], [d for d in rest if d in others]


def build(
    desk: Desk,
    options: BuildOptions,
    *,
    progress: Progress | None = None,
    on_selected: Callable[[int], None] | None = None,
    workers: Renderer | None = None,
) -> BuildResult:
    """Build the selected editions of `desk` as `options` say; with `options.strict`, a warning fails its
    edition. PDFs are rendered where `options.executor` (else `[executor] url`) says: local worker processes
    (`workers`, when given; the caller closes them), or the Dask cluster of a dask://HOST:PORT URL.
    Raises `DeskError` (nothing written) when the settings have errors."""
    settings_errors = [d for d in desk.diagnostics if d.is_error and d.path == SETTINGS_FILE]
    if settings_errors:
        raise DeskError(settings_errors)
    report = validate_desk(desk)
    editions = select_editions(desk, options)
    selection = options.selection_label(desk.settings.desk.timezone)
    with OutFolder.open(options.out.root) as out, out.lock(OutLayout.LOCK):
        out.remove_stale_temporaries()  # what a killed build left, here and in the date folders
        if on_selected:
            on_selected(len(editions))
        context = BuildContext(
            options=options,
            settings=desk.settings,
            out=out,
            shared_fingerprint=shared_fingerprint(options.layout, options.formats),
            archive=archived_json(out),
            lists={entry.record.id: entry.record for entry in desk.lists},
            sent=SentEditions.read(out),
        )
        jobs = _jobs(report, editions, options.strict)
        by_brief = sorted(jobs, key=lambda j: (j.key.stem, j.key.date))
        chains = [list(group) for _, group in itertools.groupby(by_brief, key=lambda j: j.key.stem)]
        # PDFs are rendered in worker processes (each within its time and memory budget), never here.
        renderer, owned = _renderer(options.executor or desk.settings.executor.url, workers, options.jobs)
        try:
            results = _build_chains(context, chains, renderer, progress)
        except BaseException:
            renderer.terminate()
            raise
        finally:
            if owned:
                renderer.close()
        if any(r.written for r in results) or (results and out.kind(OutLayout.INDEX) is None):
            write_index(
                out,
                desk_templates=options.layout.templates,
                desk_name=desk.settings.desk.name,
                limits=desk.settings.limits,
                base_url=desk.settings.archive.url,
            )
    results.sort(key=lambda r: r.key)
    desk_errors, unselected_errors = _desk_errors(report, jobs, editions, options)
    return BuildResult(selection, results, desk_errors, unselected_errors, renderer.used)
