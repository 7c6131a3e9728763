"""Email through the database job queue against a real SMTP server on loopback.

The server (aiosmtpd) accepts, refuses (554), stalls past the SMTP timeout, or is not there at
all; a request never waits for it, and the worker tries again later until it takes the
message, which then arrives exactly once.

`transaction=True`: requests commit, so their emails reach the queue table, and the worker (in
this process or in others) sees them, as in production.
"""

import asyncio
import datetime as dt
import io
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from community.mail import RETRY_DELAYS, send_mail, send_message
from events import rsvps
from events.models import RSVP
from tests.conftest import make_event, make_member

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
SMTP_TIMEOUT = 1  # seconds; production's is 10 (settings), the test keeps stalls short
STALL = 2.5  # seconds the stalling server sits on a message, longer than the timeout
SEND_MESSAGE = "community.mail.send_message"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """An aiosmtpd handler that accepts, refuses or stalls, and records what it accepted."""

    def __init__(self):
        self.mode = "accept"
        self.received: list[tuple[str, str]] = []  # (Message-ID, recipient)
        self.subjects: list[str] = []
        self.greetings = 0  # SMTP conversations started, whatever became of them
        # Messages are held (not answered) until this many conversations have started.
        self.hold_until_greetings = 0
        self._lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self._lock:
            self.greetings += 1
        return responses

    async def handle_DATA(self, server, session, envelope):
        deadline = time.monotonic() + 60
        while self.greetings < self.hold_until_greetings and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        if self.mode == "refuse":
            return "554 5.7.1 Refused by the test server"
        if self.mode == "stall":
            await asyncio.sleep(STALL)
            return "451 4.3.0 Answered too late"
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            for recipient in envelope.rcpt_tos:
                self.received.append((message["Message-ID"], recipient))
            self.subjects.append(message["Subject"])
        return "250 2.0.0 OK"


class SMTPServer:
    """A server on a fixed loopback port that can be taken down and brought back."""

    def __init__(self, port: int):
        self.port = port
        self.sink = Sink()
        self.controller = None

    def start(self) -> None:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    """Mail through SMTP to 127.0.0.1:<free port> (nothing listens until `start`), jobs
    through the database queue."""
    server = SMTPServer(free_port())
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAILERS = {"default": smtp_mailer(server.port)}
    yield server
    server.stop()


def smtp_mailer(port: int, timeout: float = SMTP_TIMEOUT) -> dict:
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": timeout, "use_tls": False},
    }


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())


def queued():
    return DBTaskResult.objects.filter(task_path=SEND_MESSAGE, status=TaskResultStatus.READY)


def bring_up(server: SMTPServer, fault: str) -> None:
    """Start the server in the fault's mode (`down`: nothing listening)."""
    if fault != "down":
        server.sink.mode = fault
        server.start()


@pytest.mark.parametrize("fault", ["refuse", "stall", "down"])
def test_a_failing_mail_server_never_holds_up_a_request_and_the_message_arrives_once_later(
    client, smtp, series, fault
):
    event = make_event(series=series, capacity=1)
    leaving, waiting = make_member("ana", language="en"), make_member("bob", language="en")
    rsvps.rsvp(event=event, member=leaving, going=True)
    rsvps.rsvp(event=event, member=waiting, going=True)
    bring_up(smtp, fault)
    client.force_login(leaving)
    client.get(event.get_absolute_url())  # templates and translations loaded, as in production

    started = time.monotonic()
    response = client.post(reverse("events:rsvp", args=[event.slug]), {"answer": "cancel"})
    took = time.monotonic() - started

    # The request answered as usual, without waiting for the mail server.
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    assert took < SMTP_TIMEOUT
    assert smtp.sink.greetings == 0
    assert list(RSVP.objects.filter(event=event).values_list("member", "status")) == [
        (waiting.pk, RSVP.Status.GOING)
    ]
    [first] = queued()
    assert first.args_kwargs["kwargs"]["to"] == waiting.email
    message_id = first.args_kwargs["kwargs"]["message_id"]

    # The worker's attempt fails; the message is queued again for a minute later.
    tried_at = dt.datetime.now(dt.UTC)
    run_worker()
    first.refresh_from_db()
    assert first.status == TaskResultStatus.SUCCESSFUL
    assert first.return_value is False
    [retry] = queued()
    assert retry.args_kwargs["kwargs"] | {"body": ""} == {
        "to": waiting.email,
        "subject": f"[Rencontres] A seat is yours: {event.title}",
        "body": "",
        "headers": first.args_kwargs["kwargs"]["headers"],  # the unsubscribe link, kept
        "message_id": message_id,
        "attempt": 2,
    }
    assert (
        tried_at + RETRY_DELAYS[0]
        <= retry.run_after
        <= tried_at + RETRY_DELAYS[0] + dt.timedelta(seconds=5)
    )
    assert smtp.sink.received == []

    # The server recovers; nothing is sent before the retry is due.
    smtp.stop()
    smtp.sink.mode = "accept"
    smtp.start()
    run_worker()
    assert smtp.sink.received == []
    assert queued().count() == 1

    with time_machine.travel(retry.run_after + dt.timedelta(seconds=1), tick=True):
        run_worker()
        run_worker()  # a second pass finds nothing left to send

    assert smtp.sink.received == [(message_id, waiting.email)]
    assert smtp.sink.subjects == [f"[Rencontres] A seat is yours: {event.title}"]
    retry.refresh_from_db()
    assert (retry.status, retry.return_value) == (TaskResultStatus.SUCCESSFUL, True)
    assert queued().count() == 0


def test_a_stalling_server_costs_the_worker_the_smtp_timeout_not_more(smtp):
    bring_up(smtp, "stall")
    send_message.enqueue(to="ana@example.org", subject="Hello", body="Hi", message_id="<a@x>")

    started = time.monotonic()
    run_worker()
    took = time.monotonic() - started

    assert SMTP_TIMEOUT <= took < STALL
    [retry] = queued()
    assert retry.args_kwargs["kwargs"]["attempt"] == 2


def test_each_failure_waits_longer_and_the_last_one_gives_up_with_an_error(smtp, caplog):
    send_message.enqueue(to="ana@example.org", subject="Hello", body="Hi", message_id="<a@x>")
    delays = []
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        for _ in RETRY_DELAYS:
            run_worker()
            [retry] = queued()
            delays.append(retry.run_after - dt.datetime.now(dt.UTC))
            clock.move_to(retry.run_after)
        with caplog.at_level(logging.ERROR, logger="community.mail"):
            run_worker()

    assert delays == RETRY_DELAYS
    assert queued().count() == 0
    attempts = sorted(r.args_kwargs["kwargs"].get("attempt", 1) for r in DBTaskResult.objects.all())
    assert attempts == [1, 2, 3, 4, 5, 6]
    [gave_up] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert gave_up.getMessage().startswith(
        "Gave up sending 'Hello' to ana@example.org after 6 attempts"
    )


def test_a_message_sent_through_send_mail_carries_one_message_id_per_recipient(smtp):
    smtp.start()
    members = [make_member(name, language="en") for name in ("ana", "bob")]
    event = make_event()

    send_mail(
        members,
        template_prefix="events/email/promoted",
        context={"member": members[0], "event": event, "url": "/"},
    )
    run_worker()

    ids = [message_id for message_id, _ in smtp.sink.received]
    assert [to for _, to in smtp.sink.received] == ["ana@example.org", "bob@example.org"]
    assert len(set(ids)) == 2
    assert all(i.startswith("<") and i.endswith(">") for i in ids)


WORKER_SETTINGS = """\
from tests.settings import *  # noqa: F403

DATABASES["default"]["NAME"] = {name!r}  # noqa: F405
TASKS = {{"default": {{"BACKEND": "django_tasks_db.DatabaseBackend"}}}}
MAILERS = {{"default": {mailer!r}}}
"""


def test_two_workers_sharing_the_queue_send_each_email_exactly_once(smtp, tmp_path):
    smtp.start()
    # The first message is held until the other worker has started a conversation too, so
    # both workers are claiming from the queue at the same time, whichever starts first (the
    # overlap does not depend on the queue being long enough to outlast a start-up).
    smtp.sink.hold_until_greetings = 2
    total = 150
    for i in range(total):
        send_message.enqueue(
            to=f"member{i}@example.org",
            subject=f"Message {i}",
            body="Hello",
            message_id=f"<{i}@rencontres.test>",
        )
    # The workers run in processes of their own, on the test database.
    (tmp_path / "worker_settings.py").write_text(
        # The server never stalls here, but it holds the first message while the other worker
        # starts (seconds on a busy machine): a timeout that outlasts any start-up.
        WORKER_SETTINGS.format(
            name=connection.settings_dict["NAME"], mailer=smtp_mailer(smtp.port, timeout=60)
        )
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "worker_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]),
    }
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--interval",
        "0",
        "--verbosity",
        "0",
    ]
    workers = [
        subprocess.Popen([*command, "--worker-id", f"worker-{n}"], cwd=ROOT, env=env)
        for n in (1, 2)
    ]
    try:
        codes = [worker.wait(timeout=120) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()

    assert codes == [0, 0]
    deliveries = Counter(smtp.sink.received)
    assert len(deliveries) == total
    assert max(deliveries.values()) == 1
    assert set(deliveries) == {
        (f"<{i}@rencontres.test>", f"member{i}@example.org") for i in range(total)
    }
    results = DBTaskResult.objects.filter(task_path=SEND_MESSAGE)
    assert results.filter(status=TaskResultStatus.SUCCESSFUL, return_value=True).count() == total
    # Both workers took their share, and no task was run by two of them.
    assert Counter(len(r.worker_ids) for r in results) == {1: total}
    assert {r.worker_ids[0] for r in results} == {"worker-1", "worker-2"}


def test_with_a_backend_that_cannot_wait_a_failure_is_logged_not_retried_in_a_loop(
    smtp, settings, caplog
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

    with caplog.at_level(logging.WARNING, logger="community.mail"):
        result = send_message.enqueue(to="ana@example.org", subject="Hello", body="Hi")

    assert result.return_value is False
    assert [r.levelname for r in caplog.records] == ["ERROR"]
    assert caplog.records[0].getMessage() == (
        "Gave up sending 'Hello' to ana@example.org: the task backend cannot retry later"
    )
