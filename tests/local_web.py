"""Local web servers on 127.0.0.1 for the tests of what the site fetches (identity checks,
other calendars, webmentions): each route answers what the test says, good or hostile."""

import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class LocalWeb:
    """`web.route("/page", body=..., status=..., headers=...)` or `web.route("/x", handler=f)`
    where `f(request_handler)` writes the answer itself; `web.url("/page")` is its address."""

    def __init__(self):
        self.routes: dict[str, Callable] = {}
        self.requests: list[dict] = []
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                web.requests.append({"path": self.path, "headers": dict(self.headers)})
                route = web.routes.get(self.path.split("?")[0])
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                route(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # `shutdown()` waits for the loop to look at its flag: every 50 ms rather than the
        # default half second, which each test of a fetch would otherwise wait at its end.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def route(self, path, *, body=b"", status=200, headers=None, handler=None):
        if handler is None:
            data = body.encode() if isinstance(body, str) else body

            def handler(request):
                request.send_response(status)
                for name, value in (headers or {"Content-Type": "text/html"}).items():
                    request.send_header(name, value)
                request.send_header("Content-Length", str(len(data)))
                request.end_headers()
                request.wfile.write(data)

        self.routes[path] = handler

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def slow(seconds: float, chunk: bytes = b" ") -> Callable:
    """A handler that drips `chunk` every half second for `seconds`; `handler.finished` is set
    once it has sent everything."""
    finished = threading.Event()

    def handler(request):
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.end_headers()
        stop = time.monotonic() + seconds
        try:
            while time.monotonic() < stop:
                request.wfile.write(chunk)
                request.wfile.flush()
                time.sleep(0.5)
        except OSError:
            return
        finished.set()

    handler.finished = finished
    return handler


def endless(request):
    """A handler that streams without end and without a length."""
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.end_headers()
    block = b"x" * 65536
    try:
        for _ in range(1000):
            request.wfile.write(block)
    except OSError:
        pass


@pytest.fixture
def web(settings, monkeypatch):
    """A local server the fetcher may reach: loopback is allowed for this test only, and
    names under `.example` (`web.url(path, host="blog.example")`) lead to it."""
    settings.FETCH_ALLOWED_TEST_NETWORKS = ["127.0.0.0/8"]
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".example"):
            host = "127.0.0.1"
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    server = LocalWeb()
    yield server
    server.close()
