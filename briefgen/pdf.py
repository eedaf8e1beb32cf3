"""Render the final HTML of an edition to PDF with WeasyPrint.

Only this module imports WeasyPrint, and only commands that write a PDF import this module. Rendering is
confined: the URL fetcher reads regular files under the built-in templates and the desk's `templates/`
folder (symlinks resolved first) and refuses everything else, which fails the edition with the URL named.
Metadata dates come from the edition, and the PDF identifier from its content, so the same inputs give
the same bytes.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import functools
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from briefgen import composed as out
from briefgen.config import PdfVariant, Settings
from briefgen.errors import RenderError, ResourceBlocked
from briefgen.render import builtin_templates_dir


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    warnings: tuple[str, ...] = ()


class _Collected(logging.Handler):
    """Collects what WeasyPrint logs while one PDF renders (ignored CSS, missing alt text...)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.messages:
            self.messages.append(message)


@contextlib.contextmanager
def _weasyprint_log() -> Iterator[_Collected]:
    logger = logging.getLogger("weasyprint")
    handler = _Collected()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


class BlockedResource(FatalURLFetchingError):  # type: ignore[misc]
    """Raised by the fetcher to stop rendering at the first resource it refuses."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
    """Reads only regular files under the allowed folders; no network, no data: URLs, nothing else."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols=["file"], allow_redirects=False, fail_on_errors=True)
        self.roots = [root.resolve() for root in roots if root.is_dir()]

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise BlockedResource(url, "only the desk's template and asset files may be read while rendering")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise BlockedResource(url, "outside the built-in templates and the desk's templates/ folder")
        if not path.is_file():
            raise BlockedResource(url, "not a regular file")
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {}, 200)


@functools.cache
def font_configuration() -> FontConfiguration:
    """One font configuration per process: building it is costly and it holds no per-brief state."""
    return FontConfiguration()


def harfbuzz_subset_missing() -> str | None:
    """A warning when WeasyPrint's fast font subsetter (libharfbuzz-subset) is not installed."""
    if ctypes.util.find_library("harfbuzz-subset"):
        return None
    return (
        "libharfbuzz-subset0 is not installed: WeasyPrint falls back to a font subsetter about 3x slower "
        "(install it with: apt-get install libharfbuzz-subset0)"
    )


def render_pdf(html: str, brief: out.ComposedBrief, *, settings: Settings, desk_root: Path) -> RenderedPdf:
    """Render an edition's final HTML to PDF bytes (PDF/UA-1 by default, PDF/A-3b with the JSON attached)."""
    from briefgen.edition import composed_json

    templates = desk_root / "templates"
    fetcher = ConfinedFetcher([builtin_templates_dir(), templates])
    base_url = (templates if templates.is_dir() else builtin_templates_dir()).resolve().as_uri() + "/"
    variant = settings.pdf.variant
    attachments = []
    if variant is PdfVariant.PDF_A_3B:
        attachments.append(
            weasyprint.Attachment(
                string=composed_json(brief).decode("utf-8"),
                name=f"{brief.id}-{brief.date.isoformat()}.json",
                description="The composed brief (briefgen JSON)",
                relationship="Data",
            )
        )
    try:
        with _weasyprint_log() as log:
            document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
                font_config=font_configuration(), pdf_variant=variant.value
            )
            identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
            data = document.write_pdf(
                pdf_variant=variant.value,
                pdf_identifier=identifier,
                attachments=attachments or None,
            )
    except BlockedResource as exc:
        raise ResourceBlocked(f"{brief.id} {brief.date}: refused to read {exc.url} ({exc.reason})") from None
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        if isinstance(cause, BlockedResource):
            raise ResourceBlocked(f"{brief.id} {brief.date}: refused to read {cause.url} ({cause.reason})") from None
        raise ResourceBlocked(f"{brief.id} {brief.date}: {exc}") from None
    except (ValueError, OSError, AssertionError) as exc:
        raise RenderError(f"{brief.id} {brief.date}: the PDF could not be rendered: {exc}") from None
    return RenderedPdf(data, len(document.pages), tuple(log.messages))
