"""Helpers for the organiser tests: a second series and past attendance."""

import datetime as dt
from zoneinfo import ZoneInfo

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
