"""What a record file that does not load still says: a source's id (and the actors and items it declares),
a brief's id and date. Other records and builds use it so that one broken file does not make its source
vanish ("unknown source" everywhere), nor fail the build of another day's editions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pydantic import TypeAdapter, ValidationError

from briefgen.desk.fields import SLUG_PATTERN, IsoDate


@dataclass(frozen=True)
class UnloadedSource:
    """A source file with errors that still names its id (and the actors it declares, casefolded ids,
    names and aliases)."""

    id: str
    file: str
    actors: frozenset[str] = frozenset()
    items: frozenset[str] = frozenset()  # the ids of its developments and open questions


@dataclass(frozen=True)
class UnloadedBrief:
    """A brief file that does not load, and what can still be read of it: its `brief.id` and `brief.date`,
    None when they cannot be known. A build of another day (or of other briefs) tells by them that the file
    is not one of its editions."""

    file: str
    id: str | None
    date: date | None


def unloaded_source(data: object, rel: str) -> UnloadedSource | None:
    """What a source record's data declares, when its `source.id` is a valid id (even if other fields are not)."""
    source = data.get("source") if isinstance(data, dict) else None
    ident = source.get("id") if isinstance(source, dict) else None
    if not isinstance(ident, str) or not re.fullmatch(SLUG_PATTERN, ident):
        return None
    actors = data.get("actors") if isinstance(data, dict) else None
    names: set[str] = set()
    for actor in actors if isinstance(actors, list) else []:
        if isinstance(actor, dict):
            aliases = actor.get("aliases")
            values = [actor.get("id"), actor.get("name"), *(aliases if isinstance(aliases, list) else [])]
            names.update(str(v).casefold() for v in values if isinstance(v, str))
    items: set[str] = set()
    for key in ("developments", "open_questions"):
        listed = data.get(key) if isinstance(data, dict) else None
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                items.add(item["id"])
    return UnloadedSource(ident, rel, frozenset(names), frozenset(items))


# A source file that cannot be parsed, read line by line (`_source_in_text`): the top-level key a line is
# under, `- id: x` or `- {id: x, ...}` in a list, and an actor's `name:` or `aliases:`.
_TOP_KEY = re.compile(r"^([A-Za-z_]+):")
_LISTED_ID = re.compile(r"""^[ \t]*-[ \t]+(?:\{[^}]*?\bid:[ \t]*|id:[ \t]+)["']?([^"'\s,}#]+)""")
_ACTOR_NAMES = re.compile(r"""^[ \t]+(?:-[ \t]+)?(?:name|aliases):[ \t]+(.+?)[ \t]*(?:#.*)?$""")


def _source_in_text(text: str, rel: str) -> UnloadedSource | None:
    """What a source file that cannot be parsed declares, read line by line: its `source.id` (a key of the
    top-level `source:` mapping), and the ids listed under `actors`, `developments` and `open_questions`
    (with the actors' names and aliases). Only used so that its id and actors are not reported again as
    unknown: the file's own error stops every edition all the same."""
    section, indent, ident = "", None, None
    names: set[str] = set()
    items: set[str] = set()
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        top = _TOP_KEY.match(line)
        if top is not None:
            section, indent = top.group(1), None
            continue
        key = _YAML_KEY.match(line)
        if section == "source" and key is not None:
            indent = indent or key.group(1)
            if key.group(1) == indent and key.group(2) == "id":
                ident = (key.group(3) or "").split(" #")[0].strip().strip("'\"")
        listed = _LISTED_ID.match(line)
        if listed is not None and section == "actors":
            names.add(listed.group(1).casefold())
        elif listed is not None and section in ("developments", "open_questions"):
            items.add(listed.group(1))
        named = _ACTOR_NAMES.match(line) if section == "actors" else None
        if named is not None:
            values = named.group(1).strip().strip("[]").split(",")
            names.update(v.strip().strip("'\"").casefold() for v in values if v.strip())
    if ident is None or not re.fullmatch(SLUG_PATTERN, ident):
        return None
    return UnloadedSource(ident, rel, frozenset(names), frozenset(items))


def unloaded_source_text(text: str | None, rel: str, is_json: bool) -> UnloadedSource | None:
    """What a source file that cannot be parsed still declares (YAML, read line by line; JSON: nothing)."""
    return None if text is None or is_json else _source_in_text(text, rel)


_DATE = TypeAdapter(IsoDate)
# `date:` as a key of the top-level `brief:` mapping of a YAML file (indented as its first key), or
# `"date": "..."` in a JSON file: the only `date` key of a brief record.
_YAML_BRIEF = re.compile(r"^brief:[ \t]*(?:#.*)?$")
_YAML_KEY = re.compile(r"^( +)([A-Za-z_]+):(?:[ \t]+(.*?))?[ \t]*$")
_JSON_DATE = re.compile(r'"date"\s*:\s*"([^"\\]*)"')


def _brief_date(value: object) -> date | None:
    try:
        return _DATE.validate_python(value)
    except ValidationError:
        return None


def _dates_in_text(text: str, is_json: bool) -> set[object]:
    """The values a brief file that cannot be parsed gives `brief.date`, read line by line."""
    if is_json:
        return set(_JSON_DATE.findall(text))
    found: set[object] = set()
    indent: str | None = None
    inside = False
    for line in text.splitlines():
        if _YAML_BRIEF.match(line):
            inside, indent = True, None
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith((" ", "\t")):
            inside = False
            continue
        key = _YAML_KEY.match(line)
        if inside and key is not None:
            indent = indent or key.group(1)
            if key.group(1) == indent and key.group(2) == "date":
                found.add((key.group(3) or "").split(" #")[0].strip().strip("'\""))
    return found


def unloaded_brief(rel: str, data: object | None, text: str | None, is_json: bool) -> UnloadedBrief:
    """What a brief file that does not load says of its id and date: from its data when it could be parsed,
    else from its lines (the date only, when every `date` key of the brief gives the same one)."""
    if data is not None:
        brief = data.get("brief") if isinstance(data, dict) else None
        ident = brief.get("id") if isinstance(brief, dict) else None
        valid = isinstance(ident, str) and re.fullmatch(SLUG_PATTERN, ident) is not None
        day = _brief_date(brief.get("date")) if isinstance(brief, dict) else None
        return UnloadedBrief(rel, ident if valid and isinstance(ident, str) else None, day)
    dates = {_brief_date(value) for value in _dates_in_text(text, is_json)} if text is not None else set()
    return UnloadedBrief(rel, None, dates.pop() if len(dates) == 1 else None)
