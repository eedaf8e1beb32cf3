"""Deterministic desks for the benchmarks: sizes chosen by the number of developments and editions.

Every desk is generated from fixed word lists, so the same call writes the same bytes on any machine.
Names mix scripts on purpose (Turkish İ ı ş ğ, Arabic and Hebrew), so font fallback and bidi shaping are
part of what is measured.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

PLACES = ["İstanbul", "Şanlıurfa", "Gaziantep", "Iğdır", "دمشق", "حلب", "ירושלים", "Baku", "Qamishli", "Deir ez-Zor"]
ACTORS = [
    ("turkey", "Turkey", "state", ["Türkiye", "Ankara"]),
    ("israel", "Israel", "state", ["ישראל"]),
    ("syria", "Syria", "state", ["سوريا", "Damascus"]),
    ("azerbaijan", "Azerbaijan", "state", ["Baku"]),
    ("sdf", "Syrian Democratic Forces", "armed_group", ["SDF", "قوات سوريا الديمقراطية"]),
    ("un", "United Nations", "intl_org", ["UN"]),
]
THEMES = ["diplomacy", "security", "humanitarian", "economy"]
STATUSES = ["reported", "confirmed", "claimed", "disputed"]
VERBS = ["met", "agreed", "announced", "denied", "postponed", "resumed", "proposed", "reported"]
OBJECTS = [
    "a framework for consultations on border crossings",
    "the reopening of a supply route near the frontier",
    "a joint statement on civilian protection in the north",
    "a timetable for the exchange of detainees",
    "new rules for notifying each other of flights",
]


def _sentence(i: int) -> str:
    actor = ACTORS[i % len(ACTORS)][1]
    place = PLACES[(i * 7) % len(PLACES)]
    return f"Officials from {actor} {VERBS[i % len(VERBS)]} {OBJECTS[i % len(OBJECTS)]} in {place}"


def _source(index: int, developments: range, published: date) -> dict[str, object]:
    paragraphs = [_sentence(i) + "." for i in developments] or ["No developments."]
    return {
        "source": {
            "id": f"bench-source-{index:03d}",
            "title": f"Benchmark report {index} on talks in {PLACES[index % len(PLACES)]}",
            "outlet": ["North Wire", "Anadolu Desk", "Levant Daily", "Haaretz Digest"][index % 4],
            "type": "news_agency",
            "authors": [f"Reporter {index}"],
            "published": published.isoformat(),
            "url": f"https://example.org/bench/{index}",
            "reliability": "BCD"[index % 3],
            "text": "\n\n".join(paragraphs),
        },
        "developments": [
            {
                "id": f"dev-{i:04d}",
                "summary": _sentence(i) + ".",
                "detail": (
                    f"{_sentence(i + 1)}, according to the report, which gave no further detail. "
                    f"Analysts in {PLACES[(i * 3) % len(PLACES)]} said the step would be tested within days; "
                    f"{ACTORS[(i + 2) % len(ACTORS)][3][0]} has not commented."
                ),
                "status": STATUSES[i % len(STATUSES)],
                "occurred": {"on": (published - timedelta(days=i % 3)).isoformat()},
                "where": PLACES[i % len(PLACES)],
                "theme": THEMES[i % len(THEMES)],
                "actors": [{"actor": ACTORS[i % len(ACTORS)][0], "role": "party"}],
                "cites": [{"source": f"bench-source-{index:03d}", "para": n + 1}]
                if (n := i - developments.start) >= 0
                else [],
            }
            for i in developments
        ],
    }


def write_desk(
    root: Path, *, developments: int, editions: int = 1, sources_per_edition: int | None = None, one_brief: bool = False
) -> Path:
    """Write a desk with `editions` briefs (one per day from 2025-05-01), each of `developments` items; with
    `one_brief`, they are the daily editions of one brief (each compares with the one before).

    Records are written as JSON (the machine-made format the spec accepts), one source per ten developments.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "briefgen.toml").write_text(
        '[desk]\nname = "Benchmark Desk"\ntimezone = "Europe/Istanbul"\n\n[build]\nformats = ["html", "pdf", "json"]\n',
        encoding="utf-8",
    )
    (root / "sources").mkdir(exist_ok=True)
    (root / "briefs").mkdir(exist_ok=True)
    per_source = 10
    source_count = sources_per_edition or max(1, -(-developments // per_source))
    start = date(2025, 5, 1)
    actor_records = [
        {"id": actor_id, "name": name, "type": kind, "aliases": aliases} for actor_id, name, kind, aliases in ACTORS
    ]
    for edition in range(editions):
        day = start + timedelta(days=edition)
        ids = []
        for s in range(source_count):
            index = edition * source_count + s
            first = s * per_source
            items = range(first, min(first + per_source, developments))
            record = _source(index, items, day - timedelta(days=1))
            if s == 0:
                record["actors"] = actor_records
                record["open_questions"] = [
                    {
                        "id": "next-round",
                        "question": "When will the next round of talks take place?",
                        "kind": "information_gap",
                        "why": "No date has been announced.",
                        "watch_for": ["An announcement from Baku"],
                    }
                ]
            ids.append(record["source"]["id"])  # type: ignore[index]
            path = root / "sources" / f"{record['source']['id']}.json"  # type: ignore[index]
            path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        brief = {
            "brief": {
                "id": "bench-brief" if editions == 1 or one_brief else f"bench-brief-{edition:03d}",
                "title": f"Benchmark brief: talks in {PLACES[edition % len(PLACES)]} and the region",
                "date": day.isoformat(),
                "issued": f"{day.isoformat()}T06:00:00+03:00",
                "marking": "TLP:GREEN",
                "authors": ["Benchmark Desk"],
                "sources": ids,
                "bluf": [f"{_sentence(i)} [@{ids[0]}]." for i in range(3)],
                "outlook": f"Further meetings are expected [@{ids[-1]}].",
            }
        }
        (root / "briefs" / f"{day.isoformat()}-{edition:03d}.json").write_text(
            json.dumps(brief, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return root
