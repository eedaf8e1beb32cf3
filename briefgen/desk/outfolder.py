"""Safe access to the output folder: every read and write under `out/` goes through `OutFolder`.

Files in `out/` are untrusted (anyone who can write there could plant a symlink), so nothing here
follows a symlink: folders are opened with `O_NOFOLLOW | O_DIRECTORY` and every file is opened, created,
renamed and removed relative to its folder's descriptor (`dir_fd`), so a link swapped in between a check
and a use cannot redirect a write either. Files are written to a temporary file in the same folder,
synced and renamed; reads are bounded and accept only regular files. Ctrl-C and SIGTERM are held while
a file is renamed into place.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from briefgen.desk.layout import OutLayout
from briefgen.errors import OutputError

MAX_STATE_BYTES = 64 * 1024 * 1024  # the largest file of state (an earlier edition's JSON, the send log) read back
_DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the file is complete or removed: then they take effect."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _refusal(path: Path, exc: OSError) -> OutputError:
    if exc.errno in (getattr(os, "ELOOP", 40), getattr(os, "ENOTDIR", 20)):
        return OutputError(f"{path}: is a symbolic link (or not a folder); briefgen does not follow links in out/")
    return OutputError(f"{path}: cannot write: {exc.strerror or exc}")


class OutFolder:
    """One folder under the output folder, held open by descriptor."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> OutFolder:
        """Open the output folder itself (created when missing); a symlink there is refused."""
        try:
            if create and not os.path.lexists(path):
                path.mkdir(parents=True, exist_ok=True)
            return cls(path, os.open(path, _DIRECTORY_FLAGS))
        except OSError as exc:
            raise _refusal(path, exc) from None

    @classmethod
    def open_existing(cls, path: Path) -> OutFolder | None:
        """Open the output folder for reading only; None when there is none yet."""
        if not os.path.lexists(path):
            return None
        return cls.open(path, create=False)

    def folder(self, name: str, *, create: bool = True) -> OutFolder | None:
        """A subfolder (created when missing and `create`); None when absent and not created."""
        path = self.path / name
        try:
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, 0o755, dir_fd=self.fd)
            return OutFolder(path, os.open(name, _DIRECTORY_FLAGS, dir_fd=self.fd))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _refusal(path, exc) from None

    def close(self) -> None:
        os.close(self.fd)

    def __enter__(self) -> OutFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading -----------------------------------------------------------------------------------

    def names(self) -> list[str]:
        return sorted(os.listdir(self.fd))

    def day_folders(self) -> Iterator[tuple[date, OutFolder]]:
        """Each `<date>` folder of the output folder (never a link), opened while the caller uses it."""
        for name in self.names():
            day = OutLayout.parse_day(name)
            if day is None or self.kind(name) != "folder":
                continue
            folder = self.folder(name, create=False)
            if folder is not None:
                with folder:
                    yield day, folder

    def kind(self, name: str) -> str | None:
        """`file`, `folder`, `link`, `other`, or None when absent (never follows a link)."""
        try:
            mode = os.stat(name, dir_fd=self.fd, follow_symlinks=False).st_mode
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(mode):
            return "link"
        return "file" if stat.S_ISREG(mode) else "folder" if stat.S_ISDIR(mode) else "other"

    def read(self, name: str, limit: int = MAX_STATE_BYTES) -> bytes | None:
        """A regular file's bytes (None when absent). A link, a special file or one above `limit` bytes is an
        `OutputError` naming it: state in out/ is never trusted to be what it seems."""
        path = self.path / name
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=self.fd)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise OutputError(f"{path}: cannot be read: {_reason(exc)}") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise OutputError(f"{path}: cannot be read: not a regular file")
            if info.st_size > limit:
                raise OutputError(f"{path}: cannot be read: {info.st_size:,} bytes, above the limit of {limit:,}")
            chunks, size = [], 0
            while chunk := os.read(fd, 1024 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    raise OutputError(f"{path}: cannot be read: above the limit of {limit:,} bytes")
            return b"".join(chunks)
        finally:
            os.close(fd)

    # --- writing -----------------------------------------------------------------------------------

    def stage(self, name: str, data: bytes) -> str:
        """Write `data` to a new temporary file beside `name` (synced); returns the temporary's name."""
        temporary = f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(
                temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=self.fd
            )
        except OSError as exc:
            raise _refusal(self.path / name, exc) from None
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        except BaseException as exc:
            self.discard([temporary])
            if isinstance(exc, OSError):
                raise OutputError(f"{self.path / name}: cannot write: {exc.strerror or exc}") from None
            raise
        return temporary

    def discard(self, temporaries: list[str]) -> None:
        for temporary in temporaries:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary, dir_fd=self.fd)

    def commit(
        self,
        renames: Sequence[tuple[str, str]],
        *,
        first_remove: Sequence[str] = (),
        remove: Sequence[str] = (),
        last: tuple[str, str] | None = None,
    ) -> None:
        """Remove `first_remove`, rename staged temporaries into place, remove `remove`, then rename `last`:
        one step with Ctrl-C held until it is done. A link at a final name is replaced, never written
        through (a rename replaces the name itself)."""
        with interrupts_deferred():
            try:
                for name in first_remove:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(name, dir_fd=self.fd)
                for temporary, name in renames:
                    os.rename(temporary, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
                for name in remove:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(name, dir_fd=self.fd)
                if last is not None:
                    os.rename(last[0], last[1], src_dir_fd=self.fd, dst_dir_fd=self.fd)
                os.fsync(self.fd)
            except OSError as exc:
                self.discard([temporary for temporary, _ in [*renames, *([last] if last else [])]])
                raise OutputError(f"{self.path}: cannot write: {exc.strerror or exc}") from None

    def write(self, name: str, data: bytes) -> Path:
        """Write one file atomically."""
        self.commit([(self.stage(name, data), name)])
        return self.path / name

    def remove(self, name: str) -> None:
        with interrupts_deferred(), contextlib.suppress(FileNotFoundError):
            os.unlink(name, dir_fd=self.fd)

    def append(self, name: str, data: bytes) -> None:
        """Append to a log file (created when missing), synced; a link there is refused."""
        path = self.path / name
        try:
            fd = os.open(
                name, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=self.fd
            )
        except OSError as exc:
            raise _refusal(path, exc) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OutputError(f"{path}: cannot write: not a regular file")
            os.write(fd, data)
            os.fsync(fd)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        finally:
            os.close(fd)

    def remove_stale_temporaries(self, *, depth: int = 1) -> None:
        """Remove temporary files a killed build left behind (they are never outputs), here and in the
        folders `depth` levels down (the day folders, where editions and their manifests are written)."""
        for name in self.names():
            kind = self.kind(name)
            if name.startswith(".") and name.endswith(".tmp") and kind == "file":
                self.remove(name)
            elif kind == "folder" and depth > 0:
                sub = self.folder(name, create=False)
                if sub is not None:
                    with sub:
                        sub.remove_stale_temporaries(depth=depth - 1)

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Hold an exclusive lock file for the whole block: a second holder stops at once with a clear
        message instead of writing beside the first."""
        import fcntl

        path = self.path / name
        try:
            fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=self.fd)
        except OSError as exc:
            raise _refusal(path, exc) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OutputError(f"{path}: cannot write: not a regular file")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
                raise OutputError(
                    f"another briefgen build is writing to {self.path} (process {holder}); "
                    "wait for it to finish, then run this build again"
                ) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            yield
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing releases the lock


def _reason(exc: OSError) -> str:
    if exc.errno == getattr(os, "ELOOP", 40):
        return "is a symbolic link (briefgen does not follow links in out/)"
    return exc.strerror or str(exc)
