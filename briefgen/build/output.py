"""Write outputs atomically: a temporary file in the same folder, flushed, synced and renamed.

A reader never sees half a file, a failure leaves the earlier file as it was, and a symlink at the output
path is replaced rather than written through.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from briefgen.errors import OutputError

LOCK_NAME = ".briefgen.lock"


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the file is complete or removed: then they take effect."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_atomic(path: Path, data: bytes) -> None:
    with _interrupts_deferred():
        _write_atomic(path, data)


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise


@contextlib.contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold `out/.briefgen.lock` for the whole build: a second build on the same output folder stops at once
    with a clear message instead of writing beside the first."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = os.open(out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 64, 0).decode("ascii", "replace").strip() or "unknown"
            raise OutputError(
                f"another briefgen build is writing to {out_dir} (process {holder}); "
                "wait for it to finish, then run this build again"
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
        os.ftruncate(handle, 0)
    finally:
        os.close(handle)  # closing releases the lock


def remove_stale_temporaries(out_dir: Path) -> None:
    """Remove temporary files a killed build left behind (they are never outputs)."""
    if not out_dir.is_dir():
        return
    for folder in (out_dir, *(p for p in out_dir.iterdir() if p.is_dir() and not p.is_symlink())):
        for temporary in folder.glob(".*.tmp"):
            if temporary.is_file() and not temporary.is_symlink():
                temporary.unlink(missing_ok=True)
