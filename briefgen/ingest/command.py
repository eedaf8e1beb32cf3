"""`briefgen ingest FILE...` and `briefgen ingest --accept DRAFT...`: the steps in order, per input.

Every input is tried; each refused one is reported on one line (file, and line when known) and the
command exits 1 after the others are written. Nothing is written outside `drafts/` (and `sources/` on
`--accept`); `--dry-run` and `--format json` write nothing at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from briefgen.desk.loader import load_desk
from briefgen.desk.models import SourceDocument
from briefgen.errors import BriefgenError, DeskError, Diagnostic, ExitCode, UsageError
from briefgen.ingest.deskfiles import accept, desk_context, refuse_repeat, to_yaml, write_draft
from briefgen.ingest.draft import KnownSource, Options, make_draft
from briefgen.ingest.rawinput import read_input


class IngestFailed(BriefgenError):
    """Some inputs were refused; each has been reported."""

    exit_code = ExitCode.BAD_DATA


def ingest(
    root: Path,
    files: list[Path | None],
    options: Options,
    *,
    output: str,
    dry_run: bool,
    say: Callable[[str], None],
    err: Callable[[str], None],
) -> None:
    """Draft every input into `root/drafts/` (or print it, with `--format json` or `--dry-run`)."""
    _check_options(options)
    desk = load_desk(root)
    context = desk_context(desk, tuple(desk.settings.desk.languages))
    failed = 0
    for path in files:
        try:
            raw = read_input(path, desk.settings.limits.max_file_size)
            draft = make_draft(raw, options, context)
            refuse_repeat(raw.name, raw.sha256, draft, context)
        except BriefgenError as exc:
            err(f"briefgen: error: {exc.message}")
            failed += 1
            continue
        if output == "json":
            say(json.dumps(draft.data, indent=2, ensure_ascii=False))
        elif dry_run:
            say(to_yaml(draft.data))
        else:
            written = write_draft(root, draft, raw.name.rsplit("/", 1)[-1])
            say(
                f"drafted {written.relative_to(root).as_posix()}: {draft.review} review item{'s' * (draft.review != 1)}"
            )
        known = KnownSource(draft.id, f"{raw.name}", (), raw.sha256, draft.text_sha256)
        context = replace(context, known=(*context.known, known))  # a later input may repeat this one
    if failed:
        raise IngestFailed(f"{failed} of {len(files)} input{'s' * (len(files) != 1)} refused")


_OPTION_NAMES = {"url": "--url", "accessed": "--accessed", "language": "--lang", "outlet": "--outlet", "type": "--type"}


def _check_options(options: Options) -> None:
    """The options that become fields must be valid values of those fields (a usage error otherwise)."""
    given = {name: getattr(options, name) for name in _OPTION_NAMES if getattr(options, name) is not None}
    try:
        SourceDocument.model_validate({"id": "x", "title": "x", **given})
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        name = str(error["loc"][0])
        message = str((error.get("ctx") or {}).get("error", error["msg"]))
        raise UsageError(f"{_OPTION_NAMES.get(name, name)} {given.get(name)!r}: {message}") from None


def accept_drafts(root: Path, drafts: list[Path], say: Callable[[str], None]) -> None:
    """Move each reviewed draft into `sources/`; every refusal is reported, then the command fails."""
    desk = load_desk(root)
    taken = {entry.record.source.id for entry in desk.sources}
    problems: list[Diagnostic] = []
    for path in drafts:
        try:
            target = accept(root, path, taken)
        except DeskError as exc:
            problems.extend(exc.diagnostics)
            continue
        taken.add(target.stem)
        say(f"accepted {path} -> {target.relative_to(root).as_posix()}")
    if problems:
        raise IngestFailed("\n".join(str(p) for p in problems))
