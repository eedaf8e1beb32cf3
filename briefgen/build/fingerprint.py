"""Fingerprints of an edition's inputs: what decides whether an edition must be built again.

An edition's fingerprint covers briefgen's version, the formats, the settings, every template (built-in
and the desk's), the distribution lists, the bytes of every record file the edition reads and the JSON
of the previous edition it compares with. It is stamped in the edition's manifest by the build that
wrote the edition; a build whose fingerprint equals it has nothing to do, and `send` delivers only what
the current records would build.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from briefgen import __version__
from briefgen.desk.gazetteer import GAZETTEER_FILE
from briefgen.desk.layout import DeskLayout
from briefgen.desk.vocabulary import OutputFormat
from briefgen.render.builtin import builtin_templates_dir


def _contents(path: Path, root: Path) -> bytes:
    """A file's bytes, if it is a regular file inside `root` (links out, FIFOs and devices are never read)."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root) or not resolved.is_file():
        return b"<not a desk file>"
    return resolved.read_bytes()


def _files_digest(paths: Iterable[tuple[str, Path]], root: Path) -> hashlib._Hash:
    digest = hashlib.sha256()
    root = root.resolve()
    for name, path in sorted(paths):
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(_contents(path, root) if path.exists() else b"<missing>")
        digest.update(b"\0")
    return digest


def shared_fingerprint(layout: DeskLayout, formats: Iterable[OutputFormat]) -> str:
    """The fingerprint of what every edition of a desk shares: version, formats, settings, gazetteer,
    templates, lists."""
    builtin = builtin_templates_dir()
    digest = _files_digest(
        [(f"builtin/{p.relative_to(builtin)}", p) for p in builtin.rglob("*") if p.is_file()], builtin
    )
    files: list[tuple[str, Path]] = [("settings", layout.settings)]
    gazetteer = layout.root / GAZETTEER_FILE  # its outlets' names decide which sources are one originator
    if gazetteer.is_file():
        files.append(("gazetteer", gazetteer))
    if layout.templates.is_dir():
        files += [(f"desk/{p.relative_to(layout.templates)}", p) for p in layout.templates.rglob("*") if p.is_file()]
    lists = layout.folder("lists")
    if lists.is_dir():
        files += [(f"lists/{p.name}", p) for p in lists.iterdir() if p.is_file()]
    digest.update(_files_digest(files, layout.root).digest())
    digest.update(f"briefgen {__version__}; formats {','.join(f.value for f in formats)}".encode())
    return digest.hexdigest()


def edition_fingerprint(
    layout: DeskLayout, files: Iterable[str], shared: str, previous_json: bytes | None, audience: str = ""
) -> str:
    """The fingerprint of one edition: its record files (desk-relative), the shared part, its previous JSON
    and, for an audience's edition, the audience."""
    digest = _files_digest(((name, layout.root / name) for name in files), layout.root)
    if audience:
        digest.update(f"audience {audience}\0".encode())
    digest.update(shared.encode("ascii"))
    digest.update(previous_json if previous_json is not None else b"<first edition>")
    return digest.hexdigest()
