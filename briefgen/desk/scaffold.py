"""`briefgen init`: create a new desk from the scaffold shipped with briefgen.

The scaffold's files keep their comments; the values a user gives (the desk's name) and the dates are put
in by the serialisers of each format (tomlkit for TOML, PyYAML for YAML), never pasted into the text, so
any name (`Levant Desk: North`, `Desk #2`, quotes) gives a desk that loads with that exact name. Each
file is read back before it is written.
"""

from __future__ import annotations

import string
import tomllib
from datetime import datetime
from pathlib import Path

import tomlkit
import yaml

from briefgen.errors import UsageError

SCAFFOLD = Path(__file__).parent / "new_desk"


def _yaml_scalar(value: str) -> str:
    """`value` as one YAML flow scalar (double-quoted, escaped by PyYAML)."""
    dumped = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=1 << 30)
    return dumped.removesuffix("\n...\n").strip()


def _toml_scalar(value: str) -> str:
    return tomlkit.string(value).as_string()


def create_desk(target: Path, *, name: str, now: datetime) -> list[Path]:
    """Write a new desk at `target` (which must be absent or an empty folder); returns the files written.
    `now` (aware) is the date of the first edition and its issued time."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target}: already exists and is not an empty folder; choose a new folder for the desk")
    issued = now.replace(second=0, microsecond=0).isoformat()
    files: dict[Path, str] = {}
    for template in sorted(p for p in SCAFFOLD.rglob("*") if p.is_file()):
        relative = template.relative_to(SCAFFOLD)
        text = template.read_text(encoding="utf-8")
        if template.suffix == ".toml":
            values = {"name": _toml_scalar(name)}
            text = string.Template(text).substitute(values)
            assert tomllib.loads(text)["desk"]["name"] == name
        else:
            values = {"name": _yaml_scalar(name), "date": now.date().isoformat(), "issued": issued}
            text = string.Template(text).substitute(values)
            yaml.safe_load(text)  # read back: a scaffold that does not parse is a bug here, not the user's
        files[target / relative] = text
    written = []
    for destination, text in files.items():
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
        written.append(destination)
    (target / "templates").mkdir(exist_ok=True)
    (target / ".gitignore").write_text("/out/\n", encoding="utf-8")
    return written
