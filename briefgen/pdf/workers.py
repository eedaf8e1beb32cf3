"""Worker processes that render PDFs: the costly stage, and the only one worth sharing out.

The main process loads, validates and composes the desk and renders each edition's HTML, JSON and text
(milliseconds); workers turn HTML into PDF (hundreds of milliseconds) from plain `PdfJob`s. Workers are
forked from a fork server (`multiprocessing`'s "forkserver") that imports WeasyPrint and sets up its fonts
once (`briefgen.pdf.zygote`): the server, started before the desk is even loaded, is ready about when the
first HTML is, and every worker after the first then starts ready to render, in milliseconds, instead of
importing WeasyPrint again (about a second). Workers are started only when there is work for them; the
fork server is safe from a threaded host (the preview) too, as it forks nothing but itself. As with any
`multiprocessing` fork server, each worker imports the main module of the program that started it: a
Python program that builds or previews from its own code (not the `briefgen` command) must guard its
entry with `if __name__ == "__main__":`.

Only the standard library is imported here. A worker that dies (killed, out of memory) fails the edition
it held, with the reason; Ctrl-C stops every worker at once.
"""

from __future__ import annotations

import importlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when needed: the first worker is started before anything else is imported
    from pathlib import Path

    from briefgen.pdf.job import PdfFailure, PdfJob, RenderedPdf

_prestarted: Workers | None = None
# The output formats that need a PDF (`briefgen.build.formats` is the table; a test keeps the two equal):
# read here without importing it, so that the first worker can start before anything else is imported.
PDF_FORMAT_NAMES = frozenset({"pdf", "eml"})


def renders_pdf(desk: str | Path, formats: str | None) -> bool:
    """Whether a build will render PDFs, read cheaply (the settings file is validated later)."""
    if formats is not None:
        return bool(PDF_FORMAT_NAMES & {part.strip() for part in formats.split(",")})
    import tomllib

    try:
        with open(os.path.join(desk, "briefgen.toml"), encoding="utf-8") as settings:
            configured = tomllib.loads(settings.read()).get("build", {})
    except FileNotFoundError:
        return True  # the default formats include pdf
    except (OSError, ValueError):
        return False
    names = configured.get("formats", ["pdf"]) if isinstance(configured, dict) else []
    return isinstance(names, list) and bool(PDF_FORMAT_NAMES & set(map(str, names)))


def prestart(desk: str, formats: str | None, jobs: int | None) -> None:
    """Start the fork server of a build's workers now, if the build will render PDFs."""
    global _prestarted
    if _prestarted is None and renders_pdf(desk, formats):
        _prestarted = Workers(jobs or default_jobs())


def workers_for_build(desk: Path, formats: str | None, jobs: int | None) -> Workers | None:
    """The workers of a build: those started early (see `briefgen.entry`) if they fit, else new ones when a
    PDF will be rendered, else None (a build without PDFs needs no worker)."""
    global _prestarted
    early, _prestarted = _prestarted, None
    count = jobs or default_jobs()
    wanted = renders_pdf(desk, formats)
    if early is not None and (not wanted or early.capacity != count):
        early.close()
        early = None
    if not wanted:
        return None
    return early or Workers(count)


def default_jobs() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _ignore_interrupts() -> None:
    """Ctrl-C is the main process's to handle: it stops the workers. A worker writes no file (the main
    process writes every output), so stopping one at any moment loses nothing: it is killed outright."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _die_with(owner: int) -> None:
    """Ask Linux to stop this worker when its parent dies (even by SIGKILL), so that no orphan keeps
    rendering or holds the build's output pipes open. The parent is the process that owns the workers (the
    build, the preview) or the fork server, which ends as soon as its owner does."""
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    try:
        os.kill(owner, 0)
    except ProcessLookupError:  # the owner died before the request took effect
        from briefgen.errors import ExitCode

        os._exit(ExitCode.OK)


def _serve(
    connection: multiprocessing.connection.Connection,
    parent_end: multiprocessing.connection.Connection,
    owner: int,
) -> None:
    parent_end.close()  # the owner's end, if this process was given it: only the owner may hold it
    _die_with(owner)
    _ignore_interrupts()
    # The set-up (WeasyPrint imported, fonts, a page rendered): done already in a worker forked from the
    # fork server.
    importlib.import_module("briefgen.pdf.zygote")
    from briefgen.pdf.render import render_outcome

    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            outcome = render_outcome(task)
            connection.send(("ok", outcome))
        except Exception:
            import traceback

            connection.send(("error", traceback.format_exc()))
            continue
        if getattr(outcome, "fatal", False):
            return  # a process that ran out of memory renders no more; the next job gets a new one


class _Worker:
    def __init__(self, context: Any) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, self.connection, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.key: int | None = None  # the job it holds
        self.deadline = 0.0  # when the job it holds has used up its time budget
        self.budget = 0
        self.used = False


def _context(method: str) -> Any:
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["briefgen.pdf.zygote"])
    return context


class Workers:
    """Up to `jobs` PDF-rendering processes, started when there is work for them. With `start`, the fork
    server they come from starts at once (it imports WeasyPrint while the desk is loaded), without
    waiting for it; every worker starts warm (`briefgen.pdf.zygote` rendered a small page). `method` is
    "forkserver" (the default) or "spawn" (where a fork server cannot be kept: a Dask worker's process)."""

    def __init__(self, jobs: int, *, start: bool = True, method: str = "forkserver") -> None:
        self.capacity = max(1, jobs)
        self._context = _context(method)
        self._workers: list[_Worker] = []
        if start and method == "forkserver":
            from multiprocessing import forkserver

            forkserver.ensure_running()
        self._settled: list[tuple[int, RenderedPdf | PdfFailure]] = []  # jobs that could not even be sent

    @property
    def used(self) -> int:
        """How many workers have rendered something."""
        return sum(w.used for w in self._workers)

    def start_one(self) -> None:
        """Start a worker now, if there is none (the preview's, so that its first PDF finds it warm)."""
        if not self._workers:
            self._workers.append(_Worker(self._context))

    def submit(self, key: int, job: PdfJob) -> None:
        """Give a job to an idle worker, starting one if none is idle (at most `capacity` at once)."""
        idle = [w for w in self._workers if w.key is None and w.process.is_alive()]
        if not idle:
            if sum(w.key is not None for w in self._workers) >= self.capacity:
                raise RuntimeError("no worker is free")  # the scheduler never submits more than capacity
            self._workers.append(_Worker(self._context))
            idle = self._workers[-1:]
        worker = idle[0]
        worker.used = True
        try:
            worker.connection.send(job)
        except OSError:  # the worker died while idle
            self._settled.append((key, _died(worker)))
            self._workers.remove(worker)
            return
        worker.key, worker.budget = key, job.seconds
        worker.deadline = time.monotonic() + job.seconds

    def completed(self) -> list[tuple[int, RenderedPdf | PdfFailure]]:
        """Wait until at least one job is done; return every finished job's outcome."""
        if self._settled:
            settled, self._settled = self._settled, []
            return settled
        busy = {w.connection: w for w in self._workers if w.key is not None}
        if not busy:
            return []
        sentinels = {w.process.sentinel: w.connection for w in busy.values()}
        finished: list[tuple[int, RenderedPdf | PdfFailure]] = []
        timeout = max(0.0, min(w.deadline for w in busy.values()) - time.monotonic())
        ready_list = multiprocessing.connection.wait([*busy, *sentinels], timeout=timeout)
        if not ready_list:
            return self._overdue(busy)
        for ready in ready_list:
            connection = sentinels.get(ready, ready)
            worker = busy.pop(connection, None)
            if worker is None or worker.key is None:
                continue
            key, worker.key = worker.key, None
            try:
                status, payload = connection.recv()
            except (EOFError, OSError):
                finished.append((key, _died(worker)))
                self._workers.remove(worker)
                continue
            if status == "error":  # the worker could not even report a failure: fail the edition, say why
                last = str(payload).strip().splitlines()[-1] if str(payload).strip() else "unknown error"
                finished.append((key, _failure(f"the PDF worker failed: {last}")))
                continue
            finished.append((key, payload))
        return finished

    def _overdue(self, busy: dict[Any, _Worker]) -> list[tuple[int, RenderedPdf | PdfFailure]]:
        """Stop the workers whose job has used up its time budget; their editions fail."""
        from briefgen.errors import ExitCode
        from briefgen.pdf.job import PdfFailure

        stopped: list[tuple[int, RenderedPdf | PdfFailure]] = []
        for worker in busy.values():
            if worker.key is not None and time.monotonic() >= worker.deadline:
                worker.process.kill()
                worker.process.join(timeout=10)
                message = (
                    f"the PDF render exceeded its time budget of {worker.budget} s ([limits] render_seconds) "
                    "and was stopped"
                )
                stopped.append((worker.key, PdfFailure(message, ExitCode.RENDER_FAILED)))
                worker.key = None
                self._workers.remove(worker)
        return stopped

    def close(self) -> None:
        """Stop the workers: those that never got work at once, the others when they have finished."""
        for worker in self._workers:
            if worker.used and worker.process.is_alive():
                try:
                    worker.connection.send(None)
                except OSError:
                    worker.process.kill()
            else:
                worker.process.kill()
        for worker in self._workers:
            worker.process.join(timeout=10)
            worker.connection.close()

    def terminate(self) -> None:
        """Stop every worker now (Ctrl-C)."""
        for worker in self._workers:
            worker.process.kill()
        for worker in self._workers:
            worker.process.join(timeout=10)
            worker.connection.close()


def _failure(message: str) -> PdfFailure:
    from briefgen.errors import ExitCode
    from briefgen.pdf.job import PdfFailure

    return PdfFailure(message, ExitCode.RENDER_FAILED)


def _died(worker: _Worker) -> PdfFailure:
    from briefgen.errors import ExitCode
    from briefgen.pdf.job import PdfFailure

    worker.process.join(timeout=5)
    code = worker.process.exitcode
    reason = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
    return PdfFailure(f"the process rendering this PDF ended unexpectedly ({reason})", ExitCode.RENDER_FAILED)
