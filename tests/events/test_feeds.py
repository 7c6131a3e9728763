import datetime as dt
import re

import feedparser
import icalendar
import pytest
from django.urls import reverse

from events.models import RSVP, Event
from tests.conftest import make_event, make_member

SITE = "https://rencontres.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def vevents(response) -> dict[str, icalendar.Event]:
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_site_calendar_lists_upcoming_published_events_with_stable_uids(client, event, series):
    make_event(title="Retenue", status=Event.Status.HOLD, days=8)
    make_event(title="Annulée", status=Event.Status.CANCELLED, days=9)
    make_event(title="Passée", days=-9)

    first = vevents(client.get(reverse("events:site_ics")))
    event.title = "Nouveau titre"
    event.save()
    second = vevents(client.get(reverse("events:site_ics")))

    assert list(first) == [f"event-{event.pk}@rencontres.example"]
    assert list(second) == list(first)
    assert str(second[f"event-{event.pk}@rencontres.example"]["summary"]) == "Nouveau titre"


def test_calendar_times_are_in_europe_paris_across_dst(client, series):
    winter = make_event(title="Hiver", start=dt.datetime(2031, 1, 8, 18, 0, tzinfo=dt.UTC))
    summer = make_event(title="Été", start=dt.datetime(2031, 7, 9, 17, 0, tzinfo=dt.UTC))

    response = client.get(reverse("events:site_ics"))
    cal = icalendar.Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}

    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    winter_start = events[f"event-{winter.pk}@rencontres.example"].decoded("dtstart")
    summer_start = events[f"event-{summer.pk}@rencontres.example"].decoded("dtstart")
    assert (winter_start.hour, winter_start.utcoffset()) == (19, dt.timedelta(hours=1))
    assert (summer_start.hour, summer_start.utcoffset()) == (19, dt.timedelta(hours=2))
    assert winter_start == winter.start
    assert summer_start == summer.start
    assert b"DTSTART;TZID=Europe/Paris:20310709T190000" in response.content


def test_series_calendar_has_only_that_series(client, event, series):
    other = make_event(title="Ailleurs", days=4)

    events = vevents(client.get(reverse("events:series_ics", args=[series.slug])))

    assert list(events) == [f"event-{event.pk}@rencontres.example"]
    assert f"event-{other.pk}@rencontres.example" not in events


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
    assert client.get(reverse("events:private_ics", args=["nope"])).status_code == 404


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
    assert entry.link == SITE + event.get_absolute_url()
    assert entry.id == f"event-{event.pk}@rencontres.example"
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
    old_url = reverse("events:private_ics", args=[member.calendar_token])

    events = vevents(member_client.get(old_url))
    assert sorted(events) == sorted(
        [f"event-{event.pk}@rencontres.example", f"event-{waiting.pk}@rencontres.example"]
    )

    page = member_client.get(reverse("events:my_events")).content.decode()
    assert SITE + old_url in page

    member_client.post(reverse("events:regenerate_calendar"))
    member.refresh_from_db()
    new_url = reverse("events:private_ics", args=[member.calendar_token])

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


def test_the_five_calendar_feeds_and_the_atom_feed_share_one_uid_per_event(
    client, organiser, member, event, series
):
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    uid = f"event-{event.pk}@rencontres.example"

    feeds = [
        reverse("events:site_ics"),
        reverse("events:series_ics", args=[series.slug]),
        reverse("events:event_ics", args=[event.slug]),
        reverse("events:private_ics", args=[member.calendar_token]),
        reverse("events:organisers_ics", args=[organiser.organiser_feed_token]),
    ]

    assert [list(vevents(client.get(url))) for url in feeds] == [[uid]] * 5
    [entry] = feedparser.parse(client.get(reverse("events:feed")).content).entries
    assert entry.id == uid


def test_personal_feeds_are_not_kept_by_shared_caches(client, organiser, member):
    private = client.get(reverse("events:private_ics", args=[member.calendar_token]))
    organisers = client.get(reverse("events:organisers_ics", args=[organiser.organiser_feed_token]))
    public = client.get(reverse("events:site_ics"))

    assert private["Cache-Control"] == organisers["Cache-Control"] == "private, no-store"
    assert "Cache-Control" not in public


def waitlisted_for(member, series, title="Complet"):
    full = make_event(series=series, title=title, days=10, capacity=1)
    RSVP.objects.create(event=full, member=make_member("ana"), status=RSVP.Status.GOING)
    RSVP.objects.create(event=full, member=make_member("bob"), status=RSVP.Status.WAITLISTED)
    RSVP.objects.create(event=full, member=member, status=RSVP.Status.WAITLISTED)
    return full


def test_private_feed_marks_waitlisted_events_tentative_with_the_position(
    client, member, event, series
):
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    full = waitlisted_for(member, series)

    entries = vevents(client.get(reverse("events:private_ics", args=[member.calendar_token])))

    going = entries[f"event-{event.pk}@rencontres.example"]
    waiting = entries[f"event-{full.pk}@rencontres.example"]
    assert (str(going["summary"]), str(going["status"])) == (event.title, "CONFIRMED")
    assert (str(waiting["summary"]), str(waiting["status"])) == (
        "Liste d’attente n°\u00a02 — Complet",
        "TENTATIVE",
    )


def test_private_feed_is_in_the_members_language_whatever_the_request_says(client, member, series):
    member.language = "en"
    member.save()
    full = waitlisted_for(member, series)
    client.cookies["django_language"] = "fr"

    response = client.get(reverse("events:private_ics", args=[member.calendar_token]))

    waiting = vevents(response)[f"event-{full.pk}@rencontres.example"]
    assert str(waiting["summary"]) == "Waitlist no. 2 — Complet"
    assert str(icalendar.Calendar.from_ical(response.content)["x-wr-calname"]) == "My Rencontres"


def test_organiser_feed_words_holds_in_the_organisers_language(client, organiser, series):
    make_event(title="Retenue", days=9, series=series, status=Event.Status.HOLD)
    url = reverse("events:organisers_ics", args=[organiser.organiser_feed_token])

    french = [str(e["summary"]) for e in vevents(client.get(url)).values()]
    organiser.language = "en"
    organiser.save()
    english = [str(e["summary"]) for e in vevents(client.get(url)).values()]

    assert french == ["[Date réservée] Retenue"]
    assert english == ["[Hold] Retenue"]


def test_public_feeds_are_in_the_default_language(client, event):
    client.cookies["django_language"] = "en"

    ics = icalendar.Calendar.from_ical(client.get(reverse("events:site_ics")).content)
    atom = feedparser.parse(client.get(reverse("events:feed")).content)

    assert str(ics["x-wr-calname"]) == "Rencontres"
    assert atom.feed.title == "Rencontres — événements à venir"


def test_line_breaks_and_control_characters_in_a_title_never_break_the_ics(client, series, venue):
    event = make_event(
        series=series,
        venue=venue,
        title="Soirée\r\nEND:VEVENT\r\nBEGIN:VEVENT\nSUMMARY:piège\x01\x07\x1b fin",
        description="Ligne 1\r\nLigne 2\x0b",
    )

    response = client.get(reverse("events:event_ics", args=[event.slug]))

    body = response.content
    assert re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body) is None
    assert re.search(rb"\r(?!\n)|(?<!\r)\n", body) is None  # every line ends with CRLF
    assert re.findall(rb"^(?:BEGIN|END):VEVENT\r$", body, re.MULTILINE) == [
        b"BEGIN:VEVENT\r",
        b"END:VEVENT\r",
    ]
    [vevent] = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(vevent["summary"]) == "Soirée END:VEVENT BEGIN:VEVENT SUMMARY:piège fin"


def test_atom_feed_links_and_ids_use_only_site_url(client, event, settings):
    settings.ALLOWED_HOSTS = ["elsewhere.example"]

    response = client.get(reverse("events:feed"), headers={"host": "elsewhere.example"})

    body = response.content.decode()
    feed = feedparser.parse(response.content)
    hosts = set(re.findall(r"https?://([^/\"<\s]+)", body)) - {"www.w3.org"}  # Atom's namespace
    assert hosts == {"rencontres.example"}
    assert feed.feed.link == SITE + "/"
    assert feed.feed.id == SITE + reverse("events:feed")
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [
        SITE + reverse("events:feed")
    ]


def test_personal_feeds_cost_the_same_queries_for_one_or_many_events(
    client, organiser, member, series, venue, django_assert_num_queries
):
    def add(n, days):
        for i in range(n):
            event = make_event(
                series=series, venue=venue, title=f"Soirée {days + i}", days=days + i
            )
            status = RSVP.Status.WAITLISTED if i % 2 else RSVP.Status.GOING
            RSVP.objects.create(event=event, member=member, status=status)

    private = reverse("events:private_ics", args=[member.calendar_token])
    organisers = reverse("events:organisers_ics", args=[organiser.organiser_feed_token])
    add(1, days=3)
    # private: the member, the RSVPs with their events; organisers: the organiser, the
    # organiser check, the events.
    with django_assert_num_queries(2):
        assert len(vevents(client.get(private))) == 1
    with django_assert_num_queries(3):
        assert len(vevents(client.get(organisers))) == 1
    add(6, days=20)
    with django_assert_num_queries(2):
        assert len(vevents(client.get(private))) == 7
    with django_assert_num_queries(3):
        assert len(vevents(client.get(organisers))) == 7


def test_a_deactivated_organisers_feed_is_404(client, organiser, series):
    make_event(title="Retenue", days=9, series=series, status=Event.Status.HOLD)
    url = reverse("events:organisers_ics", args=[organiser.organiser_feed_token])
    assert len(vevents(client.get(url))) == 1

    organiser.is_active = False
    organiser.save()

    response = client.get(url)
    assert response.status_code == 404
    assert b"Retenue" not in response.content


def test_a_deactivated_members_personal_feed_is_404(client, member, event):
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    url = reverse("events:private_ics", args=[member.calendar_token])
    assert len(vevents(client.get(url))) == 1

    member.is_active = False
    member.save()

    assert client.get(url).status_code == 404


def test_a_former_organisers_feed_is_404(client, organiser, series):
    url = reverse("events:organisers_ics", args=[organiser.organiser_feed_token])
    assert client.get(url).status_code == 200

    series.organisers.remove(organiser)

    assert client.get(url).status_code == 404


def test_the_personal_token_does_not_open_the_organisers_feed_nor_the_reverse(
    client, organiser, series, event
):
    RSVP.objects.create(event=event, member=organiser, status=RSVP.Status.GOING)
    make_event(title="Retenue", days=9, series=series, status=Event.Status.HOLD)

    personal_as_organisers = client.get(
        reverse("events:organisers_ics", args=[organiser.calendar_token])
    )
    organisers_as_personal = client.get(
        reverse("events:private_ics", args=[organiser.organiser_feed_token])
    )

    assert organiser.calendar_token != organiser.organiser_feed_token
    assert personal_as_organisers.status_code == 404
    assert organisers_as_personal.status_code == 404
    assert b"Retenue" not in personal_as_organisers.content


def test_unknown_and_non_organiser_tokens_do_not_open_the_organisers_feed(client, outsider):
    for token in ["nope", outsider.calendar_token, outsider.organiser_feed_token]:
        assert client.get(reverse("events:organisers_ics", args=[token])).status_code == 404


def test_regenerating_the_organisers_token_kills_the_old_url_and_keeps_the_personal_one(
    client, organiser
):
    client.force_login(organiser)
    personal = organiser.calendar_token
    old_url = reverse("events:organisers_ics", args=[organiser.organiser_feed_token])
    page = client.get(reverse("events:organise")).content.decode()
    assert old_url in page
    assert personal not in page

    response = client.post(reverse("events:regenerate_organisers_ics"))

    organiser.refresh_from_db()
    new_url = reverse("events:organisers_ics", args=[organiser.organiser_feed_token])
    assert response["Location"] == reverse("events:organise")
    assert new_url != old_url
    assert organiser.calendar_token == personal
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200
    assert new_url in client.get(reverse("events:organise")).content.decode()


def test_regenerating_the_organisers_token_needs_post_and_an_organiser(client, member):
    token = member.organiser_feed_token
    client.force_login(member)

    assert client.get(reverse("events:regenerate_organisers_ics")).status_code == 405
    assert client.post(reverse("events:regenerate_organisers_ics")).status_code == 403
    member.refresh_from_db()
    assert member.organiser_feed_token == token
