"""`briefgen init`: create a new desk from the scaffold shipped with briefgen."""

from __future__ import annotations

import string
from datetime import date
from pathlib import Path

from briefgen.errors import UsageError

SCAFFOLD = Path(__file__).parent / "new_desk"


def create_desk(target: Path, *, name: str, today: date) -> list[Path]:
    """Write a new desk at `target` (which must be absent or empty); returns the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target}: already exists and is not an empty folder; choose a new folder for the desk")
    written = []
    for template in sorted(p for p in SCAFFOLD.rglob("*") if p.is_file()):
        relative = template.relative_to(SCAFFOLD)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        text = string.Template(template.read_text(encoding="utf-8")).substitute(name=name, date=today.isoformat())
        destination.write_text(text, encoding="utf-8")
        written.append(destination)
    (target / "templates").mkdir(exist_ok=True)
    (target / ".gitignore").write_text("/out/\n", encoding="utf-8")
    return written
