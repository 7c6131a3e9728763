"""Reminders before an event: what members going and waiting read, and that each goes out once
per member and start, whether the queued job, cron or two workers at once send them."""

import datetime as dt
import io
import threading

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from community.mail import absolute_url, unsubscribe_url
from community.models import EmailKind, Network, Tie
from events import organising, rsvps
from events.checkin import door_token
from events.models import RSVP, Event, Reminder
from events.reminders import remind, send_reminders
from tests.conftest import make_event, make_member
from tests.events.organising import paris

NOW = paris(2026, 12, 1, 10)
START = paris(2026, 12, 2, 19)
SEND_REMINDERS = "events.reminders.send_reminders"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def soon(db, series, venue, clock) -> Event:
    """Tomorrow evening at 19:00, 33 hours from now."""
    return make_event(series=series, venue=venue, capacity=3, start=START)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def going(event: Event, *names: str, **extra):
    members = [make_member(name, language="en", **extra) for name in names]
    for member in members:
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    return members


def door_pass_image_url(event: Event, member) -> str:
    token = door_token(event=event, member=member)
    return absolute_url(reverse("events:door_qr", args=[event.slug, token]))


def ledger(event: Event) -> list[tuple[str, str, dt.datetime]]:
    return sorted(
        Reminder.objects.filter(event=event).values_list("member__username", "kind", "event_start")
    )


def test_a_member_going_gets_the_time_the_venue_the_way_there_and_who_they_know(soon):
    [camille] = going(soon, "camille")
    friends = going(soon, "fanny", "farid")
    [hidden] = going(soon, "hugo", listed_in_attendees=False)
    [follower] = going(soon, "flora")
    waiting = make_member("wendy")
    RSVP.objects.create(event=soon, member=waiting, status=RSVP.Status.WAITLISTED)
    for other in [*friends, hidden, waiting]:
        Tie.objects.create(from_member=camille, to_member=other, network=Network.MASTODON)
    Tie.objects.create(from_member=camille, to_member=friends[0], network=Network.BLUESKY)
    # Flora follows Camille, but Camille never said she knows Flora: not counted.
    Tie.objects.create(from_member=follower, to_member=camille, network=Network.MASTODON)
    mail.outbox.clear()

    assert remind(event=soon) == 6

    [message] = [m for m in mail.outbox if m.to == [camille.email]]
    assert message.subject == "[Rencontres] Reminder: Soirée Blog en Nord"
    assert message.body == (
        "Hello Camille,\n"
        "\n"
        "A reminder: you are going to “Soirée Blog en Nord”.\n"
        "\n"
        "When: Wednesday 2 December 2026, 19:00 – 22:00\n"
        "Where: La Grand'Scène, 1 rue de Paris, Lille\n"
        "Directions: https://www.openstreetmap.org/search?query=1+rue+de+Paris%2C+Lille\n"
        "\n"
        "Your door pass (a QR code to show at the door, for the check-in):\n"
        f"{door_pass_image_url(soon, camille)}\n"
        "\n"
        "2 people you know are going.\n"
        "\n"
        "If you can no longer come, please cancel on the event page so the next person gets "
        "the seat:\n"
        f"{absolute_url(soon.get_absolute_url())}\n"
        "\n"
        "See you there!\n"
        "Rencontres\n"
        "\n"
        "--\n"
        "You receive this email because “Reminders before my events” is on in your email "
        "settings.\n"
        f"Stop these emails in one click: {unsubscribe_url(camille, EmailKind.REMINDERS)}\n"
        f"All your email settings: {absolute_url(reverse('community:email_settings'))}\n"
    )
    assert ledger(soon) == [
        (name, "going", START) for name in ("camille", "fanny", "farid", "flora", "hugo")
    ] + [("wendy", "waitlisted", START)]


def test_a_member_who_knows_nobody_going_reads_no_count_and_one_who_knows_one_a_singular(soon):
    alone, knows_one, friend = going(soon, "alain", "kim", "fanny")
    Tie.objects.create(from_member=knows_one, to_member=friend, network=Network.X)

    remind(event=soon)

    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "know" not in bodies[alone.email]
    assert "\n1 person you know is going.\n" in bodies[knows_one.email]


def test_waitlisted_members_hear_where_they_stand_in_french_when_it_is_their_language(soon):
    going(soon, "ana", "bob", "cyd")
    first = make_member("wanda", language="en")
    second = make_member("xavier", language="fr")
    for member in (first, second):
        rsvps.rsvp(event=soon, member=member, going=True)
    mail.outbox.clear()

    remind(event=soon)

    [to_first] = [m for m in mail.outbox if m.to == [first.email]]
    [to_second] = [m for m in mail.outbox if m.to == [second.email]]
    assert to_first.subject == "[Rencontres] Still on the waitlist: Soirée Blog en Nord"
    assert to_first.body.startswith(
        "Hello Wanda,\n\n“Soirée Blog en Nord” is coming up and it is full: you are number 1 "
        "on the waitlist.\n\nWhen: Wednesday 2 December 2026, 19:00 – 22:00\n"
        "Where: La Grand'Scène, 1 rue de Paris, Lille\n\n"
    )
    assert to_second.subject == "[Rencontres] Toujours sur la liste d’attente : Soirée Blog en Nord"
    assert to_second.body.startswith(
        "Bonjour Xavier,\n\n"
        "« Soirée Blog en Nord » approche et elle est complète : vous êtes n° 2 sur la liste "
        "d’attente.\n\nQuand : mercredi 2 décembre 2026, 19:00 – 22:00\n"
        "Où : La Grand'Scène, 1 rue de Paris, Lille\n\n"
    )
    assert "Directions" not in to_first.body


def test_a_reminder_in_french_names_the_way_there_and_people_known(soon):
    camille = make_member("camille", language="fr")
    RSVP.objects.create(event=soon, member=camille, status=RSVP.Status.GOING)
    friends = going(soon, "fanny", "farid")
    for friend in friends:
        Tie.objects.create(from_member=camille, to_member=friend, network=Network.X)
    mail.outbox.clear()

    remind(event=soon)

    [message] = [m for m in mail.outbox if m.to == [camille.email]]
    assert message.subject == "[Rencontres] Rappel : Soirée Blog en Nord"
    assert (
        "Quand : mercredi 2 décembre 2026, 19:00 – 22:00\n"
        "Où : La Grand'Scène, 1 rue de Paris, Lille\n"
        "Itinéraire : https://www.openstreetmap.org/search?query=1+rue+de+Paris%2C+Lille\n"
        "\n"
        "Votre pass d’entrée (un QR code à montrer à l’entrée) :\n"
        f"{door_pass_image_url(soon, camille)}\n"
        "\n"
        "2 personnes que vous connaissez y vont.\n"
    ) in message.body


def test_reminding_again_sends_nothing_twice_and_reaches_newcomers(soon):
    going(soon, "ana", "bob")
    remind(event=soon)
    mail.outbox.clear()

    assert remind(event=soon) == 0
    going(soon, "cyd")
    assert remind(event=soon) == 1

    assert [m.to for m in mail.outbox] == [["cyd@example.org"]]
    assert len(ledger(soon)) == 3


def test_the_cron_command_sends_due_reminders_once_and_leaves_later_events(soon, series, clock):
    going(soon, "ana")
    later = make_event(series=series, start=START + dt.timedelta(days=3), title="Plus tard")
    RSVP.objects.create(
        event=later, member=make_member("bob", language="en"), status=RSVP.Status.GOING
    )
    out = io.StringIO()

    call_command("send_due_reminders", stdout=out)
    assert mail.outbox == []  # 33 hours before: not due yet
    clock.move_to(START - dt.timedelta(hours=23))
    call_command("send_due_reminders", stdout=out)
    call_command("send_due_reminders", stdout=out)

    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert out.getvalue().splitlines() == [
        "0 reminder(s) sent.",
        "1 reminder(s) sent.",
        "0 reminder(s) sent.",
    ]
    assert ledger(later) == []


def test_a_deactivated_member_is_not_reminded(soon):
    ana, bob = going(soon, "ana", "bob")
    bob.is_active = False
    bob.save()

    assert remind(event=soon) == 1

    assert [m.to for m in mail.outbox] == [[ana.email]]


def test_the_database_refuses_a_second_ledger_row_for_the_same_start(soon):
    [ana] = going(soon, "ana")
    Reminder.objects.create(event=soon, member=ana, kind=Reminder.Kind.GOING, event_start=START)

    with (
        pytest.raises(IntegrityError, match="events_reminder_once_per_start"),
        transaction.atomic(),
    ):
        Reminder.objects.create(event=soon, member=ana, kind=Reminder.Kind.GOING, event_start=START)
    later = START + dt.timedelta(days=1)
    Reminder.objects.create(event=soon, member=ana, kind=Reminder.Kind.GOING, event_start=later)
    assert len(ledger(soon)) == 2


def test_cancelled_and_past_events_get_no_reminder(soon, series, clock):
    going(soon, "ana")
    soon.status = Event.Status.CANCELLED
    soon.save()

    assert send_reminders.call(event_id=soon.pk, start=START.isoformat()) == 0
    clock.move_to(START + dt.timedelta(minutes=5))
    soon.status = Event.Status.PUBLISHED
    soon.save()
    assert send_reminders.call(event_id=soon.pk, start=START.isoformat()) == 0

    assert mail.outbox == []
    assert ledger(soon) == []


def test_publishing_queues_the_reminder_job_for_the_configured_hours_before(
    soon, organiser, database_queue, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_HOURS_BEFORE = 3
    soon.status = Event.Status.HOLD
    soon.save()

    with django_capture_on_commit_callbacks(execute=True):
        organising.publish_hold(event=soon, clashes=[], by=organiser)

    [job] = DBTaskResult.objects.filter(task_path=SEND_REMINDERS)
    assert job.run_after == START - dt.timedelta(hours=3)
    assert job.args_kwargs["kwargs"] == {"event_id": soon.pk, "start": START.isoformat()}


def test_a_hold_queues_no_reminder_and_creating_a_published_event_does(
    series, venue, organiser, database_queue, clock, django_capture_on_commit_callbacks
):
    hold = Event(title="Tenue", start=START, end=START + dt.timedelta(hours=2), series=series)
    hold.status = Event.Status.HOLD
    published = Event(
        title="Publiée",
        start=START + dt.timedelta(days=1),
        end=START + dt.timedelta(days=1, hours=2),
    )

    with django_capture_on_commit_callbacks(execute=True):
        organising.create_event(event=hold, clashes=[], by=organiser)
        organising.create_event(event=published, clashes=[], by=organiser)

    jobs = DBTaskResult.objects.filter(task_path=SEND_REMINDERS)
    assert [j.args_kwargs["kwargs"]["event_id"] for j in jobs] == [published.pk]
    assert jobs.get().run_after == published.start - dt.timedelta(hours=24)


def test_a_moved_event_is_reminded_at_its_new_date_and_the_old_job_does_nothing(
    soon, organiser, database_queue, clock, django_capture_on_commit_callbacks
):
    [ana] = going(soon, "ana")
    new_start = START + dt.timedelta(days=7)

    soon.start, soon.end = new_start, new_start + dt.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        organising.edit_event(event=soon, clashes=[], by=organiser)
        # An edit that moves nothing queues nothing more.
        organising.edit_event(event=soon, clashes=[], by=organiser)

    [new_job] = DBTaskResult.objects.filter(task_path=SEND_REMINDERS)
    assert new_job.run_after == new_start - dt.timedelta(hours=24)
    DBTaskResult.objects.all().delete()  # the moved-event email is not what this test reads
    # The job queued for the old start runs at its time, and finds the event moved.
    clock.move_to(START - dt.timedelta(hours=24))
    assert send_reminders.call(event_id=soon.pk, start=START.isoformat()) == 0
    assert ledger(soon) == []

    clock.move_to(new_job.run_after)
    with django_capture_on_commit_callbacks(execute=True):
        assert new_job.task.call(**new_job.args_kwargs["kwargs"]) == 1

    assert ledger(soon) == [("ana", "going", new_start)]
    [queued] = DBTaskResult.objects.filter(task_path="community.mail.send_message")
    assert queued.args_kwargs["kwargs"]["to"] == ana.email
    assert queued.args_kwargs["kwargs"]["subject"] == "[Rencontres] Reminder: Soirée Blog en Nord"


def test_the_reminder_email_is_queued_in_the_same_transaction_as_its_ledger_row(
    soon, database_queue
):
    going(soon, "ana")

    # Inside the test's transaction, with no commit: the email row is already there, as part
    # of the transaction that wrote the ledger row (a crash loses both or neither).
    remind(event=soon)

    assert DBTaskResult.objects.filter(task_path="community.mail.send_message").count() == 1
    assert Reminder.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_reminding_the_same_event_at_once_send_each_reminder_once(series, venue, clock):
    event = make_event(series=series, venue=venue, capacity=30, start=START)
    members = going(event, *[f"member-{i}" for i in range(20)])
    barrier = threading.Barrier(2)
    counts = []

    def worker():
        try:
            barrier.wait()
            counts.append(remind(event=Event.objects.get(pk=event.pk)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 20
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        m.email for m in members
    )
    assert Reminder.objects.filter(event=event).count() == 20


@pytest.mark.django_db(transaction=True)
def test_a_published_event_is_reminded_by_the_worker_at_its_time_and_cron_adds_nothing(
    series, venue, organiser, settings, clock
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    event = Event(
        title="Soirée Blog en Nord", start=START, end=START + dt.timedelta(hours=3), venue=venue
    )
    organising.create_event(event=event, clashes=[], by=organiser)
    [ana] = going(event, "ana")

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())
    assert mail.outbox == []  # the reminder job waits for its time
    clock.move_to(START - dt.timedelta(hours=24))
    for _ in range(2):
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO()
        )
        call_command("send_due_reminders", stdout=io.StringIO())

    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([ana.email], "[Rencontres] Reminder: Soirée Blog en Nord")
    ]
    assert ledger(event) == [("ana", "going", START)]
    [job] = DBTaskResult.objects.filter(task_path=SEND_REMINDERS)
    assert (job.status, job.return_value) == ("SUCCESSFUL", 1)
