"""Many editions of one brief: prepared and committed in date order (each compares with the one before),
their PDFs rendered side by side; an edition whose PDF fails makes the ones after it compare with what out/
really holds.

The renderer here is briefgen's own `Workers` (real processes rendering real PDFs), watched through the
`Renderer` protocol of `briefgen.build.runner`: which jobs it was given, how many of one brief it held at
once, and (to make one ordering certain) the outcome of one job handed back only once another job is given.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, run

from briefgen.build.edition import EditionResult
from briefgen.build.options import BuildOptions
from briefgen.build.runner import BuildResult, Renderer, build
from briefgen.desk.loader import load_desk
from briefgen.errors import ExitCode
from briefgen.pdf.job import PdfFailure, PdfJob, RenderedPdf
from briefgen.pdf.workers import Workers

MakeDesk = Callable[..., Path]
pytestmark = pytest.mark.pdf


def outputs(folder: Path) -> dict[str, bytes]:
    """Every output file under `folder` (manifests included; not the lock, which holds a process id)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".briefgen.lock"
    }


class WatchedWorkers:
    """Real PDF workers, watched. With `hold` and `until`, the outcome of the job labelled `hold` is handed
    back only once a job labelled `until` has been given (or once nothing else is rendering)."""

    def __init__(self, jobs: int, *, hold: str | None = None, until: str | None = None) -> None:
        self.workers = Workers(jobs, start=False)
        self.capacity = self.workers.capacity
        self.given: list[tuple[int, PdfJob]] = []
        self.rendering: dict[int, str] = {}
        self.most_at_once: dict[str, int] = {}  # brief id -> most of its PDFs rendering at one time
        self.back: list[tuple[int, RenderedPdf | PdfFailure]] = []
        self.hold, self.until = hold, until

    @property
    def used(self) -> int:
        return self.workers.used

    def labels(self) -> list[str]:
        return [job.label for _, job in self.given]

    def submit(self, key: int, job: PdfJob) -> None:
        self.workers.submit(key, job)
        self.given.append((key, job))
        self.rendering[key] = job.label
        brief = job.label.split()[0]
        at_once = sum(label.split()[0] == brief for label in self.rendering.values())
        self.most_at_once[brief] = max(self.most_at_once.get(brief, 0), at_once)

    def _label(self, key: int) -> str:
        return next(job.label for k, job in self.given if k == key)

    def completed(self) -> list[tuple[int, RenderedPdf | PdfFailure]]:
        while True:
            released = self.until is None or self.until in self.labels()
            ready = [(k, o) for k, o in self.back if released or self._label(k) != self.hold]
            if not ready and not self.rendering:
                ready = list(self.back)  # nothing else will come back
            if ready or not self.rendering:
                self.back = [(k, o) for k, o in self.back if k not in {key for key, _ in ready}]
                return ready
            for key, outcome in self.workers.completed():
                del self.rendering[key]
                self.back.append((key, outcome))

    def close(self) -> None:
        self.workers.close()

    def terminate(self) -> None:
        self.workers.terminate()


def _build(desk: Path, renderer: Renderer, out: Path | None = None) -> tuple[BuildResult, list[EditionResult]]:
    loaded = load_desk(desk)
    options = BuildOptions.resolve(loaded, all_editions=True, force=True, jobs=renderer.capacity, out_dir=out)
    reported: list[EditionResult] = []
    try:
        result = build(loaded, options, progress=reported.append, workers=renderer)
    finally:
        renderer.close()
    return result, reported


def _one_brief(root: Path, editions: int) -> Path:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from desks import write_desk

    return write_desk(root, developments=3, editions=editions, one_brief=True)


def test_twenty_editions_of_one_brief_build_the_same_bytes_with_two_jobs(tmp_path: Path) -> None:
    desk = _one_brief(tmp_path / "desk", 20)
    serial = run("build", desk, "--all", "--jobs", "1", "--out", tmp_path / "serial")
    parallel = run("build", desk, "--all", "--jobs", "2", "--out", tmp_path / "parallel")
    assert serial.exit_code == parallel.exit_code == 0, parallel.output
    assert "PDFs in 2 processes" in parallel.stderr and "PDFs in 1 process " in serial.stderr
    a, b = outputs(tmp_path / "serial"), outputs(tmp_path / "parallel")
    assert len([n for n in a if n.endswith(".pdf")]) == 20
    assert len([n for n in a if n.endswith("/.bench-brief.edition.json")]) == 20  # the manifests
    assert a == b
    # Each edition compares with the one before it, as in a build of one edition a day.
    for day in range(2, 21):
        data = json.loads((tmp_path / "parallel" / f"2025-05-{day:02d}" / "bench-brief.json").read_text())
        assert data["changes"]["previous"] == f"2025-05-{day - 1:02d}"


def test_the_pdfs_of_one_brief_render_side_by_side_and_are_reported_in_date_order(tmp_path: Path) -> None:
    desk = _one_brief(tmp_path / "desk", 6)
    workers = WatchedWorkers(2)
    result, reported = _build(desk, workers)
    assert result.exit_code == ExitCode.OK, [e.errors for e in result.editions]
    assert workers.most_at_once["bench-brief"] == 2  # two of its PDFs were rendering at one time
    assert workers.labels() == [f"bench-brief 2025-05-0{day}" for day in range(1, 7)]  # each prepared once
    assert [e.date.isoformat() for e in reported] == [f"2025-05-0{day}" for day in range(1, 7)]
    assert all(e.written for e in reported)


FAILS_IN_PDF = (
    '{% extends "builtin/brief.html.j2" %}'
    '{% block outlook %}<img src="nonexistent/briefgen-test.png" alt="">{% endblock %}'  # no such desk asset
)


def test_an_edition_whose_pdf_fails_makes_the_next_compare_with_what_out_holds(
    make_desk: MakeDesk, tmp_path: Path
) -> None:
    formats = 'formats = ["html", "pdf", "json"]'
    desk = make_desk("three-days", files={"briefgen.toml": lambda t: t + f"\n[build]\n{formats}\n"})
    assert run("build", desk, "--all", "--jobs", "1").exit_code == 0
    before = outputs(desk / "out")

    # Day 2 now cites both wires (so its JSON changes) and uses a template whose PDF cannot be rendered.
    day2 = desk / "briefs/day2.yaml"
    day2.write_text(
        day2.read_text()
        .replace("sources: [d2-wire]", "sources: [d1-wire, d2-wire]")
        .replace("  lists: [analysts]", "  lists: [analysts]\n  template: fails-in-pdf")
    )
    (desk / "templates").mkdir()
    (desk / "templates/fails-in-pdf.html.j2").write_text(FAILS_IN_PDF)
    reference = tmp_path / "reference"
    shutil.copytree(desk, reference)

    # Day 1's PDF is handed back only once day 3 is being rendered: day 3 is then prepared against the day 2
    # that failed, and must be prepared again.
    workers = WatchedWorkers(2, hold="valley 2025-05-21", until="valley 2025-05-23")
    result, reported = _build(desk, workers)
    assert result.exit_code == ExitCode.BLOCKED_RESOURCE
    assert [(e.date.isoformat(), e.ok) for e in reported] == [
        ("2025-05-21", True),
        ("2025-05-22", False),
        ("2025-05-23", True),
    ]
    assert reported[1].exit_code == ExitCode.BLOCKED_RESOURCE and "refused to read" in reported[1].errors[0]
    after = outputs(desk / "out")
    # Day 2 was left as it was; day 3 compares with it, exactly as before the failed build.
    assert {n: d for n, d in after.items() if n.startswith("2025-05-22")} == {
        n: d for n, d in before.items() if n.startswith("2025-05-22")
    }
    assert after["2025-05-23/valley.json"] == before["2025-05-23/valley.json"]
    assert json.loads(after["2025-05-23/valley.json"])["changes"]["previous"] == "2025-05-22"
    # And the whole output is what one process building one edition at a time writes.
    serial = run("build", reference, "--all", "--force", "--jobs", "1")
    assert serial.exit_code == ExitCode.BLOCKED_RESOURCE, serial.output
    assert outputs(reference / "out") == after
    # Day 3 was rendered twice: first against the day 2 that was prepared, then against the one out/ holds.
    assert workers.labels().count("valley 2025-05-23") == 2
    first, second = (job.html for _, job in workers.given if job.label == "valley 2025-05-23")
    assert first != second

    # In a fresh output folder, day 3 compares with day 1: the last edition really written.
    workers = WatchedWorkers(2, hold="valley 2025-05-21", until="valley 2025-05-23")
    _, reported = _build(desk, workers, tmp_path / "fresh")
    assert [e.ok for e in reported] == [True, False, True]
    day3 = json.loads((tmp_path / "fresh/2025-05-23/valley.json").read_text())
    assert day3["changes"]["previous"] == "2025-05-21"
    assert workers.labels().count("valley 2025-05-23") == 2
    assert not (tmp_path / "fresh/2025-05-22").exists()
