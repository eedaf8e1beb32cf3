"""Build one edition: changes since the previous edition, the up-to-date check, render, write.

Everything here is given plain, picklable data (`BuildPlan`, `EditionJob`), so an edition builds the
same way in the main process and in a worker process: parallel and serial builds write the same bytes.

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
from briefgen.config import Settings
from briefgen.errors import BriefgenError, Diagnostic, ExitCode, Severity
from briefgen.models import OutputFormat
from briefgen.output import write_atomic
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
    previous: tuple[date, Path] | None
    previous_json: bytes | None


def _inputs(plan: BuildPlan, job: EditionJob, earlier: Sequence[tuple[date, Path]] = ()) -> _Inputs:
    previous = previous_edition([*plan.archive.get(job.brief_id, ()), *earlier], job.date)
    previous_json = previous[1].read_bytes() if previous else None
    digest = _files_digest((name, plan.desk_root / name) for name in job.files)
    digest.update(plan.shared_digest.encode("ascii"))
    digest.update(previous_json or b"<first edition>")
    return _Inputs(digest.hexdigest(), previous, previous_json)


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


def check_up_to_date(plan: BuildPlan, job: EditionJob) -> EditionResult | None:
    """The result of an edition that needs no work, or None when it must be built."""
    started = time.perf_counter()
    if job.errors or job.brief is None or not _up_to_date(plan, job, _inputs(plan, job)):
        return None
    return EditionResult(
        job.brief_id, job.date, warnings=job.warnings, up_to_date=True, seconds=time.perf_counter() - started
    )


def build_edition(plan: BuildPlan, job: EditionJob, earlier: Sequence[tuple[date, Path]] = ()) -> EditionResult:
    """Build one edition, or find it up to date. Never raises a `BriefgenError`: it is the result.

    `earlier` lists the JSON editions of the same brief that this build wrote before this one."""
    started = time.perf_counter()
    if job.errors or job.brief is None:
        return EditionResult(
            job.brief_id, job.date, warnings=job.warnings, errors=job.errors, exit_code=ExitCode.BAD_DATA
        )
    inputs = _inputs(plan, job, earlier)
    if _up_to_date(plan, job, inputs):
        return EditionResult(
            job.brief_id, job.date, warnings=job.warnings, up_to_date=True, seconds=time.perf_counter() - started
        )
    stamp = _stamp_path(plan.out_dir, job.brief_id, job.date)
    previous = inputs.previous
    previous_json = inputs.previous_json
    fingerprint = inputs.fingerprint

    changes = compare(job.brief, previous_json, previous[0] if previous else None)
    brief = job.brief.model_copy(update={"changes": changes})
    try:
        outputs, pages, render_warnings, stages = _render(plan, brief)
        written = []
        for extension, data in outputs.items():
            path = output_path(plan.out_dir, job.brief_id, job.date, extension)
            write_atomic(path, data)
            written.append(path)
        write_atomic(stamp, fingerprint.encode("ascii") + b"\n")
    except BriefgenError as exc:
        return EditionResult(
            job.brief_id, job.date, warnings=job.warnings, errors=(exc.message,), exit_code=exc.exit_code
        )
    warnings = job.warnings + tuple(
        Diagnostic(f"{job.brief_id}.pdf", 0, "", f"WeasyPrint: {message}", Severity.WARNING, "pdf-render")
        for message in render_warnings
    )
    return EditionResult(
        job.brief_id,
        job.date,
        written=tuple(written),
        warnings=warnings,
        pdf_pages=pages,
        pdf_bytes=len(outputs["pdf"]) if "pdf" in outputs else None,
        seconds=time.perf_counter() - started,
        stages=stages,
    )


def _render(
    plan: BuildPlan, brief: out.ComposedBrief
) -> tuple[dict[str, bytes], int | None, tuple[str, ...], tuple[tuple[str, float], ...]]:
    clock = time.perf_counter()
    stages: list[tuple[str, float]] = []

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages.append((name, now - clock))
        clock = now

    rendered = render_html(brief, desk_templates=plan.desk_templates, page_size=plan.settings.pdf.page_size.value)
    final = rendered.composed_with_endnotes(brief)
    lap("html")
    outputs: dict[str, bytes] = {}
    pages = None
    render_warnings: tuple[str, ...] = ()
    if OutputFormat.HTML in plan.formats:
        outputs["html"] = rendered.html.encode("utf-8")
    if OutputFormat.PDF in plan.formats:
        from briefgen.pdf import render_pdf  # WeasyPrint is imported only when a PDF is rendered

        pdf = render_pdf(rendered.html, final, settings=plan.settings, desk_root=plan.desk_root)
        outputs["pdf"] = pdf.data
        pages = pdf.pages
        render_warnings = pdf.warnings
        lap("pdf")
    if OutputFormat.JSON in plan.formats:
        outputs["json"] = composed_json(final)
    if OutputFormat.TXT in plan.formats:
        text = render_text(final, rendered.endnotes, desk_templates=plan.desk_templates)
        outputs["txt"] = text.encode("utf-8")
    lap("json+txt")
    return outputs, pages, render_warnings, tuple(stages)


def build_chain(plan: BuildPlan, jobs: list[EditionJob]) -> list[EditionResult]:
    """Build the editions of one brief in date order: each compares with the one before it."""
    results: list[EditionResult] = []
    earlier: list[tuple[date, Path]] = []
    for job in sorted(jobs, key=lambda j: j.date):
        result = build_edition(plan, job, earlier)
        results.append(result)
        earlier += [(job.date, path) for path in result.written if path.suffix == ".json"]
    return results
