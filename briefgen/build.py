"""`briefgen build`: the pipeline, in order, for each selected edition.

load the desk -> validate (cross-file checks, compose each edition) -> select editions -> for each edition
that has no errors: render HTML -> (PDF) -> JSON -> write every output atomically. An edition that fails
writes nothing and leaves its earlier outputs as they were; the other editions still build.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from briefgen import composed as out
from briefgen.compose import Composition
from briefgen.errors import BriefgenError, Diagnostic, ExitCode, Severity, UsageError
from briefgen.loader import SETTINGS_FILE, Desk, Loaded, load_desk
from briefgen.models import BriefRecord, OutputFormat
from briefgen.output import write_atomic
from briefgen.render import render_html, render_text
from briefgen.validate import Report, validate_desk


@dataclass(frozen=True)
class EditionResult:
    """What building one edition did."""

    brief_id: str
    date: date
    written: tuple[Path, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    errors: tuple[str, ...] = ()
    exit_code: ExitCode = ExitCode.OK
    pdf_pages: int | None = None
    pdf_bytes: int | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class BuildResult:
    selection: str
    editions: list[EditionResult] = field(default_factory=list)
    desk_errors: list[Diagnostic] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        failed = [e for e in self.editions if not e.ok]
        if not failed:
            return ExitCode.BAD_DATA if self.desk_errors else ExitCode.OK
        codes = {e.exit_code for e in failed}
        return codes.pop() if len(codes) == 1 else ExitCode.BAD_DATA


def composed_json(brief: out.ComposedBrief) -> bytes:
    """The JSON edition: the composed brief with its endnotes, keys in model order, ISO dates."""
    return (json.dumps(brief.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


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


class Builder:
    """Builds editions of one loaded desk."""

    def __init__(
        self, desk: Desk, report: Report, formats: Sequence[OutputFormat], out_dir: Path, *, strict: bool = False
    ) -> None:
        self.desk = desk
        self.strict = strict
        self.report = report
        self.formats = list(dict.fromkeys(formats))
        self.out_dir = out_dir
        self.compositions = {id(edition): composition for edition, composition in report.compositions}
        loaded = {e.file.rel for e in desk.sources} | {e.file.rel for e in desk.briefs}
        # Files that failed to load (or settings) may hold anything an edition needs: they fail every edition.
        self.blocking = [
            d
            for d in report.errors
            if d.path == SETTINGS_FILE or (d.path.startswith("sources/") and d.path not in loaded)
        ]

    def edition_errors(self, edition: Loaded[BriefRecord], composition: Composition) -> list[Diagnostic]:
        files = set(composition.files) | {edition.file.rel}
        return [*self.blocking, *(d for d in self.report.errors if d.path in files)]

    def build(self, edition: Loaded[BriefRecord]) -> EditionResult:
        started = time.perf_counter()
        brief = edition.record.brief
        composition = self.compositions[id(edition)]
        files = set(composition.files) | {edition.file.rel}
        warnings = tuple(d for d in self.report.warnings if d.path in files)
        errors = self.edition_errors(edition, composition)
        if self.strict:
            errors, warnings = [*errors, *warnings], ()
        if errors or composition.brief is None:
            return EditionResult(
                brief.id,
                brief.date,
                warnings=warnings,
                errors=tuple(str(d) for d in errors),
                exit_code=ExitCode.BAD_DATA,
            )
        try:
            outputs, pages, render_warnings = self._render(composition.brief)
            warnings += tuple(
                Diagnostic(f"{brief.id}.pdf", 0, "", f"WeasyPrint: {message}", Severity.WARNING, "pdf-render")
                for message in render_warnings
            )
            target = self.out_dir / brief.date.isoformat()
            written = []
            for extension, data in outputs.items():
                path = target / f"{brief.id}.{extension}"
                write_atomic(path, data)
                written.append(path)
        except BriefgenError as exc:
            return EditionResult(
                brief.id, brief.date, warnings=warnings, errors=(exc.message,), exit_code=exc.exit_code
            )
        return EditionResult(
            brief.id,
            brief.date,
            written=tuple(written),
            warnings=warnings,
            pdf_pages=pages,
            pdf_bytes=len(outputs["pdf"]) if "pdf" in outputs else None,
            seconds=time.perf_counter() - started,
        )

    def _render(self, brief: out.ComposedBrief) -> tuple[dict[str, bytes], int | None, tuple[str, ...]]:
        settings = self.desk.settings
        rendered = render_html(
            brief, desk_templates=self.desk.root / "templates", page_size=settings.pdf.page_size.value
        )
        final = rendered.composed_with_endnotes(brief)
        outputs: dict[str, bytes] = {}
        pages = None
        render_warnings: tuple[str, ...] = ()
        if OutputFormat.HTML in self.formats:
            outputs["html"] = rendered.html.encode("utf-8")
        if OutputFormat.PDF in self.formats:
            from briefgen.pdf import render_pdf  # WeasyPrint is imported only when a PDF is rendered

            pdf = render_pdf(rendered.html, final, settings=settings, desk_root=self.desk.root)
            outputs["pdf"] = pdf.data
            pages = pdf.pages
            render_warnings = pdf.warnings
        if OutputFormat.JSON in self.formats:
            outputs["json"] = composed_json(final)
        if OutputFormat.TXT in self.formats:
            text = render_text(final, rendered.endnotes, desk_templates=self.desk.root / "templates")
            outputs["txt"] = text.encode("utf-8")
        return outputs, pages, render_warnings


def build(
    desk_root: Path,
    *,
    on: date | None = None,
    all_editions: bool = False,
    brief_ids: Sequence[str] = (),
    formats: Sequence[OutputFormat] | None = None,
    out_dir: Path | None = None,
    strict: bool = False,
) -> BuildResult:
    """Build the selected editions of the desk at `desk_root`; with `strict`, a warning fails its edition."""
    desk = load_desk(desk_root)
    report = validate_desk(desk)
    editions, selection = select_editions(desk, on=on, all_editions=all_editions, brief_ids=brief_ids)
    chosen = formats or desk.settings.build.formats
    if OutputFormat.EML in chosen:
        raise UsageError("the eml format (email editions) is not available in this version of briefgen")
    builder = Builder(desk, report, chosen, out_dir or desk.out_dir, strict=strict)
    brief_files = {e.file.rel for e in desk.briefs}
    desk_errors = [d for d in report.errors if d.path.startswith("briefs/") and d.path not in brief_files]
    return BuildResult(selection, [builder.build(e) for e in editions], desk_errors)
