"""An edition's manifest: the record of what its last successful build wrote, and the commit of that build.

`out/<date>/.<brief>.edition.json` names the edition's fingerprint, its formats and marking, every file
it wrote with its SHA-256, and its email editions by list. An edition is written all or nothing: every
output goes to a temporary file first; then the old manifest is removed, the temporaries are renamed into
place, the edition's files this build no longer produces (an email edition for a list that is no longer
named or cleared, a format no longer built) are removed, and the new manifest is renamed into place last.
Whatever stops a build in between leaves no manifest, so nothing is taken as built (the next build
rebuilds the edition, `send` refuses it) and no file of an earlier build is mistaken for this one's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from briefgen.desk.layout import EditionKey, OutLayout
from briefgen.desk.outfolder import OutFolder
from briefgen.errors import OutputError

MANIFEST_VERSION = 1
_EDITION_EXTENSIONS = ("html", "pdf", "json", "txt", "stix.json", "csl.json", "inputs")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Manifest:
    key: EditionKey
    fingerprint: str
    formats: tuple[str, ...]
    marking: str
    files: dict[str, str] = field(default_factory=dict)  # file name in the date folder -> SHA-256
    emails: dict[str, str] = field(default_factory=dict)  # list id -> file name
    revision: int = 1  # see `briefgen.build.revisions`
    content: str = ""  # SHA-256 of the JSON edition: what a correction is measured against

    def to_bytes(self) -> bytes:
        data = {
            "manifest": MANIFEST_VERSION,
            "brief": self.key.brief_id,
            **({"audience": self.key.audience} if self.key.audience else {}),
            "date": self.key.date.isoformat(),
            "fingerprint": self.fingerprint,
            "formats": list(self.formats),
            "marking": self.marking,
            "files": dict(sorted(self.files.items())),
            "emails": dict(sorted(self.emails.items())),
            "revision": self.revision,
            "content": self.content,
        }
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> Manifest:
        """Parse a manifest; raises ValueError (with the reason) when it is not a valid one."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not valid JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("manifest") != MANIFEST_VERSION:
            raise ValueError("not a briefgen edition manifest")
        try:
            files, emails = data["files"], data["emails"]
            if not (isinstance(files, dict) and isinstance(emails, dict)):
                raise TypeError("files and emails must be mappings")
            manifest = cls(
                EditionKey(str(data["brief"]), date.fromisoformat(str(data["date"])), str(data.get("audience", ""))),
                str(data["fingerprint"]),
                tuple(str(f) for f in data["formats"]),
                str(data["marking"]),
                {str(k): str(v) for k, v in files.items()},
                {str(k): str(v) for k, v in emails.items()},
                _revision(data.get("revision", 1)),
                str(data.get("content", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed manifest ({exc})") from None
        if any(name not in manifest.files for name in manifest.emails.values()):
            raise ValueError("an email edition it names is not among its files")
        return manifest


def _revision(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 999_999:
        raise ValueError(f"revision must be a whole number from 1; got {value!r}")
    return value


def read_manifest(folder: OutFolder, key: EditionKey) -> Manifest | None:
    """The edition's manifest; None when absent or not valid (the edition then counts as not built)."""
    try:
        raw = folder.read(OutLayout.manifest_file(key), limit=1024 * 1024)
        return Manifest.from_bytes(raw) if raw is not None else None
    except (OutputError, ValueError):
        return None


def intact(folder: OutFolder, manifest: Manifest) -> bool:
    """Whether every file the manifest names is there, with the bytes it recorded."""
    for name, digest in manifest.files.items():
        try:
            data = folder.read(name, limit=1 << 40)
        except OutputError:
            return False
        if data is None or sha256(data) != digest:
            return False
    return True


def edition_files(folder: OutFolder, key: EditionKey) -> list[str]:
    """The files in the date folder that belong to this edition (its outputs of any format, its email
    editions for any list, an older version's stamp)."""
    found = []
    for name in folder.names():
        parsed = OutLayout.parse_edition_file(name.lstrip("."))
        if (parsed is not None and parsed[0] == key.stem and parsed[1] in _EDITION_EXTENSIONS) or OutLayout.is_email_of(
            key, name
        ):
            found.append(name)
    return found


def commit_edition(folder: OutFolder, manifest: Manifest, outputs: dict[str, bytes]) -> list[Path]:
    """Write an edition all or nothing (see the module's docstring); returns the paths written."""
    staged: list[tuple[str, str]] = []
    try:
        for name, data in outputs.items():
            staged.append((folder.stage(name, data), name))
        staged_manifest = folder.stage(OutLayout.manifest_file(manifest.key), manifest.to_bytes())
    except BaseException:
        folder.discard([temporary for temporary, _ in staged])
        raise
    stale = [name for name in edition_files(folder, manifest.key) if name not in outputs]
    folder.commit(
        staged,
        first_remove=[OutLayout.manifest_file(manifest.key)],
        remove=stale,
        last=(staged_manifest, OutLayout.manifest_file(manifest.key)),
    )
    return [folder.path / name for name in outputs]
