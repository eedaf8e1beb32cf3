"""Shared helpers: fixture desks copied to a temporary folder, and the command line run in-process."""

from __future__ import annotations

import contextlib
import http.server
import shutil
import textwrap
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from briefgen.cli import cli

TESTS = Path(__file__).parent
DESKS = TESTS / "desks"
REPO = TESTS.parent
SAMPLE = REPO / "samples" / "levant-desk"

FileChange = str | bytes | None | Callable[[str], str]


def run(*args: str | Path) -> Result:
    """Run `briefgen ARGS` in this process; stdout and stderr are kept apart."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def make_desk(tmp_path: Path) -> Callable[..., Path]:
    """Copy a named fixture desk to a temporary folder, then write, edit (a function of the old text) or
    delete (None) the given files."""

    def make(base: str = "minimal", files: dict[str, FileChange] | None = None) -> Path:
        desk = tmp_path / base
        shutil.copytree(SAMPLE if base == "sample" else DESKS / base, desk)
        for name, content in (files or {}).items():
            path = desk / name
            if content is None:
                path.unlink()
                continue
            if callable(content):
                content = content(path.read_text(encoding="utf-8"))
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return desk

    return make


@dataclass
class Observer:
    """An HTTP server on 127.0.0.1 that records every request: what must never be asked for."""

    url: str
    requests: list[str] = field(default_factory=list)


@contextlib.contextmanager
def observing() -> Iterator[Observer]:
    observer = Observer("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            observer.requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: object) -> None:
            return

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    observer.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield observer
    finally:
        server.shutdown()
        server.server_close()
