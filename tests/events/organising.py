"""Helpers for the organiser tests: a second series and past attendance."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse

from events.models import RSVP, Event, Series
from tests.conftest import make_event, make_member

PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def make_series(name: str, **extra) -> Series:
    extra.setdefault("home_city", "Lille")
    slug = name.lower().replace(" ", "-")
    return Series.objects.create(name=name, slug=slug, **extra)


def attended(series: Series, usernames: list[str], *, days_ago: int = 30) -> Event:
    """A past edition of `series` that these members went to (created when missing)."""
    from community.models import User

    event = make_event(title=f"{series.name} passé", days=-days_ago, series=series)
    for username in usernames:
        member = User.objects.filter(username=username).first() or make_member(username)
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    return event


def edit(client, event, **changes):
    """Post the organiser form of `event` with its current values and `changes`."""
    data = {
        "title": event.title,
        "start": f"{event.start.astimezone(paris(2027, 1, 1).tzinfo):%Y-%m-%dT%H:%M}",
        "end": f"{event.end.astimezone(paris(2027, 1, 1).tzinfo):%Y-%m-%dT%H:%M}",
        "venue": event.venue_id or "",
        "capacity": event.capacity or "",
        "description": event.description,
        "publish_anyway": "on",
    }
    data.update(changes)
    return client.post(reverse("events:organise_edit", args=[event.slug]), data)
