"""The morning run and the editor's day without surprises (issue 16): typos, init, validate, flags, desks
found from inside, acknowledged warnings, renderer warnings under --strict, logs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pikepdf
import pytest
import yaml
from conftest import REPO, SAMPLE, SAMPLE_BRIEF, one_edition, run

from briefgen import __version__

MakeDesk = Callable[..., Path]
DAY = "2025-05-22"


# --- typos: --brief, --date that match nothing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--brief", "valey"), "--brief valey: no brief has this id (did you mean 'valley'?)"),
        (("--date", "2025-05-23"), "--date 2025-05-23: no edition is dated so (did you mean '2025-05-22'?)"),
        (("--brief", "valley", "--date", "2024-01-01"), "--date 2024-01-01: no edition of valley is dated so"),
    ],
)
def test_build_selections_that_match_nothing_exit_2(make_desk: MakeDesk, args: tuple[str, ...], message: str) -> None:
    desk = make_desk()
    result = run("build", desk, *args, "--format", "json")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "nothing to build" not in result.stderr
    assert not (desk / "out").exists()


def test_a_brief_that_does_not_load_is_its_error_not_nothing_to_build(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={"briefs/edition.yaml": lambda t: t.replace("  date: ", "  cut_off: 2025-05-22T10:00:00Z\n  date: ", 1)}
    )
    result = run("build", desk, "--all", "--format", "json")
    assert result.exit_code == 1, result.output
    assert "brief.cut_off: unknown key 'cut_off' (did you mean 'cutoff'?)" in result.stderr
    assert "nothing to build" not in result.stderr


def test_nothing_today_gives_advice_that_fits_the_options(make_desk: MakeDesk) -> None:
    desk = make_desk()
    today = run("build", desk, "--format", "json")
    assert today.exit_code == 0
    assert "use --date YYYY-MM-DD or --all" in today.stderr


def test_one_did_you_mean_helper() -> None:
    sources = [p for p in (REPO / "briefgen").rglob("*.py") if "get_close_matches" in p.read_text(encoding="utf-8")]
    assert [p.name for p in sources] == ["errors.py"]


# --- init ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Levant Desk: North", "Desk #2", 'The "Quoted" Desk', "It's \\ a desk", "- [x]: {y}"])
def test_init_with_any_name_gives_a_desk_that_validates(tmp_path: Path, name: str) -> None:
    desk = tmp_path / "desk"
    result = run("init", desk, "--name", name)
    assert result.exit_code == 0, result.output
    assert tomllib.loads((desk / "briefgen.toml").read_text(encoding="utf-8"))["desk"]["name"] == name
    brief = yaml.safe_load((desk / "briefs" / "example-brief.yaml").read_text(encoding="utf-8"))
    assert brief["brief"]["authors"] == [name]
    checked = run("validate", desk, "--strict")
    assert checked.exit_code == 0, checked.output
    assert "0 errors, 0 warnings" in checked.stderr


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("init", tmp_path)
    assert result.exit_code == 2
    assert "already exists and is not an empty folder" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.pdf
def test_a_fresh_desk_builds_with_zero_warnings(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    assert run("init", desk).exit_code == 0
    settings = desk / "briefgen.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + '\n[mail]\nfrom = "Desk <desk@example.org>"\n', encoding="utf-8"
    )
    result = run("build", desk, "--format", "html,pdf,json,txt,eml", "--strict")
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.stderr and "dcterms" not in result.stderr
    assert "1 built, 0 up to date, 0 failed; 1 page," in result.stderr and "0 warnings" in result.stderr
    [pdf_path] = (desk / "out").glob("*/example-brief.pdf")
    brief = yaml.safe_load((desk / "briefs" / "example-brief.yaml").read_text(encoding="utf-8"))["brief"]
    issued = brief["issued"]
    with pikepdf.open(pdf_path) as pdf:
        created = str(pdf.docinfo["/CreationDate"])
    assert created.startswith("D:" + issued.strftime("%Y%m%d%H%M"))
    [eml] = (desk / "out").glob("*/example-brief.example-partners.eml")
    message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert message["Date"].datetime == issued


# --- --strict and renderer warnings --------------------------------------------------------------------------


@pytest.mark.pdf
def test_strict_fails_on_renderer_warnings(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "templates/brief.html.j2": (
                '{% extends "builtin/brief.html.j2" %}'
                "{% block stylesheet %}{{ super() }} h2 { colour: red; }{% endblock %}"
            )
        }
    )
    result = run("build", desk, "--date", DAY, "--format", "pdf", "--strict")
    assert result.exit_code == 1
    assert "WeasyPrint: Ignored `colour: red`" in result.stderr and "(--strict)" in result.stderr
    assert not list((desk / "out").glob("*/*.pdf"))


# --- validate compiles the desk's templates ------------------------------------------------------------------


def test_validate_reports_template_mistakes_with_file_and_line(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "templates/brief.html.j2": (
                '{% extends "builtin/brief.html.j2" %}\n'
                "{% block bluff %}<p>{{ breif.title }}</p>{% endblock %}\n"
                "{% block legend %}{{ brief.title }}{% endblock %}\n"
                "{% block outlook %}{{ brief.titel }}{% for d in brief.developments %}\n"
                "{% for c in d.cites %}{{ c.sorce }}{% endfor %}{{ d.summary }}{% endfor %}{% endblock %}\n"
                "{% block changes %}{% if brief.extra is defined %}{{ brief.extra }}{% endif %}"
                "{{ brief.other | default('') }}{% endblock %}\n"
            ),
            "templates/sections/outlook.html.j2": "<p>\n{% if brief.outlook %}\n{{ brief.outlook }\n",
        }
    )
    result = run("validate", desk)
    assert result.exit_code == 3  # a template error, as the build's exit code says it
    lines = result.stdout.splitlines()
    at = lines.index("templates/sections/outlook.html.j2:3: template syntax error: unexpected '}'")
    assert lines[at + 1] == "    {{ brief.outlook }"  # the source line, as the build shows it
    assert any(
        line.startswith("templates/brief.html.j2:2: warning: block 'bluff' is not a block of builtin/brief.html.j2")
        and "did you mean 'bluf'?" in line
        for line in lines
    )
    assert "templates/brief.html.j2:2: warning: 'breif' is undefined in templates (did you mean 'brief'?)" in lines
    # An attribute the composed edition does not have, at which the build would stop: an error (it was a
    # warning: validate said "valid" and the build exited 3), one level down too; not where the template asks.
    assert (
        "templates/brief.html.j2:4: 'brief.titel': ComposedBrief has no 'titel' (did you mean 'title'?) "
        "(the build would stop here)" in lines
    )
    assert any(line.startswith("templates/brief.html.j2:5: 'c.sorce': Cite has no 'sorce'") for line in lines)
    assert not any("legend" in line or "summary" in line or "extra" in line or "other" in line for line in lines)
    # With an error in the records too, the records' exit code.
    (desk / "briefs/edition.yaml").write_text(
        (desk / "briefs/edition.yaml").read_text(encoding="utf-8").replace("marking:", "markin:"), encoding="utf-8"
    )
    assert run("validate", desk).exit_code == 1


def test_validate_passes_good_templates(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "templates/brief.html.j2": (
                '{% extends "builtin/brief.html.j2" %}{% block legend %}{% set x = brief.title %}'
                "{% for d in brief.developments %}{{ d.summary }}{{ loop.index }}{% endfor %}{{ x }}"
                "{{ endnotes() | length }}{% endblock %}"
            )
        }
    )
    result = run("validate", desk, "--strict")
    assert result.exit_code == 0, result.output


# --- flags on every command; desks found from inside -----------------------------------------------------------


def test_version_short_flag() -> None:
    assert run("-V").stdout.strip() == f"briefgen, version {__version__}"


@pytest.mark.parametrize(
    "command",
    [["validate"], ["schema"], ["templates", "list"], ["build", "--format", "json", "--date", DAY], ["init", "new"]],
)
@pytest.mark.parametrize("flag", ["-q", "-v", "--debug"])
def test_common_flags_on_every_command(make_desk: MakeDesk, command: list[str], flag: str) -> None:
    desk = make_desk()
    args = [*command, flag]
    if command[0] == "init":
        args = [command[0], str(desk.parent / f"new{flag}"), flag]
    elif command[0] != "schema":
        args.insert(len(command), str(desk))
    result = run(*args)
    assert result.exit_code == 0, result.output


def test_quiet_and_verbose(make_desk: MakeDesk) -> None:
    desk = make_desk("sample", files={SAMPLE_BRIEF: lambda t: one_edition(t).split("\n# Warnings")[0]})
    loud = run("validate", desk, "-v")
    assert "warning: list 'public-digest'" in loud.stdout and "(acknowledged: " in loud.stdout
    quiet = run("validate", desk, "-q")
    assert "warning:" not in quiet.stdout and "1 warning" in quiet.stderr
    assert run("validate", desk, "-q", "-v").exit_code == 2


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefgen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_debug_before_or_after_the_command_and_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "briefgen.toml").write_text("", encoding="utf-8")
    plain = _cli("templates", "eject", "nosuch", cwd=tmp_path)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    for args, env in (
        (["--debug", "templates", "eject", "nosuch"], None),
        (["templates", "eject", "nosuch", "--debug"], None),
        (["templates", "eject", "nosuch"], {"BRIEFGEN_DEBUG": "1"}),
    ):
        shown = _cli(*args, cwd=tmp_path, env=env)
        assert shown.returncode == 2, shown.stderr
        assert "Traceback" in shown.stderr, (args, env)


def test_commands_find_the_desk_from_any_folder_inside(make_desk: MakeDesk) -> None:
    desk = make_desk("sample")
    inside = desk / "sources" / "north-press"
    result = _cli("validate", cwd=inside)
    assert result.returncode == 0, result.stderr
    assert f"{desk}: valid" in result.stderr
    assert _cli("templates", "list", cwd=desk / "briefs").returncode == 0
    built = _cli("build", "--date", DAY, "--format", "json", cwd=inside)
    assert built.returncode == 0, built.stderr
    assert (desk / "out" / DAY / "syria-deconfliction.json").is_file()


def test_not_a_desk_is_one_error_style(tmp_path: Path) -> None:
    for command in (["validate"], ["build"], ["send"], ["templates", "list"], ["preview"]):
        result = _cli(*command, cwd=tmp_path)
        assert result.returncode == 2, (command, result.stderr)
        assert result.stderr.startswith("briefgen: error: .: not a desk (expected a folder with briefgen.toml"), command


# --- acknowledged warnings -----------------------------------------------------------------------------------


def test_the_sample_desk_passes_strict_through_acknowledgements() -> None:
    result = run("validate", SAMPLE, "--strict", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["warnings"] == 0 and report["acknowledged"] == 3


def test_an_acknowledgement_with_a_reason_lets_strict_pass(make_desk: MakeDesk) -> None:
    desk = make_desk("sample", files={SAMPLE_BRIEF: lambda t: one_edition(t).split("\n# Warnings")[0]})
    assert run("validate", desk, "--strict").exit_code == 1
    settings = desk / "briefgen.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + '\n[[acknowledge]]\nfile = "briefs/2025-05-22-syria-deconfliction.yaml"\nwarning = "list-not-cleared"\n'
        'reason = "read: the digest is for TLP:CLEAR"\n',
        encoding="utf-8",
    )
    result = run("validate", desk, "--strict")
    assert result.exit_code == 0, result.output
    assert "4 acknowledged" in result.stderr


def test_an_acknowledgement_needs_a_reason(make_desk: MakeDesk) -> None:
    desk = make_desk(
        "sample",
        files={
            SAMPLE_BRIEF: lambda t: one_edition(t).replace(
                "    reason: The public digest", "    # reason: The public digest"
            )
        },
    )
    result = run("validate", desk)
    assert result.exit_code == 1
    assert "acknowledge[0].reason:" in result.stdout


def test_a_stale_acknowledgement_is_a_warning(make_desk: MakeDesk) -> None:
    desk = make_desk(
        "sample",
        files={SAMPLE_BRIEF: lambda t: one_edition(t).replace("lists: [partners, public-digest]", "lists: [partners]")},
    )
    result = run("validate", desk, "--strict")
    assert result.exit_code == 1
    [line] = [line for line in result.stdout.splitlines() if "no longer given" in line]
    assert line.startswith("briefs/2025-05-22-syria-deconfliction.yaml:63: acknowledge[0]: warning: acknowledges")
    built = run("build", desk, "--date", DAY, "--format", "json", "--strict")
    assert built.exit_code == 1


# --- logs: one line per edition as it finishes, shared warnings once, quiet up-to-date editions ----------------


def _shared_warning_desk(make_desk: MakeDesk) -> Path:
    """three-days, with a source without a publication date that every edition cites."""
    return make_desk(
        "three-days",
        files={
            "sources/d1-wire.yaml": lambda t: t.replace("  published: 2025-05-20\n", ""),
            "briefs/day2.yaml": lambda t: t.replace("sources: [d2-wire]", "sources: [d1-wire, d2-wire]"),
            "briefs/day3.yaml": lambda t: t.replace(
                "sources: [d2-wire, d3-post]", "sources: [d1-wire, d2-wire, d3-post]"
            ),
        },
    )


def test_a_shared_warning_is_printed_once_per_build(make_desk: MakeDesk) -> None:
    desk = _shared_warning_desk(make_desk)
    first = run("build", desk, "--all", "--format", "json")
    assert first.exit_code == 0, first.output
    assert first.stderr.count("no publication date") == 1
    assert [line.split(":")[0] for line in first.stdout.splitlines()] == [
        "built   valley 2025-05-21",
        "built   valley 2025-05-22",
        "built   valley 2025-05-23",
    ]
    assert "3 built, 0 up to date, 0 failed; 1 warning;" in first.stderr
    again = run("build", desk, "--all", "--format", "json")
    assert "no publication date" not in again.stderr, "up-to-date editions do not repeat their warnings"
    assert "up to date, 1 warning (1 not shown again: --verbose shows them)" in again.stdout
    loud = run("build", desk, "--all", "--format", "json", "-v")
    assert loud.stderr.count("no publication date") == 1


def test_correct_plurals_in_the_build_line(make_desk: MakeDesk) -> None:
    desk = make_desk()
    result = run("build", desk, "--date", DAY, "--format", "json")
    assert "1 built, 0 up to date, 0 failed; 0 warnings" in result.stderr
    assert "1 warnings" not in result.stderr and "1 errors" not in result.stderr


def test_progress_bar_and_one_line_per_edition_on_a_real_terminal(make_desk: MakeDesk) -> None:
    """Under `script` (a pseudo-terminal): the bar is drawn, and each edition's line comes as it finishes,
    between the bar's steps, not all at the end."""
    desk = _shared_warning_desk(make_desk)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    command = f"{sys.executable} -m briefgen build {desk} --all --format json --jobs 1"
    result = subprocess.run(
        ["script", "-qfec", command, "/dev/null"], capture_output=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout
    screen = result.stdout.decode("utf-8")
    order = [
        "building [------------------------------] 0/3",
        "built   valley 2025-05-21",
        "building [##########--------------------] 1/3",
        "built   valley 2025-05-22",
        "building [####################----------] 2/3",
        "built   valley 2025-05-23",
        "building [##############################] 3/3",
        "3 built, 0 up to date, 0 failed",
    ]
    positions = [screen.find(part) for part in order]
    assert -1 not in positions, screen
    assert positions == sorted(positions), screen
    assert screen.count("no publication date") == 1


# --- Pandoc citation forms; one bad field does not make a source vanish -----------------------------------------


def test_pandoc_citation_forms_are_supported_or_warned_about(make_desk: MakeDesk) -> None:
    desk = make_desk(
        files={
            "briefs/edition.yaml": lambda t: t.replace(
                "    - The council agreed a new ceasefire line [@alpha-report, para 1; @beta-wire].",
                "    - The council agreed a new ceasefire line [-@alpha-report, para 1; @beta-wire].\n"
                "    - Officials spoke [see @alpha-report, para 2].\n"
                "    - As @beta-wire reports, talks go on [@beta-wire]. Mail desk@alpha-report.org.",
            )
        }
    )
    result = run("validate", desk)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(
        line.startswith(
            "briefs/edition.yaml:9: brief.bluf[1]: warning: citation '[see @alpha-report, para 2]' has a prefix"
        )
        for line in lines
    ), lines
    assert any(
        line.startswith("briefs/edition.yaml:10: brief.bluf[2]: warning: in-text citation '@beta-wire'")
        for line in lines
    ), lines
    assert len([line for line in lines if "citation" in line]) == 2  # the address and [-@id] are fine
    built = run("build", desk, "--date", DAY, "--format", "html")
    assert built.exit_code == 0, built.output
    page = (desk / "out" / DAY / "valley.html").read_text(encoding="utf-8")
    assert "-@alpha-report" not in page  # suppress-author is a note call like any other
    assert run("build", desk, "--date", DAY, "--format", "html", "--strict", "--force").exit_code == 1


@pytest.mark.parametrize(
    ("reliability", "error"),
    [
        (
            "reliability: Q",
            "sources/north-press/np-deconfliction-mechanism.yaml:14: source.reliability: "
            "expected one of 'A', 'B', 'C', 'D', 'E' or 'F'; got 'Q'",
        ),
        # A bracket left open: the file cannot be parsed; the error is where YAML notices it, naming the line
        # it was opened on, and the file's id and actors are read line by line.
        (
            "reliability: [C",
            "sources/north-press/np-deconfliction-mechanism.yaml:15: malformed YAML: did not find expected ',' or "
            "']' at column 10 while parsing a flow sequence that starts at line 14, column 16",
        ),
    ],
    ids=["bad-field", "cannot-be-parsed"],
)
def test_one_bad_source_file_is_one_error(make_desk: MakeDesk, reliability: str, error: str) -> None:
    """The file's own error is the only one: its id and the actors it declares are not reported as unknown
    (or nameless) in the brief and the other sources."""
    desk = make_desk(
        "sample",
        files={
            "sources/north-press/np-deconfliction-mechanism.yaml": lambda t: t.replace("reliability: C", reliability)
        },
    )
    result = run("validate", desk)
    assert result.exit_code == 1
    assert [line for line in result.stdout.splitlines() if line.strip()] == [error]


def test_the_archive_lists_each_edition_once_with_its_files_newest_first(make_desk: MakeDesk) -> None:
    desk = make_desk("three-days")
    assert run("build", desk, "--date", "2025-05-21", "--format", "html").exit_code == 0
    assert run("build", desk, "--all", "--format", "html,json,txt", "--force").exit_code == 0
    index = (desk / "out" / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]+)"', index)
    for day in ("2025-05-21", "2025-05-22", "2025-05-23"):
        # The title links to the HTML, then each file once, in the archive's order.
        assert [h for h in hrefs if h.startswith(day)] == [
            f"{day}/valley.{ext}" for ext in ("html", "html", "txt", "json")
        ]
    assert index.count("Valley update") == 3
    assert index.index("2025-05-23/valley.html") < index.index("2025-05-22/valley.html") < index.index("2025-05-21/")


def test_the_summary_agrees_with_the_exit_code_for_another_days_draft(make_desk: MakeDesk) -> None:
    desk = make_desk("three-days", files={"briefs/day3.yaml": lambda t: t.replace("[@d2-wire]", "[@d2-wires]")})
    today = run("build", desk, "--date", "2025-05-21", "--format", "json")
    assert today.exit_code == 0, today.output
    summary = today.stderr.splitlines()[-1]
    assert summary.startswith("1 built, 0 up to date, 0 failed; ")
    assert "1 error in editions not built now (warnings for this build)" in summary
    strict = run("build", desk, "--date", "2025-05-21", "--format", "json", "--strict", "--force")
    assert strict.exit_code == 1
    assert ", 1 desk error;" in strict.stderr.splitlines()[-1]
