"""The archive page `out/index.html`: every edition in the output folder, newest first, with its files.

It is rebuilt from what is on disk after each build, so it also lists editions whose records are gone.
Titles and markings come from each edition's JSON when there is one (read as untrusted state: bounded,
never through a link).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import jinja2

from briefgen.desk.layout import EditionKey, OutLayout
from briefgen.desk.models import TLP_COLOURS
from briefgen.desk.outfolder import OutFolder
from briefgen.errors import OutputError, TemplateError
from briefgen.render.templates import environment
from briefgen.render.words import words_for

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


def _title_and_marking(folder: OutFolder, key: EditionKey) -> tuple[str, str]:
    try:
        raw = folder.read(OutLayout.edition_file(key, "json"))
        data = json.loads(raw) if raw is not None else {}
    except (OutputError, ValueError, RecursionError):
        return key.brief_id, ""
    if not isinstance(data, dict):
        return key.brief_id, ""
    return str(data.get("title", key.brief_id))[:500], str(data.get("marking", ""))[:40]


def archived_editions(out: OutFolder) -> list[ArchivedEdition]:
    """Every edition found in `out/<date>/`, newest date first, then by brief id; each once."""
    editions = []
    for name in out.names():
        day = OutLayout.parse_day(name)
        if day is None or out.kind(name) != "folder":
            continue
        folder = out.folder(name, create=False)
        if folder is None:
            continue
        with folder:
            found: dict[str, dict[str, str]] = {}
            for file in folder.names():
                parsed = OutLayout.parse_edition_file(file)
                if parsed is not None and parsed[1] in LINKED_FORMATS and folder.kind(file) == "file":
                    found.setdefault(parsed[0], {})[parsed[1]] = f"{name}/{file}"
            for brief_id, files in sorted(found.items()):
                key = EditionKey(brief_id, day)
                title, marking = _title_and_marking(folder, key) if "json" in files else (brief_id, "")
                ordered = {f: files[f] for f in LINKED_FORMATS if f in files}
                editions.append(ArchivedEdition(brief_id, day, title, marking, ordered))
    return sorted(editions, key=lambda e: (-e.date.toordinal(), e.brief_id))


def write_index(out: OutFolder, *, desk_templates: Path, desk_name: str) -> None:
    """Render `out/index.html` (template `index.html.j2`, which a desk may override)."""
    editions = archived_editions(out)
    days = sorted({e.date for e in editions}, reverse=True)
    words = words_for("en", desk_templates)  # the archive lists editions in every language: its words are English
    try:
        html = (
            environment(desk_templates)
            .get_template(INDEX_TEMPLATE)
            .render(
                desk=desk_name,
                days=[(day, [e for e in editions if e.date == day]) for day in days],
                count=len(editions),
                colours=TLP_COLOURS,
                words=words,
                _=words.gettext,
                ngettext=words.ngettext,
            )
        )
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{INDEX_TEMPLATE}: {exc}") from None
    out.write(OutLayout.INDEX, html.encode("utf-8"))
