"""A second website on 127.0.0.1 for tests that talk to other sites: pages set per test,
a Webmention endpoint that records what it receives, and slow, huge or redirecting answers."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    headers: dict = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0  # seconds before answering
    repeat: int = 1  # the body is sent this many times (huge pages without huge memory)


class OtherSite:
    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.received: list[dict] = []  # Webmentions posted to /endpoint
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                page = site.pages.get(self.path, Page(b"not here", 404))
                time.sleep(page.delay)
                try:
                    self.send_response(page.status)
                    for name, value in page.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(page.body) * page.repeat))
                    self.end_headers()
                    for _ in range(page.repeat):
                        self.wfile.write(page.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading: that is the size limit working

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                site.received.append(
                    {"path": self.path, "agent": self.headers.get("User-Agent", ""),
                     **{k: v[0] for k, v in form.items()}}
                )  # fmt: skip
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> "OtherSite":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
