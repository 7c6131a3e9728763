import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from events import cache
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
    assert "Plus que 9 places" in body
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
    cache.changed()  # bulk_create sends no signal

    # the data version, then the series filter, the cities filter, the events with counts
    with django_assert_num_queries(4):
        response = client.get(reverse("events:home"))
    # then only the data version
    with django_assert_num_queries(1):
        again = client.get(reverse("events:home"))

    assert response.content.decode().count('class="event-card') == count
    assert again.content == response.content


def test_home_filters_by_series_and_city(client, event, series):
    calais = Venue.objects.create(name="Le Channel", address="173 bd Gambetta", city="Calais")
    other = make_event(title="DevCom Calais", days=12, venue=calais)

    response = client.get(reverse("events:home"), {"series": series.slug})
    assert card_titles(response) == [event.title]

    response = client.get(reverse("events:home"), {"city": "Calais"})
    assert card_titles(response) == [other.title]


def test_city_filter_offers_only_cities_with_upcoming_events(client, event, series):
    calais = Venue.objects.create(name="Le Channel", address="173 bd Gambetta", city="Calais")
    Venue.objects.create(name="Salle vide", address="1 place", city="Bergues")
    make_event(title="Calais passé", days=-12, venue=calais)
    make_event(title="Calais annulé", days=12, venue=calais, status=Event.Status.CANCELLED)

    body = client.get(reverse("events:home")).content.decode()

    assert city_options(body) == ["", "Lille"]


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"series": "nope"}, "Il n’y a pas de série « nope »."),
        ({"city": "Bergues"}, "Aucun événement à venir à « Bergues »."),
    ],
)
def test_unknown_filter_value_is_an_error_and_lists_nothing(client, event, query, error):
    Venue.objects.create(name="Salle vide", address="1 place", city="Bergues")

    response = client.get(reverse("events:home"), query)

    assert response.status_code == 200
    body = response.content.decode()
    assert re.findall(r'<ul class="errorlist"[^>]*><li>([^<]*)</li>', body) == [error]
    assert card_titles(response) == []
    assert "Aucun événement à venir ne correspond." in body


def test_filter_error_shows_the_value_as_text(client, event):
    body = client.get(reverse("events:home"), {"city": "<script>x</script>"}).content.decode()

    assert "<script>x</script>" not in body
    assert "« &lt;script&gt;x&lt;/script&gt; »" in body


def card_titles(response) -> list[str]:
    return re.findall(
        r'<h3 class="event-title"><a href="[^"]+">([^<]*)</a>', response.content.decode()
    )


def city_options(body: str) -> list[str]:
    select = body[
        body.index('<select name="city"') : body.index("</select>", body.index('name="city"'))
    ]
    return re.findall(r'<option value="([^"]*)"', select)
