"""The archive page `out/index.html` and its feeds: every edition in the output folder, newest first; and
the public page `out/public.html`: the TLP:CLEAR editions alone.

It is rebuilt from what is on disk after each build, so it also lists editions whose records are gone.
Titles, markings, issue times and BLUFs come from each edition's JSON when there is one, the marking
otherwise from its manifest (both read as untrusted state: bounded, never through a link). Beside the page,
a JSON Feed and an Atom feed per audience (`briefgen.export.feeds`); an edition of unknown marking is in
none of them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from briefgen.build.manifest import read_manifest
from briefgen.desk.citations import CITATION_GROUP
from briefgen.desk.layout import EditionKey, OutLayout
from briefgen.desk.outfolder import OutFolder
from briefgen.desk.settings import LimitsSection
from briefgen.desk.vocabulary import TLP_COLOURS, Marking
from briefgen.errors import OutputError, TemplateError
from briefgen.export.feeds import FeedEdition, Feeds, all_feeds

INDEX_TEMPLATE = "index.html.j2"
# The files the archive links, by extension, and the word it shows for each.
LINKED_FORMATS = {"html": "html", "pdf": "pdf", "txt": "txt", "json": "json", "stix.json": "stix", "csl.json": "csl"}

# A citation call with the space before it: "is investigating [@a]." reads "is investigating."
_CALLS = re.compile(r"\s*" + CITATION_GROUP.pattern)


@dataclass(frozen=True)
class ArchivedEdition:
    brief_id: str
    date: date
    title: str
    marking: str
    files: dict[str, str]  # format word -> path relative to out/
    issued: datetime  # UTC: the edition's `issued`, else midnight of its date in its time zone
    summary: str  # the BLUF, citation calls removed

    @property
    def marking_class(self) -> str:
        return self.marking.split(":")[-1].lower().replace("+", "-") if self.marking in TLP_COLOURS else "unknown"


@dataclass(frozen=True)
class _Facts:
    title: str
    marking: str
    issued: datetime
    summary: str


def _issued(data: dict[str, object], day: date) -> datetime:
    try:
        zone = ZoneInfo(str(data.get("timezone", "UTC")))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    try:
        issued = datetime.fromisoformat(str(data["issued"])) if data.get("issued") else None
    except ValueError:
        issued = None
    if issued is None:
        return datetime.combine(day, time(0), zone).astimezone(UTC)
    return (issued if issued.tzinfo else issued.replace(tzinfo=zone)).astimezone(UTC)


def _facts(folder: OutFolder, key: EditionKey, has_json: bool) -> _Facts:
    data: object = {}
    if has_json:
        try:
            raw = folder.read(OutLayout.edition_file(key, "json"))
            data = json.loads(raw) if raw is not None else {}
        except (OutputError, ValueError, RecursionError):
            data = {}
    if not isinstance(data, dict):
        data = {}
    marking = str(data.get("marking", ""))[:40]
    if marking not in TLP_COLOURS:
        manifest = read_manifest(folder, key)
        marking = manifest.marking if manifest is not None and manifest.marking in TLP_COLOURS else ""
    bluf = data.get("bluf")
    lines = [_CALLS.sub("", str(line)).strip() for line in bluf[:7]] if isinstance(bluf, list) else []
    summary = "\n\n".join(" ".join(line.split()) for line in lines)[:4000]
    return _Facts(str(data.get("title", key.brief_id))[:500], marking, _issued(data, key.date), summary)


def archived_editions(out: OutFolder) -> list[ArchivedEdition]:
    """Every edition found in `out/<date>/`, newest date first, then by brief id; each once."""
    editions = []
    for day, folder in out.day_folders():
        found: dict[str, dict[str, str]] = {}
        for file in folder.names():
            parsed = OutLayout.parse_edition_file(file)
            if parsed is not None and parsed[1] in LINKED_FORMATS and folder.kind(file) == "file":
                found.setdefault(parsed[0], {})[parsed[1]] = f"{OutLayout.day_folder(day)}/{file}"
        for brief_id, files in sorted(found.items()):
            key = EditionKey.from_stem(brief_id, day)
            facts = _facts(folder, key, "json" in files)
            ordered = {word: files[ext] for ext, word in LINKED_FORMATS.items() if ext in files}
            editions.append(
                ArchivedEdition(brief_id, day, facts.title, facts.marking, ordered, facts.issued, facts.summary)
            )
    return sorted(editions, key=lambda e: (-e.date.toordinal(), e.brief_id))


def feed_editions(editions: list[ArchivedEdition]) -> list[FeedEdition]:
    """The archived editions the feeds may show: those whose marking is known."""
    return [
        FeedEdition(
            e.brief_id,
            e.date,
            e.title,
            Marking(e.marking),
            e.issued,
            e.summary,
            e.files.get("html"),
            e.files.get("pdf"),
        )
        for e in editions
        if e.marking in TLP_COLOURS
    ]


def _page(desk_templates: Path, desk_name: str, limits: LimitsSection, editions: list[ArchivedEdition]) -> bytes:
    # Imported here: a build that writes nothing (every edition up to date) renders no template.
    from briefgen.render.inert import refuse_active_content
    from briefgen.render.sandbox import RenderBudget, budget
    from briefgen.render.templates import environment, runtime_message
    from briefgen.render.words import words_for

    by_day: dict[date, list[ArchivedEdition]] = {}
    for edition in editions:
        by_day.setdefault(edition.date, []).append(edition)
    days = sorted(by_day, reverse=True)
    words = words_for("en", desk_templates)  # the archive lists editions in every language: its words are English
    try:
        with budget(RenderBudget(limits.render_seconds, limits.render_memory)):
            html = (
                environment(desk_templates)
                .get_template(INDEX_TEMPLATE)
                .render(
                    desk=desk_name,
                    days=[(day, by_day[day]) for day in days],
                    count=len(editions),
                    colours=TLP_COLOURS,
                    words=words,
                    _=words.gettext,
                    ngettext=words.ngettext,
                )
            )
    except Exception as exc:  # a desk's index template fails the index, naming its file and line
        raise TemplateError(runtime_message(exc, desk_templates, ["desk", "days", "count", "colours"])) from None
    refuse_active_content(html, "the archive page (out/index.html)")
    return html.encode("utf-8")


def write_index(
    out: OutFolder, *, desk_templates: Path, desk_name: str, limits: LimitsSection, base_url: str | None = None
) -> None:
    """Render `out/index.html` (template `index.html.j2`, which a desk may override) within the render
    budget, the public page `out/public.html` with the same template and the TLP:CLEAR editions alone, and
    write the feeds beside them (links start with `base_url`, the URL out/ is published at)."""
    editions = archived_editions(out)
    public = [e for e in editions if e.marking == Marking.CLEAR.value]
    out.write(OutLayout.INDEX, _page(desk_templates, desk_name, limits, editions))
    out.write(OutLayout.PUBLIC_INDEX, _page(desk_templates, desk_name, limits, public))
    for name, data in all_feeds(Feeds(desk_name, base_url or "", feed_editions(editions))).items():
        out.write(name, data)
