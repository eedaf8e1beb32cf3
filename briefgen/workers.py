"""Worker processes that render PDFs: the costly stage, and the only one worth sharing out.

The main process loads, validates and composes the desk and renders each edition's HTML, JSON and text
(milliseconds); workers turn HTML into PDF (hundreds of milliseconds) from plain `PdfJob`s. A worker
imports WeasyPrint and nothing of briefgen but `briefgen.pdf`, so the first one, started before the desk
is even loaded, is ready by the time the first HTML is. Further workers are started only when there is
work for them, from a main process that runs no other thread (forking is then safe).

Only the standard library is imported here. A worker that dies (killed, out of memory) fails the edition
it held, with the reason; Ctrl-C stops every worker at once.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when needed: the first worker is started before anything else is imported
    from pathlib import Path

    from briefgen.pdfjob import PdfFailure, PdfJob, RenderedPdf

_prestarted: Workers | None = None


def renders_pdf(desk: str | Path, formats: str | None) -> bool:
    """Whether a build will render PDFs, read cheaply (the settings file is validated later)."""
    if formats is not None:
        return bool({"pdf", "eml"} & {part.strip() for part in formats.split(",")})
    import tomllib

    try:
        with open(os.path.join(desk, "briefgen.toml"), encoding="utf-8") as settings:
            configured = tomllib.loads(settings.read()).get("build", {})
    except FileNotFoundError:
        return True  # the default formats include pdf
    except (OSError, ValueError):
        return False
    names = configured.get("formats", ["pdf"]) if isinstance(configured, dict) else []
    return isinstance(names, list) and bool({"pdf", "eml"} & set(map(str, names)))


def prestart(desk: str, formats: str | None, jobs: int | None) -> None:
    """Start the first worker of a build now, if it will render PDFs with more than one job."""
    global _prestarted
    if _prestarted is None and (jobs or default_jobs()) > 1 and renders_pdf(desk, formats):
        _prestarted = Workers(jobs or default_jobs())


def workers_for_build(desk: Path, formats: str | None, jobs: int | None) -> Workers | None:
    """The workers of a build: those started early (see `briefgen.entry`) if they fit, else new ones when a
    PDF will be rendered and more than one job may run, else None (everything in this process)."""
    global _prestarted
    early, _prestarted = _prestarted, None
    count = jobs or default_jobs()
    wanted = count > 1 and renders_pdf(desk, formats)
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
    """Ctrl-C is the main process's to handle (it stops the workers); SIGTERM unwinds, so a worker that is
    stopped mid-write removes its temporary file."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _serve(connection: multiprocessing.connection.Connection) -> None:
    _ignore_interrupts()
    # A worker only imports WeasyPrint and renders: both allocate many objects that live long (modules) or
    # die young (boxes). Fewer collections make the import about 10 % faster and renders steadier.
    gc.set_threshold(50_000, 20, 100)
    from briefgen.pdf import font_configuration, render_outcome

    font_configuration()  # set up at once: the first job should find the worker ready
    gc.freeze()  # what the import made lives as long as the worker: no collection need walk it again
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            connection.send(("ok", render_outcome(task)))
        except Exception:
            import traceback

            connection.send(("error", traceback.format_exc()))


class _Worker:
    def __init__(self, context: Any) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.key: int | None = None  # the job it holds
        self.used = False


class Workers:
    """Up to `jobs` PDF-rendering processes; the first starts (and sets WeasyPrint up) at once."""

    def __init__(self, jobs: int) -> None:
        self.capacity = max(1, jobs)
        self._context = multiprocessing.get_context("fork")
        self._workers = [_Worker(self._context)]
        self._settled: list[tuple[int, RenderedPdf | PdfFailure]] = []  # jobs that could not even be sent

    @property
    def used(self) -> int:
        """How many workers have rendered something."""
        return sum(w.used for w in self._workers)

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
        worker.key = key

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
        for ready in multiprocessing.connection.wait([*busy, *sentinels]):
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
            if status == "error":
                raise RuntimeError(f"a PDF worker failed:\n{payload}")
            finished.append((key, payload))
        return finished

    def close(self) -> None:
        """Stop the workers: those that never got work at once, the others when they have finished."""
        for worker in self._workers:
            if worker.used and worker.process.is_alive():
                try:
                    worker.connection.send(None)
                except OSError:
                    worker.process.terminate()
            else:
                worker.process.terminate()
        for worker in self._workers:
            worker.process.join(timeout=10)
            worker.connection.close()

    def terminate(self) -> None:
        """Stop every worker now (Ctrl-C)."""
        for worker in self._workers:
            worker.process.terminate()
        for worker in self._workers:
            worker.process.join(timeout=10)
            worker.connection.close()


def _died(worker: _Worker) -> PdfFailure:
    from briefgen.pdfjob import PdfFailure

    worker.process.join(timeout=5)
    code = worker.process.exitcode
    reason = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
    return PdfFailure(f"the process rendering this PDF ended unexpectedly ({reason})", 5)
