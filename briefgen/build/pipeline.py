"""The edition pipeline: an edition's inputs in, its rendered edition out, nothing written.

`render_edition` takes the composed brief, the previous edition it compares with, the desk's templates
and settings, and gives the brief with its changes and endnotes, its HTML, text and JSON. `build`,
`preview` and the benchmarks all call it; `pdf_job` turns a rendered edition into the plain-data job a
PDF worker renders.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.build.changes import PreviousEdition, compare
from briefgen.compose import model as composed
from briefgen.desk.settings import PdfVariant, Settings
from briefgen.errors import Diagnostic, Severity
from briefgen.pdf.job import ASSET_ROOT, Asset, Attachment, PdfJob
from briefgen.render.builtin import builtin_templates_dir

if TYPE_CHECKING:
    from briefgen.render.sandbox import RenderBudget


@dataclass(frozen=True)
class EditionInputs:
    brief: composed.ComposedBrief
    previous: PreviousEdition | None
    templates: Path  # the desk's templates/ folder (it may not exist)
    settings: Settings
    text: bool = True  # render the text edition too


@dataclass(frozen=True)
class RenderedEdition:
    """An edition ready to write: the final composed brief (changes, endnotes) and its renderings."""

    brief: composed.ComposedBrief
    html: str
    text: str | None
    json: bytes
    warnings: tuple[Diagnostic, ...] = ()


def composed_json(brief: composed.ComposedBrief) -> bytes:
    """The JSON edition: the composed brief with its endnotes, keys in model order, ISO dates."""
    return (json.dumps(brief.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def changes_since(
    brief: composed.ComposedBrief, previous: PreviousEdition | None
) -> tuple[composed.Changes, tuple[Diagnostic, ...]]:
    """What changed since the previous edition; an unreadable previous edition is reported and treated as
    absent, never a permanent block."""
    if previous is None:
        return composed.Changes(previous=None), ()
    try:
        if previous.problem is not None:
            raise ValueError(previous.problem)
        return compare(brief, previous.json, previous.date), ()
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        warning = Diagnostic(
            previous.name,
            0,
            "",
            f"the previous edition cannot be read ({reason[:200]}); changes since it are not shown",
            Severity.WARNING,
            "previous-edition-unreadable",
        )
        return composed.Changes(previous=None, unreadable=previous.date), (warning,)


def render_edition(inputs: EditionInputs) -> RenderedEdition:
    """Render one edition. Raises `TemplateError` naming the template file and line."""
    # Imported here: a build whose editions are all up to date renders none and need not load Jinja.
    from briefgen.render.html import render_html

    changes, warnings = changes_since(inputs.brief, inputs.previous)
    brief = inputs.brief.model_copy(update={"changes": changes})
    rendered = render_html(
        brief,
        desk_templates=inputs.templates,
        page_size=inputs.settings.pdf.page_size.value,
        limits=_budget(inputs.settings),
    )
    final = rendered.composed_with_endnotes(brief)
    edition = RenderedEdition(final, rendered.html, None, composed_json(final), warnings)
    return with_text(edition, inputs.templates, inputs.settings) if inputs.text else edition


def with_text(edition: RenderedEdition, templates: Path, settings: Settings) -> RenderedEdition:
    """The edition with its text rendering, endnotes numbered as in its HTML. A build makes it while the
    edition's PDF renders (a quarter of a second for a 200-page brief). Raises `TemplateError`."""
    from briefgen.render.html import render_text

    text = render_text(edition.brief, edition.brief.endnotes, desk_templates=templates, limits=_budget(settings))
    return replace(edition, text=text)


def _budget(settings: Settings) -> RenderBudget:
    """The time and memory a template render may take (`[limits]`)."""
    from briefgen.render.sandbox import RenderBudget

    return RenderBudget(settings.limits.render_seconds, settings.limits.render_memory)


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


def pdf_job(edition: RenderedEdition, settings: Settings, templates: Path) -> PdfJob:
    """The PDF render of an edition as plain data (see `briefgen.pdf.job`): the files it may read travel
    with it by content, so a job names no path of this machine; a PDF/A-3b carries the JSON edition's
    bytes as its attachment."""
    brief = edition.brief
    attachments: tuple[Attachment, ...] = ()
    if settings.pdf.variant is PdfVariant.PDF_A_3B:
        name = f"{brief.id}-{brief.date.isoformat()}.json"
        issued = brief.issued or datetime.combine(brief.date, time.min, tzinfo=UTC)
        created = issued.astimezone(UTC).replace(tzinfo=None)  # WeasyPrint writes it with a Z
        attachments = (Attachment(name, edition.json, "The composed brief (briefgen JSON)", created),)
    return PdfJob(
        label=f"{brief.id} {brief.date}",
        html=edition.html,
        base_url=ASSET_ROOT,
        assets=template_assets(templates),
        variant=settings.pdf.variant.value,
        identifier=hashlib.sha256(edition.html.encode("utf-8")).hexdigest()[:32].encode("ascii"),
        attachments=attachments,
        seconds=settings.limits.render_seconds,
        memory_mib=settings.limits.render_memory,
        part_chars=settings.limits.render_part_chars,
    )
