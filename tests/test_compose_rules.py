"""One named fixture desk per rule of docs/sourcing.md: the composed brief (its JSON) and what a reader
sees (the HTML edition's text)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path

from composing import brief_json, composed_brief, composition, development_json, facts_lines, reader_text
from conftest import DESKS, run

from briefgen.compose.originators import originator_key

MakeDesk = Callable[..., Path]


def messages(desk: Path, brief_id: str | None = None) -> list[str]:
    return [str(d) for d in composition(desk, brief_id).diagnostics]


# --- rule 5: originators and corroboration ------------------------------------------------------------


def test_relay_chain_is_one_originator_and_keeps_the_anonymous_warning() -> None:
    brief = composed_brief(DESKS / "relay-chain")
    sourcing = development_json(brief, "checkpoint-attack")["sourcing"]
    # the website relays the agency, which relays the radio: one originator, though the agency is not cited
    assert sourcing == {
        "corroboration": "multiple_dependent",
        "sources": 2,
        "independent": 1,
        "dependent": 1,
        "originators": [["levant-web", "radio-qamishli"]],
        "anonymous": 1,
        "anonymous_only": True,
        "differ_on": [],
    }
    assert any("confirmed but rests on one anonymous originator" in m for m in messages(DESKS / "relay-chain"))
    assert facts_lines(brief)["checkpoint-attack"] == (
        "confirmed 20 May 2025 · East checkpoint · 2 sources, one originator; rests on anonymous sourcing"
    )


def test_outlets_in_arabic_and_hebrew_are_distinct_originators() -> None:
    brief = composed_brief(DESKS / "non-latin-outlets")
    sourcing = development_json(brief, "border-talks")["sourcing"]
    assert sourcing["independent"] == 4 and sourcing["dependent"] == 0
    assert sourcing["originators"] == [["arabiya"], ["haaretz"], ["jazeera"], ["ynet"]]
    assert "4 independent sources" in facts_lines(brief)["border-talks"]


def test_a_source_relaying_an_arabic_outlet_by_name_joins_it(make_desk: MakeDesk) -> None:
    desk = make_desk(
        "non-latin-outlets",
        files={
            "sources/arabiya.yaml": lambda t: t.replace(
                "  reliability: B\n", "  reliability: B\n  relays: [' الجزيرة ']\n"
            )
        },
    )
    sourcing = development_json(composed_brief(desk), "border-talks")["sourcing"]
    assert sourcing["independent"] == 3 and sourcing["originators"][0] == ["arabiya", "jazeera"]
    assert originator_key("ＡＦＰ") == originator_key("afp") != originator_key("AFP Arabic")
    assert originator_key("   ") and originator_key("   ") != originator_key("\t")


def test_a_relay_named_in_another_language_joins_the_outlet_the_gazetteer_names_so(make_desk: MakeDesk) -> None:
    """A Hebrew source relaying Al Jazeera by its English name: one originator once `gazetteer.yaml` gives
    the outlet both names; without it, two (the names differ), and the desk says nothing either way."""
    relaying = {
        "sources/ynet.yaml": lambda t: t.replace("  reliability: ", "  relays: [Al Jazeera]\n  reliability: ", 1)
    }
    desk = make_desk("non-latin-outlets", files=relaying)
    assert development_json(composed_brief(desk), "border-talks")["sourcing"]["independent"] == 4
    gazetteer = "outlets:\n  - {name: Al Jazeera, aliases: [الجزيرة, אל-ג'זירה], type: broadcaster}\n"
    (desk / "gazetteer.yaml").write_text(gazetteer, encoding="utf-8")
    brief = composed_brief(desk)
    sourcing = development_json(brief, "border-talks")["sourcing"]
    assert sourcing["independent"] == 3 and ["jazeera", "ynet"] in sourcing["originators"]
    assert "3 independent sources (4 in all)" in facts_lines(brief)["border-talks"]
    assert run("validate", desk, "--strict").exit_code == 0
    # A gazetteer with an error is left out with a located warning: the desk still builds as it did.
    (desk / "gazetteer.yaml").write_text("outlets:\n  - {nam: Al Jazeera}\n", encoding="utf-8")
    result = run("validate", desk)
    assert result.exit_code == 0 and "gazetteer.yaml:2: outlets[0].nam: warning: unknown key 'nam'" in result.output
    assert "the gazetteer is not used until fixed" in result.output
    assert development_json(composed_brief(desk), "border-talks")["sourcing"]["independent"] == 4


# --- rule 3: what conflicts -----------------------------------------------------------------------------


def test_a_time_and_its_day_agree_and_confirmed_beside_reported_is_corroboration() -> None:
    brief = composed_brief(DESKS / "precision-pair")
    dev = development_json(brief, "depot-strike")
    assert brief_json(brief)["discrepancies"] == []
    assert dev["status"] == "confirmed"  # the stronger of confirmed and reported
    assert dev["occurred"]["on"] == "2026-03-26T17:45:00+02:00" and dev["occurred"]["precision"] == "time"
    assert dev["sourcing"]["differ_on"] == [] and dev["alternatives"] == {"status": [], "occurred": [], "where": []}
    line = facts_lines(brief)["depot-strike"]
    assert line == "confirmed 26 March 2026, 17:45 UTC+02:00 · Fuel depot · 2 independent sources"
    assert "conflicting" not in reader_text(brief).lower()


def test_a_place_with_decomposed_accents_is_the_same_place() -> None:
    desk = DESKS / "nfd-place"
    raw = (desk / "sources/pasted-pdf.yaml").read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", raw) != raw  # the fixture really is decomposed
    brief = composed_brief(desk)
    dev = development_json(brief, "market-fire")
    assert brief_json(brief)["discrepancies"] == []
    assert dev["where"] == unicodedata.normalize("NFC", "Qamişli, Haseke")
    assert facts_lines(brief)["market-fire"] == "reported 20 May 2025 · Qamişli, Haseke · 2 independent sources"


# --- rule 4: no fact by file order ---------------------------------------------------------------------


def test_three_files_that_disagree_show_every_value_and_a_disputed_badge() -> None:
    brief = composed_brief(DESKS / "three-file-development", "crossing-undecided")
    dev = development_json(brief, "crossing-closed")
    assert dev["status"] == "disputed"
    assert dev["occurred"] is None and dev["where"] == "Rabia Crossing"  # three spellings of one place
    assert dev["alternatives"]["status"] == ["reported", "denied"]
    assert [w["on"] for w in dev["alternatives"]["occurred"]] == ["2026-04-04", "2026-04-05"]
    assert dev["sourcing"]["independent"] == 3 and dev["sourcing"]["differ_on"] == ["status", "date"]
    discrepancies = {d["id"]: d for d in brief_json(brief)["discrepancies"]}
    assert set(discrepancies) == {"crossing-closed-status", "crossing-closed-date"}
    date_sides = [
        (s["value"], [c["source"] for c in s["cites"]]) for s in discrepancies["crossing-closed-date"]["statements"]
    ]
    assert date_sides == [("2026-04-04", ["wire-one"]), ("2026-04-05", ["wire-two", "wire-three"])]
    assert facts_lines(brief)["crossing-closed"] == (
        "disputed (sources differ: reported or denied) 4 or 5 April 2026 — sources differ · Rabia Crossing · "
        "3 independent sources, which differ on status and date"
    )
    # no editor's order: by theme (borders before economy)
    assert [d.id for d in brief.developments] == ["crossing-closed", "market-reopened"]


def test_a_discrepancy_the_build_found_reads_in_the_briefs_words(make_desk: MakeDesk) -> None:
    """Its topic, its dates and statuses in the brief's language (not `2026-04-04`, not `reported`), and the
    development links to it by what the sources differ on, not by its own summary again."""
    brief = composed_brief(DESKS / "three-file-development", "crossing-undecided")
    text = reader_text(brief)
    assert "Sources differ on the date of: " in text and "2026-04-04" not in text
    assert "What is reportedSources 4 April 20261 5 April 20262,3" in text  # the dates, then their note calls
    assert "What is reportedSources reported1,2 denied3" in text
    # The fact by the name the facts line gives it ("which differ on status"; it said "outcome" here).
    assert "Sources disagree: status; date" in text and "Sources differ on the status of: " in text
    desk = make_desk(
        "three-file-development",
        files={"briefs/undecided.yaml": lambda t: t.replace("language: en-GB", "language: fr")},
    )
    french = reader_text(composed_brief(desk, "crossing-undecided"))
    assert "Les sources divergent (date) : " in french and "Sources differ on the" not in french
    assert "4 avril 2026" in french and "rapporté1,2 démenti3" in french
    assert "3 sources indépendantes, qui divergent sur statut et date" in french  # "status" was left in English
    assert "Les sources divergent (statut) : " in french


def test_the_editor_decides_facts_a_discrepancy_and_the_order() -> None:
    brief = composed_brief(DESKS / "three-file-development", "crossing-decided")
    dev = development_json(brief, "crossing-closed")
    assert dev["status"] == "reported" and dev["occurred"]["on"] == "2026-04-05"
    assert dev["assessed"] == ["status", "date"] and dev["alternatives"]["occurred"] == []
    discrepancies = {d["id"]: d for d in brief_json(brief)["discrepancies"]}
    assert len(brief_json(brief)["discrepancies"]) == 2  # the decision replaced the build's one
    decided = discrepancies["crossing-closed-date"]
    assert decided["status"] == "source_error" and decided["decided_by_editor"] and decided["found_by_build"]
    assert decided["note"].startswith("Wire one dated the closure")
    assert len(decided["statements"]) == 2  # kept from the build
    assert [d.id for d in brief.developments] == ["market-reopened", "crossing-closed"]  # order: 1
    text = reader_text(brief)
    assert "reported (desk's assessment) 5 April 2026 (desk's assessment)" in text
    assert "source error" in text and "Wire one dated the closure" in text


def test_an_editors_discrepancy_needs_statements_unless_it_decides_one_the_build_found(make_desk: MakeDesk) -> None:
    desk = make_desk(
        "three-file-development",
        files={
            "briefs/decided.yaml": lambda t: (
                t
                + "  - id: crossing-closed-place\n    status: resolved\n  - id: crossing-closed-date\n    status: resolved\n"
            )
        },
    )
    found = messages(desk, "crossing-decided")
    assert any(
        "discrepancies[1]: discrepancy 'crossing-closed-place' is not one the build finds" in m and "statements" in m
        for m in found
    ), found
    assert any("duplicate discrepancy id 'crossing-closed-date'" in m for m in found), found


# --- rule 6: lifecycle and lists ----------------------------------------------------------------------


def test_a_question_answered_in_a_later_source_is_answered_whatever_the_file_names() -> None:
    desk = DESKS / "question-lifecycle"
    assert sorted(p.name for p in (desk / "sources").iterdir()) == ["a-late.yaml", "b-early.yaml"]
    brief = composed_brief(desk)
    questions = {q["id"]: q for q in brief_json(brief)["open_questions"]}
    route = questions["line-route"]
    assert route["status"] == "answered" and route["answer"].startswith("Along the river")
    assert route["answer_cites"] == [
        {"source": "late-wire", "locator": None, "quote": None, "via": None, "anonymous": False}
    ]
    assert route["watch_for"] == ["A published map", "A statement by the council"]  # united
    assert questions["funding"]["watch_for"] == ["The budget vote"]  # the brief record's list replaces
    text = reader_text(brief)
    assert "Where does the new line run?" in text
    answered = text[text.index("Where does the new line run?") :]
    assert answered.split("Answer:")[0].count(" answered ") == 1 and " open " not in answered.split("Answer:")[0]
    assert "Answer: Along the river, according to the published map.1" in text  # with its source's call


# --- rule 7: dates ---------------------------------------------------------------------------------------


def test_day_words_resolve_in_the_sources_language_against_its_local_publication_day() -> None:
    brief = composed_brief(DESKS / "day-words")
    on = {d.id.removeprefix("event-"): d.occurred for d in brief.developments}
    assert {k: (w.on.isoformat() if w and w.on else None) for k, w in on.items()} == {
        "next-monday": "2025-05-26",  # said on Monday 19 May: seven days later
        "yesterday": "2025-05-20",  # published 01:30 +03:00, 20 May in UTC: its own offset decides
        "lundi": "2025-05-19",
        "arabic-tuesday": "2025-05-20",
        "turkish-tuesday": "2025-05-20",
        "in-spring": None,
        "same-thursday": None,
        "undated-friday": None,
    }
    assert on["in-spring"] is not None and on["in-spring"].unresolved == "'in the spring' is not a day"
    assert on["same-thursday"] is not None and on["same-thursday"].unresolved == (
        "same weekday as publication: today or in a week?"
    )
    lines = facts_lines(brief)
    assert lines["event-yesterday"].startswith("reported 20 May 2025 ·")
    assert lines["event-next-monday"].startswith("scheduled 26 May 2025 ·")
    assert lines["event-lundi"].startswith("reported 19 May 2025 ·")
    assert "date not stated (reported as “in the spring”, which is not a day)" in lines["event-in-spring"]
    assert "the sources do not date" not in reader_text(brief)
    assert "(reported as “on Friday”: the source has no publication date)" in lines["event-undated-friday"]
    assert "same weekday as publication: today or in a week?" in lines["event-same-thursday"]


def test_unresolved_dates_and_day_words_in_prose_are_located_warnings() -> None:
    result = run("validate", DESKS / "day-words")
    assert result.exit_code == 0
    out = result.stdout
    assert "sources/in-spring.yaml:13: developments[0].occurred: warning: date left unresolved: 'in the spring'" in out
    assert "sources/same-thursday.yaml:13: developments[0].occurred: warning:" in out
    assert "same weekday as publication: today or in a week?" in out
    assert "sources/lundi.yaml:14: developments[0].detail: warning: 'mercredi' is a day word" in out


# --- rule 1 and checks: sources after the cut-off -------------------------------------------------------


def test_a_source_after_the_cutoff_is_left_out_by_all_sources_and_said() -> None:
    desk = DESKS / "late-source"
    brief = composed_brief(desk, "late-all")
    assert [s["id"] for s in brief_json(brief)["sources"]] == ["on-time"]
    assert [c.source for c in brief.developments[0].cites] == ["on-time"]
    notes = [m for m in messages(desk, "late-all") if " note: " in m]
    assert len(notes) == 2 and all("left out" in m for m in notes)
    assert any(
        "'after-cutoff'" in m and "2025-05-22T09:00:00+03:00" in m and "2025-05-22T05:00:00+03:00" in m for m in notes
    )
    assert "Report after-cutoff" not in reader_text(brief)


def test_a_source_after_the_cutoff_named_by_id_is_a_warning_and_an_error_under_strict(tmp_path: Path) -> None:
    desk = DESKS / "late-source"
    brief = composed_brief(desk, "late-named")
    assert [s["id"] for s in brief_json(brief)["sources"]] == ["on-time", "after-cutoff"]
    assert "Report after-cutoff" in reader_text(brief)
    warning = next(m for m in messages(desk, "late-named") if "source-after" in m or "after the edition's cut-off" in m)
    assert warning.startswith("briefs/named.yaml:8: brief.sources[1]: warning:")
    assert "2025-05-22T09:00:00+03:00" in warning and "2025-05-22T05:00:00+03:00" in warning
    strict = run("build", desk, "--date", "2025-05-22", "--out", tmp_path / "out", "--strict", "--format", "json")
    assert strict.exit_code != 0
    assert "late-named" in strict.output and "built   late-all" in strict.output  # notes never stop an edition


def test_without_a_cutoff_the_editions_date_is_the_limit() -> None:
    brief = composed_brief(DESKS / "late-source", "late-pattern")
    assert [s["id"] for s in brief_json(brief)["sources"]] == ["on-time", "after-cutoff"]
    assert any("'next-day'" in m and "it sets no cut-off" in m for m in messages(DESKS / "late-source", "late-pattern"))


def test_notes_never_fail_strict_validation(make_desk: MakeDesk) -> None:
    desk = make_desk("late-source", files={"briefs/named.yaml": None})
    result = run("validate", desk, "--strict")
    assert result.exit_code == 0, result.output
    assert "briefs/all.yaml:5: brief.cutoff: note: source 'after-cutoff'" in result.stdout
    assert "valid: 0 errors, 0 warnings" in result.stderr
    assert run("validate", DESKS / "late-source", "--strict").exit_code == 1  # the named one is a warning


def test_an_edition_written_before_the_counts_shows_no_change_from_the_upgrade() -> None:
    from briefgen.build.changes import compare

    brief = composed_brief(DESKS / "three-file-development", "crossing-decided")
    old = brief_json(brief)
    old["schema_version"] = 1
    for dev in old["developments"]:
        for key in ("independent", "dependent", "differ_on"):
            dev["sourcing"].pop(key)
        dev.pop("alternatives"), dev.pop("assessed")
        if dev["sourcing"]["sources"] > 1:
            dev["sourcing"]["corroboration"] = "conflicting"  # schema 1 put this word in place of the count
    changes = compare(brief, json.dumps(old).encode(), brief.date)
    assert changes.changed_developments == [c for c in changes.changed_developments if c.id == "crossing-closed"]
    assert all(f.field != "corroboration" for c in changes.changed_developments for f in c.fields)


def test_a_late_source_cited_anyway_is_a_warning(make_desk: MakeDesk) -> None:
    desk = make_desk(
        "late-source", files={"briefs/all.yaml": lambda t: t.replace("[@on-time]", "[@on-time; @after-cutoff]")}
    )
    found = messages(desk, "late-all")
    assert any(
        m.startswith("briefs/all.yaml:5: brief.cutoff: warning: source 'after-cutoff' is published 2025-05-22T09:00")
        and "cited in this edition all the same" in m
        for m in found
    ), found


def test_a_wire_relaying_two_outlets_depends_on_both_and_does_not_make_them_one(make_desk: MakeDesk) -> None:
    """ynet relays Al Jazeera and Haaretz (a round-up): beside them it adds no originator, and Al Jazeera
    and Haaretz stay two."""
    round_up = {
        "sources/ynet.yaml": lambda t: t.replace("  reliability: ", "  relays: [jazeera, haaretz]\n  reliability: ", 1)
    }
    desk = make_desk("non-latin-outlets", files=round_up)
    brief = composed_brief(desk)
    sourcing = development_json(brief, "border-talks")["sourcing"]
    assert sourcing["originators"] == [["arabiya"], ["haaretz", "ynet"], ["jazeera"]]  # with the least of the two
    assert (sourcing["sources"], sourcing["independent"], sourcing["dependent"]) == (4, 3, 1)
    assert "3 independent sources (4 in all)" in facts_lines(brief)["border-talks"]
