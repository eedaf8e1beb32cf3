"""`briefgen preview`: pages served on 127.0.0.1 that refresh themselves when the desk changes."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import run

from briefgen.preview_server import PreviewServer

MakeDesk = Callable[..., Path]
EDITION = "valley/2025-05-22"
EXTENDS = '{% extends "builtin/brief.html.j2" %}\n'


@pytest.fixture
def served(make_desk: MakeDesk) -> Iterator[tuple[Path, str]]:
    desk = make_desk()
    server = PreviewServer(desk, port=0)
    server.start()
    try:
        yield desk, server.url
    finally:
        server.stop()


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_index_edition_pdf_and_not_found(served: tuple[Path, str]) -> None:
    desk, url = served
    assert url.startswith("http://127.0.0.1:")
    status, _, index = get(url)
    assert status == 200 and b'href="/valley/2025-05-22.html">Valley update</a>' in index
    status, kind, page = get(url + EDITION + ".html")
    assert status == 200 and kind.startswith("text/html")
    assert b'<h1 id="title" dir="ltr" lang="en">Valley update</h1>' in page and b'new EventSource("/events")' in page
    status, kind, pdf = get(url + EDITION + ".pdf")
    assert status == 200 and kind == "application/pdf" and pdf.startswith(b"%PDF-")
    status, _, missing = get(url + "valley/2025-05-23.html")
    assert status == 404 and b"the desk has no edition of &#x27;valley&#x27; dated 2025-05-23" in missing
    assert get(url + "../briefgen.toml")[0] == 404
    # Built outputs never carry the live-reload script.
    assert run("build", desk, "--all", "--format", "html").exit_code == 0
    assert b"EventSource" not in (desk / "out/2025-05-22/valley.html").read_bytes()


def test_head_answers_what_get_would_without_a_body(served: tuple[Path, str]) -> None:
    _, url = served
    for path, status, kind in (
        ("", 200, "text/html"),
        (EDITION + ".html", 200, "text/html"),
        ("nothing", 404, "text/plain"),
    ):
        request = urllib.request.Request(url + path, method="HEAD")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                code, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            code, headers, body = error.code, error.headers, error.read()
        assert (code, body) == (status, b"") and headers["Content-Type"].startswith(kind)
        assert int(headers["Content-Length"]) > 0


def test_a_broken_record_shows_in_the_page_and_the_server_lives_on(served: tuple[Path, str]) -> None:
    desk, url = served
    brief = desk / "briefs/edition.yaml"
    good = brief.read_text()
    brief.write_text(good.replace("@beta-wire]", "@beta-wir]"))
    status, _, page = get(url + EDITION + ".html")
    assert status == 200 and b"This edition has errors" in page
    assert b"briefs/edition.yaml:8: brief.bluf[0]: unknown source &#x27;beta-wir&#x27; (did you mean" in page
    brief.write_text(good)
    assert b'<h1 id="title" dir="ltr" lang="en">Valley update</h1>' in get(url + EDITION + ".html")[2]


@pytest.mark.browser
def test_saving_a_template_refreshes_the_open_page(served: tuple[Path, str]) -> None:
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS

    desk, url = served
    template = desk / "templates/brief.html.j2"
    template.parent.mkdir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url + EDITION + ".html")
        assert page.locator("h1").inner_text() == "Valley update"

        started = time.monotonic()
        template.write_text(EXTENDS + "{% block title_block %}<h1>Edited: {{ brief.title }}</h1>{% endblock %}")
        page.wait_for_function(
            "document.querySelector('h1') && document.querySelector('h1').innerText.startsWith('Edited')", timeout=5000
        )
        refreshed_after = time.monotonic() - started

        template.write_text(EXTENDS + "{% block title_block %}\n<h1>{{ brief.titel }}</h1>{% endblock %}")
        page.wait_for_selector("#errors", timeout=5000)
        error = page.locator("#errors").inner_text()
        assert "templates/brief.html.j2:3: 'brief.titel' is undefined (did you mean 'title'?)" in error

        template.write_text(EXTENDS + "{% block title_block %}<h1>Fixed: {{ brief.title }}</h1>{% endblock %}")
        page.wait_for_function(
            "document.querySelector('h1') && document.querySelector('h1').innerText === 'Fixed: Valley update'",
            timeout=5000,
        )
        browser.close()
    assert refreshed_after < 2.0, f"the page refreshed {refreshed_after:.2f} s after the save"


def _raw_get(url: str, path: str, host: str) -> tuple[int, bytes]:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_only_loopback_hosts_are_answered(served: tuple[Path, str]) -> None:
    """A DNS-rebinding page sends its own Host: it gets 403 and no edition."""
    _, url = served
    port = url.rsplit(":", 1)[1].strip("/")
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"):
        status, body = _raw_get(url, "/" + EDITION + ".html", host)
        assert status == 200 and b"Valley update" in body, host
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1", f"127.0.0.1:{int(port) + 1}", ""):
        status, body = _raw_get(url, "/" + EDITION + ".html", host)
        assert status == 403 and b"Valley" not in body, host
        assert _raw_get(url, "/", host)[0] == 403
        assert _raw_get(url, "/events", host)[0] == 403


def test_bad_paths_and_dates_are_not_found_without_a_traceback(served: tuple[Path, str]) -> None:
    _, url = served
    for path in ("valley/2025-13-45.html", "valley/2025-02-30.pdf", "valley/9999-99-99.html", "%00", "valley"):
        status, _, body = get(url + path)
        assert status == 404, path
        assert b"Traceback" not in body and b'File "' not in body


# --- issue 16: logs, warnings in the page, --open, a busy port, --out ----------------------------------------


def test_requests_changes_and_errors_are_logged_and_warnings_shown(make_desk: MakeDesk) -> None:
    desk = make_desk()
    source = next((desk / "sources").glob("*.yaml"))
    source.write_text(
        "\n".join(line for line in source.read_text(encoding="utf-8").splitlines() if "published:" not in line) + "\n",
        encoding="utf-8",
    )
    lines: list[str] = []
    server = PreviewServer(desk, port=0, log=lines.append)
    server.start()
    try:
        status, _, page = get(server.url + EDITION + ".html")
        assert status == 200
        assert b'<aside id="briefgen-preview-warnings"' in page and b"no publication date" in page
        assert f"GET /{EDITION}.html -> 200 OK" in lines
        assert any("warning: no publication date" in line for line in lines)
        assert get(server.url + "nowhere")[0] == 404 and "GET /nowhere -> 404 Not Found" in lines
        brief = desk / "briefs/edition.yaml"
        brief.write_text(brief.read_text(encoding="utf-8").replace("marking: TLP:GREEN", "marking: TLP:BLUE"), "utf-8")
        deadline = time.monotonic() + 20
        while not any(line.startswith("changed: pages reload") for line in lines) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any(line.startswith("changed: pages reload") for line in lines)
        get(server.url + EDITION + ".html")
        assert any(line.startswith("error   ") for line in lines)
    finally:
        server.stop()
    assert run("build", desk, "--date", "2025-05-22", "--format", "html").exit_code == 1  # the record is broken


def test_a_busy_port_takes_the_next_free_one_and_says_so(make_desk: MakeDesk) -> None:
    desk = make_desk()
    first = PreviewServer(desk, port=0)
    taken = first.httpd.server_address[1]
    try:
        second = PreviewServer(desk, port=taken, next_free=20)
        try:
            assert second.busy == taken and second.httpd.server_address[1] != taken
        finally:
            second.httpd.server_close()
        with pytest.raises(OSError):
            PreviewServer(desk, port=taken)  # without next_free: the CLI's clear message (next test)
    finally:
        first.httpd.server_close()


def test_the_command_names_a_busy_port(make_desk: MakeDesk, monkeypatch: pytest.MonkeyPatch) -> None:
    import briefgen.preview_server

    desk = make_desk()
    blocker = PreviewServer(desk, port=0)
    taken = blocker.httpd.server_address[1]
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)

    def sleep(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(briefgen.preview_server.time, "sleep", sleep)
    try:
        result = run("preview", desk, "--port", str(taken), "--open")
    finally:
        blocker.httpd.server_close()
    assert result.exit_code == 0, result.output
    assert f"port {taken} is in use: serving on port " in result.stderr
    assert len(opened) == 1 and opened[0].startswith("http://127.0.0.1:") and str(taken) not in opened[0]
    assert "preview stopped" in result.stderr


def test_preview_takes_out_for_the_changes(make_desk: MakeDesk, tmp_path: Path) -> None:
    desk = make_desk("three-days")
    elsewhere = tmp_path / "built"
    assert run("build", desk, "--all", "--format", "json", "--out", elsewhere).exit_code == 0
    server = PreviewServer(desk, port=0, out_dir=elsewhere)
    server.start()
    try:
        _, _, page = get(server.url + "valley/2025-05-22.html")
    finally:
        server.stop()
    assert b"Compared with the edition of" in page
