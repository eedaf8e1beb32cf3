"""Changes since the previous edition: compare a composed brief with the JSON of the edition before it.

The previous edition is read as the archive holds it (`out/<date>/<brief-id>.json`, what was actually
published), not recomposed from today's records, which may have been edited since. The JSON is read
leniently (only the fields compared here), so editions written by older versions of briefgen still count.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from briefgen.compose import model as composed
from briefgen.render.labels import sourcing_label, when_label

Archive = dict[str, tuple[tuple[date, Path], ...]]


def archived_json(out_dir: Path) -> Archive:
    """Every JSON edition in `out/<date>/`, by brief id (read once per build)."""
    found: dict[str, list[tuple[date, Path]]] = {}
    if not out_dir.is_dir():
        return {}
    for folder in out_dir.iterdir():
        try:
            day = date.fromisoformat(folder.name)
        except ValueError:
            continue
        for path in folder.glob("*.json"):
            found.setdefault(path.stem, []).append((day, path))
    return {brief_id: tuple(sorted(editions)) for brief_id, editions in found.items()}


def previous_edition(editions: Iterable[tuple[date, Path]], before: date) -> tuple[date, Path] | None:
    """The latest of a brief's archived editions dated before `before`, if any."""
    earlier = [(day, path) for day, path in editions if day < before and path.is_file()]
    return max(earlier) if earlier else None


def _facts(development: composed.Development) -> dict[str, str]:
    return {
        "status": development.status.value,
        "date": when_label(development.occurred),
        "place": development.where or "not stated",
        "corroboration": sourcing_label(development.sourcing),
    }


def _previous_facts(item: dict[str, Any]) -> dict[str, str]:
    """The same display values, from a previous edition's JSON."""
    try:
        development = composed.Development.model_validate(item)
    except ValueError:
        # Written by another version: compare what can be read.
        occurred = item.get("occurred") or {}
        return {
            "status": str(item.get("status", "")),
            "date": str(occurred.get("on") or "date not stated"),
            "place": str(item.get("where") or "not stated"),
            "corroboration": str((item.get("sourcing") or {}).get("corroboration", "")).replace("_", " "),
        }
    return _facts(development)


def compare(
    current: composed.ComposedBrief, previous_json: bytes | None, previous_date: date | None
) -> composed.Changes:
    """What changed between the previous edition (its JSON bytes) and this composed brief."""
    if previous_json is None or previous_date is None:
        return composed.Changes(previous=None)
    data = json.loads(previous_json)
    before_devs = {d["id"]: d for d in data.get("developments", []) if isinstance(d, dict) and "id" in d}
    before_qs = {q["id"]: q for q in data.get("open_questions", []) if isinstance(q, dict) and "id" in q}
    now_devs = {d.id: d for d in current.developments}
    now_qs = {q.id: q for q in current.open_questions}

    new = [composed.ItemRef(id=d.id, text=d.summary) for d in current.developments if d.id not in before_devs]
    changed = []
    for dev in current.developments:
        if dev.id not in before_devs:
            continue
        old, now = _previous_facts(before_devs[dev.id]), _facts(dev)
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
