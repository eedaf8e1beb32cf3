"""The desk's side of ingest: what it already holds, `drafts/` on disk, `--accept` and draft listings.

Drafts are written only to `DESK/drafts/<id>.yaml`, never over a file, never through a symbolic link
(each file is created exclusively); `--accept` moves a draft to `sources/<id>.yaml` the same way, and
only when it validates as a source record and its review list is empty. An input whose bytes or
paragraphs match a draft or source already in the desk is refused ("already drafted as ...").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from briefgen.desk.checks import paragraphs
from briefgen.desk.gazetteer import load_gazetteer
from briefgen.desk.loader import Desk, RecordFile, validation_diagnostics
from briefgen.desk.models import SourceRecord
from briefgen.desk.reader import ReadError, decode, parse_record_text
from briefgen.errors import DeskError, Diagnostic, OutputError, UsageError
from briefgen.ingest.draft import DeskContext, Draft, KnownSource
from briefgen.ingest.drafts import DRAFTS, DraftFile, read_drafts
from briefgen.ingest.names import desk_names
from briefgen.ingest.paragraphs import key
from briefgen.ingest.rawinput import InputError

HEADER = (
    "# Draft made by `briefgen ingest` from {file}. Review it: settle every item of ingest.review (then\n"
    "# delete it), then run: briefgen ingest --accept {rel}\n"
)


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line text as literal blocks, keys in the order given."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and not any(line != line.rstrip() for line in value.split("\n")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


def to_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def _known(desk: Desk, drafts: list[DraftFile]) -> tuple[KnownSource, ...]:
    known: list[KnownSource] = []
    for entry in desk.sources:
        source, ingested = entry.record.source, entry.record.ingest
        keys = tuple(key(p) for p in paragraphs(source.text)) if source.text else ()
        raw_sha, text_sha = (ingested.raw_sha256, ingested.text_sha256) if ingested else (None, None)
        known.append(KnownSource(source.id, entry.file.rel, keys, raw_sha, text_sha))
    for draft in drafts:
        fields, block = draft.data.get("source"), draft.data.get("ingest")
        draft_id = str(fields.get("id") if isinstance(fields, dict) else Path(draft.rel).stem)
        hashes = [block.get(name) if isinstance(block, dict) else None for name in ("raw_sha256", "text_sha256")]
        known.append(KnownSource(draft_id, draft.rel, (), *(str(h) if h else None for h in hashes)))
    return tuple(known)


def desk_context(desk: Desk, languages: tuple[str, ...]) -> DeskContext:
    gazetteer = load_gazetteer(desk.root, desk.settings.limits.max_file_size)
    names = desk_names(gazetteer, [entry.record for entry in desk.sources])
    return DeskContext(languages, names, _known(desk, read_drafts(desk.root)))


def refuse_repeat(name: str, raw_sha256: str, draft: Draft, context: DeskContext) -> None:
    for known in context.known:
        if raw_sha256 == known.raw_sha256 or draft.text_sha256 == known.text_sha256:
            raise InputError(f"{name}: already drafted as {known.id!r} ({known.rel})")


def _create(path: Path, text: str, root: Path) -> None:
    """Write a new file exclusively (never over a file or through a link), inside `root`."""
    folder = path.parent
    if folder.is_symlink() or (folder.exists() and not folder.resolve().is_relative_to(root.resolve())):
        raise OutputError(f"{folder}: is a symbolic link or outside the desk; refusing to write there")
    folder.mkdir(exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except FileExistsError:
        raise OutputError(f"{path}: already exists; ingest never overwrites a file") from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written: {exc.strerror}") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def write_draft(root: Path, draft: Draft, file: str) -> Path:
    rel = f"{DRAFTS}/{draft.id}.yaml"
    path = root / rel
    _create(path, HEADER.format(file=file, rel=rel) + to_yaml(draft.data), root)
    return path


def accept(root: Path, path: Path, taken: set[str]) -> Path:
    """Move one reviewed draft into sources/; refuse it, naming file and line, while it is not ready."""
    drafts = (root / DRAFTS).resolve()
    if path.is_symlink() or not path.is_file():
        raise UsageError(f"{path}: not a regular file (expected a draft under {root / DRAFTS})")
    if path.resolve().parent != drafts:
        raise UsageError(f"{path}: not a draft of the desk {root} (expected {root / DRAFTS}/ID.yaml)")
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    raw = path.read_bytes()
    try:
        parsed = parse_record_text(decode(raw), is_json=False)
    except ReadError as exc:
        raise DeskError([Diagnostic(rel, exc.line, "", exc.message, code="unreadable")]) from None
    file = RecordFile(rel, parsed.lines)
    try:
        record = SourceRecord.model_validate(parsed.data)
    except ValidationError as exc:
        raise DeskError(validation_diagnostics(exc, SourceRecord, file)) from None
    if record.ingest and record.ingest.review:
        count = len(record.ingest.review)
        raise DeskError(
            [
                file.diagnostic(
                    ("ingest", "review"), f"{count} open review item{'s' * (count != 1)}: settle and delete them first"
                )
            ]
        )
    if record.source.id in taken:
        raise DeskError([file.diagnostic(("source", "id"), f"source id {record.source.id!r} is already in the desk")])
    target = root / "sources" / f"{record.source.id}.yaml"
    text = decode(raw)
    header = HEADER.format(file=record.ingest.file if record.ingest else "", rel=rel)
    _create(target, text.removeprefix(header), root)
    path.unlink()
    return target
