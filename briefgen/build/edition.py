"""Build one edition: the up-to-date check, the edition pipeline, the PDF, and the all-or-nothing write.

`prepare_edition` does everything but the PDF (milliseconds); the PDF is rendered from a plain `PdfJob`
by a worker (`briefgen.pdf.workers`); `finish_edition` makes every format's files and commits them with
the edition's manifest (`briefgen.build.manifest`). An edition that fails writes nothing and leaves every
earlier file as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from briefgen.build import formats
from briefgen.build.changes import Archive, previous_edition
from briefgen.build.manifest import Manifest, commit_edition, intact, read_manifest, sha256
from briefgen.build.options import BuildOptions
from briefgen.build.pipeline import EditionInputs, RenderedEdition, pdf_job, render_edition, with_text
from briefgen.build.revisions import SentEditions, next_revision
from briefgen.compose.model import ComposedBrief
from briefgen.compose.validate import EditionVerdict
from briefgen.desk.layout import EditionKey, OutLayout
from briefgen.desk.models import DistributionList
from briefgen.desk.outfolder import OutFolder
from briefgen.desk.settings import Settings
from briefgen.desk.vocabulary import OutputFormat
from briefgen.errors import BriefgenError, Diagnostic, ExitCode, Severity
from briefgen.pdf.check import problems as pdf_problems
from briefgen.pdf.job import PdfFailure, PdfJob, RenderedPdf


@dataclass(frozen=True)
class BuildContext:
    """What every edition of one build shares."""

    options: BuildOptions
    settings: Settings
    out: OutFolder  # the output folder, held open (see `briefgen.desk.outfolder`)
    shared_fingerprint: str
    archive: Archive  # the JSON editions in out/ when the build started, to compare with
    lists: dict[str, DistributionList] = field(default_factory=dict)
    sent: SentEditions = field(default_factory=SentEditions)  # the send log when the build started


@dataclass(frozen=True)
class EditionJob:
    """One selected edition and the verdict on it (its composition, errors and warnings)."""

    key: EditionKey
    verdict: EditionVerdict
    fingerprint_of: tuple[str, ...]  # the desk files it reads
    brief: ComposedBrief | None = None  # the edition as composed for its audience (None: it could not be)


@dataclass(frozen=True)
class EditionResult:
    """What building one edition did."""

    key: EditionKey
    written: tuple[Path, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    errors: tuple[str, ...] = ()
    exit_code: ExitCode = ExitCode.OK
    up_to_date: bool = False
    kept_sent: bool = False  # already sent: left as it was (`build --all` without `--force`)
    revision: int = 1  # the revision built (2 and up: a correction, see `briefgen.build.revisions`)
    pdf_pages: int | None = None
    pdf_bytes: int | None = None
    seconds: float = 0.0
    stages: tuple[tuple[str, float], ...] = ()
    json: bytes | None = None  # the JSON edition written, for the next edition of the brief to compare with

    @property
    def brief_id(self) -> str:
        return self.key.brief_id

    @property
    def date(self) -> date:
        return self.key.date

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class PreparedEdition:
    """An edition rendered but for its PDF: its files are made and written once the PDF is back."""

    job: EditionJob
    edition: RenderedEdition
    fingerprint: str
    pdf_job: PdfJob | None
    started: float
    stages: tuple[tuple[str, float], ...]
    warnings: tuple[Diagnostic, ...]


def _failed(job: EditionJob, message: str, code: ExitCode, warnings: tuple[Diagnostic, ...] = ()) -> EditionResult:
    return EditionResult(job.key, warnings=job.verdict.warnings + warnings, errors=(message,), exit_code=code)


def _day_folder(context: BuildContext, key: EditionKey, *, create: bool) -> OutFolder | None:
    return context.out.folder(OutLayout.day_folder(key.date), create=create)


def _up_to_date(context: BuildContext, key: EditionKey, fingerprint: str) -> bool:
    if context.options.force:
        return False
    folder = _day_folder(context, key, create=False)
    if folder is None:
        return False
    with folder:
        manifest = read_manifest(folder, key)
        return (
            manifest is not None
            and manifest.fingerprint == fingerprint
            and manifest.formats == tuple(f.value for f in context.options.formats)
            and intact(folder, manifest)
        )


def fingerprint_for(context: BuildContext, job: EditionJob, previous_json: bytes | None) -> str:
    from briefgen.build.fingerprint import edition_fingerprint

    return edition_fingerprint(
        context.options.layout, job.fingerprint_of, context.shared_fingerprint, previous_json, job.key.audience
    )


def prepare_edition(
    context: BuildContext, job: EditionJob, earlier: dict[date, bytes], submit: Callable[[PdfJob], None]
) -> EditionResult | PreparedEdition:
    """Everything of an edition but the PDF render: the up-to-date check, the pipeline (changes, HTML, JSON,
    text). Returns the final result when there is nothing to render (errors, up to date, or no PDF wanted:
    then the files are written here), else what `finish_edition` needs once the PDF is rendered. The PDF
    job goes to `submit` as soon as the HTML exists: the text edition is made while it renders (an edition
    that then fails has its PDF dropped when it is back). `earlier` holds the JSON editions of the same
    brief that this build wrote before this one, by date."""
    started = time.perf_counter()
    brief = job.brief
    if job.verdict.blocked or brief is None:
        return EditionResult(
            job.key,
            warnings=job.verdict.warnings,
            errors=tuple(str(d) for d in job.verdict.errors) or ("the edition could not be composed",),
            exit_code=ExitCode.BAD_DATA,
        )
    previous = previous_edition(context.out, context.archive, job.key, earlier)
    fingerprint = fingerprint_for(context, job, previous.json if previous else None)
    if _up_to_date(context, job.key, fingerprint):
        return EditionResult(
            job.key, warnings=job.verdict.warnings, up_to_date=True, seconds=time.perf_counter() - started
        )
    if context.options.all_editions and not context.options.force and context.sent.sent(job.key, brief.lists):
        # `--all` renders past editions with today's templates: one already sent stays as it was sent.
        return EditionResult(
            job.key, warnings=job.verdict.warnings, kept_sent=True, seconds=time.perf_counter() - started
        )
    chosen = context.options.formats
    templates = context.options.layout.templates
    try:
        edition = render_edition(EditionInputs(brief, previous, templates, context.settings, text=False))
        job_pdf = pdf_job(edition, context.settings, templates) if formats.needs_pdf(chosen) else None
        if job_pdf is not None:
            submit(job_pdf)
        if formats.needs_text(chosen):
            edition = with_text(edition, templates, context.settings)
    except BriefgenError as exc:
        return _failed(job, exc.message, exc.exit_code)
    stages = (("html/json/txt", time.perf_counter() - started),)
    prepared = PreparedEdition(job, edition, fingerprint, job_pdf, started, stages, edition.warnings)
    return prepared if job_pdf is not None else finish_edition(context, prepared, None)


def _attachment_warnings(context: BuildContext, key: EditionKey, size: int) -> tuple[Diagnostic, ...]:
    limit = context.settings.mail.attachment_limit
    if size <= limit:
        return ()
    message = f"the PDF is {size:,} bytes, above the attachment limit of {limit:,} bytes ([mail] attachment_limit)"
    name = OutLayout.edition_file(key, "pdf")
    return (Diagnostic(name, 0, "", message, Severity.WARNING, "attachment-size"),)


def finish_edition(
    context: BuildContext,
    prepared: PreparedEdition,
    pdf: RenderedPdf | PdfFailure | None,
    *,
    rendered_at: float | None = None,
) -> EditionResult:
    """Make every format's files and commit them with the manifest; or fail the edition, writing nothing.
    `rendered_at`: when the PDF came back (`time.perf_counter`), if it then waited for the editions before it
    to be committed; that wait is not counted in the edition's time."""
    job, edition = prepared.job, prepared.edition
    held = time.perf_counter() - rendered_at if rendered_at else 0.0
    warnings = prepared.warnings
    if isinstance(pdf, PdfFailure):
        return _failed(job, pdf.message, pdf.exit_code, warnings)
    stages = prepared.stages
    pdf_data = None
    if pdf is not None:
        allowed = {a.name for a in prepared.pdf_job.attachments} if prepared.pdf_job else set()
        unfit = pdf_problems(pdf.data, allowed)
        if unfit:
            return _failed(job, f"{job.key}: the PDF was not published: {'; '.join(unfit)}", ExitCode.RENDER_FAILED)
        pdf_data = pdf.data
        stages += (("pdf", time.perf_counter() - held - prepared.started - prepared.stages[0][1]),)
        pdf_name = OutLayout.edition_file(job.key, "pdf")
        renderer = tuple(
            Diagnostic(pdf_name, 0, "", f"WeasyPrint: {message}", Severity.WARNING, "pdf-render")
            for message in pdf.warnings
        )
        if context.options.strict and renderer:  # --strict: a renderer's warning fails the edition too
            return _failed(job, "; ".join(str(w) for w in renderer) + " (--strict)", ExitCode.BAD_DATA, warnings)
        warnings += renderer
        if OutputFormat.EML in context.options.formats:
            mail_warnings = _attachment_warnings(context, job.key, len(pdf.data))
            if context.options.strict and mail_warnings:
                return _failed(job, "; ".join(str(w) for w in mail_warnings), ExitCode.BAD_DATA)
            warnings += mail_warnings
    try:
        folder = _day_folder(context, job.key, create=True)
        assert folder is not None
        with folder:
            content = sha256(edition.json)
            previous = read_manifest(folder, job.key)
            revision = next_revision(context.sent, job.key, edition.brief.lists, previous, content)
            made_from = formats.MadeFrom(
                job.key,
                edition,
                pdf_data,
                context.lists,
                context.settings.mail,
                context.options.layout.templates,
                revision,
            )
            outputs = formats.outputs(context.options.formats, made_from)
            emails = {m.id: OutLayout.email_file(job.key, m.id) for m in made_from.mailing_lists()}
            manifest = Manifest(
                job.key,
                prepared.fingerprint,
                tuple(f.value for f in context.options.formats),
                edition.brief.marking.value,
                {name: sha256(data) for name, data in outputs.items()},
                {list_id: name for list_id, name in emails.items() if name in outputs},
                revision.number,
                content,
            )
            written = commit_edition(folder, manifest, outputs)
    except BriefgenError as exc:
        return _failed(job, exc.message, exc.exit_code, warnings)
    has_pdf = pdf is not None and OutputFormat.PDF in context.options.formats
    return EditionResult(
        job.key,
        written=tuple(written),
        warnings=job.verdict.warnings + warnings,
        pdf_pages=pdf.pages if pdf is not None and has_pdf else None,
        pdf_bytes=len(pdf.data) if pdf is not None and has_pdf else None,
        seconds=time.perf_counter() - held - prepared.started,
        stages=stages,
        json=edition.json,
        revision=revision.number,
    )
