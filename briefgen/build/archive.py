"""The archive page `out/index.html`: every edition in the output folder, newest first, with its files.

It is rebuilt from what is on disk after each build, so it also lists editions whose records are gone.
Titles and markings come from each edition's JSON when there is one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import jinja2

from briefgen.build.output import write_atomic
from briefgen.desk.models import TLP_COLOURS
from briefgen.errors import TemplateError
from briefgen.render.templates import environment

INDEX_TEMPLATE = "index.html.j2"
LINKED_FORMATS = ("html", "pdf", "txt", "json")


@dataclass(frozen=True)
class ArchivedEdition:
    brief_id: str
    date: date
    title: str
    marking: str
    files: dict[str, str]  # format -> path relative to out/

    @property
    def marking_class(self) -> str:
        return self.marking.split(":")[-1].lower().replace("+", "-") if self.marking in TLP_COLOURS else "unknown"


def archived_editions(out_dir: Path) -> list[ArchivedEdition]:
    """Every edition found in `out/<date>/`, newest date first, then by brief id."""
    editions = []
    for folder in out_dir.iterdir() if out_dir.is_dir() else []:
        try:
            day = date.fromisoformat(folder.name)
        except ValueError:
            continue
        if not folder.is_dir():
            continue
        ids = sorted({p.name.split(".")[0] for p in folder.iterdir() if p.suffix.lstrip(".") in LINKED_FORMATS})
        for brief_id in ids:
            if brief_id.startswith("."):
                continue
            files = {
                f: f"{folder.name}/{brief_id}.{f}" for f in LINKED_FORMATS if (folder / f"{brief_id}.{f}").is_file()
            }
            title, marking = brief_id, ""
            if "json" in files:
                try:
                    data = json.loads((folder / f"{brief_id}.json").read_bytes())
                    title, marking = str(data.get("title", brief_id)), str(data.get("marking", ""))
                except (ValueError, OSError):
                    pass
            editions.append(ArchivedEdition(brief_id, day, title, marking, files))
    return sorted(editions, key=lambda e: (-e.date.toordinal(), e.brief_id))


def write_index(out_dir: Path, *, desk_templates: Path, desk_name: str) -> Path:
    """Render `out/index.html` (template `index.html.j2`, which a desk may override)."""
    editions = archived_editions(out_dir)
    days = sorted({e.date for e in editions}, reverse=True)
    try:
        html = (
            environment(desk_templates)
            .get_template(INDEX_TEMPLATE)
            .render(
                desk=desk_name,
                days=[(day, [e for e in editions if e.date == day]) for day in days],
                count=len(editions),
                colours=TLP_COLOURS,
            )
        )
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{INDEX_TEMPLATE}: {exc}") from None
    path = out_dir / "index.html"
    write_atomic(path, html.encode("utf-8"))
    return path
