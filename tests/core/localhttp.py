"""A small HTTP server on 127.0.0.1 in a thread, for tests of outbound requests (core.outbound)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BIG = 4096  # bytes of /big
SLOW = 2.0  # seconds /slow waits before answering


class Handler(BaseHTTPRequestHandler):
    """/ok, /big, /slow, /trickle, /files/NAME (from `files`), /redirect?to=URL, a path of `routes` (its
    function answers (status, body) for the query string); POST answers `post_status` (204) and keeps its
    headers and body in `posts`."""

    hits: list[str] = []
    files: dict[str, bytes] = {}
    routes: dict[str, Callable[[str], tuple[int, bytes]]] = {}
    posts: list[tuple[str, dict[str, str], bytes]] = []
    post_status = 204

    def _answer(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        Handler.hits.append(self.path)
        path, _, query = self.path.partition("?")
        if path == "/ok":
            self._answer(200, b"fetched")
        elif path == "/big":
            self._answer(200, b"x" * BIG)
        elif path == "/slow":
            time.sleep(SLOW)
            self._answer(200, b"late")
        elif path == "/trickle":
            self.send_response(200)
            self.end_headers()
            for _ in range(20):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        elif path.removeprefix("/files/") in Handler.files:
            self._answer(200, Handler.files[path.removeprefix("/files/")])
        elif path == "/redirect":
            self._answer(302, Location=query.removeprefix("to="))
        elif path in Handler.routes:
            self._answer(*Handler.routes[path](query))
        else:
            self._answer(404, b"no")

    def do_POST(self) -> None:
        Handler.hits.append(self.path)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Handler.posts.append((self.path, dict(self.headers.items()), body))
        self._answer(Handler.post_status)

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a limit under test)
            return

    def log_message(self, *args: Any) -> None:
        return


@contextmanager
def local_server() -> Iterator[str]:
    """The base URL (http://127.0.0.1:PORT) of a fresh server; its requests land in `Handler.hits`."""
    Handler.hits, Handler.files, Handler.routes, Handler.posts, Handler.post_status = [], {}, {}, [], 204
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
