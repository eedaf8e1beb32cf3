"""Shared helpers: fixture desks copied to a temporary folder, and the command line run in-process."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import shutil
import socket
import textwrap
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result

from briefgen.cli import cli

TESTS = Path(__file__).parent
DESKS = TESTS / "desks"
REPO = TESTS.parent
SAMPLE = REPO / "samples" / "levant-desk"

FileChange = str | bytes | None | Callable[[str], str]
SAMPLE_BRIEF = "briefs/2025-05-22-syria-deconfliction.yaml"
_ACKNOWLEDGED_DIGEST = """
# Warnings the desk has read and accepts (`briefgen validate --strict` passes; see the README).
acknowledge:
  - warning: list-not-cleared
    field: brief.lists
    reason: The public digest takes TLP:CLEAR editions only; this one goes to partners alone.
"""


def one_edition(brief: str) -> str:
    """The sample brief with one edition and no public digest edition: its lists are the partners' and the
    public digest's, which is not cleared for it (an acknowledged warning). What the tests of one
    edition's email and of acknowledgements exercise."""
    start, end = brief.index("  # The public digest"), brief.index("\ndevelopments:")
    single = brief[:start] + "\n" + brief[end:].lstrip("\n")
    return single.replace("  lists: [partners]\n", "  lists: [partners, public-digest]\n") + _ACKNOWLEDGED_DIGEST


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


class Recorder:
    """An SMTP server's handler that keeps what it accepts, and can refuse or hold deliveries on request."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.rcpt_replies: dict[str, list[str]] = {}  # recipient -> replies to give first
        self.hold_after: int | None = None  # hold the DATA of deliveries after this many
        self.release = threading.Event()

    async def handle_RCPT(
        self, server: object, session: object, envelope: object, address: str, options: object
    ) -> str:
        replies = self.rcpt_replies.get(address)
        if replies:
            return replies.pop(0)
        envelope.rcpt_tos.append(address)  # type: ignore[attr-defined]
        return "250 OK"

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
            return "451 4.3.0 the sender went away"
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)  # type: ignore[attr-defined]
        )
        return "250 Message accepted"

    def parsed(self) -> list[tuple[list[str], EmailMessage]]:
        return [(rcpt, parse_email(data)) for _, rcpt, data in self.messages]


def parse_email(data: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        recorder.release.set()
        controller.stop()


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
