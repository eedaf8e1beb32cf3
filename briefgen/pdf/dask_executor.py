"""Render PDFs on a Dask cluster: `briefgen build --executor dask://HOST:PORT` (or `[executor] url`).

The build process still loads, composes and writes everything: only `PdfJob`s (plain data, carrying their
template assets, naming no path of this machine) go to the cluster, and only PDF bytes or failures come
back. `DaskRenderer` has the renderer protocol of `briefgen.workers.Workers`, so the build drives both the
same way.

- A job's Dask key is its input hash (`PdfJob.input_hash`) with the environment's: identical editions are
  rendered once, whoever submits them while the first render is wanted.
- A failed render is a value (`PdfFailure`), never a Dask error, and every result is released as soon as
  it is read: a failure is not kept under its key for the next build.
- On the worker, each job renders in a briefgen render process (`Workers`), as in a local build: the
  job's time and memory budgets hold, a render that crashes takes only that process with it, and the
  URL fetcher serves the job's assets only (no network, no file of the worker).
- Workers whose briefgen, WeasyPrint or font set differ from this machine's would render other bytes:
  they are refused when the build connects (and every job checks again on the worker).

Start workers with this module preloaded (see the README):

    DASK_DISTRIBUTED__WORKER__DAEMON=False dask worker tcp://HOST:8786 --nthreads 1 --preload briefgen.pdf.dask_executor

Only the standard library and briefgen's plain modules are imported here; `distributed` when connecting.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import importlib.metadata
import multiprocessing
import re
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from briefgen import __version__
from briefgen.errors import ExitCode, RenderError, UsageError
from briefgen.pdf.job import PdfFailure, PdfJob, RenderedPdf

if TYPE_CHECKING:
    from briefgen.pdf.workers import Workers

URL = re.compile(r"^dask://(?P<address>[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):(?P<port>[0-9]{1,5})$")
INSTALL_HINT = 'the Dask executor needs Dask: pip install "briefgen[dask]"'
CONNECT_SECONDS = 10
WAIT_SECONDS = 10  # how often a build waiting for renders checks that a worker that may render them is left
NOT_DAEMONIC = (
    "the Dask worker runs as a daemonic process, which may not start briefgen's render process: start it "
    "with DASK_DISTRIBUTED__WORKER__DAEMON=False (distributed.worker.daemon: false)"
)


def scheduler_address(url: str) -> str:
    """`dask://HOST:PORT` as Dask's `tcp://HOST:PORT`. Raises `UsageError` for anything else."""
    match = URL.match(url)
    if match is None or not 0 < int(match["port"]) < 65536:
        raise UsageError(f"--executor {url}: expected local or dask://HOST:PORT (e.g. dask://127.0.0.1:8786)")
    return f"tcp://{match['address']}:{match['port']}"


@dataclass(frozen=True)
class Environment:
    """What makes a PDF's bytes besides its job: briefgen, WeasyPrint and the fonts fontconfig offers."""

    briefgen: str
    weasyprint: str
    fonts: str  # SHA-256 of every font's family, style, version and file name

    def differences(self, other: Environment) -> list[str]:
        """What differs from `other`, phrased as "NAME X here, Y there"."""
        return [
            f"{name} {mine} here, {theirs} there"
            for name, mine, theirs in (
                ("briefgen", self.briefgen, other.briefgen),
                ("WeasyPrint", self.weasyprint, other.weasyprint),
                ("font set", self.fonts[:12], other.fonts[:12]),
            )
            if mine != theirs
        ]

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.briefgen}\0{self.weasyprint}\0{self.fonts}".encode()).hexdigest()


class _FontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.POINTER(ctypes.c_void_p))]


def font_fingerprint() -> str:
    """A hash of the font set fontconfig gives WeasyPrint (the same configuration files and environment)."""
    name = ctypes.util.find_library("fontconfig") or "libfontconfig.so.1"
    library = ctypes.CDLL(name)
    library.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    library.FcConfigGetFonts.restype = ctypes.POINTER(_FontSet)
    library.FcConfigGetFonts.argtypes = [ctypes.c_void_p, ctypes.c_int]
    library.FcPatternFormat.restype = ctypes.c_void_p
    library.FcPatternFormat.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    library.FcStrFree.argtypes = [ctypes.c_void_p]
    library.FcConfigDestroy.argtypes = [ctypes.c_void_p]
    config = library.FcInitLoadConfigAndFonts()
    lines = []
    try:
        fonts = library.FcConfigGetFonts(config, 0)  # FcSetSystem
        for index in range(fonts.contents.nfont if fonts else 0):
            text = library.FcPatternFormat(
                fonts.contents.fonts[index], b"%{family}|%{style}|%{fontversion}|%{file}|%{index}"
            )
            if text:
                raw = ctypes.string_at(text).decode("utf-8", "replace")
                library.FcStrFree(text)
                family, style, version, path, face = raw.split("|", 4)
                lines.append(f"{family}|{style}|{version}|{path.rsplit('/', 1)[-1]}|{face}")
    finally:
        library.FcConfigDestroy(config)
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()


@functools.cache
def environment() -> Environment:
    """This process's environment, read once (WeasyPrint's version without importing it)."""
    return Environment(__version__, importlib.metadata.version("weasyprint"), font_fingerprint())


def worker_report() -> Environment | str:
    """Run on each worker when a build connects: its environment, or why it cannot render."""
    if multiprocessing.current_process().daemon:
        return NOT_DAEMONIC
    return environment()


def dask_setup(worker: Any) -> None:
    """`dask worker --preload briefgen.pdf.dask_executor`: stop at once, with the reason, if this worker cannot
    render (see `NOT_DAEMONIC`), rather than fail every job later."""
    if multiprocessing.current_process().daemon:
        raise RuntimeError(f"briefgen: {NOT_DAEMONIC}")


_local = threading.local()  # each task thread of a worker keeps its own warm render process


def render_on_worker(job: PdfJob, expected: Environment) -> tuple[RenderedPdf | PdfFailure, str]:
    """The task a build submits: render `job` in this worker's render process; return the outcome (a
    failure is a value) and this worker's address."""
    from distributed import get_worker

    address = str(get_worker().address)
    differences = expected.differences(environment())
    if differences:
        message = f"{job.label}: the Dask worker {address} was refused: {'; '.join(differences)}"
        return PdfFailure(message, ExitCode.RENDER_FAILED), address
    renderer: Workers | None = getattr(_local, "renderer", None)
    if renderer is None:
        from briefgen.pdf.workers import Workers

        # "spawn": a Dask worker runs threads, which forking could copy mid-lock.
        renderer = _local.renderer = Workers(1, method="spawn")
    renderer.submit(0, job)
    finished: list[tuple[int, RenderedPdf | PdfFailure]] = []
    while not finished:
        finished = renderer.completed()
    return finished[0][1], address


@dataclass
class _Wanted:
    future: Any  # distributed.Future
    label: str
    keys: list[int]  # the build's keys waiting for this render


class DaskRenderer:
    """PDF renders on the Dask cluster at `url` (`dask://HOST:PORT`), with the `Workers` protocol: at most
    `capacity` (the matching workers' threads) at once. Raises `UsageError` without Dask or for a malformed
    URL, `RenderError` when the scheduler cannot be reached or no worker can render."""

    def __init__(self, url: str) -> None:
        address = scheduler_address(url)
        try:
            from distributed import Client
        except ImportError:
            raise UsageError(INSTALL_HINT) from None
        try:
            self._client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise RenderError(f"--executor {url}: cannot reach the Dask scheduler at {address} ({exc})") from None
        self._environment = environment()
        try:
            self._workers = self._matching_workers()
        except BaseException:
            self._client.close()
            raise
        if not self._workers:
            self._client.close()
            raise RenderError(f"--executor {url}: no Dask worker at {address} can render this desk's PDFs")
        threads = self._client.scheduler_info(n_workers=-1)["workers"]
        self.capacity = sum(int(threads[w].get("nthreads", 1)) for w in self._workers if w in threads)
        # Renders go to the matching workers only when some were refused; else to any worker, so that a
        # worker Dask restarts (at a new address) still gets work. Each job checks its worker again.
        self._only = self._workers if len(self._workers) < len(threads) else None
        self._wanted: dict[str, _Wanted] = {}
        self._renderers: set[str] = set()

    def _matching_workers(self) -> list[str]:
        """The workers whose environment is this machine's; the others are refused, each with its reason."""
        reports = self._client.run(worker_report, on_error="return")
        matching = []
        for worker, report in sorted(reports.items()):
            if isinstance(report, Environment):
                differences = self._environment.differences(report)
                reason = "; ".join(differences)
            elif isinstance(report, str):
                reason = report
            else:
                reason = f"briefgen cannot run there ({type(report).__name__}: {report})"
            if reason:
                print(f"briefgen: warning: the Dask worker {worker} is refused: {reason}", file=sys.stderr)
            else:
                matching.append(worker)
        return matching

    @property
    def used(self) -> int:
        """How many workers have rendered something."""
        return len(self._renderers)

    def submit(self, key: int, job: PdfJob) -> None:
        """Submit a render under its input hash; an identical one already wanted is not submitted again."""
        name = "briefgen-pdf-" + hashlib.sha256(f"{job.input_hash()}\0{self._environment.digest}".encode()).hexdigest()
        wanted = self._wanted.get(name)
        if wanted is None:
            future = self._client.submit(
                render_on_worker, job, self._environment, key=name, workers=self._only, allow_other_workers=False
            )
            wanted = self._wanted[name] = _Wanted(future, job.label, [])
        wanted.keys.append(key)

    def completed(self) -> list[tuple[int, RenderedPdf | PdfFailure]]:
        """Wait until at least one render is back; return every finished one's outcome, releasing it."""
        from distributed import wait

        if not self._wanted:
            return []
        while True:
            try:
                with self._client.as_current():
                    done, _ = wait([w.future for w in self._wanted.values()], WAIT_SECONDS, "FIRST_COMPLETED")
                break
            except TimeoutError:
                if self._only is not None and not set(self._only) & set(self._client.scheduler_info()["workers"]):
                    return self._abandon("every Dask worker that matched this machine has left the cluster")
        finished: list[tuple[int, RenderedPdf | PdfFailure]] = []
        for future in done:
            wanted = self._wanted.pop(future.key)
            outcome: RenderedPdf | PdfFailure
            if future.status == "finished":
                outcome, worker = future.result()
                self._renderers.add(worker)
            else:
                error = future.exception() if future.status == "error" else None
                reason = f"{type(error).__name__}: {error}" if error is not None else f"the render was {future.status}"
                outcome = PdfFailure(
                    f"{wanted.label}: the Dask cluster could not render the PDF ({reason})", ExitCode.RENDER_FAILED
                )
            future.release()
            finished += [(key, outcome) for key in wanted.keys]
        return finished

    def _abandon(self, reason: str) -> list[tuple[int, RenderedPdf | PdfFailure]]:
        """Fail every render still wanted, with `reason`."""
        failed: list[tuple[int, RenderedPdf | PdfFailure]] = [
            (key, PdfFailure(f"{wanted.label}: {reason}", ExitCode.RENDER_FAILED))
            for wanted in self._wanted.values()
            for key in wanted.keys
        ]
        self.terminate()
        return failed

    def close(self) -> None:
        """Release every render still wanted and disconnect."""
        for wanted in self._wanted.values():
            wanted.future.release()
        self._wanted.clear()
        if self._client.status != "closed":
            self._client.close()

    def terminate(self) -> None:
        """Cancel every render still wanted and disconnect (Ctrl-C)."""
        futures = [w.future for w in self._wanted.values()]
        if futures:
            self._client.cancel(futures, force=True)
        self._wanted.clear()
        if self._client.status != "closed":
            self._client.close()
