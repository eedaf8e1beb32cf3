"""Changes since the previous edition: compare a composed brief with the JSON of the edition before it.

The previous edition is read as the archive holds it (`out/<date>/<brief-id>.json`, what was actually
published), not recomposed from today's records, which may have been edited since. The JSON is read
leniently (only the fields compared here), so editions written by older versions of briefgen still count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from briefgen.compose import model as composed
from briefgen.desk.layout import EditionKey, OutLayout
from briefgen.desk.outfolder import OutFolder
from briefgen.desk.vocabulary import Marking
from briefgen.errors import OutputError
from briefgen.render.labels import LABELS, occurred_label, place_label, sourcing_label, status_note
from briefgen.render.words import Words, words_for

Archive = dict[str, tuple[date, ...]]  # edition stem (`brief`, `brief@tlp-clear`) -> the dates of its JSON editions


@dataclass(frozen=True)
class PreviousEdition:
    """The JSON of the edition before this one, as the output folder holds it."""

    date: date
    json: bytes
    name: str  # where it was read, for messages (`out/2025-05-21/brief.json`)
    problem: str | None = None  # why it could not be read, if so


def archived_json(out: OutFolder) -> Archive:
    """Every JSON edition in `out/<date>/`, by brief id (read once per build)."""
    found: dict[str, list[date]] = {}
    for day, folder in out.day_folders():
        for file in folder.names():
            parsed = OutLayout.parse_edition_file(file)
            if parsed is not None and parsed[1] == "json":
                found.setdefault(parsed[0], []).append(day)
    return {brief_id: tuple(sorted(days)) for brief_id, days in found.items()}


def previous_edition(
    out: OutFolder, archive: Archive, key: EditionKey, earlier: dict[date, bytes]
) -> PreviousEdition | None:
    """The latest edition of the brief for the same audience dated before `key`: one this build wrote
    (`earlier`), else the archive's."""
    days = sorted({*(d for d in archive.get(key.stem, ()) if d < key.date), *(d for d in earlier if d < key.date)})
    if not days:
        return None
    day = days[-1]
    name = f"{out.path.name}/{OutLayout.day_folder(day)}/{OutLayout.edition_file(EditionKey(key.brief_id, day, key.audience), 'json')}"
    if day in earlier:
        return PreviousEdition(day, earlier[day], name)
    folder = out.folder(OutLayout.day_folder(day), create=False)
    if folder is None:
        return None
    with folder:
        try:
            data = folder.read(OutLayout.edition_file(EditionKey(key.brief_id, day, key.audience), "json"))
        except OutputError as exc:
            return PreviousEdition(day, b"", name, problem=exc.message.split(": cannot be read: ", 1)[-1])
    return PreviousEdition(day, data, name) if data is not None else None


def _status(value: str, words: Words) -> str:
    message = LABELS["status"].get(value)
    return words.pgettext("status", message) if message else value


def _facts(development: composed.Development, words: Words) -> dict[str, str]:
    """A development's facts as the brief shows them, in its language."""
    return {
        "status": _status(development.status.value, words)
        + (f" ({note})" if (note := status_note(development, words)) else ""),
        "date": occurred_label(development, words),
        "place": place_label(development, words) or words.gettext("not stated"),
        "corroboration": sourcing_label(development.sourcing, words),
    }


def _schema_1_sourcing(item: dict[str, Any]) -> dict[str, Any]:
    """An edition of schema 1 had no `independent`/`dependent` counts and could say `conflicting` in
    place of the count: read it as today's count, so an upgrade alone shows no change."""
    sourcing = item.get("sourcing")
    if not isinstance(sourcing, dict) or "independent" in sourcing:
        return item
    groups, count = sourcing.get("originators"), sourcing.get("sources")
    if not isinstance(groups, list) or not isinstance(count, int):
        return item
    level = sourcing.get("corroboration")
    differ_on: list[str] = []
    if level == "conflicting":
        level = "single_source" if count == 1 else "multiple_dependent" if len(groups) == 1 else "multiple_independent"
        found = item.get("discrepancies") or []
        suffixes = {"status": ("-status",), "date": ("-date",), "place": ("-place", "-where")}
        differ_on = [f for f, ends in suffixes.items() if any(f"{item.get('id')}{e}" in found for e in ends)]
    upgraded = {
        **sourcing,
        "corroboration": level,
        "independent": len(groups),
        "dependent": count - len(groups),
        "differ_on": differ_on,
    }
    return {**item, "sourcing": upgraded}


def _previous_facts(item: dict[str, Any], words: Words) -> dict[str, str]:
    """The same display values, from a previous edition's JSON."""
    try:
        development = composed.Development.model_validate(_schema_1_sourcing(item))
    except ValueError:
        # Written by another version: compare what can be read.
        occurred = item.get("occurred") or {}
        return {
            "status": _status(str(item.get("status", "")), words),
            "date": str(occurred.get("on") or words.gettext("date not stated")),
            "place": str(item.get("where") or words.gettext("not stated")),
            "corroboration": str((item.get("sourcing") or {}).get("corroboration", "")).replace("_", " "),
        }
    return _facts(development, words)


def _marked_above(marking: object, current: Marking) -> bool:
    """Whether a previous edition's marking is above `current`; one that cannot be read counts as above."""
    try:
        return Marking(str(marking)).rank > current.rank
    except ValueError:
        return True


def compare(
    current: composed.ComposedBrief, previous_json: bytes | None, previous_date: date | None
) -> composed.Changes:
    """What changed between the previous edition (its JSON bytes) and this composed brief."""
    if previous_json is None or previous_date is None:
        return composed.Changes(previous=None)
    data = json.loads(previous_json)
    if not isinstance(data, dict):
        raise ValueError("not a briefgen JSON edition")
    if _marked_above(data.get("marking"), current.marking):
        # Its items may not be shown to this edition's readers, not even as "dropped".
        return composed.Changes(previous=None, marked_above=previous_date)
    before_devs = {d["id"]: d for d in data.get("developments", []) if isinstance(d, dict) and "id" in d}
    before_qs = {q["id"]: q for q in data.get("open_questions", []) if isinstance(q, dict) and "id" in q}
    now_devs = {d.id: d for d in current.developments}
    words = words_for(current.language)
    now_qs = {q.id: q for q in current.open_questions}

    new = [composed.ItemRef(id=d.id, text=d.summary) for d in current.developments if d.id not in before_devs]
    changed = []
    for dev in current.developments:
        if dev.id not in before_devs:
            continue
        old, now = _previous_facts(before_devs[dev.id], words), _facts(dev, words)
        fields = [composed.FieldChange(field=k, before=old[k], after=now[k]) for k in now if old.get(k) != now[k]]
        if fields:
            changed.append(composed.ChangedDevelopment(id=dev.id, text=dev.summary, fields=fields))
    dropped = [
        composed.ItemRef(id=i, text=str(d.get("summary", i))) for i, d in before_devs.items() if i not in now_devs
    ]

    new_qs = [composed.ItemRef(id=q.id, text=q.question) for q in current.open_questions if q.id not in before_qs]
    answered = [
        composed.ItemRef(id=q.id, text=q.question)
        for q in current.open_questions
        if q.id in before_qs
        and q.status.value in ("answered", "overtaken")
        and before_qs[q.id].get("status") not in ("answered", "overtaken")
    ]
    dropped_qs = [
        composed.ItemRef(id=i, text=str(q.get("question", i))) for i, q in before_qs.items() if i not in now_qs
    ]
    return composed.Changes(
        previous=previous_date,
        new_developments=new,
        changed_developments=changed,
        dropped_developments=dropped,
        new_questions=new_qs,
        answered_questions=answered,
        dropped_questions=dropped_qs,
    )
