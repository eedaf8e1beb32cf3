"""Compose: every merging rule on small fixture desks, without templates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from briefgen.compose import model as composed
from briefgen.compose.compose import compose
from briefgen.compose.dates import resolve_date
from briefgen.desk.loader import load_desk
from briefgen.desk.models import DateMapping, SourceDocument
from briefgen.desk.vocabulary import Status

MakeDesk = Callable[..., Path]


def composed_brief(desk: Path) -> composed.ComposedBrief:
    loaded = load_desk(desk)
    result = compose(loaded, loaded.briefs[0])
    assert result.brief is not None, [str(d) for d in result.diagnostics]
    return result.brief


def development(brief: composed.ComposedBrief, dev_id: str) -> composed.Development:
    return next(d for d in brief.developments if d.id == dev_id)


def test_weekday_resolves_against_the_citing_source_published_date() -> None:
    source = SourceDocument(id="s", title="t", published=date(2025, 5, 21))  # a Wednesday
    past = resolve_date(DateMapping(as_reported="on Wednesday"), Status.REPORTED, source).when
    assert past.on == date(2025, 5, 21) and past.resolved_from == "s"
    earlier = resolve_date(DateMapping(as_reported="last Monday"), Status.REPORTED, source).when
    assert earlier.on == date(2025, 5, 19)
    future = resolve_date(DateMapping(as_reported="on Thursday"), Status.SCHEDULED, source).when
    assert future.on == date(2025, 5, 22)
    same_day_future = resolve_date(DateMapping(as_reported="Wednesday"), Status.EXPECTED, source)
    assert same_day_future.when.on is None
    assert same_day_future.problem is not None and "same weekday as publication" in same_day_future.problem
    undated = resolve_date(DateMapping(as_reported="on Friday"), Status.REPORTED, SourceDocument(id="u", title="t"))
    assert undated.when.on is None and undated.when.unresolved == "the source has no publication date"
    assert undated.problem is not None and "the source has no publication date" in undated.problem


def test_items_merge_by_id_with_citations_united_and_independent_corroboration(make_desk: MakeDesk) -> None:
    brief = composed_brief(make_desk())
    line = development(brief, "ceasefire-line")
    assert [c.source for c in line.cites] == ["alpha-report", "beta-wire"]
    assert line.sourcing.corroboration is composed.Corroboration.MULTIPLE_INDEPENDENT
    assert line.sourcing.originators == [["alpha-report"], ["beta-wire"]]
    assert line.occurred is not None and line.occurred.on == date(2025, 5, 20)  # "on Tuesday" before 21 May
    assert [a.actor for a in line.actors] == ["council"]  # "the council" is an alias
    assert brief.discrepancies == []


def test_relayed_reports_count_as_one_originator(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "sources/beta.yaml": lambda t: t.replace("  reliability: C\n", "  reliability: C\n  relays: [Alpha News]\n")
        }
    )
    line = development(composed_brief(desk), "ceasefire-line")
    assert line.sourcing.corroboration is composed.Corroboration.MULTIPLE_DEPENDENT
    assert line.sourcing.originators == [["alpha-report", "beta-wire"]]


def test_disagreeing_fact_fields_become_discrepancies(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "sources/beta.yaml": lambda t: t.replace("where: Valley", "where: Upper valley").replace(
                "2025-05-20", "2025-05-19"
            )
        }
    )
    brief = composed_brief(desk)
    line = development(brief, "ceasefire-line")
    assert line.sourcing.corroboration is composed.Corroboration.MULTIPLE_INDEPENDENT
    assert line.sourcing.independent == 2 and line.sourcing.differ_on == ["date", "place"]
    found = {d.kind.value: d for d in brief.discrepancies}
    assert set(found) == {"place", "date"}
    assert [(s.value, [c.source for c in s.cites]) for s in found["place"].statements] == [
        ("Upper valley", ["beta-wire"]),  # in Unicode order of the folded names, never in file order
        ("Valley", ["alpha-report"]),
    ]
    assert [s.value for s in found["date"].statements] == ["2025-05-19", "2025-05-20"]  # in date order
    assert all(d.found_by_build and d.development == "ceasefire-line" for d in found.values())
    assert sorted(line.discrepancies) == sorted(d.id for d in found.values())


def test_brief_record_prose_wins_and_sources_are_selected_by_pattern(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "briefs/edition.yaml": lambda t: (
                t.replace("  lists: [analysts]\n", '  lists: [analysts]\n  sources: ["alpha-*"]\n')
                + "developments:\n  - id: ceasefire-line\n    summary: Editor's own summary.\n"
            )
        }
    )
    brief = composed_brief(desk)
    line = development(brief, "ceasefire-line")
    assert line.summary == "Editor's own summary."
    assert [c.source for c in line.cites] == ["alpha-report"]  # beta-wire is not selected
    assert [s.id for s in brief.sources] == ["alpha-report", "beta-wire"]  # beta is still cited in the BLUF


def test_an_anonymous_claim_beside_a_named_denial_is_flagged(make_desk: MakeDesk) -> None:
    """One originator cited only anonymously among named ones: counted and said, on the development and on
    its side of the discrepancy (it read "2 independent sources, which differ on status", no flag)."""
    from briefgen.render.labels import sourcing_label

    desk = make_desk(
        files={
            "sources/alpha.yaml": lambda t: t.replace(
                'quote: "a new ceasefire line"}', 'quote: "a new ceasefire line", anonymous: true}'
            ),
            "sources/beta.yaml": lambda t: t.replace("status: reported", "status: denied"),
        }
    )
    brief = composed_brief(desk)
    line = development(brief, "ceasefire-line")
    assert (line.sourcing.independent, line.sourcing.anonymous, line.sourcing.anonymous_only) == (2, 1, False)
    assert sourcing_label(line.sourcing) == "2 independent sources, 1 of them anonymous, which differ on status"
    found = next(d for d in brief.discrepancies if d.development == "ceasefire-line")
    sides = {tuple(c.source for c in s.cites): s.anonymous_only for s in found.statements}
    assert sides == {("alpha-report",): True, ("beta-wire",): False}
    # Anonymous throughout: the development's own flag ("rests on anonymous sourcing"), not a count.
    named = development(composed_brief(make_desk("sample")), "permanent-mechanism")
    assert named.sourcing.anonymous_only and named.sourcing.anonymous == 1


def test_a_citation_via_another_sources_outlet_depends_on_it(make_desk: MakeDesk) -> None:
    """A report that says it got the claim from an outlet the desk also cites: one originator for that item
    (it counted as two independent sources), and only for that item."""
    from briefgen.render.labels import sourcing_label

    desk = make_desk(
        files={
            "sources/alpha.yaml": lambda t: t.replace(
                'quote: "a new ceasefire line"}', 'quote: "a new ceasefire line", via: BETA  wire}'
            )
        }
    )
    line = development(composed_brief(desk), "ceasefire-line")
    assert line.sourcing.originators == [["alpha-report", "beta-wire"]]
    assert sourcing_label(line.sourcing) == "2 sources, one originator"
    # A via that names no outlet of the desk (a description of the chain) joins nothing.
    alpha = desk / "sources/alpha.yaml"
    alpha.write_text(alpha.read_text().replace("via: BETA  wire", 'via: "an official quoted by radio"'))
    assert development(composed_brief(desk), "ceasefire-line").sourcing.independent == 2


def test_places_that_hold_commas_are_quoted_when_sources_differ(make_desk: MakeDesk) -> None:
    """ "Tel Hamra, Orontes valley, Tell Hamra, or ..." could not be read as three places or two."""
    from briefgen.render.labels import place_label
    from briefgen.render.words import words_for

    desk = make_desk(files={"sources/beta.yaml": lambda t: t.replace("where: Valley", "where: Valley, north bank")})
    line = development(composed_brief(desk), "ceasefire-line")
    assert place_label(line) == "“Valley” or “Valley, north bank” — sources differ"
    assert place_label(line, words_for("fr", None)).startswith("«\u00a0Valley\u00a0» ou «\u00a0Valley, north bank")


def test_anonymous_only_development_says_so(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "sources/alpha.yaml": lambda t: t.replace(
                'quote: "a new ceasefire line"}', 'quote: "a new ceasefire line", anonymous: true}'
            ),
            "sources/beta.yaml": None,
        }
    )
    desk_brief = desk / "briefs/edition.yaml"
    desk_brief.write_text(desk_brief.read_text().replace("; @beta-wire", ""))
    line = development(composed_brief(desk), "ceasefire-line")
    assert line.sourcing.anonymous_only
    assert line.sourcing.corroboration is composed.Corroboration.SINGLE_SOURCE


def test_a_source_that_only_corroborates_a_development_gives_its_id_and_cites(make_desk: MakeDesk) -> None:
    """beta reports the development alpha describes: without repeating its summary, and so without a
    'summary differs' warning; when no record gives a summary, one error names the file, line and field."""
    summary = "    summary: The council agreed a new ceasefire line.\n"
    desk = make_desk(files={"sources/beta.yaml": lambda t: t.replace(summary, "")})
    loaded = load_desk(desk)
    result = compose(loaded, loaded.briefs[0])
    assert result.brief is not None, [str(d) for d in result.diagnostics]
    line = development(result.brief, "ceasefire-line")
    assert line.summary == "The council agreed a new ceasefire line." and line.sourcing.independent == 2
    assert not [d for d in result.diagnostics if d.field.endswith("summary")]
    (desk / "sources/alpha.yaml").write_text((desk / "sources/alpha.yaml").read_text().replace(summary, ""))
    loaded = load_desk(desk)
    errors = [str(d) for d in compose(loaded, loaded.briefs[0]).diagnostics if d.is_error]
    assert errors == [
        "sources/alpha.yaml:14: developments[0].summary: development 'ceasefire-line' has no summary: "
        "neither the brief record nor any of this brief's sources that report it gives one"
    ]
