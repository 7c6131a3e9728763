"""RSVPs racing each other through real HTTP requests against a live server.

`transaction=True`: each request runs in its own transaction on its own connection, as in
production, so the event row lock really serialises them (inside a test-wide transaction
`select_for_update` would prove nothing).
"""

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.servers.basehttp import WSGIServer
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test import Client
from django.urls import reverse

from community.models import User
from events.models import RSVP
from events.rsvps import with_waitlist_position
from tests.conftest import make_event, test_database_url

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)

# Django's development server (which the live server is) keeps a listen backlog of 10 and resets
# the connections beyond it; gunicorn's is 2048. Let the test server queue a burst like ours too.
# (Set at import, before the session-wide live server starts.)
WSGIServer.request_queue_size = 128


def quick_member(name: str) -> User:
    # No password: hashing 30 of them would dominate the test's run time.
    return User.objects.create(username=name, email=f"{name}@example.org", display_name=name)


class Browser:
    """One visitor's cookies (session + CSRF) and a fresh connection per request."""

    def __init__(self, live_server, member: User):
        client = Client()
        client.force_login(member)
        self.netloc = urlsplit(live_server.url).netloc
        self.csrf = "".join(secrets.choice(CSRF_ALLOWED_CHARS) for _ in range(CSRF_SECRET_LENGTH))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={self.csrf}"

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection(self.netloc, timeout=60)
        headers = {"Cookie": self.cookie, "Accept-Language": "en"}
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.csrf})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()


def fire_at_once(calls) -> list:
    """Run the callables in threads released together by a barrier; return their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # a refused or reset connection counts as a failure
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def test_thirty_concurrent_rsvps_fill_ten_seats_and_queue_the_rest_in_order(live_server, series):
    event = make_event(series=series, capacity=10)
    members = [quick_member(f"racer{i}") for i in range(32)]
    browsers = {m.pk: Browser(live_server, m) for m in members}
    url = reverse("events:rsvp", args=[event.slug])

    results = fire_at_once(
        [lambda b=b: b.request("POST", url, {"answer": "going"}) for b in browsers.values()]
    )

    assert [r[0] if isinstance(r, tuple) else r for r in results] == [302] * 32
    rows = list(RSVP.objects.filter(event=event).order_by("status_changed_at", "id"))
    assert len(rows) == 32
    assert len({r.member_id for r in rows}) == 32
    going = [r for r in rows if r.status == RSVP.Status.GOING]
    waiting = [r for r in rows if r.status == RSVP.Status.WAITLISTED]
    assert (len(going), len(waiting)) == (10, 22)
    # Arrival order: the lock hands seats, then queue places, in the order requests took it,
    # so the ten seats went to the first ten arrivals and rows were written in that order too.
    assert rows[:10] == going
    assert [r.pk for r in rows] == sorted(r.pk for r in rows)
    # Every waitlisted member sees their own place, and the places are 1…22 in arrival order.
    page = event.get_absolute_url()
    shown = {}
    for entry in waiting:
        status, body = browsers[entry.member_id].request("GET", page)
        assert status == 200
        shown[entry.member_id] = int(re.search(r'data-waitlist-position="(\d+)"', body)[1])
    assert [shown[r.member_id] for r in waiting] == list(range(1, 23))


def test_twenty_identical_requests_from_one_member_make_one_rsvp(live_server, series):
    event = make_event(series=series, capacity=10)
    member = quick_member("impatient")
    browser = Browser(live_server, member)
    url = reverse("events:rsvp", args=[event.slug])

    results = fire_at_once([lambda: browser.request("POST", url, {"answer": "going"})] * 20)

    assert [r[0] if isinstance(r, tuple) else r for r in results] == [302] * 20
    assert list(RSVP.objects.filter(event=event).values_list("member", "status")) == [
        (member.pk, RSVP.Status.GOING)
    ]


def test_simultaneous_cancellations_promote_exactly_as_many_waitlisted(live_server, series):
    event = make_event(series=series, capacity=10)
    going = [quick_member(f"going{i}") for i in range(10)]
    waiting = [quick_member(f"waiting{i}") for i in range(8)]
    for member in going:
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    for member in waiting:  # created one after the other: this is the queue's order
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.WAITLISTED)
    leavers = going[:6]
    newcomers = [quick_member(f"late{i}") for i in range(4)]
    url = reverse("events:rsvp", args=[event.slug])
    mail.outbox.clear()

    answers = [(Browser(live_server, m), "cancel") for m in leavers] + [
        (Browser(live_server, m), "going") for m in newcomers
    ]
    results = fire_at_once(
        [lambda b=b, a=a: b.request("POST", url, {"answer": a}) for b, a in answers]
    )

    assert [r[0] if isinstance(r, tuple) else r for r in results] == [302] * 10
    status = dict(RSVP.objects.filter(event=event).values_list("member", "status"))
    assert not any(m.pk in status for m in leavers)
    # Six seats freed, six promoted: the first six of the queue, never a newcomer ahead of them.
    assert [status[m.pk] for m in waiting] == [RSVP.Status.GOING] * 6 + [RSVP.Status.WAITLISTED] * 2
    assert [status[m.pk] for m in newcomers] == [RSVP.Status.WAITLISTED] * 4
    going_now = sum(1 for s in status.values() if s == RSVP.Status.GOING)
    assert going_now == event.capacity  # no free seat while people wait
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in waiting[:6])


class Server:
    """A gunicorn app server (2 sync workers) on the test database, as in production."""

    def __init__(self, port: int):
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "community.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--no-control-socket",
            ],  # fmt: skip
            cwd=ROOT,
            # The product's settings (DEBUG on: no collectstatic needed) on the test database.
            env=os.environ
            | {"DJANGO_SETTINGS_MODULE": "community.settings", "DATABASE_URL": test_database_url()},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:  # noqa: S310 - loopback
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        pytest.fail("gunicorn did not answer /healthz within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def two_servers():
    servers = []
    for _ in range(2):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        servers.append(Server(port))
    try:
        for server in servers:
            server.wait_up()
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_rsvps_racing_through_two_app_servers_fill_the_seats_once(two_servers, series):
    """The seats are counted under the event's row lock in PostgreSQL, so four gunicorn
    workers on two servers hand out exactly as many as there are (bench/cluster.py race does
    the same with 200 members)."""
    event = make_event(series=series, capacity=10)
    members = [quick_member(f"cluster{i}") for i in range(40)]
    browsers = [
        Browser(SimpleNamespace(url=two_servers[i % 2].url), m) for i, m in enumerate(members)
    ]
    url = reverse("events:rsvp", args=[event.slug])

    results = fire_at_once(
        [lambda b=b: b.request("POST", url, {"answer": "going"}) for b in browsers]
    )

    assert [r[0] if isinstance(r, tuple) else r for r in results] == [302] * 40
    rsvps = RSVP.objects.filter(event=event)
    assert rsvps.going().count() == 10
    positions = with_waitlist_position(rsvps.waitlisted()).values_list(
        "waitlist_position", flat=True
    )
    assert sorted(positions) == list(range(1, 31))
