"""The one way the site fetches a page from outside: identity checks, other calendars, webmentions.

Anybody can make us fetch a URL (an identity's address, a feed, a webmention's source), so
every fetch is treated as hostile:

* `http` and `https` only, on any port;
* the host name is resolved once and every address it resolves to must be public (not private,
  loopback, link-local, multicast, reserved, shared or unspecified, IPv4 and IPv6, including
  IPv4 mapped in IPv6); the connection goes to that very address, so a second DNS answer
  (rebinding) cannot send it elsewhere, while TLS still checks the certificate of the name;
* redirects are followed by hand, at most `MAX_REDIRECTS`, each new address checked the same way;
* `TIMEOUT` seconds in all, whatever the server does (a watchdog closes the socket of a server
  that drips its answer), and at most `MAX_BYTES` of body, read as it streams;
* no cookies, no credentials, no proxy from the environment;
* conditional requests: pass the `etag` and `last_modified` of the previous answer and a
  `304 Not Modified` comes back as `Fetched.not_modified`.

Problems raise `FetchError`, whose `reason` is one of `FetchError.Reason` (shown to members in
their language) and whose message is for the log.
"""

import concurrent.futures
import contextlib
import http.client
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from urllib3.connection import HTTPConnection, HTTPSConnection

TIMEOUT = 5.0
MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "Rencontres (+https://rencontres.example/; fetches what members point it to)"
REDIRECT_STATUSES = {301, 302, 303, 307, 308}

_resolver = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="fetch-dns")


class FetchError(Exception):
    class Reason(models.TextChoices):
        BAD_URL = "bad_url", _("The address is not a web address (http or https).")
        PRIVATE = "private", _("The address leads to a private or local network.")
        UNREACHABLE = "unreachable", _("The server could not be reached.")
        TIMEOUT = "timeout", _("The server took too long to answer.")
        TOO_BIG = "too_big", _("The page is larger than 1 MB.")
        REDIRECTS = "redirects", _("The address redirects too many times.")
        STATUS = "status", _("The server answered with an error.")

    def __init__(self, reason: "FetchError.Reason", message: str = "", *, status: int = 0):
        super().__init__(message or reason.value)
        self.reason = reason
        self.status = status  # the HTTP status of a STATUS error


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")[:200]

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")[:100]

    def text(self) -> str:
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _sep, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip("\"' ")
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


def _allowed_test_networks() -> list:
    return [ipaddress.ip_network(net) for net in settings.FETCH_ALLOWED_TEST_NETWORKS]


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in net for net in _allowed_test_networks()):
        return True
    # `is_global` is false for private, loopback, link-local, shared (100.64/10), reserved,
    # unspecified and documentation ranges; multicast can be "global", so it is refused apart.
    return ip.is_global and not ip.is_multicast


def resolve_public(host: str, port: int, *, deadline: float) -> str:
    """One public address of `host`; `FetchError` when it has none or any is not public."""
    # The system resolver has no timeout of its own: wait for it in another thread, and give
    # up (leaving it to finish) when the fetch's time is over.
    lookup = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = lookup.result(timeout=max(deadline - time.monotonic(), 0.01))
    except concurrent.futures.TimeoutError as error:
        raise FetchError(FetchError.Reason.TIMEOUT, f"{host}: no DNS answer") from error
    except (OSError, UnicodeError) as error:
        raise FetchError(FetchError.Reason.UNREACHABLE, f"{host}: {error}") from error
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise FetchError(FetchError.Reason.UNREACHABLE, f"{host}: no address")
    # A name with one private address among public ones is refused too: which one a
    # client picks is not ours to guess.
    if not all(is_public_address(a) for a in addresses):
        raise FetchError(FetchError.Reason.PRIVATE, f"{host} resolves to {addresses}")
    return addresses[0]


def _split(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError as error:
        raise FetchError(FetchError.Reason.BAD_URL, url) from error
    if parts.scheme not in ("http", "https") or not host:
        raise FetchError(FetchError.Reason.BAD_URL, url)
    if parts.username or parts.password:
        raise FetchError(FetchError.Reason.BAD_URL, "credentials in URL")
    port = port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, host, port, path


def fetch(
    url: str,
    *,
    accept: str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    etag: str = "",
    last_modified: str = "",
) -> Fetched:
    """GET `url` under the rules above; the answer of the last redirect (2xx, 304, or 4xx/5xx
    raised as `FetchError` with reason STATUS)."""
    deadline = time.monotonic() + TIMEOUT
    headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for _hop in range(MAX_REDIRECTS + 1):
        fetched = _get_once(url, headers=headers, deadline=deadline)
        location = fetched.headers.get("location")
        if fetched.status in REDIRECT_STATUSES and location:
            url = urljoin(url, location)
            continue
        if fetched.status >= 400:
            raise FetchError(
                FetchError.Reason.STATUS, f"{url}: HTTP {fetched.status}", status=fetched.status
            )
        return fetched
    raise FetchError(FetchError.Reason.REDIRECTS, url)


def _get_once(url: str, *, headers: dict, deadline: float) -> Fetched:
    scheme, host, port, path = _split(url)
    address = resolve_public(host, port, deadline=deadline)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(FetchError.Reason.TIMEOUT, url)
    host_header = host if port in (80, 443) else f"{host}:{port}"
    if ":" in host and port in (80, 443):
        host_header = f"[{host}]"
    elif ":" in host:
        host_header = f"[{host}]:{port}"
    if scheme == "https":
        conn = HTTPSConnection(
            address,
            port,
            timeout=remaining,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        conn = HTTPConnection(address, port, timeout=remaining)
    # The socket timeout bounds each read; the watchdog bounds them all together.
    sockets = []
    watchdog = threading.Timer(remaining, _abort, args=[sockets])
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.connect()
        # Kept here: the connection lets go of its socket once the response holds it.
        sockets.append(conn.sock)
        conn.request("GET", path, headers={**headers, "Host": host_header}, preload_content=False)
        response = conn.getresponse()
        answer = Fetched(
            url=url,
            status=response.status,
            headers={k.lower(): v for k, v in response.headers.items()},
        )
        if answer.status == 200:
            answer.body = _read_capped(response, url)
        response.release_conn()
    except FetchError:
        raise
    except (OSError, http.client.HTTPException, urllib3.exceptions.HTTPError, ValueError) as error:
        if time.monotonic() >= deadline or isinstance(error, TimeoutError | socket.timeout):
            raise FetchError(FetchError.Reason.TIMEOUT, f"{url}: {error}") from error
        raise FetchError(FetchError.Reason.UNREACHABLE, f"{url}: {error}") from error
    finally:
        watchdog.cancel()
        conn.close()
    if time.monotonic() >= deadline:
        raise FetchError(FetchError.Reason.TIMEOUT, url)
    return answer


def _read_capped(response, url: str) -> bytes:
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BYTES:
        raise FetchError(FetchError.Reason.TOO_BIG, f"{url}: Content-Length {length}")
    chunks, size = [], 0
    while True:
        # read1: whatever has arrived, without waiting to fill the buffer.
        chunk = response.read1(64 * 1024)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchError(FetchError.Reason.TOO_BIG, f"{url}: over {MAX_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _abort(sockets: list) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)
