"""The desk's drafts as `briefgen validate` lists them: each draft and its open review items, by line.

Read loosely (a draft need not validate yet) and with the core modules only, so that listing drafts
costs `validate` nothing of ingest's own libraries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.desk.reader import ReadError, decode, parse_record_text
from briefgen.errors import Diagnostic

DRAFTS = "drafts"


@dataclass(frozen=True)
class DraftFile:
    """A draft on disk, read loosely (it need not validate yet)."""

    rel: str
    data: dict[str, Any]
    review: tuple[Diagnostic, ...]


def read_drafts(root: Path) -> list[DraftFile]:
    """Every readable draft of the desk, with its open review items located by line."""
    folder = root / DRAFTS
    if not folder.is_dir() or folder.is_symlink():
        return []
    found: list[DraftFile] = []
    for path in sorted(folder.glob("*.yaml")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink() or not path.is_file():
            continue
        try:
            parsed = parse_record_text(decode(path.read_bytes()), is_json=False)
        except ReadError as exc:
            found.append(DraftFile(rel, {}, (Diagnostic(rel, exc.line, "", exc.message, code="unreadable"),)))
            continue
        block = parsed.data.get("ingest")
        review_list = block.get("review") if isinstance(block, dict) else None
        items: list[Any] = review_list if isinstance(review_list, list) else []
        review = tuple(
            Diagnostic(
                rel,
                parsed.lines.line_of(("ingest", "review", index)),
                f"ingest.review[{index}]" + (f" ({item.get('field')})" if isinstance(item, dict) else ""),
                str(item.get("message") if isinstance(item, dict) else item),
                code="draft-review",
            )
            for index, item in enumerate(items)
        )
        found.append(DraftFile(rel, parsed.data, review))
    return found
