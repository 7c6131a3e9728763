import pytest
from django.core import mail
from django.urls import reverse

from events.models import RSVP, Event, Venue
from tests.conftest import make_event, make_member
from tests.events.organising import attended, edit, paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def attendees(event):
    going = make_member("gaston")
    waiting = make_member("wanda")
    declined = make_member("denis")
    RSVP.objects.create(event=event, member=going, status=RSVP.Status.GOING)
    RSVP.objects.create(event=event, member=waiting, status=RSVP.Status.WAITLISTED)
    RSVP.objects.create(event=event, member=declined, status=RSVP.Status.DECLINED)
    return going, waiting, declined


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_moving_an_event_emails_going_and_waitlisted_and_keeps_rsvps(
    organiser_client, event, attendees, django_capture_on_commit_callbacks
):
    going, waiting, _ = attendees

    with django_capture_on_commit_callbacks(execute=True):
        response = edit(organiser_client, event, start="2027-12-09T19:00", end="2027-12-09T22:00")

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.start == paris(2027, 12, 9, 19)
    assert recipients() == [going.email, waiting.email]
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert event.title in mail.outbox[0].subject
    assert "9 décembre 2027" in mail.outbox[0].body
    assert dict(event.rsvps.values_list("member__username", "status")) == {
        "gaston": "going",
        "wanda": "waitlisted",
        "denis": "declined",
    }


def test_moving_to_another_venue_emails_members(
    organiser_client, event, attendees, django_capture_on_commit_callbacks
):
    other = Venue.objects.create(name="Le Bazaar", address="2 rue", city="Lille")

    with django_capture_on_commit_callbacks(execute=True):
        edit(organiser_client, event, venue=other.pk)

    assert len(mail.outbox) == 2
    assert "Le Bazaar" in mail.outbox[0].body


def test_editing_the_description_only_sends_nothing(
    organiser_client, event, attendees, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        edit(organiser_client, event, description="Nouveau programme.")

    event.refresh_from_db()
    assert event.description == "Nouveau programme."
    assert mail.outbox == []


def test_publishing_a_hold_emails_the_series_audience(
    organiser_client, series, django_capture_on_commit_callbacks
):
    attended(series, ["fidele", "habitue"])
    hold = make_event(
        title="Prochaine", start=paris(2030, 1, 10, 19), series=series, status=Event.Status.HOLD
    )

    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(reverse("events:organise_publish", args=[hold.slug]))

    hold.refresh_from_db()
    assert hold.is_published
    assert recipients() == ["fidele@example.org", "habitue@example.org"]


def test_creating_a_hold_sends_nothing(
    organiser_client, series, django_capture_on_commit_callbacks
):
    attended(series, ["fidele"])

    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(
            reverse("events:organise_create", args=[series.slug]),
            {
                "title": "Peut-être",
                "status": "hold",
                "start": "2030-01-10T19:00",
                "end": "2030-01-10T22:00",
            },
        )

    assert Event.objects.get(title="Peut-être").is_hold
    assert mail.outbox == []


def test_cancelling_emails_members_once_each(
    organiser_client, event, attendees, django_capture_on_commit_callbacks
):
    going, waiting, _ = attendees

    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(reverse("events:organise_cancel", args=[event.slug]))

    assert recipients() == [going.email, waiting.email]
    assert event.title in mail.outbox[0].subject


def test_no_mail_when_the_transaction_rolls_back(event, attendees):
    from django.db import transaction

    from events.notifications import notify_cancelled

    with pytest.raises(RuntimeError), transaction.atomic():
        notify_cancelled(event=event)
        raise RuntimeError

    assert mail.outbox == []


def test_creating_a_published_event_emails_the_series_audience(
    organiser_client, series, django_capture_on_commit_callbacks
):
    attended(series, ["fidele"])
    attended(series, ["ancien"], days_ago=400)  # not seen for more than a year

    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(
            reverse("events:organise_create", args=[series.slug]),
            {
                "title": "Ouverte",
                "status": "published",
                "start": "2030-01-10T19:00",
                "end": "2030-01-10T22:00",
            },
        )

    assert Event.objects.get(title="Ouverte").is_published
    assert recipients() == ["fidele@example.org"]


def test_each_member_hears_of_a_move_in_their_own_language(
    organiser_client, event, django_capture_on_commit_callbacks
):
    english = make_member("emma", language="en")
    french = make_member("francis")
    for member in (english, french):
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    organiser_client.cookies["django_language"] = "en"  # the organiser's language is not theirs

    with django_capture_on_commit_callbacks(execute=True):
        edit(organiser_client, event, start="2027-12-09T19:00", end="2027-12-09T22:00")

    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address[english.email].subject == f"[Rencontres] Changed: {event.title}"
    assert "Thursday 9 December 2027, 19:00" in by_address[english.email].body
    assert by_address[french.email].subject == f"[Rencontres] Modifié : {event.title}"
    assert "jeudi 9 décembre 2027, 19:00" in by_address[french.email].body
