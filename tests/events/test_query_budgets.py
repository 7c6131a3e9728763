"""Pages run the same number of queries with few or many attendees and events."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import User
from events import cache
from events.models import RSVP, Event, EventLink
from tests.conftest import make_event


def _attendees(event, count):
    people = User.objects.bulk_create(
        User(username=f"a{i}", email=f"a{i}@example.org", display_name=f"A {i}")
        for i in range(count)
    )
    RSVP.objects.bulk_create(RSVP(event=event, member=p, status=RSVP.Status.GOING) for p in people)


@pytest.mark.parametrize("attendees", [3, 300])
def test_home_query_count_does_not_grow_with_attendees(
    client, event, member, django_assert_num_queries, attendees
):
    event.capacity = 500
    event.save()
    _attendees(event, attendees)
    make_event(title="Autre", days=9)
    client.force_login(member)

    # session, user, data version, the listing's three (series filter, cities filter, events
    # with counts), the member's RSVPs and contacts for the cards, and the header's photo
    # and "do I organise a series?"
    with django_assert_num_queries(10):
        response = client.get(reverse("events:home"))
    # until the next write, the listing, the member's lines and the header come from the
    # cache: session, user, data version
    with django_assert_num_queries(3):
        again = client.get(reverse("events:home"))

    assert f"{attendees} inscrits" in response.content.decode()
    assert f"{attendees} inscrits" in again.content.decode()


@pytest.mark.parametrize("attendees", [3, 300])
def test_anonymous_event_page_query_count_does_not_grow_with_attendees(
    client, event, django_assert_num_queries, attendees
):
    _attendees(event, attendees)

    # data version, event with counts, links, hosts
    with django_assert_num_queries(4):
        response = client.get(event.get_absolute_url())
    # the whole page comes from the cache from then on
    with django_assert_num_queries(1):
        again = client.get(event.get_absolute_url())

    assert f'data-going="{attendees}"' in response.content.decode()
    assert again.content == response.content


@pytest.mark.parametrize("events", [5, 500])
def test_past_archive_query_count_does_not_grow_with_events(
    client, series, venue, django_assert_num_queries, events
):
    start = timezone.now() - dt.timedelta(days=events + 1)
    created = Event.objects.bulk_create(
        Event(
            title=f"Soirée {i}",
            slug=f"soiree-{i}",
            start=start + dt.timedelta(days=i),
            end=start + dt.timedelta(days=i, hours=2),
            series=series,
            venue=venue,
        )
        for i in range(events)
    )
    EventLink.objects.bulk_create(
        EventLink(event=e, title="Recap", url="https://example.org/") for e in created
    )

    cache.changed()  # bulk_create sends no signal

    # data version, count for the paginator, the page of events, their links, and when the
    # next event ends (it joins the archive then)
    with django_assert_num_queries(5):
        body = client.get(reverse("events:past")).content.decode()
    with django_assert_num_queries(1):
        again = client.get(reverse("events:past")).content.decode()

    assert body.count('class="archive-item"') == min(events, 30)
    assert body.count("https://example.org/") == min(events, 30)
    assert again == body
