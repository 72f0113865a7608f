"""A loopback web server for the import tests (and the bench): pages are routes set by
the caller, served by a thread on 127.0.0.1."""

import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Site:
    """Routes of the loopback server: path -> (status, headers, body bytes)."""

    def __init__(self, server: ThreadingHTTPServer):
        self.server = server
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[tuple[str, str]] = []  # (path, User-Agent)
        self.delays: dict[str, float] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def page(self, path: str, html: str | bytes, *, status: int = 200, ctype="text/html"):
        body = html.encode() if isinstance(html, str) else html
        # Routes ignore the query string, as most sites do for tracking parameters.
        self.routes[path.partition("?")[0]] = (
            status,
            {"Content-Type": f"{ctype}; charset=utf-8"},
            body,
        )
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302):
        self.routes[path] = (status, {"Location": location}, b"")
        return self.url(path)


def _handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            site.requests.append((self.path, self.headers.get("User-Agent", "")))
            path = self.path.partition("?")[0]
            if path in site.delays:
                time.sleep(site.delays[path])
            status, headers, body = site.routes.get(
                path, (404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>")
            )
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    return Handler


@contextmanager
def serving():
    """A running Site; stopped on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    site = Site(server)
    server.RequestHandlerClass = _handler(site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
