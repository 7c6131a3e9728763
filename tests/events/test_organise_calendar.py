import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from events.models import ClashAcknowledgement, Event, Venue
from tests.conftest import make_event, make_organiser
from tests.events.organising import make_series, paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    return client


def test_month_view_shows_every_series_and_holds_with_clashes(organiser_client, series, venue):
    other = make_series("Mercredi Web Analytics")
    roubaix = Venue.objects.create(name="La Condition", address="1 rue", city="Roubaix")
    mine = make_event(
        title="Blog de décembre", start=paris(2026, 12, 2, 19), series=series, venue=venue
    )
    hold = make_event(
        title="Date retenue",
        start=paris(2026, 12, 2, 12),
        hours=2,
        series=other,
        status=Event.Status.HOLD,
    )
    alone = make_event(title="À Roubaix", start=paris(2026, 12, 9, 19), series=other, venue=roubaix)
    make_event(
        title="Annulée", start=paris(2026, 12, 9, 12), series=series, status=Event.Status.CANCELLED
    )
    night = make_event(title="Réveillon", start=paris(2026, 12, 31, 22), hours=4, series=other)

    response = organiser_client.get(reverse("events:organise_calendar"), {"month": "2026-12"})

    assert response.status_code == 200
    days = {d["date"]: d["events"] for week in response.context["weeks"] for d in week}
    assert min(days) == dt.date(2026, 11, 30)  # weeks start on Monday
    assert max(days) == dt.date(2027, 1, 3)
    assert days[dt.date(2026, 12, 2)] == [hold, mine]
    assert [(e.title, e.clashes) for e in days[dt.date(2026, 12, 2)]] == [
        ("Date retenue", True),
        ("Blog de décembre", True),
    ]
    assert [(e, e.clashes) for e in days[dt.date(2026, 12, 9)]] == [(alone, False)]
    # Crossing midnight into the new year: on both days.
    assert days[dt.date(2026, 12, 31)] == [night]
    assert days[dt.date(2027, 1, 1)] == [night]
    assert response.context["previous_key"] == "2026-11"
    assert response.context["next_key"] == "2027-01"
    assert "has-clash" in response.content.decode()


def test_other_organiser_sees_publish_anyway_on_calendar(client, series, organiser):
    other = make_series("Mercredi Web Analytics")
    otto = make_organiser("otto", other)
    theirs = make_event(title="Mesure", start=paris(2026, 12, 2, 12), series=other)
    mine = make_event(title="Ma soirée", start=paris(2026, 12, 2, 19), series=series)
    ClashAcknowledgement.objects.create(
        event=mine, other_event=theirs, severity=12, confirmed_by=organiser
    )
    client.force_login(otto)

    response = client.get(reverse("events:organise_calendar"), {"month": "2026-12"})

    assert [a.event for a in response.context["acks"]] == [mine]


@pytest.mark.parametrize("month", ["2026-13", "december", "2026-12-01'", "9999-12", "0001-01"])
def test_tampered_month_is_400(organiser_client, month):
    response = organiser_client.get(reverse("events:organise_calendar"), {"month": month})

    assert response.status_code == 400
    assert response.templates[0].name == "400.html"


@pytest.mark.parametrize(
    ("month", "previous_key", "next_key"),
    [("1900-01", None, "1900-02"), ("2100-12", "2100-11", None)],
)
def test_calendar_stops_linking_at_the_years_it_shows(
    organiser_client, month, previous_key, next_key
):
    response = organiser_client.get(reverse("events:organise_calendar"), {"month": month})

    assert response.status_code == 200
    assert (response.context["previous_key"], response.context["next_key"]) == (
        previous_key,
        next_key,
    )


@pytest.mark.parametrize("count", [1, 20])
def test_calendar_query_count_does_not_grow(
    organiser_client, series, django_assert_num_queries, count
):
    for i in range(count):
        make_event(
            title=f"E{i}",
            start=paris(2026, 12, 1, 8) + dt.timedelta(hours=30 * i),
            hours=1,
            series=series,
        )

    # session, user, organiser check, second factor, events, external events,
    # acknowledgements, the data version, and the header's photo and organiser flag (read
    # once per data version)
    with django_assert_num_queries(10):
        organiser_client.get(reverse("events:organise_calendar"), {"month": "2026-12"})
    with django_assert_num_queries(8):
        response = organiser_client.get(reverse("events:organise_calendar"), {"month": "2026-12"})

    shown = {e.title for w in response.context["weeks"] for d in w for e in d["events"]}
    assert shown == {f"E{i}" for i in range(count)}


def test_ics_feed_has_events_and_tentative_holds(client, organiser, series, venue):
    make_event(title="Publiée", series=series, venue=venue)
    make_event(title="Retenue", days=9, series=series, status=Event.Status.HOLD)
    make_event(title="Annulée", days=10, series=series, status=Event.Status.CANCELLED)

    response = client.get(reverse("events:organisers_ics", args=[organiser.organiser_feed_token]))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    feed = Calendar.from_ical(response.content)
    entries = {str(e["summary"]): str(e["status"]) for e in feed.walk("VEVENT")}
    assert entries == {"Publiée": "CONFIRMED", "[Date réservée] Retenue": "TENTATIVE"}


def test_regenerated_token_kills_the_old_feed(client, organiser):
    old = organiser.organiser_feed_token
    organiser.regenerate_organiser_feed_token()

    assert client.get(reverse("events:organisers_ics", args=[old])).status_code == 404
    assert (
        client.get(
            reverse("events:organisers_ics", args=[organiser.organiser_feed_token])
        ).status_code
        == 200
    )
