import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP, Event, Venue
from tests.conftest import make_event, make_member


def test_home_lists_upcoming_published_events_with_seats(client, event, member):
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    make_event(title="Date retenue", status=Event.Status.HOLD, days=8)
    make_event(title="Soirée annulée", status=Event.Status.CANCELLED, days=9)
    make_event(title="Soirée passée", days=-10)

    response = client.get(reverse("events:home"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Soirée Blog en Nord" in body
    assert "1 / 10" in body
    assert "Lille" in body
    assert "Date retenue" not in body
    assert "Soirée annulée" not in body
    assert "Soirée passée" not in body


def test_home_shows_times_in_europe_paris(client, series):
    start = dt.datetime(2031, 7, 2, 17, 30, tzinfo=dt.UTC)  # 19:30 in Paris (summer time)
    make_event(title="Mercredi d'été", start=start, series=series)

    body = client.get(reverse("events:home")).content.decode()

    assert "19:30" in body
    assert "juillet 2031" in body.lower()


def test_home_is_french_by_default_and_english_on_request(client, event):
    assert "Événements à venir" in client.get("/").content.decode()

    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert "Upcoming events" in client.get("/").content.decode()


@pytest.mark.parametrize("count", [5, 500])
def test_home_query_count_does_not_grow_with_events(
    client, series, venue, django_assert_num_queries, count
):
    start = timezone.now() + dt.timedelta(days=1)
    Event.objects.bulk_create(
        Event(
            title=f"Soirée {i}",
            slug=f"soiree-{i}",
            start=start + dt.timedelta(hours=3 * i),
            end=start + dt.timedelta(hours=3 * i + 2),
            series=series,
            venue=venue,
            capacity=50,
        )
        for i in range(count)
    )
    members = [make_member(f"m{i}") for i in range(3)]
    RSVP.objects.bulk_create(
        RSVP(event=e, member=m, status=RSVP.Status.GOING)
        for e in Event.objects.all()[:20]
        for m in members
    )

    with django_assert_num_queries(3):
        response = client.get(reverse("events:home"))

    assert response.content.decode().count('class="event-card') == count


def test_home_filters_by_series_and_city(client, event, series):
    calais = Venue.objects.create(name="Le Channel", address="173 bd Gambetta", city="Calais")
    other = make_event(title="DevCom Calais", days=12, venue=calais)

    response = client.get(reverse("events:home"), {"series": series.slug})
    assert list(_titles(response)) == [event.title]
    assert other.title not in response.content.decode()

    response = client.get(reverse("events:home"), {"city": "Calais"})
    assert list(_titles(response)) == [other.title]


def test_home_ignores_unknown_filter_values(client, event):
    response = client.get(reverse("events:home"), {"series": "nope", "city": "<script>"})
    assert response.status_code == 200


def _titles(response):
    for month in response.context["months"]:
        for event in month[1]:
            yield event.title
