"""Render the final HTML of an edition to PDF with WeasyPrint.

Only this module and its helpers (`tagging`, `in_parts`, `reuse`, `compact`) import WeasyPrint, and only
commands that write a PDF import them. It imports nothing else of briefgen but its errors, `briefgen.pdf.job`
and its own helpers (`tagging`, `reading`, `hyphenation`, `parts`, `in_parts`), so a worker process that
renders PDFs starts fast. A long brief is laid out in parts (`parts`, `in_parts`, `merge`), a short one whole.
Rendering is confined: the URL fetcher serves only the asset files the job carries (the regular files of the
built-in templates and the desk's `templates/` folder, see `briefgen.pdf.job`) and refuses everything else
(network, other files, data: URLs), which fails the edition with the URL named. It reads no file itself, so
the rule holds on any machine that renders the job.
Metadata dates come from the edition, and the PDF identifier from its content, so the same inputs give
the same bytes. `tagging` completes WeasyPrint's structure tree
(languages, link descriptions, artifacts) and writes the file compactly; attachment dates come from the
edition.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import logging
import posixpath
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import pikepdf
import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from briefgen.errors import BriefgenError, RenderError, ResourceBlocked
from briefgen.pdf import acyclic, bidi, hyphenation, in_parts, parts, reading, stack, tagging
from briefgen.pdf.compact import compact_content
from briefgen.pdf.job import ASSET_ROOT, Asset, PdfFailure, PdfJob, RenderedPdf
from briefgen.pdf.reuse import reused_work


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
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while a PDF renders.

    A render allocates hundreds of thousands of short-lived objects (boxes, styles, glyph runs); with the
    default thresholds the collector walks the growing heap again and again, which costs 5-15 % of a render
    and makes its time erratic. Fewer, larger collections do the same work for less (measured by
    benchmarks/run.py); the thresholds are restored afterwards. The layout's garbage itself is freed
    without the collector (`acyclic`): what is left to it is the little the HTML parser and layout leave
    in cycles."""
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


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
    """Serves only the job's assets, by their URL below `ASSET_ROOT`; no network, no file, nothing else."""

    def __init__(self, assets: tuple[Asset, ...]) -> None:
        super().__init__(allowed_protocols=["file"], allow_redirects=False, fail_on_errors=True)
        # An asset whose bytes do not match its hash is not served: what was hashed is what may be read.
        self.assets = {a.path: a for a in assets if hashlib.sha256(a.data).hexdigest() == a.sha256}

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise BlockedResource(url, "only the desk's template and asset files may be read while rendering")
        root = urlsplit(ASSET_ROOT).path
        path = posixpath.normpath(unquote(parts.path))
        asset = self.assets.get(path[len(root) :]) if path.startswith(root) else None
        if asset is None:
            raise BlockedResource(url, "outside the built-in templates and the desk's templates/ folder")
        return URLFetcherResponse(ASSET_ROOT + asset.path, asset.data, {}, 200)


@functools.cache
def font_configuration() -> FontConfiguration:
    """One font configuration per process: building it is costly and it holds no per-brief state."""
    return FontConfiguration()


# A page with what a brief's first layout sets up in WeasyPrint (the Noto faces in the weights and styles
# the built-in stylesheet uses, Arabic and Hebrew shaping, hyphenation, a link, a running header, the
# structure tree): laid out once by `warm_up`, as an edition is.
WARM_UP_HTML = """<!DOCTYPE html><html lang="en"><head><title>Warm-up</title><style>
html { font-family: "Noto Sans", "Noto Sans Arabic", "Noto Sans Hebrew", sans-serif; font-size: 10pt }
p { hyphens: auto } h1 { string-set: t content() } .s { font-weight: 600 }
@page { @top-left { content: string(t) counter(page) } }
</style></head><body><main><h1>Warm-up</h1><p>A paragraph of <b>bold</b>, <span class="s">semibold</span>,
<i>italic</i> and <a href="#n">linked</a> words, long enough to hyphenate: intergovernmental consultations.<sup
id="n">1</sup></p><p lang="ar" dir="rtl">اجتماع <b>في</b> دمشق</p><p lang="he" dir="rtl">פגישה <b>ב</b>ירושלים</p>
</main></body></html>"""


def warm_up() -> None:
    """Lay out a small page once, tagged as an edition is, so that the first edition does not pay for what
    WeasyPrint sets up on first use (faces, shaping, hyphenation dictionaries: 0.07 s of the sample's first
    render): the fork server of the PDF workers does it (`briefgen.pdf.zygote`), so every worker forked
    from it starts warm. The page is not written: writing it (a PDF, its fonts subset, its tagging
    completed) took a third of the warm-up and saved the first edition 7 ms. A WeasyPrint that cannot lay
    it out is left for the first edition to report, in one line."""
    hyphenation.register()
    html = weasyprint.HTML(string=WARM_UP_HTML, base_url=ASSET_ROOT, url_fetcher=ConfinedFetcher(()))
    with contextlib.suppress(Exception), reused_work(), tagging.tag_languages_and_links():
        html.render(font_config=font_configuration(), pdf_variant="pdf/ua-1", pdf_tags=True)


def _render_whole(
    job: PdfJob, fetcher: ConfinedFetcher, attachments: list[Any], options: dict[str, Any], layouts: list[Any]
) -> in_parts.Rendered:
    """The edition's HTML laid out at once: its PDF (not yet finished), page count and text runs."""
    no_runs: reading.Runs = {}
    tags: contextlib.AbstractContextManager[reading.Runs] = (
        tagging.tag_languages_and_links() if job.publication else contextlib.nullcontext(no_runs)
    )
    with tags as runs:
        document = weasyprint.HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher).render(
            font_config=font_configuration(), **options
        )
        acyclic.laid_out(layouts)  # the styles and page makers go before the PDF is written
        data = document.write_pdf(pdf_identifier=job.identifier, attachments=attachments or None, **options)
        pages = len(document.pages)
    return in_parts.Rendered(data, pages, runs)


def render_pdf(job: PdfJob) -> RenderedPdf:
    """Render an edition's final HTML to PDF bytes. Raises `ResourceBlocked` or `RenderError`.

    On a data stack with room for WeasyPrint's recursion (`stack`): the same render, without mapping and
    unmapping memory at every call that crosses a chunk of it."""
    return stack.call_with_room(_render, job)


def _render(job: PdfJob) -> RenderedPdf:
    tagging.check_weasyprint()  # before anything: one clear line for a WeasyPrint the tagging was not made for
    hyphenation.register()  # the Turkish dictionary, for `hyphens: auto`
    fetcher = ConfinedFetcher(job.assets)
    # Attachment dates come from the edition (in UTC), never from the clock: the same edition, the same bytes.
    attachments = [
        weasyprint.Attachment(
            string=a.data.decode("utf-8"),
            name=a.name,
            description=a.description,
            relationship="Data",
            created=a.created,
            modified=a.created,
        )
        for a in job.attachments
    ]
    # Both variants are tagged: PDF/UA-1 by definition, PDF/A-3b so that the archived copy is as accessible.
    # The preview's PDF (not `publication`) is the same pages untagged: it is never published.
    options: dict[str, Any] = {"pdf_variant": job.variant, "pdf_tags": True} if job.publication else {}
    # A long brief is laid out in parts (`parts`, `in_parts`): its memory is that of one part.
    plan = parts.plan(job.html, job.part_chars) if job.publication and job.part_chars else None
    try:
        with (
            _weasyprint_log() as log,
            _fewer_collections(),
            reused_work(),
            compact_content(),
            acyclic.freed_when_dropped() as layouts,
        ):
            rendered = None
            if plan is not None:
                rendered = in_parts.render_parts(
                    plan,
                    lambda source: weasyprint.HTML(string=source, base_url=job.base_url, url_fetcher=fetcher),
                    lambda document, first: document.write_pdf(
                        pdf_identifier=job.identifier, attachments=(attachments or None) if first else None, **options
                    ),
                    font_configuration(),
                    options,
                    layouts,
                )
            if rendered is None:
                rendered = _render_whole(job, fetcher, attachments, options, layouts)
            data, pages, runs = rendered.data, rendered.pages, rendered.runs
            if isinstance(data, pikepdf.Pdf):  # finished parts, joined
                data = tagging.finish_joined(data)
            elif job.publication:
                data = tagging.finish(data, runs)
                if not bidi.available() and any(run.rtl for run in runs.values()):
                    log.messages.append(
                        "FriBidi (libfribidi) was not found: right-to-left text in the PDF is extracted in visual order"
                    )
    except BlockedResource as exc:
        raise ResourceBlocked(f"{job.label}: refused to read {exc.url} ({exc.reason})") from None
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        if isinstance(cause, BlockedResource):
            raise ResourceBlocked(f"{job.label}: refused to read {cause.url} ({cause.reason})") from None
        raise ResourceBlocked(f"{job.label}: {exc}") from None
    except MemoryError:
        raise
    except Exception as exc:  # anything WeasyPrint raises fails this edition only, in one line
        reason = str(exc).splitlines()[0] if str(exc) else ""
        raise RenderError(
            f"{job.label}: the PDF could not be rendered: {type(exc).__name__}"
            + (f": {reason[:300]}" if reason else "")
        ) from None
    return RenderedPdf(data, pages, tuple(log.messages))


def render_outcome(job: PdfJob) -> RenderedPdf | PdfFailure:
    """`render_pdf` within the job's memory budget, with a refused resource, a failed render or an exceeded
    budget returned rather than raised (for workers: one process per render at a time)."""
    import resource

    limit = job.memory_mib * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    try:
        return render_pdf(job)
    except BriefgenError as exc:
        return PdfFailure(exc.message, exc.exit_code)
    except MemoryError:
        return PdfFailure(
            f"{job.label}: the PDF render exceeded its memory budget of {job.memory_mib} MiB ([limits] render_memory)",
            RenderError.exit_code,
            fatal=True,
        )
    finally:
        resource.setrlimit(
            resource.RLIMIT_AS, (resource.RLIM_INFINITY if hard == resource.RLIM_INFINITY else hard, hard)
        )
