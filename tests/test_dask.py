"""The Dask executor against a real `distributed.LocalCluster` on 127.0.0.1 (two worker processes, started
and stopped here): same bytes as local workers, identical jobs rendered once, a killed worker, confinement
on the worker, and refused workers. Select with `-m dask`.

Builds run as subprocesses (`python -m briefgen`), as a user runs them; the cluster's scheduler runs in
this process's threads, so nothing here forks the test process itself."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import DESKS, REPO, observing

distributed = pytest.importorskip("distributed")
import dask  # noqa: E402

from briefgen.pdf.dask_executor import DaskRenderer  # noqa: E402
from briefgen.pdf.job import ASSET_ROOT, PdfFailure, PdfJob, RenderedPdf  # noqa: E402

MakeDesk = Callable[..., Path]
BRIEFGEN = [sys.executable, "-m", "briefgen"]
pytestmark = pytest.mark.dask


def _cluster(**worker_options: object) -> distributed.LocalCluster:
    # Each job renders in a briefgen render process started by the Dask worker: workers must not be daemonic.
    with dask.config.set({"distributed.worker.daemon": False}):
        return distributed.LocalCluster(
            n_workers=worker_options.pop("n_workers", 2),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
            silence_logs=50,
            **worker_options,
        )


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    with _cluster() as running:
        yield running


@pytest.fixture(scope="module")
def client(cluster: distributed.LocalCluster) -> Iterator[distributed.Client]:
    with distributed.Client(cluster, set_as_default=False) as connected:
        yield connected


def url(cluster: distributed.LocalCluster) -> str:
    return cluster.scheduler_address.replace("tcp://", "dask://")


def build(desk: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BRIEFGEN, "build", str(desk), "--all", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "CI": "1"},
        timeout=180,
    )


def outputs(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".briefgen.lock"
    }


def test_a_dask_build_writes_the_bytes_of_a_local_build(
    cluster: distributed.LocalCluster, client: distributed.Client, make_desk: MakeDesk, tmp_path: Path
) -> None:
    desk = make_desk("three-days")
    with distributed.get_task_stream(client) as stream:
        remote = build(desk, "--executor", url(cluster), "--out", tmp_path / "dask")
    local = build(desk, "--jobs", "2", "--out", tmp_path / "local")
    assert remote.returncode == local.returncode == 0, remote.stderr
    assert len([t for t in stream.data if str(t["key"]).startswith("briefgen-pdf-")]) == 3
    a, b = outputs(tmp_path / "dask"), outputs(tmp_path / "local")
    assert len([name for name in a if name.endswith(".pdf")]) == 3
    assert a == b
    # [executor] url in briefgen.toml does the same.
    settings = desk / "briefgen.toml"
    settings.write_text(settings.read_text() + f'\n[executor]\nurl = "{url(cluster)}"\n')
    with distributed.get_task_stream(client) as stream:
        configured = build(desk, "--out", tmp_path / "configured")
    assert configured.returncode == 0, configured.stderr
    assert len([t for t in stream.data if str(t["key"]).startswith("briefgen-pdf-")]) == 3
    assert {k: v for k, v in outputs(tmp_path / "configured").items() if k.endswith(".pdf")} == {
        k: v for k, v in b.items() if k.endswith(".pdf")
    }


def test_an_edition_submitted_twice_renders_once(cluster: distributed.LocalCluster, client: distributed.Client) -> None:
    html = '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><p>Once only.</p></body></html>'
    job = PdfJob("once 2025-05-22", html, ASSET_ROOT, (), "pdf/ua-1", b"0" * 32)
    renderer = DaskRenderer(url(cluster))
    try:
        assert renderer.capacity == 2
        with distributed.get_task_stream(client) as stream:
            renderer.submit(0, job)
            renderer.submit(1, job)
            finished: dict[int, object] = {}
            while len(finished) < 2:
                finished.update(renderer.completed())
        assert isinstance(finished[0], RenderedPdf) and finished[0] == finished[1]
        renders = [task for task in stream.data if str(task["key"]).startswith("briefgen-pdf-")]
        assert len(renders) == 1, renders
        assert renderer.used == 1
        deadline = time.monotonic() + 10  # released: nothing (not even a failure) stays cached under the key
        while client.who_has() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not client.who_has()
    finally:
        renderer.close()


def test_a_worker_killed_mid_render_leaves_a_rendered_edition_or_a_named_failure(
    cluster: distributed.LocalCluster, client: distributed.Client, tmp_path: Path
) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from desks import write_desk

    desk = write_desk(tmp_path / "long", developments=150)  # about 25 pages: seconds to render
    process = subprocess.Popen(
        [*BRIEFGEN, "build", str(desk), "--all", "--executor", url(cluster)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CI": "1"},
    )
    deadline = time.monotonic() + 60
    busy: list[str] = []
    while not busy and time.monotonic() < deadline:
        busy = [worker for worker, keys in client.processing().items() if keys]
        time.sleep(0.05)
    assert busy, "the render never started"
    time.sleep(1.0)  # well into the render
    pids = client.run(os.getpid, workers=busy)
    os.kill(pids[busy[0]], signal.SIGKILL)
    _, stderr = process.communicate(timeout=180)
    pdf = desk / "out/2025-05-01/bench-brief.pdf"
    if process.returncode == 0:  # rescheduled on the other worker and rendered again
        assert pdf.read_bytes().startswith(b"%PDF-") and pdf.read_bytes().rstrip().endswith(b"%%EOF")
    else:
        assert process.returncode == 5, stderr
        assert "bench-brief 2025-05-01: the Dask cluster could not render the PDF" in stderr
        assert not pdf.exists()
    assert not list((desk / "out").rglob("*.tmp"))
    client.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker


@pytest.mark.parametrize("kind", ["url", "local-file"])
def test_rendering_on_a_worker_reads_no_url_and_no_file(
    cluster: distributed.LocalCluster, make_desk: MakeDesk, tmp_path: Path, kind: str
) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text('body::before { content: "SECRET-TOKEN-42" }')
    with observing() as observer:
        target = f"{observer.url}/evil.css" if kind == "url" else secret.as_uri()
        template = '{% extends "builtin/brief.html.j2" %}{% block stylesheet %}@import "' + target
        desk = make_desk(files={"templates/brief.html.j2": template + '";{{ super() }}{% endblock %}'})
        result = build(desk, "--executor", url(cluster), "--format", "pdf")
        assert result.returncode == 4, result.stderr  # the build refuses the HTML before any job is made
        assert f"a <style> element that loads '{target}'" in result.stderr
        # A job that holds such HTML all the same (another client, an older build) fails on the worker.
        html = f'<!doctype html><html lang="en"><style>@import "{target}";</style><title>t</title><p>x</p></html>'
        job = PdfJob(f"hostile {kind} 2025-05-22", html, ASSET_ROOT, (), "pdf/ua-1", b"1" * 32)
        renderer = DaskRenderer(url(cluster))
        try:
            renderer.submit(0, job)
            finished: dict[int, object] = {}
            while not finished:
                finished.update(renderer.completed())
        finally:
            renderer.close()
        failure = finished[0]
        assert isinstance(failure, PdfFailure) and failure.exit_code == 4, failure
        assert f"refused to read {target}" in failure.message
        assert observer.requests == []
    assert not (desk / "out/2025-05-22").exists()


def test_a_worker_with_another_font_set_is_refused(make_desk: MakeDesk, tmp_path: Path) -> None:
    fonts = tmp_path / "fonts.conf"  # a worker that sees only one folder of fonts would set other glyphs
    fonts.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        "<dir>/usr/share/fonts/truetype/noto</dir>"
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    desk = make_desk()
    with _cluster(n_workers=1, env={"FONTCONFIG_FILE": str(fonts)}) as other:
        result = build(desk, "--executor", url(other), "--format", "pdf")
    assert result.returncode == 5, result.stderr
    assert "is refused: font set" in result.stderr and "here, " in result.stderr
    assert "no Dask worker at tcp://127.0.0.1:" in result.stderr
    assert not (desk / "out/2025-05-22").exists()


def test_the_executor_option_says_how_to_install_dask_and_checks_its_url(tmp_path: Path) -> None:
    desk = DESKS / "minimal"
    without = (
        "import sys; sys.modules['distributed'] = None; sys.argv[0] = 'briefgen'; "
        "from briefgen.entry import main; main()"
    )
    args = ["build", str(desk), "--out", str(tmp_path / "out"), "--executor", "dask://127.0.0.1:8786"]
    result = subprocess.run([sys.executable, "-c", without, *args], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr == 'briefgen: error: the Dask executor needs Dask: pip install "briefgen[dask]"\n'
    wrong = subprocess.run([*BRIEFGEN, *args[:-1], "tcp://127.0.0.1:8786"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "expected local or dask://HOST:PORT" in wrong.stderr
    assert json.dumps(wrong.stderr).count("\\n") == 1  # one line
