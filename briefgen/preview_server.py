"""The HTTP side of `briefgen preview`: a server on 127.0.0.1 that answers each request from a `Preview`
(an index, each edition's page and PDF, and the events a page listens to so that it refreshes itself).
Requests are untrusted: only loopback Host names are answered and a failing page never stops the server.
"""

from __future__ import annotations

import errno
import threading
import time
import traceback
from collections.abc import Callable
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from briefgen.preview import EDITION_PATH, EditionProblem, Preview


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def handler_for(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "briefgen-preview"

        def log_message(self, format: str, *args: object) -> None:  # each request is logged by `_send`
            return

        def _host_allowed(self) -> bool:
            """Only requests addressed to this server by a loopback name: a page elsewhere that rebinds its
            own name to 127.0.0.1 (DNS rebinding) sends its own Host and gets nothing."""
            port = self.server.server_address[1]  # type: ignore[index]
            host = (self.headers.get("Host") or "").strip().lower()
            return host in {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            try:
                if not self._host_allowed():
                    self._send(HTTPStatus.FORBIDDEN, "text/plain", "forbidden: the preview answers only 127.0.0.1\n")
                    return
                if path == "/events":
                    self._events()
                elif path == "/favicon.ico":
                    self._send(HTTPStatus.NO_CONTENT, "image/x-icon", b"")
                elif path == "/":
                    version = preview.version
                    self._send(HTTPStatus.OK, "text/html", preview.with_reload(preview.index_html(), version))
                elif (match := EDITION_PATH.match(path)) and (day := _day(match.group("date"))) is not None:
                    self._edition(match.group("id"), day, match.group("ext"))
                else:
                    self._send(HTTPStatus.NOT_FOUND, "text/plain", "not found\n")
            except (BrokenPipeError, ConnectionResetError):
                return
            except Exception as exc:  # the server must survive anything a page can hit; the page shows no traceback
                problem = EditionProblem("Internal error", [f"{type(exc).__name__}: {exc} (see the terminal)"])
                preview.log(f"error   {path}: {type(exc).__name__}: {exc}")
                traceback.print_exc()
                page = preview.problem_page(problem)
                self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html", preview.with_reload(page, preview.version))

        def do_HEAD(self) -> None:  # what GET would answer, without the body (link checkers, `curl -I`)
            self.do_GET()

        def _edition(self, brief_id: str, day: date, extension: str) -> None:
            version = preview.version
            try:
                if extension == "pdf":
                    self._send(HTTPStatus.OK, "application/pdf", preview.edition_pdf(brief_id, day))
                    return
                page = preview.edition_page(brief_id, day)
                status = HTTPStatus.OK
            except EditionProblem as problem:
                page, status = preview.problem_page(problem), problem.status
                for line in problem.lines:
                    preview.log(f"error   {line}")
            self._send(status, "text/html", preview.with_reload(page, version))

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command == "HEAD":
                return
            seen = -1
            while True:
                version = preview.wait_for_change(seen, timeout=15)
                self.wfile.write(f"data: {version}\n\n".encode() if version != seen else b": keep-alive\n\n")
                self.wfile.flush()
                seen = version

        def _send(self, status: HTTPStatus, kind: str, body: str | bytes) -> None:
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text/") else kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            if self.path.split("?", 1)[0] not in ("/events", "/favicon.ico"):
                preview.log(f"{self.command} {self.path[:200]} -> {status.value} {status.phrase}")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

    return Handler


class PreviewServer:
    """The preview's HTTP server and file watcher, started and stopped together."""

    def __init__(
        self,
        desk_root: Path,
        port: int = 8000,
        *,
        out_dir: Path | None = None,
        log: Callable[[str], None] | None = None,
        next_free: int = 0,
    ) -> None:
        """Listen on 127.0.0.1:`port`; when it is taken, on the first free one of the `next_free` ports after
        it (`self.busy` then names the port asked for). OSError when none is free."""
        self.preview = Preview(desk_root, out_dir, log)
        self.busy: int | None = None
        self.httpd = self._listen(port, next_free)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _listen(self, port: int, next_free: int) -> ThreadingHTTPServer:
        for candidate in range(port, port + next_free + 1 if port else port + 1):
            try:
                httpd = ThreadingHTTPServer(("127.0.0.1", candidate), handler_for(self.preview))
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE or candidate == port + next_free or candidate > 65535:
                    raise
                self.busy = port
                continue
            httpd.daemon_threads = True
            return httpd
        raise OSError(errno.EADDRINUSE, "no free port")

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> None:
        # The PDF worker starts beside the server (forking it waits for WeasyPrint to be imported).
        for target in (self.preview.start_pdf_worker, self.httpd.serve_forever, lambda: self.preview.watch(self._stop)):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.preview.close()


def serve(
    desk_root: Path,
    port: int,
    announce: Callable[[str], None],
    *,
    out_dir: Path | None = None,
    log: Callable[[str], None] | None = None,
    next_free: int = 0,
    open_browser: bool = False,
) -> None:
    """Run the preview until Ctrl-C; `announce` gets its URL (and, when `port` was taken, says which port
    is used instead)."""
    server = PreviewServer(desk_root, port, out_dir=out_dir, log=log, next_free=next_free)
    server.start()
    if server.busy is not None:
        announce(f"port {server.busy} is in use: serving on port {server.httpd.server_address[1]} instead")
    announce(server.url)
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        while True:
            time.sleep(3600)
    finally:
        server.stop()
