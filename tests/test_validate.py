"""`briefgen validate`: every error and warning kind, with its message, file and line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SAMPLE, run

MakeDesk = Callable[..., Path]


def lines_of(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


def only_problem(desk: Path, *, code: int = 1) -> str:
    result = run("validate", desk)
    assert result.exit_code == code, result.output
    problems = [line for line in lines_of(result.stdout) if "warning:" not in line]
    assert len(problems) == 1, result.stdout
    assert "Traceback" not in result.output
    return problems[0]


def test_minimal_desk_is_valid(make_desk: MakeDesk) -> None:
    result = run("validate", make_desk())
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "valid: 0 errors, 0 warnings" in result.stderr


def test_sample_desk_validates_with_the_warnings_its_material_deserves() -> None:
    # The sample desk acknowledges each of them (see the README); --verbose lists them with the reasons.
    result = run("validate", SAMPLE, "--verbose")
    assert result.exit_code == 0, result.output
    warnings = lines_of(result.stdout)
    assert all("warning:" in w and "(acknowledged: " in w for w in warnings)
    joined = "\n".join(warnings)
    assert "aggregator-talks-azerbaijan.yaml:8: source.published: warning: no publication date" in joined
    assert "'on Wednesday' (source 'aggregator-talks-azerbaijan', en): the source has no publication date" in joined
    # The public digest list gets the sample's TLP:CLEAR edition: no list goes without (README "Editions ...").
    assert "list-not-cleared" not in joined and "public-digest" not in joined


def test_init_desk_validates_cleanly(tmp_path: Path) -> None:
    desk = tmp_path / "new-desk"
    result = run("init", desk)
    assert result.exit_code == 0, result.output
    for name in ("briefgen.toml", "sources", "briefs", "lists", "templates"):
        assert (desk / name).exists()
    checked = run("validate", desk, "--strict")
    assert checked.exit_code == 0, checked.output
    assert "0 errors, 0 warnings" in checked.stderr


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("keep me")
    result = run("init", tmp_path)
    assert result.exit_code == 2
    assert "already exists and is not an empty folder" in result.stderr
    assert (tmp_path / "x.txt").read_text() == "keep me"


# --- errors in one record --------------------------------------------------------------------------

SOURCE_HEAD = """
source:
  id: gamma
  title: Gamma
  published: 2025-05-20
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            SOURCE_HEAD + "  outlett: Gamma Daily\n",
            "sources/g.yaml:5: source.outlett: unknown key 'outlett' (did you mean 'outlet'?)",
        ),
        ("source:\n  id: gamma\n", "sources/g.yaml:1: source.title: required field is missing"),
        (SOURCE_HEAD + "  type: newz\n", "sources/g.yaml:5: source.type: expected one of 'wire', "),
        (
            SOURCE_HEAD.replace("2025-05-20", "2025-02-30"),
            "sources/g.yaml:4: source.published: expected an ISO date (YYYY-MM-DD)",
        ),
        (SOURCE_HEAD.replace("2025-05-20", "20 May 2025"), "got '20 May 2025'"),
        (
            SOURCE_HEAD.replace("id: gamma", "id: Gamma Report"),
            "sources/g.yaml:2: source.id: 'Gamma Report' is not a valid id",
        ),
        (SOURCE_HEAD + "  authors: Someone\n", "sources/g.yaml:5: source.authors: expected a list, got text 'Someone'"),
        (SOURCE_HEAD + "  reliability: 7\n", "sources/g.yaml:5: source.reliability: expected one of 'A', 'B'"),
        (
            SOURCE_HEAD + "  url: javascript:alert(1)\n",
            "sources/g.yaml:5: source.url: expected an http:// or https:// URL",
        ),
        (SOURCE_HEAD.replace("title: Gamma", 'title: "Gamma\\u202eevil"'), "bidirectional control character U+202E"),
        (
            SOURCE_HEAD + "developments:\n  - id: d1\n    summary: Something happened.\n    status: confirmd\n",
            "sources/g.yaml:8: developments[0].status: expected one of 'confirmed', 'reported', 'claimed', 'disputed', 'denied', 'retracted', 'scheduled' or 'expected'; got 'confirmd' (did you mean 'confirmed'?)",
        ),
        (
            SOURCE_HEAD + "developments:\n  - id: d1\n    summary: Something happened.\n    occurred: {}\n",
            "sources/g.yaml:8: developments[0].occurred: a date mapping needs `on`, `as_reported` or both",
        ),
    ],
    ids=[
        "unknown-key",
        "missing-field",
        "bad-enum",
        "impossible-date",
        "bad-date",
        "bad-id",
        "wrong-type",
        "enum-number",
        "bad-url",
        "bidi",
        "enum-suggest",
        "empty-date",
    ],
)
def test_record_errors_name_file_line_field(make_desk: MakeDesk, body: str, expected: str) -> None:
    desk = make_desk(files={"sources/g.yaml": body})
    assert expected in only_problem(desk)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("source:\n  id: [1, 2\n  title: x\n", "sources/g.yaml:3: malformed YAML: "),
        ("- one\n- two\n", "sources/g.yaml:1: expected a mapping of fields at the top of the file, got a list"),
        ("", "sources/g.yaml:1: the file is empty"),
        (b"source:\n  id: caf\xe9\n", "sources/g.yaml:2: not valid UTF-8: byte 0xe9 at offset 17"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "sources/g.yaml:3: binary file: NUL byte at offset 8"),
        ("source:\n  id: a\n  id: b\n", "sources/g.yaml:3: duplicate key 'id' (first given on line 2)"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
            "sources/g.yaml:2: YAML aliases (*a) are not accepted in records",
        ),
        ("source: !!python/object:os.system {}\n", "unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'"),
        ("---\nsource: {}\n---\nsource: {}\n", "sources/g.yaml:3: a record file holds one YAML document"),
    ],
    ids=[
        "malformed",
        "list",
        "empty",
        "latin1",
        "binary",
        "duplicate-key",
        "alias-bomb",
        "python-tag",
        "two-documents",
    ],
)
def test_unreadable_files(make_desk: MakeDesk, content: str | bytes, expected: str) -> None:
    desk = make_desk(files={"sources/g.yaml": content})
    assert expected in only_problem(desk)


def test_malformed_yaml_reports_parser_line_and_column(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"sources/g.yaml": "source:\n  id: gamma\n  title: [unclosed\n  outlet: x\n"})
    problem = only_problem(desk)
    assert problem.startswith("sources/g.yaml:4: malformed YAML")
    assert "column" in problem


def test_yaml_12_scalars_stay_as_written(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "sources/g.yaml": SOURCE_HEAD.replace("title: Gamma", "title: NO") + "  dateline: 012345\n  outlet: 1:20\n"
        }
    )
    from briefgen.desk.loader import load_desk

    loaded = load_desk(desk)
    source = next(s.record.source for s in loaded.sources if s.record.source.id == "gamma")
    assert (source.title, source.dateline, source.outlet) == ("NO", "012345", "1:20")


def test_json_records_are_accepted_and_checked_with_lines(make_desk: MakeDesk) -> None:
    record = {
        "source": {"id": "gamma", "title": "Gamma", "published": "2025-05-20"},
        "developments": [{"id": "d1", "summary": "Something.", "status": "confirmd"}],
    }
    desk = make_desk(files={"sources/g.json": json.dumps(record, indent=2)})
    assert "sources/g.json:11: developments[0].status: expected one of" in only_problem(desk)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"source": {"id": "a", "id": "b"}}', "malformed JSON: duplicate key 'id'"),
        ('{"source": {"id": "a", "title": "t", "x": NaN}}', "malformed JSON: NaN is not accepted"),
        ('{"source": ' * 40 + "{}" + "}" * 40, "nesting deeper than 32 levels"),
        ('{"source": {"id": "a",}}', "sources/g.json:1: malformed JSON: Expecting property name"),
    ],
    ids=["duplicate", "nan", "deep", "syntax"],
)
def test_broken_json(make_desk: MakeDesk, content: str, expected: str) -> None:
    desk = make_desk(files={"sources/g.json": content})
    assert expected in only_problem(desk)


# --- errors across files ------------------------------------------------------------------------------


def test_unknown_citation_suggests_nearest_id(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "sources/g.yaml": SOURCE_HEAD
            + "developments:\n  - id: d1\n    summary: S.\n    cites:\n      - gamma\n      - alpha-reprot\n"
        }
    )
    assert only_problem(desk) == (
        "sources/g.yaml:10: developments[0].cites[1]: unknown source 'alpha-reprot' (did you mean 'alpha-report'?)"
    )


def test_unknown_citation_in_markdown(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"briefs/edition.yaml": lambda t: t.replace("@beta-wire]", "@beta-wir]")})
    assert only_problem(desk) == (
        "briefs/edition.yaml:8: brief.bluf[0]: unknown source 'beta-wir' (did you mean 'beta-wire'?)"
    )


def test_duplicate_source_id_names_both_files(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"sources/zeta.yaml": "source:\n  id: beta-wire\n  title: Copy\n  published: 2025-05-01\n"})
    assert only_problem(desk) == (
        "sources/zeta.yaml:2: source.id: duplicate source id 'beta-wire' (also in sources/beta.yaml:2)"
    )


def test_quote_not_in_source_text(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={"sources/alpha.yaml": lambda t: t.replace('quote: "a new ceasefire line"', 'quote: "a permanent truce"')}
    )
    assert only_problem(desk) == (
        "sources/alpha.yaml:20: developments[0].cites[0].quote: quote 'a permanent truce' is not found in "
        "paragraph 1 of the text of source 'alpha-report'"
    )


def test_quote_matches_after_normalising_quotes_dashes_and_spaces(make_desk: MakeDesk) -> None:
    new_quote = 'quote: "agreed \u201ca  new\\n ceasefire line\u201d"'
    desk = make_desk(files={"sources/alpha.yaml": lambda t: t.replace('quote: "a new ceasefire line"', new_quote)})
    assert run("validate", desk).exit_code == 0


def test_brief_without_marking(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"briefs/edition.yaml": lambda t: t.replace("  marking: TLP:GREEN\n", "")})
    assert only_problem(desk) == "briefs/edition.yaml:1: brief.marking: required field is missing"


def test_marking_below_a_source_marking_is_an_error_unless_justified(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "sources/alpha.yaml": lambda t: t.replace("  reliability: B\n", "  reliability: B\n  marking: TLP:AMBER\n")
        }
    )
    assert only_problem(desk) == (
        "briefs/edition.yaml:6: brief.marking: TLP:GREEN is less restrictive than TLP:AMBER of source "
        "'alpha-report' (sources/alpha.yaml); mark the brief TLP:AMBER or set brief.downgrade_reason"
    )
    brief = (desk / "briefs/edition.yaml").read_text()
    (desk / "briefs/edition.yaml").write_text(
        brief.replace("  marking: TLP:GREEN\n", "  marking: TLP:GREEN\n  downgrade_reason: Sanitised by the owner.\n")
    )
    assert run("validate", desk).exit_code == 0


def test_development_without_citation(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={"briefs/edition.yaml": lambda t: t + "developments:\n  - id: new-thing\n    summary: A new thing.\n"}
    )
    assert (
        only_problem(desk) == "briefs/edition.yaml:11: developments[0].cites: a development needs at least one citation"
    )


def test_unknown_actor_is_named_with_a_suggestion(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"sources/beta.yaml": lambda t: t.replace("actors: [the council]", "actors: [the councel]")})
    assert only_problem(desk) == (
        "sources/beta.yaml:14: developments[0].actors[0].actor: unknown actor 'the councel' (did you mean 'the council'?)"
    )


def test_all_problems_reported_in_one_run_sorted_by_file_and_line(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "sources/b-second.yaml": "source:\n  id: second\n  title: T\n  published: 2025-13-01\n  colour: red\n",
            "sources/a-first.yaml": "source:\n  id: First\n  title: T\n",
            "lists/analysts.yaml": "id: analysts\nname: A\nclearance: TLP:BLUE\n",
        }
    )
    result = run("validate", desk)
    assert result.exit_code == 1
    problems = lines_of(result.stdout)
    assert [p.split(":")[0] + ":" + p.split(":")[1] for p in problems] == [
        "briefs/edition.yaml:9",
        "lists/analysts.yaml:3",
        "sources/a-first.yaml:2",
        "sources/b-second.yaml:4",
        "sources/b-second.yaml:5",
    ]
    assert "5 errors" in result.stderr
    assert "distribution list 'analysts' does not load (lists/analysts.yaml has errors)" in problems[0]


def test_settings_errors_name_the_line(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={"briefgen.toml": '[desk]\nname = "X"\ntimezone = "Mars/Olympus"\n[pdf]\npage_sise = "A4"\n'}
    )
    result = run("validate", desk)
    assert result.exit_code == 1
    assert "briefgen.toml:3: desk.timezone: unknown time zone 'Mars/Olympus'" in result.stdout
    assert "briefgen.toml:5: pdf.page_sise: unknown key 'page_sise' (did you mean 'page_size'?)" in result.stdout


def test_empty_desk_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "briefgen.toml").write_text("")
    result = run("validate", tmp_path)
    assert result.exit_code == 1
    assert "the desk has no records" in result.stdout


@pytest.mark.parametrize("which", ["missing", "file", "plain-folder"])
def test_not_a_desk_is_a_usage_error(tmp_path: Path, which: str) -> None:
    target = tmp_path / "nowhere"
    if which == "file":
        target.write_text("x")
    elif which == "plain-folder":
        target.mkdir()
    result = run("validate", target)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"briefgen: error: {target}:")
    assert "Traceback" not in result.output


# --- warnings ----------------------------------------------------------------------------------------


def warnings_of(desk: Path) -> list[str]:
    result = run("validate", desk)
    assert result.exit_code == 0, result.output
    return [line for line in lines_of(result.stdout) if "warning:" in line]


def test_warning_no_publication_date_and_unresolved_weekday(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"sources/alpha.yaml": lambda t: t.replace("  published: 2025-05-21\n", "")})
    assert warnings_of(desk) == [
        "sources/alpha.yaml:1: source.published: warning: no publication date: weekdays it reports cannot be "
        "resolved and its endnote says 'date not stated'",
        "sources/alpha.yaml:16: developments[0].occurred: warning: date left unresolved: 'on Tuesday' (source "
        "'alpha-report', en): the source has no publication date; set `on` when it is known",
    ]


def test_warning_confirmed_on_one_anonymous_originator(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "sources/g.yaml": SOURCE_HEAD + "developments:\n  - id: d1\n    summary: S.\n    status: confirmed\n"
            "    cites: [{source: gamma, via: an official, anonymous: true}]\n"
        }
    )
    assert warnings_of(desk) == [
        "sources/g.yaml:8: developments[0].status: warning: development 'd1' is marked confirmed but rests on one "
        "anonymous originator"
    ]


def test_warning_prose_differs_between_files(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "sources/beta.yaml": lambda t: t.replace(
                "    summary: The council agreed a new ceasefire line.",
                "    summary: The council approved a ceasefire line.",
            )
        }
    )
    assert warnings_of(desk) == [
        "sources/beta.yaml:10: developments[0].summary: warning: summary differs from sources/alpha.yaml:15, whose "
        "value is used (set it in the brief record to choose)"
    ]


def test_warning_uncited_source_and_nothing_to_watch_for(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "sources/g.yaml": SOURCE_HEAD,
            "sources/alpha.yaml": lambda t: t.replace("    watch_for: [A published map]\n", ""),
        }
    )
    assert warnings_of(desk) == [
        "sources/alpha.yaml:27: open_questions[0].watch_for: warning: open question 'line-route' has nothing to watch for",
        "sources/g.yaml:2: source.id: warning: source 'gamma' is cited by no item and carries none",
    ]


def test_strict_turns_warnings_into_failure(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"sources/g.yaml": SOURCE_HEAD})
    assert run("validate", desk).exit_code == 0
    strict = run("validate", desk, "--strict")
    assert strict.exit_code == 1
    assert "invalid: 0 errors, 1 warning" in strict.stderr


def test_json_output(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"sources/g.yaml": SOURCE_HEAD + "  outlett: x\n"})
    result = run("validate", desk, "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["errors"] == 1 and payload["warnings"] == 0
    assert payload["diagnostics"] == [
        {
            "path": "sources/g.yaml",
            "line": 5,
            "field": "source.outlett",
            "severity": "error",
            "code": "extra-forbidden",
            "message": "unknown key 'outlett' (did you mean 'outlet'?)",
        }
    ]


# --- the command as a whole ---------------------------------------------------------------------------


def test_validate_does_not_import_weasyprint_and_prints_no_traceback(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"sources/g.yaml": "- not a mapping\n"})
    probe = (
        "import sys\n"
        "from briefgen.cli import main\n"
        f"sys.argv = ['briefgen', 'validate', {str(desk)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "print('WEASYPRINT' if 'weasyprint' in sys.modules else 'CLEAN', code)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert done.stdout.strip().endswith("CLEAN 1"), done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_python_dash_m_and_debug(make_desk: MakeDesk) -> None:
    desk = make_desk()
    done = subprocess.run(
        [sys.executable, "-m", "briefgen", "validate", str(desk)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "briefgen", "--debug", "validate", str(desk / "nope")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2
    assert "Traceback" in missing.stderr


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("TLP:WHITE", "got 'TLP:WHITE' (TLP 1.0's TLP:WHITE is TLP:CLEAR in TLP 2.0)"),
        ("tlp:amber", "got 'tlp:amber' (did you mean 'TLP:AMBER'?)"),
        ("TLP:AMBRE", "got 'TLP:AMBRE' (did you mean 'TLP:AMBER'?)"),
    ],
)
def test_a_marking_misspelt_or_from_tlp_1_gets_the_marking_meant(make_desk: MakeDesk, given: str, hint: str) -> None:
    desk = make_desk(files={"briefs/edition.yaml": lambda t: t.replace("marking: TLP:GREEN", f"marking: {given}")})
    result = run("validate", desk)
    assert result.exit_code == 1
    assert "briefs/edition.yaml:6: brief.marking: expected one of 'TLP:CLEAR'" in result.output
    assert hint in result.output


def test_times_that_cannot_all_be_right_are_warnings(make_desk: MakeDesk) -> None:
    """A cut-off after the edition was issued, a source published after it was issued (no cut-off), and a
    past event dated after the source that reports it was published (2027 typed for 2025): each passed
    without a word."""
    desk = make_desk(
        files={
            "sources/beta.yaml": lambda t: t.replace(
                "published: 2025-05-21T10:00:00+00:00", "published: 2025-05-22T09:30:00+00:00"
            ),
            "sources/alpha.yaml": lambda t: t.replace(
                "summary: The council agreed a new ceasefire line.\n    status: reported\n",
                "summary: The council agreed a new ceasefire line.\n    status: reported\n",
            ).replace('occurred: {as_reported: "on Tuesday"}', "occurred: 2027-05-20"),
        }
    )
    result = run("validate", desk)
    assert result.exit_code == 0, result.output
    assert (
        "briefs/edition.yaml:5: brief.issued: warning: source 'beta-wire' (sources/beta.yaml) was published "
        "2025-05-22T09:30:00+00:00, after the edition was issued (2025-05-22T06:00:00+00:00): check the times, "
        "or set a `cutoff` to leave it out"
    ) in result.output
    assert (
        "sources/alpha.yaml:17: developments[0].occurred: warning: occurred 2027-05-20 is after source "
        "'alpha-report' was published (2025-05-21), yet the status 'reported' is not a future one"
    ) in result.output
    assert run("validate", desk, "--strict").exit_code == 1
    brief = desk / "briefs/edition.yaml"
    brief.write_text(brief.read_text().replace("  marking:", "  cutoff: 2025-05-22T10:00:00+00:00\n  marking:"))
    result = run("validate", desk)
    assert (
        "brief.cutoff: warning: the cut-off 2025-05-22T10:00:00+00:00 is after the edition was issued "
        "(2025-05-22T06:00:00+00:00)"
    ) in result.output
    assert "after the edition was issued (2025-05-22T06:00:00+00:00): check the times" not in result.output


def test_a_member_outside_the_allowed_domains_is_located_and_not_an_unknown_list(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "lists/analysts.yaml": (
                "id: analysts\nname: Analysts\nclearance: TLP:AMBER\nallowed_domains: [example.org]\nmembers:\n"
                "  - {name: Test Reader, email: reader@example.org}\n  - {name: Other, email: other@evil.example}\n"
            )
        }
    )
    result = run("validate", desk)
    assert result.exit_code == 1
    assert (
        "lists/analysts.yaml:7: members[1].email: other@evil.example is outside the allowed domains (example.org)"
        in result.output
    )  # it was reported at line 1
    assert (
        "briefs/edition.yaml:9: brief.lists[0]: distribution list 'analysts' does not load "
        "(lists/analysts.yaml has errors)" in result.output
    )  # not "unknown distribution list 'analysts'"
    assert "unknown distribution list" not in result.output


def test_a_file_in_a_record_folder_that_is_not_read_gets_a_note(make_desk: MakeDesk) -> None:
    desk = make_desk(files={"sources/field-notes.md": "# notes from the call\n", "lists/old.txt": "a@example.org\n"})
    result = run("validate", desk, "--strict")
    assert result.exit_code == 0, result.output  # a note, not a warning
    assert "sources/field-notes.md: note: not a record file (.json, .yaml, .yml): not read" in result.output
    assert "lists/old.txt: note: not a record file (.json, .yaml, .yml): not read" in result.output


def test_a_linked_folder_in_a_record_folder_is_not_followed_and_says_so(make_desk: MakeDesk, tmp_path: Path) -> None:
    """A link to a folder is never followed: out of the desk it is an error (its records would silently be
    missing from every brief), to a folder of the desk a warning."""
    desk = make_desk()
    (desk / "sources/briefs-again").symlink_to(desk / "briefs", target_is_directory=True)
    result = run("validate", desk)
    assert result.exit_code == 0, result.output
    assert "sources/briefs-again: warning: a link to the desk's folder briefs/: not followed" in result.output
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "extra.yaml").write_text("source:\n  id: extra\n  title: Extra\n", encoding="utf-8")
    (desk / "sources/shared").symlink_to(outside, target_is_directory=True)
    result = run("validate", desk)
    assert result.exit_code == 1
    assert f"sources/shared: links outside the desk (to {outside.resolve()})" in result.output
