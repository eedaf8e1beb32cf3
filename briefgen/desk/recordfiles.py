"""The files of a desk's record folders (`sources/`, `briefs/`, `lists/`), found in one walk of each, and
read only inside the desk: what a folder holds and is not read (a note, a link to a folder) is said, never
passed over in silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefgen.desk.layout import RECORD_SUFFIXES
from briefgen.desk.reader import ReadError, decode
from briefgen.errors import Diagnostic, Severity


@dataclass(frozen=True)
class RecordFolder:
    records: list[Path]  # its record files, by path in the desk
    not_read: list[Diagnostic]  # what else it holds


def record_folder(root: Path, folder: str, *, recursive: bool) -> RecordFolder:
    """A record folder's record files; a note for each other file (a Markdown note in `sources/`); and each
    link to a folder, which is never followed: one that leads out of the desk is an error, as a record
    file's link is (its records would silently be missing), one that leads to a folder of the desk a
    warning (its records are read where they are, if in a record folder)."""
    base = root / folder
    if not base.is_dir():
        return RecordFolder([], [])
    entries = list(base.glob("**/*" if recursive else "*"))
    shown = [p for p in entries if not p.name.startswith(".")]
    records = sorted((p for p in shown if p.suffix in RECORD_SUFFIXES), key=lambda p: p.relative_to(root).as_posix())
    expected = ", ".join(sorted(RECORD_SUFFIXES))
    not_read = [
        Diagnostic(rel, 0, "", f"not a record file ({expected}): not read", Severity.NOTE, "not-a-record")
        for rel in sorted(
            p.relative_to(root).as_posix() for p in shown if p.is_file() and p.suffix not in RECORD_SUFFIXES
        )
    ]
    desk = root.resolve()
    for path in sorted(p for p in entries if p.is_symlink() and p.is_dir()):
        rel = path.relative_to(root).as_posix()
        resolved = path.resolve()
        if resolved.is_relative_to(desk):
            message = f"a link to the desk's folder {resolved.relative_to(desk).as_posix()}/: not followed"
            not_read.append(Diagnostic(rel, 0, "", message, Severity.WARNING, "linked-folder"))
        else:
            message = f"links outside the desk (to {resolved}); record folders must live in the desk"
            not_read.append(Diagnostic(rel, 0, "", message, code="unreadable"))
    return RecordFolder(records, not_read)


def read_desk_text(path: Path, root: Path, rel: str, max_size: int) -> str:
    """A desk file's text (a record, the settings): a regular file inside the desk (a link is followed only
    there), at most `max_size` bytes, strict UTF-8."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise ReadError(f"{rel} links outside the desk (to {resolved}); record files must live in the desk")
    if not resolved.is_file():
        raise ReadError("not a regular file")
    size = resolved.stat().st_size
    if size > max_size:
        raise ReadError(f"file is {size} bytes; the limit is {max_size} bytes ([limits] max_file_size)")
    with resolved.open("rb") as handle:
        raw = handle.read(max_size + 1)
    return decode(raw)
