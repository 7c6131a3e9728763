"""The home page keeps its rendered listing per content: never stale, rendered once per change."""

import datetime as dt

import pytest
import time_machine
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from events import listing
from events.models import RSVP, Event, Series, Venue


@pytest.fixture(autouse=True)
def empty_listing_cache():
    listing.clear()
    yield
    listing.clear()


@pytest.fixture
def card_renders():
    names = []

    def record(sender, template, context, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    yield lambda: names.count("includes/event_card.html")
    template_rendered.disconnect(record)


def test_same_content_renders_the_cards_once(client, event, card_renders):
    first = main(client.get(reverse("events:home")))
    rendered = card_renders()

    second = main(client.get(reverse("events:home")))

    assert rendered == 1
    assert card_renders() == 1  # served from the cache
    assert second == first
    assert event.title in second


def main(response) -> str:
    """The page's main content; the header's CSRF token changes with every response."""
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def test_a_new_rsvp_shows_at_once(client, event, member, card_renders):
    assert "0 / 10" in client.get(reverse("events:home")).content.decode()

    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)

    assert "1 / 10" in client.get(reverse("events:home")).content.decode()
    assert card_renders() == 2


def test_changes_that_bypass_save_show_at_once(client, event):
    client.get(reverse("events:home"))

    Event.objects.filter(pk=event.pk).update(title="Soirée renommée")  # updated_at untouched
    Series.objects.filter(pk=event.series_id).update(name="Blog en Nord et Pas-de-Calais")

    body = client.get(reverse("events:home")).content.decode()
    assert "Soirée renommée" in body
    assert "Blog en Nord et Pas-de-Calais" in body


def test_each_language_gets_its_own_listing(client, event):
    french = client.get(reverse("events:home")).content.decode()
    english = client.get(reverse("events:home"), headers={"accept-language": "en"})

    assert "seats taken" in english.content.decode()
    assert "seats taken" not in french


def test_filters_keep_their_selection(client, event, series):
    client.get(reverse("events:home"))

    body = client.get(reverse("events:home"), {"series": series.slug}).content.decode()

    assert f'<option value="{series.slug}" selected>' in body


def test_home_cache_seconds_skip_the_database_then_expire(
    client, event, member, settings, django_assert_num_queries
):
    settings.HOME_CACHE_SECONDS = 60
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        with django_assert_num_queries(3):
            first = main(client.get(reverse("events:home")))
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)

        with django_assert_num_queries(0):
            cached = main(client.get(reverse("events:home")))
        assert cached == first  # the new RSVP shows once the cache expires
        assert "0 / 10" in cached

        traveller.shift(dt.timedelta(seconds=61))
        with django_assert_num_queries(3):
            fresh = main(client.get(reverse("events:home")))
        assert "1 / 10" in fresh


def test_home_cache_is_per_language_and_filters(client, event, series, settings):
    settings.HOME_CACHE_SECONDS = 60
    Venue.objects.create(name="Le Channel", address="173 bd Gambetta", city="Calais")
    client.get(reverse("events:home"))

    english = client.get(reverse("events:home"), headers={"accept-language": "en"})
    filtered = client.get(reverse("events:home"), {"city": "Calais"})

    assert "seats taken" in english.content.decode()
    assert event.title not in main(filtered)
