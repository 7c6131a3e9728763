from django.urls import reverse

from events import rsvps
from events.models import RSVP, Event
from tests.conftest import make_event, make_member


def test_my_events_lists_upcoming_rsvps_with_waitlist_positions(member_client, member, series):
    going = make_event(series=series, title="J'y vais", days=3)
    full = make_event(series=series, title="Complet", days=5, capacity=1)
    rsvps.rsvp(event=full, member=make_member("ana"), going=True)
    rsvps.rsvp(event=full, member=make_member("bob"), going=True)
    rsvps.rsvp(event=going, member=member, going=True)
    rsvps.rsvp(event=full, member=member, going=True)
    declined = make_event(series=series, title="Sans moi", days=6)
    rsvps.rsvp(event=declined, member=member, going=False)
    past = make_event(series=series, title="Passée", days=-5)
    RSVP.objects.create(event=past, member=member, status=RSVP.Status.GOING)

    response = member_client.get(reverse("events:my_events"))

    entries = list(response.context["entries"])
    assert [(e.event.title, e.status) for e in entries] == [
        ("J'y vais", RSVP.Status.GOING),
        ("Complet", RSVP.Status.WAITLISTED),
    ]
    assert entries[1].waitlist_position == 2
    assert 'data-waitlist-position="2"' in response.content.decode()


def test_my_events_flags_a_cancelled_event(member_client, member, series):
    event = make_event(series=series, title="Annulée")
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    event.status = Event.Status.CANCELLED
    event.save()
    member_client.cookies["django_language"] = "en"

    body = member_client.get(reverse("events:my_events")).content.decode()

    assert "Annulée" in body
    assert "badge-cancelled" in body


def test_my_events_needs_login(client, db):
    response = client.get(reverse("events:my_events"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={reverse('events:my_events')}"


def test_my_events_shows_only_my_own(member_client, member, outsider, event):
    RSVP.objects.create(event=event, member=outsider, status=RSVP.Status.GOING)

    response = member_client.get(reverse("events:my_events"))

    assert list(response.context["entries"]) == []
    assert outsider.calendar_token not in response.content.decode()
    assert member.calendar_token in response.content.decode()
