import datetime as dt

import feedparser
import icalendar
from django.conf import settings
from django.urls import reverse

from events.models import RSVP, Event
from tests.conftest import make_event, make_member


def vevents(response) -> dict[str, icalendar.Event]:
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_site_calendar_lists_upcoming_published_events_with_stable_uids(client, event, series):
    make_event(title="Retenue", status=Event.Status.HOLD, days=8)
    make_event(title="Annulée", status=Event.Status.CANCELLED, days=9)
    make_event(title="Passée", days=-9)

    first = vevents(client.get(reverse("events:calendar_ics")))
    event.title = "Nouveau titre"
    event.save()
    second = vevents(client.get(reverse("events:calendar_ics")))

    assert list(first) == [f"event-{event.pk}@rencontres"]
    assert list(second) == list(first)
    assert str(second[f"event-{event.pk}@rencontres"]["summary"]) == "Nouveau titre"


def test_calendar_times_are_in_europe_paris_across_dst(client, series):
    winter = make_event(title="Hiver", start=dt.datetime(2031, 1, 8, 18, 0, tzinfo=dt.UTC))
    summer = make_event(title="Été", start=dt.datetime(2031, 7, 9, 17, 0, tzinfo=dt.UTC))

    response = client.get(reverse("events:calendar_ics"))
    cal = icalendar.Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}

    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    winter_start = events[f"event-{winter.pk}@rencontres"].decoded("dtstart")
    summer_start = events[f"event-{summer.pk}@rencontres"].decoded("dtstart")
    assert (winter_start.hour, winter_start.utcoffset()) == (19, dt.timedelta(hours=1))
    assert (summer_start.hour, summer_start.utcoffset()) == (19, dt.timedelta(hours=2))
    assert winter_start == winter.start
    assert summer_start == summer.start
    assert b"DTSTART;TZID=Europe/Paris:20310709T190000" in response.content


def test_series_calendar_has_only_that_series(client, event, series):
    other = make_event(title="Ailleurs", days=4)

    events = vevents(client.get(reverse("events:series_ics", args=[series.slug])))

    assert list(events) == [f"event-{event.pk}@rencontres"]
    assert f"event-{other.pk}@rencontres" not in events


def test_event_ics_has_location_and_link(client, event):
    events = vevents(client.get(reverse("events:event_ics", args=[event.slug])))

    [vevent] = events.values()
    assert str(vevent["summary"]) == event.title
    assert "La Grand'Scène" in str(vevent["location"])
    assert str(vevent["url"]).endswith(event.get_absolute_url())
    assert str(vevent["status"]) == "CONFIRMED"


def test_cancelled_event_ics_says_cancelled(client, series):
    event = make_event(series=series, status=Event.Status.CANCELLED)

    [vevent] = vevents(client.get(reverse("events:event_ics", args=[event.slug]))).values()

    assert str(vevent["status"]) == "CANCELLED"


def test_unknown_feeds_are_404(client, db):
    assert client.get(reverse("events:event_ics", args=["nope"])).status_code == 404
    assert client.get(reverse("events:series_ics", args=["nope"])).status_code == 404
    assert client.get(reverse("events:private_calendar", args=["nope"])).status_code == 404


def test_atom_feed_lists_upcoming_events(client, event, series):
    make_event(title="Retenue", status=Event.Status.HOLD, days=8)
    event.description = "Venez <script>alert(1)</script><em>nombreux</em>"
    event.save()

    response = client.get(reverse("events:feed"))
    feed = feedparser.parse(response.content)

    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.version == "atom10"
    assert not feed.bozo
    [entry] = feed.entries
    assert entry.title.startswith(event.title)
    assert entry.link == settings.SITE_URL + event.get_absolute_url()  # the Site's domain
    assert entry.id == f"event-{event.pk}@rencontres"
    assert "<em>nombreux</em>" in entry.summary
    assert "script" not in entry.summary


def test_private_calendar_lists_my_rsvps_and_regenerating_kills_the_old_url(
    member_client, member, event, series
):
    waiting = make_event(series=series, title="Complet", days=10, capacity=1)
    RSVP.objects.create(event=waiting, member=make_member("ana"), status=RSVP.Status.GOING)
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    RSVP.objects.create(event=waiting, member=member, status=RSVP.Status.WAITLISTED)
    make_event(series=series, title="Pas pour moi", days=12)
    old_url = reverse("events:private_calendar", args=[member.calendar_token])

    events = vevents(member_client.get(old_url))
    assert sorted(events) == sorted(
        [f"event-{event.pk}@rencontres", f"event-{waiting.pk}@rencontres"]
    )

    page = member_client.get(reverse("events:my_events")).content.decode()
    assert old_url in page

    member_client.post(reverse("events:regenerate_calendar"))
    member.refresh_from_db()
    new_url = reverse("events:private_calendar", args=[member.calendar_token])

    assert new_url != old_url
    assert member_client.get(old_url).status_code == 404
    assert len(vevents(member_client.get(new_url))) == 2


def test_regenerating_needs_post_and_login(client, member):
    token = member.calendar_token

    client.get(reverse("events:regenerate_calendar"))
    response = client.post(reverse("events:regenerate_calendar"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    member.refresh_from_db()
    assert member.calendar_token == token
