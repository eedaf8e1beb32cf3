"""The morning build: changes since the last edition, incremental builds, parallel builds, the lock,
interruptions and the archive index."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import DESKS, REPO, run

MakeDesk = Callable[..., Path]
BRIEFGEN = [sys.executable, "-m", "briefgen"]


def changes(desk: Path, day: str) -> dict[str, object]:
    data = json.loads((desk / f"out/{day}/valley.json").read_text(encoding="utf-8"))
    result: dict[str, object] = data["changes"]
    return result


def outputs(folder: Path) -> dict[str, bytes]:
    """Every output file under `folder` (not the lock, which holds a process id while a build runs)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".briefgen.lock"
    }


def test_three_editions_report_what_changed(make_desk: MakeDesk) -> None:
    desk = make_desk("three-days")
    result = run("build", desk, "--all", "--format", "html,json,txt", "--jobs", "1")
    assert result.exit_code == 0, result.output

    first = changes(desk, "2025-05-21")
    assert first["previous"] is None
    html = (desk / "out/2025-05-21/valley.html").read_text(encoding="utf-8")
    assert "First edition: no earlier edition of this brief is in the archive." in html

    second = changes(desk, "2025-05-22")
    assert second["previous"] == "2025-05-21"
    assert second["new_developments"] == [{"id": "airstrike", "text": "An airstrike hit a depot near the river."}]
    assert second["changed_developments"] == [
        {
            "id": "talks",
            "text": "Officials of both sides met for talks.",
            "fields": [
                {"field": "status", "before": "reported", "after": "confirmed"},
                {"field": "date", "before": "May 19, 2025", "after": "May 20, 2025"},
                {"field": "place", "before": "Valley", "after": "Hilltown"},
            ],
        }
    ]
    assert [d["id"] for d in second["dropped_developments"]] == ["convoy"]  # type: ignore[attr-defined]
    assert [q["id"] for q in second["new_questions"]] == ["aid-access"]  # type: ignore[attr-defined]
    assert [q["id"] for q in second["answered_questions"]] == ["line-route"]  # type: ignore[attr-defined]
    assert [q["id"] for q in second["dropped_questions"]] == ["talks-venue"]  # type: ignore[attr-defined]
    html = (desk / "out/2025-05-22/valley.html").read_text(encoding="utf-8")
    section = html[html.index('<section class="changes"') : html.index("</section>", html.index('class="changes"'))]
    assert "Compared with the edition of" in section and "May 21, 2025" in section
    shown = re.sub(r"<[^>]+>|[\u2066-\u2069]", "", section)  # the values are isolated record fields
    assert "status: reported → confirmed" in shown and "place: Valley → Hilltown" in shown
    assert '<a href="#dev-airstrike" dir="ltr" lang="en">' in section
    assert 'Dropped:</strong> <bdi dir="ltr" lang="en">\u2066An aid convoy' in section
    text = (desk / "out/2025-05-22/valley.txt").read_text(encoding="utf-8")
    assert "CHANGES SINCE THE LAST EDITION" in text and "- Answered: Where does the new line run?" in text

    third = changes(desk, "2025-05-23")
    assert third["previous"] == "2025-05-22"
    assert third["changed_developments"] == [
        {
            "id": "talks",
            "text": "Officials of both sides met for talks.",
            "fields": [{"field": "corroboration", "before": "single source", "after": "2 independent sources"}],
        }
    ]
    assert not third["new_developments"] and not third["dropped_developments"]


def test_day_by_day_builds_equal_one_build_of_all_days(make_desk: MakeDesk, tmp_path: Path) -> None:
    desk = make_desk("three-days")
    assert run("build", desk, "--all", "--format", "html,json", "--out", tmp_path / "all").exit_code == 0
    for day in ("2025-05-21", "2025-05-22", "2025-05-23"):
        assert run("build", desk, "--date", day, "--format", "html,json", "--out", tmp_path / "daily").exit_code == 0
    assert outputs(tmp_path / "all") == outputs(tmp_path / "daily")


def test_unchanged_editions_are_not_rebuilt_and_force_rebuilds(make_desk: MakeDesk) -> None:
    desk = make_desk("three-days")
    assert run("build", desk, "--all", "--format", "html,json").exit_code == 0
    html = desk / "out/2025-05-23/valley.html"
    before = html.stat().st_mtime_ns

    again = run("build", desk, "--all", "--format", "html,json")
    assert again.exit_code == 0
    assert again.stdout.count("up to date") == 3
    assert "0 built, 3 up to date, 0 failed" in again.stderr
    assert html.stat().st_mtime_ns == before

    # A record the last edition reads changes: that edition (only) is rebuilt.
    post = desk / "sources/d3-post.yaml"
    post.write_text(post.read_text().replace("Day three post", "Day three post, updated"))
    changed = run("build", desk, "--all", "--format", "html,json")
    assert "1 built, 2 up to date" in changed.stderr
    assert "Day three post, updated" in html.read_text(encoding="utf-8")

    # A desk template changes: every edition is rebuilt.
    (desk / "templates").mkdir()
    (desk / "templates/brief.html.j2").write_text(
        '{% extends "builtin/brief.html.j2" %}{% block legend %}{% endblock %}'
    )
    assert "3 built, 0 up to date" in run("build", desk, "--all", "--format", "html,json").stderr

    forced = run("build", desk, "--all", "--format", "html,json", "--force")
    assert "3 built, 0 up to date" in forced.stderr

    # A missing output is rebuilt even though the inputs did not change.
    html.unlink()
    assert "1 built, 2 up to date" in run("build", desk, "--all", "--format", "html,json").stderr
    assert html.exists()


def _many_briefs(make_desk: MakeDesk, count: int) -> Path:
    edition = (DESKS / "minimal/briefs/edition.yaml").read_text()
    files: dict[str, str | None] = {"briefs/edition.yaml": None}
    for n in range(count):
        files[f"briefs/b{n}.yaml"] = edition.replace("id: valley", f"id: valley-{n}").replace(
            "Valley update", f"Valley update {n}"
        )
    return make_desk(files=files)


@pytest.mark.pdf
def test_parallel_and_serial_builds_are_byte_identical(make_desk: MakeDesk, tmp_path: Path) -> None:
    desk = _many_briefs(make_desk, 4)
    serial = run("build", desk, "--all", "--jobs", "1", "--out", tmp_path / "serial")
    parallel = run("build", desk, "--all", "--jobs", "2", "--out", tmp_path / "parallel")
    assert serial.exit_code == parallel.exit_code == 0, parallel.output
    assert "PDFs in 2 processes" in parallel.stderr and "PDFs in 1 process " in serial.stderr
    a, b = outputs(tmp_path / "serial"), outputs(tmp_path / "parallel")
    assert len([n for n in a if n.endswith(".pdf")]) == 4
    assert a == b


def test_a_second_build_waits_for_no_one_and_says_why(make_desk: MakeDesk) -> None:
    desk = make_desk()
    out = desk / "out"
    out.mkdir()
    with (out / ".briefgen.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write("4242\n")
        lock.flush()
        result = run("build", desk, "--all", "--format", "html")
    assert result.exit_code == 6
    assert "another briefgen build is writing to" in result.stderr and "(process 4242)" in result.stderr
    assert "Traceback" not in result.output
    assert not (out / "2025-05-22").exists()
    assert run("build", desk, "--all", "--format", "html").exit_code == 0


def _start_build(desk: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*BRIEFGEN, "build", str(desk), "--all", "--force", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CI": "1"},
    )


def _wait_for_change(paths: dict[Path, int], process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if any(p.exists() and p.stat().st_mtime_ns != mtime for p, mtime in paths.items()):
            return
        time.sleep(0.005)
    pytest.fail("the build did not write anything before it ended or timed out")


@pytest.mark.pdf
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_an_interrupted_build_leaves_complete_files(make_desk: MakeDesk, tmp_path: Path, how: signal.Signals) -> None:
    desk = _many_briefs(make_desk, 6)
    assert run("build", desk, "--all", "--jobs", "1").exit_code == 0
    old = outputs(desk / "out")
    # The records change, so every output of the next build differs; a complete reference build shows how.
    alpha = desk / "sources/alpha.yaml"
    alpha.write_text(alpha.read_text().replace("Alpha report", "Alpha report, revised"))
    assert run("build", desk, "--all", "--jobs", "1", "--out", tmp_path / "reference").exit_code == 0
    new = outputs(tmp_path / "reference")

    before = {desk / "out" / name: (desk / "out" / name).stat().st_mtime_ns for name in old}  # before it starts
    process = _start_build(desk, "--jobs", "1")
    _wait_for_change(before, process)
    process.send_signal(how)
    _, stderr = process.communicate(timeout=60)
    if how == signal.SIGINT:
        assert process.returncode == 130
        assert b"interrupted" in stderr and b"Traceback" not in stderr
    after = outputs(desk / "out")
    for name, data in after.items():
        if name.endswith(".tmp"):
            assert how == signal.SIGKILL, f"a temporary file was left after {how.name}: {name}"
            continue
        assert data in (old.get(name), new.get(name)), f"{name} is neither the old nor the new output"
    finished = sum(after.get(n) == new.get(n) for n in new if n.endswith(".pdf"))
    assert finished < 6, "the build finished before it was interrupted; the test proves nothing"
    # The next build removes what a killed build left and completes the rest.
    assert run("build", desk, "--all", "--jobs", "1").exit_code == 0
    assert outputs(desk / "out") == {**new, "index.html": outputs(desk / "out")["index.html"]}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v or "" for k, v in attrs if k == "href"]


def test_archive_index_lists_every_edition(make_desk: MakeDesk) -> None:
    desk = make_desk("three-days")
    assert run("build", desk, "--date", "2025-05-21", "--format", "html,json").exit_code == 0
    assert run("build", desk, "--date", "2025-05-23", "--format", "html,json,txt").exit_code == 0
    index = (desk / "out/index.html").read_text(encoding="utf-8")
    links = _Links()
    links.feed(index)
    assert "2025-05-23/valley.txt" in links.hrefs and "2025-05-21/valley.html" in links.hrefs
    assert all((desk / "out" / href).is_file() for href in links.hrefs)
    assert index.index("May 23, 2025") < index.index("May 21, 2025")  # newest first
    assert "Valley update" in index and "TLP:GREEN" in index


def test_summary_lines_quiet_and_verbose(make_desk: MakeDesk) -> None:
    desk = make_desk("three-days")
    verbose = run("build", desk, "--all", "--format", "html,json", "--verbose")
    assert verbose.exit_code == 0
    lines = verbose.stdout.splitlines()
    assert [line.split()[:3] for line in lines if line.startswith("built")] == [
        ["built", "valley", "2025-05-21:"],
        ["built", "valley", "2025-05-22:"],
        ["built", "valley", "2025-05-23:"],
    ]
    assert any(line.strip().startswith("html/json/txt ") and " ms" in line for line in lines)
    assert "3 built, 0 up to date, 0 failed" in verbose.stderr
    quiet = run("build", desk, "--all", "--format", "html,json", "--quiet", "--force")
    assert quiet.stdout == "" and "3 built" in quiet.stderr


def test_progress_bar_only_on_a_terminal(make_desk: MakeDesk) -> None:
    desk = make_desk("three-days")
    piped = subprocess.run(
        [*BRIEFGEN, "build", str(desk), "--all", "--format", "json"], capture_output=True, check=True
    )
    assert b"building" not in piped.stderr
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    process = subprocess.Popen(
        [*BRIEFGEN, "build", str(desk), "--all", "--force", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=60)
    os.close(leader)
    assert process.returncode == 0
    assert b"building" in seen and b"3/3" in seen


def _cpu_seconds(pid: int) -> float:
    """The CPU time a process has used (utime + stime from /proc), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _pdf_workers(pid: int) -> list[int]:
    """The build's PDF workers: the processes its fork server forked (same command line as the server;
    not the short-lived `ldconfig` a library lookup may run). The build's other child, the resource
    tracker of `multiprocessing`, has none."""
    return [
        worker for child in _children(pid) for worker in _children(child) if _cmdline(worker) == _cmdline(child) != b""
    ]


@pytest.mark.pdf
def test_a_killed_pdf_worker_fails_only_its_edition(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from desks import write_desk

    # A long brief (about 50 pages: seconds to render) first, then a short one of another brief.
    desk = write_desk(tmp_path / "desk", developments=300)
    brief = json.loads((desk / "briefs/2025-05-01-000.json").read_text())
    brief["brief"].update(id="zz-short", sources=["bench-source-000"])
    (desk / "briefs/short.json").write_text(json.dumps(brief))
    process = subprocess.Popen(
        [*BRIEFGEN, "build", str(desk), "--all", "--jobs", "1", "--format", "pdf"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CI": "1"},
    )
    # Kill the worker once it has used more CPU than its set-up takes (about 0.6 s): it is then well into
    # the long brief, however loaded the machine is.
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline:
        workers = _pdf_workers(process.pid)
        if len(workers) == 1 and _cpu_seconds(workers[0]) > 1.5:
            break
        time.sleep(0.05)
    assert len(workers) == 1, workers
    os.kill(workers[0], signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 5, stderr
    assert b"the process rendering this PDF ended unexpectedly (killed by signal 9)" in stderr
    assert b"FAILED  bench-brief 2025-05-01" in stdout and b"built   zz-short 2025-05-01" in stdout, stdout
    assert not (desk / "out/2025-05-01/bench-brief.pdf").exists()
    assert not list((desk / "out").glob("*/.*.tmp"))


def _maps_pango(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return "libpango" in Path(f"/proc/{pid}/maps").read_text()
    return False


@pytest.mark.pdf
def test_pdf_workers_are_forked_from_one_server_that_has_weasyprint_set_up(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from desks import write_desk

    # Two briefs of about 20 pages (seconds each to render), so that both workers are seen at work.
    desk = write_desk(tmp_path / "desk", developments=120)
    brief = json.loads((desk / "briefs/2025-05-01-000.json").read_text())
    brief["brief"].update(id="zz-second")
    (desk / "briefs/second.json").write_text(json.dumps(brief))
    process = subprocess.Popen(
        [*BRIEFGEN, "build", str(desk), "--all", "--jobs", "2", "--format", "pdf"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    seen: set[tuple[int, int]] = set()  # (worker, its parent)
    has_pango: dict[int, bool] = {}  # per parent: whether WeasyPrint's Pango is loaded in it
    while process.poll() is None and len({worker for worker, _ in seen}) < 2:
        for server in _children(process.pid):
            # A worker is a fork of the server (same command line) with WeasyPrint's Pango already mapped
            # from the start: not the server's `ldconfig` child between its vfork and its exec.
            workers = [w for w in _children(server) if _cmdline(w) == _cmdline(server) != b"" and _maps_pango(w)]
            seen |= {(worker, server) for worker in workers}
            if workers and server not in has_pango:
                has_pango[server] = _maps_pango(server)
        time.sleep(0.05)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert stdout.count(b"built   ") == 2, stdout
    workers, servers = {worker for worker, _ in seen}, {server for _, server in seen}
    assert len(workers) == 2 and len(servers) == 1, seen  # both forked from the same process,
    assert has_pango == dict.fromkeys(servers, True)  # which had WeasyPrint imported (it renders nothing)


def test_entry_reads_build_options_plainly() -> None:
    from briefgen.entry import _build_options

    assert _build_options(["build"]) == (".", None, None)
    assert _build_options(["--debug", "build", "desk", "--format=html,pdf", "-j", "3", "--all"]) == (
        "desk",
        "html,pdf",
        3,
    )
    assert _build_options(["build", "--jobs", "x"]) is None
    assert _build_options(["build", "--help"]) is None
    assert _build_options(["validate", "desk"]) is None


def test_a_build_removes_temporary_files_a_killed_build_left_in_day_folders(make_desk: MakeDesk) -> None:
    desk = make_desk("three-days")
    assert run("build", desk, "--date", "2025-05-21", "--format", "html").exit_code == 0
    stale = desk / "out/2025-05-21/.valley.edition.json.0badf00d.tmp"
    stale.write_bytes(b"{")
    assert run("build", desk, "--date", "2025-05-21", "--format", "html").exit_code == 0  # up to date
    assert not stale.exists()
    assert (desk / "out/2025-05-21/valley.html").is_file()
