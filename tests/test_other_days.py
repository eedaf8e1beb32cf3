"""A broken draft for another day does not fail today's run: the errors of editions not selected, even of a
brief file that does not load but whose date can be read, are warnings for the build (errors under
--strict, and always for `validate`); a brief file whose date cannot be read may be today's: an error, and
the message says why. The summary line agrees with the exit code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run

MakeDesk = Callable[..., Path]
TODAY = "2025-05-21"
NOT_BUILT = "(in an edition not built now: a warning for this build)"

BROKEN = {
    "yaml-syntax": ("briefs/day3.yaml", lambda t: t.replace("lists: [analysts]", "lists: [analysts")),
    "schema": ("briefs/day3.yaml", lambda t: t.replace("marking: TLP:GREEN", "marking: TLP:PURPLE")),
    "json-syntax": (
        "briefs/day3.json",
        json.dumps({"brief": {"id": "valley", "date": "2025-05-23", "title": "Valley update"}})[:-2],
    ),
}


def _summary(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("how", sorted(BROKEN))
def test_a_brief_file_of_another_day_that_does_not_load_is_a_warning_today(make_desk: MakeDesk, how: str) -> None:
    name, content = BROKEN[how]
    files: dict[str, object] = {name: content}
    if name.endswith(".json"):
        files["briefs/day3.yaml"] = None
    desk = make_desk("three-days", files=files)

    today = run("build", desk, "--date", TODAY, "--format", "json")
    assert today.exit_code == 0, today.output
    problem = [line for line in today.stderr.splitlines() if line.startswith(name)]
    assert len(problem) == 1 and problem[0].endswith(NOT_BUILT), today.stderr
    assert _summary(today.stderr).startswith("1 built, 0 up to date, 0 failed; ")
    assert "; 1 error in editions not built now (warnings for this build);" in _summary(today.stderr)
    assert (desk / "out" / TODAY / "valley.json").is_file()

    strict = run("build", desk, "--date", TODAY, "--format", "json", "--strict", "--force")
    assert strict.exit_code == 1
    assert ", 1 desk error;" in _summary(strict.stderr)

    checked = run("validate", desk)
    assert checked.exit_code == 1 and checked.stdout.startswith(f"{name}:")

    # On its own day the file's errors fail the build, as the edition it is.
    own_day = run("build", desk, "--date", "2025-05-23", "--format", "json")
    assert own_day.exit_code == 1
    assert f"{name}:" in own_day.stderr and NOT_BUILT not in own_day.stderr


def test_a_brief_file_whose_date_cannot_be_read_fails_the_build_and_says_why(make_desk: MakeDesk) -> None:
    desk = make_desk(
        "three-days",
        files={
            "briefs/day3.yaml": lambda t: t.replace("date: 2025-05-23", "date: 2025-05-2x").replace(
                "lists: [analysts]", "lists: [analysts"
            )
        },
    )
    today = run("build", desk, "--date", TODAY, "--format", "json")
    assert today.exit_code == 1
    problem = [line for line in today.stderr.splitlines() if line.startswith("briefs/day3.yaml")]
    assert problem == [
        "briefs/day3.yaml:11: malformed YAML: did not find expected ',' or ']' at column 1 while parsing a flow "
        "sequence that starts at line 10, column 10 (this brief file does not load and its brief.date cannot be "
        "read, so it may be an "
        f"edition dated {TODAY}: its errors fail this build)"
    ]
    assert _summary(today.stderr).startswith("1 built, 0 up to date, 0 failed, 1 desk error; ")


def test_a_brief_file_that_does_not_load_still_counts_for_the_date_check(make_desk: MakeDesk) -> None:
    desk = make_desk("three-days", files={"briefs/day3.yaml": lambda t: t.replace("lists: [analysts]", "lists: [x")})
    typo = run("build", desk, "--date", "2025-05-24", "--format", "json")
    assert typo.exit_code == 2
    assert "--date 2025-05-24: no edition is dated so (did you mean '2025-05-23'?)" in typo.stderr
    other_brief = run("build", desk, "--date", TODAY, "--brief", "valley", "--format", "json")
    assert other_brief.exit_code == 0, other_brief.output
