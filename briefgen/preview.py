"""`briefgen preview`: a local server for editors, with pages that refresh themselves on every save.

It serves, on 127.0.0.1 only, an index of the desk's editions, each edition's HTML (rendered on request
from the records and templates as they are on disk) and its PDF (rendered on request). A watcher
notices any change under the desk (records, templates, settings; not `out/`) and tells open pages,
through a server-sent event stream, to load themselves again. An error (bad record, template mistake)
is shown in the page with its file, line and message; the next save that fixes it brings the brief back.
The live-reload script exists only in preview pages, never in built outputs. The edition's warnings are
listed at the top of its page (only in the preview). The terminal shows each request, each change that
reloads the pages, and each error.

Local only, by design: the server listens on 127.0.0.1 and answers only requests addressed to a loopback
name (no other machine, and no web page that rebinds its name, can read the desk's marked editions).
This module is what a page shows; `briefgen.preview_server` is the HTTP server that asks it.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from http import HTTPStatus
from pathlib import Path

from briefgen.build.changes import archived_json, previous_edition
from briefgen.build.pipeline import EditionInputs, RenderedEdition, pdf_job, render_edition
from briefgen.compose.validate import edition_verdict, validate_desk
from briefgen.desk.layout import EditionKey
from briefgen.desk.loader import Desk, load_desk
from briefgen.desk.outfolder import OutFolder
from briefgen.desk.vocabulary import Marking
from briefgen.errors import BriefgenError, Diagnostic
from briefgen.pdf.job import PdfFailure, RenderedPdf
from briefgen.pdf.workers import Workers
from briefgen.render.counts import counted

# `/<brief>/<date>.html` (or `.pdf`): the master edition; `/<brief>@tlp-clear/<date>.html`: an audience's.
EDITION_PATH = re.compile(
    r"^/(?P<id>[a-z0-9][a-z0-9-]{0,79}(?:@tlp-[a-z-]{3,12})?)/(?P<date>\d{4}-\d{2}-\d{2})\.(?P<ext>html|pdf)$"
)
RELOAD_SCRIPT = """<script>
(function () {
  var shown = %d;
  var events = new EventSource("/events");
  events.onmessage = function (event) { if (Number(event.data) !== shown) { location.reload(); } };
})();
</script>
"""


class EditionProblem(Exception):
    """The edition cannot be shown: its diagnostics or the error that stopped it."""

    def __init__(self, title: str, lines: list[str], status: HTTPStatus = HTTPStatus.OK) -> None:
        super().__init__(title)
        self.title = title
        self.lines = lines
        self.status = status  # an edition with errors is still a page; a missing one is not found


class Preview:
    """Renders pages of one desk and counts changes to it (the version pages compare with)."""

    def __init__(self, desk_root: Path, out_dir: Path | None = None, log: Callable[[str], None] | None = None) -> None:
        self.desk_root = desk_root.resolve()
        self.out_dir = out_dir.resolve() if out_dir is not None else None  # `--out`: where builds wrote
        self.log = log or (lambda line: None)
        self.version = 0
        self.changed = threading.Condition()
        self._pdf_lock = threading.Lock()
        self._workers: Workers | None = None

    # --- changes ---------------------------------------------------------------------------------------

    def bump(self) -> None:
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version

    def watch(self, stop: threading.Event) -> None:
        """Bump the version on every change under the desk but its output folder (runs in a thread)."""
        import watchfiles

        out_dir = self._out_dir()

        def relevant(change: watchfiles.Change, path: str) -> bool:
            candidate = Path(path)
            return not (candidate == out_dir or out_dir in candidate.parents or candidate.name.endswith(".tmp"))

        for _ in watchfiles.watch(
            self.desk_root, watch_filter=relevant, stop_event=stop, debounce=50, step=25, rust_timeout=200
        ):
            self.bump()
            self.log(f"changed: pages reload (change {self.version})")

    def _out_dir(self) -> Path:
        if self.out_dir is not None:
            return self.out_dir
        try:
            return load_desk(self.desk_root).out_layout.root.resolve()
        except BriefgenError:
            return self.desk_root / "out"

    # --- pages ------------------------------------------------------------------------------------------

    def _render(self, brief_id: str, day: date) -> tuple[Desk, RenderedEdition, tuple[Diagnostic, ...]]:
        """The edition as `briefgen build` would render it now, by the same pipeline and the same rule for
        which problems stop it. Raises `EditionProblem`."""
        try:
            desk = load_desk(self.desk_root)
            report = validate_desk(desk)
        except BriefgenError as exc:
            raise EditionProblem("The desk cannot be loaded", exc.message.splitlines()) from None
        key = EditionKey.from_stem(brief_id, day)
        found = (e for e in desk.briefs if (e.record.brief.id, e.record.brief.date) == (key.brief_id, day))
        edition = next(found, None)
        if edition is None:
            raise EditionProblem(
                "No such edition", [f"the desk has no edition of {key.brief_id!r} dated {day}"], HTTPStatus.NOT_FOUND
            )
        verdict = edition_verdict(report, edition, strict=False)
        if verdict.blocked or verdict.composition.brief is None:
            raise EditionProblem(
                "This edition has errors", [str(d) for d in verdict.errors] or ["it could not be composed"]
            )
        audience = Marking.of_audience(key.audience) if key.audience else None
        brief = next((e.brief for e in verdict.editions if e.audience == audience), None)
        if brief is None:
            built = ", ".join(e.audience.value if e.audience else "the master" for e in verdict.editions)
            message = f"no {key.audience} edition of {key.brief_id!r} dated {day} is built (built: {built})"
            raise EditionProblem("No such edition", [message], HTTPStatus.NOT_FOUND)
        previous = None
        try:
            out = OutFolder.open_existing(self.out_dir or desk.out_layout.root)
            if out is not None:
                with out:
                    previous = previous_edition(out, archived_json(out), key, {})
        except BriefgenError:
            previous = None  # the preview shows the edition without its changes rather than nothing
        try:
            rendered = render_edition(EditionInputs(brief, previous, desk.layout.templates, desk.settings, text=False))
        except BriefgenError as exc:
            raise EditionProblem("A template has an error", exc.message.splitlines()) from None
        return desk, rendered, verdict.warnings + rendered.warnings

    def edition_html(self, brief_id: str, day: date) -> str:
        """The edition's HTML as `briefgen build` would write it now. Raises `EditionProblem`."""
        return self._render(brief_id, day)[1].html

    def edition_page(self, brief_id: str, day: date) -> str:
        """The edition's HTML with its warnings listed at the top (a preview page, never a built output)."""
        _, rendered, warnings = self._render(brief_id, day)
        for warning in warnings:
            self.log(f"        {warning}")
        return with_warnings(rendered.html, warnings)

    def edition_pdf(self, brief_id: str, day: date) -> bytes:
        """The edition's PDF, rendered by a worker process within the desk's render budget and checked as
        `briefgen build` checks it: the same pages, untagged (a preview is never published), so that it is
        back sooner after a save. Raises `EditionProblem`."""
        from briefgen.pdf.check import problems

        desk, rendered, _ = self._render(brief_id, day)
        job = replace(pdf_job(rendered, desk.settings, desk.layout.templates), publication=False)
        with self._pdf_lock:  # one render at a time: the preview is for one editor
            self._workers = self._workers or Workers(1)
            self._workers.submit(0, job)
            finished: list[tuple[int, RenderedPdf | PdfFailure]] = []
            while not finished:
                finished = self._workers.completed()
        outcome = finished[0][1]
        if isinstance(outcome, PdfFailure):
            raise EditionProblem("The PDF could not be rendered", outcome.message.splitlines())
        unfit = problems(outcome.data, {a.name for a in job.attachments})
        if unfit:
            raise EditionProblem("The PDF was not fit to publish", unfit)
        return outcome.data

    def start_pdf_worker(self) -> None:
        """Start the PDF worker now, so that the first PDF asked for finds it warm (WeasyPrint set up)."""
        with self._pdf_lock:
            self._workers = self._workers or Workers(1)
            self._workers.start_one()

    def close(self) -> None:
        with self._pdf_lock:  # after a worker that is being started
            if self._workers is not None:
                self._workers.close()

    def index_html(self) -> str:
        try:
            desk = load_desk(self.desk_root)
        except BriefgenError as exc:
            return self.problem_page(EditionProblem("The desk cannot be loaded", exc.message.splitlines()))
        items = []
        for entry in sorted(desk.briefs, key=lambda e: (e.record.brief.date, e.record.brief.id), reverse=True):
            brief = entry.record.brief
            # The master edition, then each audience's edition the brief asks for (README "Editions for each audience").
            for stem, title, marking in [
                (brief.id, brief.title, brief.marking.value),
                *(
                    (f"{brief.id}@{s.clearance.audience}", s.title or brief.title, s.clearance.value)
                    for s in brief.editions
                    if s.clearance.rank < brief.marking.rank
                ),
            ]:
                link = f"/{stem}/{brief.date.isoformat()}"
                items.append(
                    f'<li><time>{brief.date.isoformat()}</time> <a href="{link}.html">{html.escape(title)}</a> '
                    f'<span class="marking">{html.escape(marking)}</span> <a href="{link}.pdf">PDF</a></li>'
                )
        body = "<ul>" + "".join(items) + "</ul>" if items else "<p>The desk has no editions yet.</p>"
        return self._page(f"{html.escape(desk.settings.desk.name)}: preview", body)

    def problem_page(self, problem: EditionProblem) -> str:
        lines = "\n".join(html.escape(line) for line in problem.lines)
        body = f'<p class="problem">{html.escape(problem.title)}; fix it and save: this page refreshes itself.</p>'
        body += f'<pre id="errors">{lines}</pre>'
        return self._page(f"briefgen preview: {html.escape(problem.title)}", body)

    def _page(self, title: str, body: str) -> str:
        style = (
            "body{font-family:'Noto Sans',sans-serif;max-width:52rem;margin:1rem auto;padding:0 0.75rem}"
            "pre{white-space:pre-wrap;background:#fff4f4;border-left:4px solid #b00020;padding:0.6rem}"
            ".marking{background:#000;color:#fff;padding:0 0.3rem;font-size:0.8rem}"
        )
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{style}</style></head><body><h1>{title}</h1>{body}</body></html>"
        )

    def with_reload(self, page: str, version: int) -> str:
        script = RELOAD_SCRIPT % version
        return page.replace("</body>", script + "</body>", 1) if "</body>" in page else page + script


WARNINGS_BOX = (
    '<aside id="briefgen-preview-warnings" role="status" style="font:0.9rem sans-serif;background:#fff8e1;'
    'border-left:4px solid #b26a00;padding:0.5rem 0.8rem;margin:0.5rem">'
    "<strong>{count}</strong> (shown in the preview only; <code>briefgen build</code> prints them)"
    '<ul style="margin:0.3rem 0">{items}</ul></aside>'
)


def with_warnings(page: str, warnings: tuple[Diagnostic, ...]) -> str:
    """`page` with a box listing `warnings` right after `<body ...>`, or unchanged when there are none."""
    if not warnings:
        return page
    items = "".join(f"<li>{html.escape(str(w))}</li>" for w in warnings)
    box = WARNINGS_BOX.format(count=html.escape(counted(len(warnings), "warning")), items=items)
    match = re.search(r"<body[^>]*>", page)
    return page[: match.end()] + box + page[match.end() :] if match else box + page
