"""Build one edition: the up-to-date check, changes since the previous edition, render, write.

`prepare_edition` does everything but the PDF (cheap: milliseconds); the PDF is rendered from a plain
`PdfJob`, in this process or in a worker (`briefgen.workers`); `finish_edition` writes every output. The
PDF job is plain data, so serial and parallel builds write the same bytes.

An edition is up to date when its fingerprint (briefgen's version, the settings, templates and lists, the
formats, the bytes of every record it reads and of the previous edition it compares with) equals the one
stamped beside its outputs by the last build, and every output exists.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from briefgen import __version__
from briefgen import composed as out
from briefgen.changes import Archive, compare, previous_edition
from briefgen.config import PdfVariant, Settings
from briefgen.distribute import cleared, message_for
from briefgen.errors import BriefgenError, Diagnostic, ExitCode, Severity
from briefgen.models import DistributionList, OutputFormat
from briefgen.output import write_atomic
from briefgen.pdfcheck import problems as pdf_problems
from briefgen.pdfjob import ASSET_ROOT, Asset, Attachment, PdfFailure, PdfJob, RenderedPdf
from briefgen.render import builtin_templates_dir, render_html, render_text


@dataclass(frozen=True)
class BuildPlan:
    """What every edition of one build shares."""

    desk_root: Path
    settings: Settings
    formats: tuple[OutputFormat, ...]
    out_dir: Path
    shared_digest: str  # briefgen's version, settings, templates, lists and formats
    archive: Archive  # the JSON editions in out/ when the build started, to compare with
    force: bool = False
    lists: dict[str, DistributionList] = field(default_factory=dict)  # for email editions
    strict: bool = False

    @property
    def desk_templates(self) -> Path:
        return self.desk_root / "templates"


@dataclass(frozen=True)
class EditionJob:
    """One selected edition: its composed brief (None when it has errors) and the files it reads."""

    brief_id: str
    date: date
    brief: out.ComposedBrief | None
    files: tuple[str, ...]
    errors: tuple[str, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class EditionResult:
    """What building one edition did."""

    brief_id: str
    date: date
    written: tuple[Path, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    errors: tuple[str, ...] = ()
    exit_code: ExitCode = ExitCode.OK
    up_to_date: bool = False
    pdf_pages: int | None = None
    pdf_bytes: int | None = None
    seconds: float = 0.0
    stages: tuple[tuple[str, float], ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.errors


def composed_json(brief: out.ComposedBrief) -> bytes:
    """The JSON edition: the composed brief with its endnotes, keys in model order, ISO dates."""
    return (json.dumps(brief.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _files_digest(paths: Iterable[tuple[str, Path]]) -> hashlib._Hash:
    digest = hashlib.sha256()
    for name, path in sorted(paths):
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest


def shared_digest(desk_root: Path, settings_file: Path, formats: Iterable[OutputFormat]) -> str:
    """The fingerprint of what every edition of a desk shares."""
    files: list[tuple[str, Path]] = [("settings", settings_file)]
    for label, folder in (("builtin", builtin_templates_dir()), ("desk", desk_root / "templates")):
        if folder.is_dir():
            files += [(f"{label}/{p.relative_to(folder)}", p) for p in folder.rglob("*") if p.is_file()]
    lists = desk_root / "lists"
    if lists.is_dir():
        files += [(f"lists/{p.name}", p) for p in lists.iterdir() if p.is_file()]
    digest = _files_digest(files)
    digest.update(f"briefgen {__version__}; formats {','.join(f.value for f in formats)}".encode())
    return digest.hexdigest()


def output_path(out_dir: Path, brief_id: str, day: date, extension: str) -> Path:
    return out_dir / day.isoformat() / f"{brief_id}.{extension}"


def _stamp_path(out_dir: Path, brief_id: str, day: date) -> Path:
    return out_dir / day.isoformat() / f".{brief_id}.inputs"


@dataclass(frozen=True)
class _Inputs:
    fingerprint: str
    previous_date: date | None
    previous_json: bytes | None


def _inputs(
    plan: BuildPlan,
    job: EditionJob,
    earlier: Sequence[tuple[date, Path]] = (),
    pending: tuple[date, bytes] | None = None,
) -> _Inputs:
    previous = previous_edition([*plan.archive.get(job.brief_id, ()), *earlier], job.date)
    previous_date, previous_json = (previous[0], previous[1].read_bytes()) if previous else (None, None)
    if pending is not None and pending[0] < job.date and (previous_date is None or pending[0] > previous_date):
        previous_date, previous_json = pending
    digest = _files_digest((name, plan.desk_root / name) for name in job.files)
    digest.update(plan.shared_digest.encode("ascii"))
    digest.update(previous_json or b"<first edition>")
    return _Inputs(digest.hexdigest(), previous_date, previous_json)


def _up_to_date(plan: BuildPlan, job: EditionJob, inputs: _Inputs) -> bool:
    stamp = _stamp_path(plan.out_dir, job.brief_id, job.date)
    targets = [output_path(plan.out_dir, job.brief_id, job.date, f.value) for f in plan.formats]
    return (
        not plan.force
        and not job.errors
        and stamp.is_file()
        and all(t.is_file() for t in targets)
        and stamp.read_text(encoding="ascii").strip() == inputs.fingerprint
    )


@dataclass(frozen=True)
class PreparedEdition:
    """An edition rendered but for its PDF: its outputs are held until the PDF is back, then all written."""

    job: EditionJob
    outputs: dict[str, bytes]
    fingerprint: str
    pdf_job: PdfJob | None
    started: float
    stages: tuple[tuple[str, float], ...]
    mail: MailParts | None = None


@dataclass(frozen=True)
class MailParts:
    """What the email editions of an edition are made of, besides its PDF."""

    brief: out.ComposedBrief
    html: str
    text: str
    lists: tuple[DistributionList, ...]


def prepare_edition(
    plan: BuildPlan,
    job: EditionJob,
    earlier: Sequence[tuple[date, Path]] = (),
    pending: tuple[date, bytes] | None = None,
) -> EditionResult | PreparedEdition:
    """Everything of an edition but the PDF render: the up-to-date check, changes, HTML, JSON and text.

    Returns the final result when there is nothing to render (errors, up to date, or no PDF wanted: then the
    outputs are written here), else what `finish_edition` needs once the PDF is rendered. `earlier` lists
    the JSON editions of the same brief that this build wrote before this one; `pending` is the JSON edition
    (date, bytes) of the one before it whose PDF is still rendering, compared with as if it were written."""
    started = time.perf_counter()
    if job.errors or job.brief is None:
        return EditionResult(
            job.brief_id, job.date, warnings=job.warnings, errors=job.errors, exit_code=ExitCode.BAD_DATA
        )
    inputs = _inputs(plan, job, earlier, pending)
    if _up_to_date(plan, job, inputs):
        return EditionResult(
            job.brief_id, job.date, warnings=job.warnings, up_to_date=True, seconds=time.perf_counter() - started
        )
    changes = compare(job.brief, inputs.previous_json, inputs.previous_date)
    brief = job.brief.model_copy(update={"changes": changes})
    try:
        rendered = render_html(brief, desk_templates=plan.desk_templates, page_size=plan.settings.pdf.page_size.value)
        final = rendered.composed_with_endnotes(brief)
        outputs: dict[str, bytes] = {}
        if OutputFormat.HTML in plan.formats:
            outputs["html"] = rendered.html.encode("utf-8")
        if OutputFormat.JSON in plan.formats or plan.settings.pdf.variant is PdfVariant.PDF_A_3B:
            outputs["json"] = composed_json(final)
        text = None
        if OutputFormat.TXT in plan.formats or OutputFormat.EML in plan.formats:
            text = render_text(final, rendered.endnotes, desk_templates=plan.desk_templates)
        if OutputFormat.TXT in plan.formats and text is not None:
            outputs["txt"] = text.encode("utf-8")
        mail = None
        if OutputFormat.EML in plan.formats and text is not None:
            wanted = [plan.lists[name] for name in final.lists if name in plan.lists]
            mail = MailParts(final, rendered.html, text, tuple(m for m in wanted if cleared(m, final.marking)))
    except BriefgenError as exc:
        return EditionResult(
            job.brief_id, job.date, warnings=job.warnings, errors=(exc.message,), exit_code=exc.exit_code
        )
    stages = (("html/json/txt", time.perf_counter() - started),)
    needs_pdf = OutputFormat.PDF in plan.formats or mail is not None
    pdf_job = pdf_job_for(plan, final, rendered.html, outputs.get("json")) if needs_pdf else None
    prepared = PreparedEdition(job, outputs, inputs.fingerprint, pdf_job, started, stages, mail)
    return prepared if pdf_job is not None else finish_edition(plan, prepared, None)


def _attachment_check(plan: BuildPlan, job: EditionJob, size: int) -> list[Diagnostic]:
    limit = plan.settings.mail.attachment_limit
    if size <= limit:
        return []
    message = f"the PDF is {size:,} bytes, above the attachment limit of {limit:,} bytes ([mail] attachment_limit)"
    return [Diagnostic(f"{job.brief_id}.pdf", 0, "", message, Severity.WARNING, "attachment-size")]


def template_assets(desk_templates: Path) -> tuple[Asset, ...]:
    """The files a render may read, carried in its job: every regular file under the desk's `templates/`
    (at the top of `ASSET_ROOT`) and the built-in templates (under `builtin/`), but Jinja templates, which
    are rendered here, never read by the PDF renderer. A symlink that leads out of its folder is left out."""
    assets: dict[str, Asset] = {}
    for prefix, folder in (("", desk_templates), ("builtin/", builtin_templates_dir())):
        if not folder.is_dir():
            continue
        root = folder.resolve()
        for path in sorted(folder.rglob("*")):
            name = prefix + path.relative_to(folder).as_posix()
            if path.suffix == ".j2" or name in assets or not path.is_file():
                continue
            if path.resolve().is_relative_to(root):
                assets[name] = Asset.of(name, path.read_bytes())
    return tuple(assets.values())


def pdf_job_for(plan: BuildPlan, brief: out.ComposedBrief, html: str, json_edition: bytes | None) -> PdfJob:
    """The PDF render of an edition as plain data (see `briefgen.pdfjob`)."""
    attachments: tuple[Attachment, ...] = ()
    if plan.settings.pdf.variant is PdfVariant.PDF_A_3B and json_edition is not None:
        attachments = (
            Attachment(f"{brief.id}-{brief.date.isoformat()}.json", json_edition, "The composed brief (briefgen JSON)"),
        )
    return PdfJob(
        label=f"{brief.id} {brief.date}",
        html=html,
        base_url=ASSET_ROOT,
        assets=template_assets(plan.desk_templates),
        variant=plan.settings.pdf.variant.value,
        identifier=hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii"),
        attachments=attachments,
        seconds=plan.settings.limits.render_seconds,
        memory_mib=plan.settings.limits.render_memory,
    )


def finish_edition(plan: BuildPlan, prepared: PreparedEdition, pdf: RenderedPdf | PdfFailure | None) -> EditionResult:
    """Write an edition's outputs (each atomically), then its fingerprint; or fail it, writing nothing."""
    job = prepared.job
    if isinstance(pdf, PdfFailure):
        return EditionResult(
            job.brief_id, job.date, warnings=job.warnings, errors=(pdf.message,), exit_code=ExitCode(pdf.exit_code)
        )
    outputs = dict(prepared.outputs)
    if OutputFormat.JSON not in plan.formats:
        outputs.pop("json", None)  # made only to attach to a PDF/A-3b
    stages = prepared.stages
    mail_warnings: list[Diagnostic] = []
    if pdf is not None:
        allowed = {a.name for a in prepared.pdf_job.attachments} if prepared.pdf_job else set()
        unfit = pdf_problems(pdf.data, allowed)
        if unfit:
            return EditionResult(
                job.brief_id,
                job.date,
                warnings=job.warnings,
                errors=(f"{job.brief_id} {job.date}: the PDF was not published: {'; '.join(unfit)}",),
                exit_code=ExitCode.RENDER_FAILED,
            )
        if OutputFormat.PDF in plan.formats:
            outputs["pdf"] = pdf.data
        stages += (("pdf", time.perf_counter() - prepared.started - prepared.stages[0][1]),)
    try:
        if prepared.mail is not None and pdf is not None:
            mail_warnings = _attachment_check(plan, job, len(pdf.data))
            if plan.strict and mail_warnings:
                return EditionResult(
                    job.brief_id,
                    job.date,
                    warnings=job.warnings,
                    errors=tuple(str(w) for w in mail_warnings),
                    exit_code=ExitCode.BAD_DATA,
                )
            for mailing in prepared.mail.lists:
                outputs[f"{mailing.id}.eml"] = message_for(
                    prepared.mail.brief,
                    mailing,
                    mail=plan.settings.mail,
                    html=prepared.mail.html,
                    text=prepared.mail.text,
                    pdf=pdf.data,
                )
    except BriefgenError as exc:
        return EditionResult(
            job.brief_id, job.date, warnings=job.warnings, errors=(exc.message,), exit_code=exc.exit_code
        )
    written = []
    order = [f.value for f in plan.formats if f is not OutputFormat.EML]
    names = [name for name in order if name in outputs] + sorted(n for n in outputs if n.endswith(".eml"))
    try:
        for extension in names:
            path = output_path(plan.out_dir, job.brief_id, job.date, extension)
            write_atomic(path, outputs[extension])
            written.append(path)
        write_atomic(_stamp_path(plan.out_dir, job.brief_id, job.date), prepared.fingerprint.encode("ascii") + b"\n")
    except BriefgenError as exc:
        return EditionResult(
            job.brief_id, job.date, warnings=job.warnings, errors=(exc.message,), exit_code=exc.exit_code
        )
    warnings = (
        job.warnings
        + tuple(
            Diagnostic(f"{job.brief_id}.pdf", 0, "", f"WeasyPrint: {message}", Severity.WARNING, "pdf-render")
            for message in (pdf.warnings if pdf else ())
        )
        + tuple(mail_warnings)
    )
    return EditionResult(
        job.brief_id,
        job.date,
        written=tuple(written),
        warnings=warnings,
        pdf_pages=pdf.pages if pdf and OutputFormat.PDF in plan.formats else None,
        pdf_bytes=len(pdf.data) if pdf and OutputFormat.PDF in plan.formats else None,
        seconds=time.perf_counter() - prepared.started,
        stages=stages,
    )
