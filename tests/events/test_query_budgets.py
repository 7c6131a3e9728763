"""Pages run the same number of queries with few or many attendees and events."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import User
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

    # session, user, the page's three (series filter, cities filter, events with counts),
    # and the navigation's "do I organise a series?"
    with django_assert_num_queries(6):
        response = client.get(reverse("events:home"))

    assert f"{attendees} / 500" in response.content.decode()


@pytest.mark.parametrize("attendees", [3, 300])
def test_anonymous_event_page_query_count_does_not_grow_with_attendees(
    client, event, django_assert_num_queries, attendees
):
    _attendees(event, attendees)

    # event with counts, links
    with django_assert_num_queries(2):
        response = client.get(event.get_absolute_url())

    assert f'data-going="{attendees}"' in response.content.decode()


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

    # count for the paginator, the page of events, their links
    with django_assert_num_queries(3):
        response = client.get(reverse("events:past"))

    assert len(response.context["events"]) == min(events, 30)
