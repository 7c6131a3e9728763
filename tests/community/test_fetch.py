"""The one fetcher: public addresses only, bounded in time and size, conditional requests."""

import socket

import pytest

from community import fetch
from community.fetch import FetchError
from tests.local_web import endless, slow

Reason = FetchError.Reason


def test_fetches_a_page_from_a_local_server_allowed_for_tests(web):
    web.route("/page", body="<p>Bonjour</p>", headers={"Content-Type": "text/html; charset=utf-8"})
    answer = fetch.fetch(web.url("/page"))
    assert answer.status == 200
    assert answer.text() == "<p>Bonjour</p>"
    assert answer.content_type == "text/html"


def test_default_settings_refuse_loopback(web, settings):
    web.route("/page", body="secret")
    settings.FETCH_ALLOWED_TEST_NETWORKS = []
    with pytest.raises(FetchError) as error:
        fetch.fetch(web.url("/page"))
    assert error.value.reason == Reason.PRIVATE
    assert web.requests == []


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104  (an address refused, not bound)
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::",
    ],
)
def test_non_public_addresses_are_refused(address, settings):
    settings.FETCH_ALLOWED_TEST_NETWORKS = []
    assert not fetch.is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2a00:1450:4007:80a::200e"])
def test_public_addresses_are_allowed(address, settings):
    settings.FETCH_ALLOWED_TEST_NETWORKS = []
    assert fetch.is_public_address(address)


def test_a_name_resolving_to_a_private_address_is_refused(settings, monkeypatch):
    settings.FETCH_ALLOWED_TEST_NETWORKS = []

    def resolver(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with pytest.raises(FetchError) as error:
        fetch.fetch("https://innocent.example/")
    assert error.value.reason == Reason.PRIVATE


def test_connects_to_the_address_it_checked_not_a_second_answer(web, monkeypatch):
    """DNS rebinding: the first answer is checked and used; the name is never looked up again."""
    web.route("/page", body="ok")
    answers = iter(["127.0.0.1", "10.0.0.5"])
    lookups, real_getaddrinfo = [], socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        if host[0].isdigit():  # the connection itself, to the address already checked
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    answer = fetch.fetch(f"http://rebind.example:{web.port}/page")
    assert answer.body == b"ok"
    assert lookups == ["rebind.example"]
    assert web.requests[0]["headers"]["Host"] == f"rebind.example:{web.port}"


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/", "file:///etc/passwd", "gopher://x/", "http://", "javascript:alert(1)"],
)
def test_only_http_and_https(url):
    with pytest.raises(FetchError) as error:
        fetch.fetch(url)
    assert error.value.reason == Reason.BAD_URL


def test_redirect_to_a_private_address_is_refused(web, settings):
    settings.FETCH_ALLOWED_TEST_NETWORKS = ["127.0.0.1/32"]
    web.route("/go", status=302, headers={"Location": f"http://127.0.0.2:{web.port}/inner"})
    web.route("/inner", body="internal")
    with pytest.raises(FetchError) as error:
        fetch.fetch(web.url("/go"))
    assert error.value.reason == Reason.PRIVATE
    assert [r["path"] for r in web.requests] == ["/go"]


def test_redirects_are_followed_within_a_bound(web):
    web.route("/a", status=301, headers={"Location": "/b"})
    web.route("/b", body="arrived")
    assert fetch.fetch(web.url("/a")).url == web.url("/b")
    web.route("/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError) as error:
        fetch.fetch(web.url("/loop"))
    assert error.value.reason == Reason.REDIRECTS
    assert len(web.requests) == 2 + fetch.MAX_REDIRECTS + 1


def test_a_slow_server_is_cut_at_the_total_timeout(web, monkeypatch):
    monkeypatch.setattr(fetch, "TIMEOUT", 1.0)
    dripping = slow(30)
    web.route("/slow", handler=dripping)
    with pytest.raises(FetchError) as error:
        fetch.fetch(web.url("/slow"))
    assert error.value.reason == Reason.TIMEOUT
    # Given up while the server was still dripping, not once it had finished.
    assert not dripping.finished.is_set()


def test_a_body_over_the_cap_is_refused_while_streaming(web):
    web.route("/huge", handler=endless)
    with pytest.raises(FetchError) as error:
        fetch.fetch(web.url("/huge"))
    assert error.value.reason == Reason.TOO_BIG


def test_a_declared_length_over_the_cap_is_refused_before_reading(web):
    def handler(request):
        request.send_response(200)
        request.send_header("Content-Length", str(fetch.MAX_BYTES + 1))
        request.end_headers()

    web.route("/big", handler=handler)
    with pytest.raises(FetchError) as error:
        fetch.fetch(web.url("/big"))
    assert error.value.reason == Reason.TOO_BIG


def test_error_status_is_reported(web):
    web.route("/gone", status=410, body="gone")
    with pytest.raises(FetchError) as error:
        fetch.fetch(web.url("/gone"))
    assert error.value.reason == Reason.STATUS


def test_unreachable_server(settings):
    settings.FETCH_ALLOWED_TEST_NETWORKS = ["127.0.0.0/8"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError) as error:
        fetch.fetch(f"http://127.0.0.1:{port}/")
    assert error.value.reason == Reason.UNREACHABLE


def test_conditional_request_and_no_cookies(web):
    def handler(request):
        if request.headers.get("If-None-Match") == '"v1"':
            request.send_response(304)
            request.end_headers()
            return
        request.send_response(200)
        request.send_header("ETag", '"v1"')
        request.send_header("Last-Modified", "Wed, 02 Dec 2026 00:00:00 GMT")
        request.send_header("Set-Cookie", "session=abc")
        request.send_header("Content-Length", "2")
        request.end_headers()
        request.wfile.write(b"v1")

    web.route("/feed", handler=handler)
    first = fetch.fetch(web.url("/feed"))
    assert (first.etag, first.last_modified) == ('"v1"', "Wed, 02 Dec 2026 00:00:00 GMT")
    second = fetch.fetch(web.url("/feed"), etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified
    assert second.body == b""
    sent = web.requests[1]["headers"]
    assert sent["If-Modified-Since"] == "Wed, 02 Dec 2026 00:00:00 GMT"
    assert "Cookie" not in sent
