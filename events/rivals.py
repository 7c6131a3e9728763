"""Other calendars of the region: fetching organisers' iCalendar feeds into `ExternalEvent`s.

Each feed is fetched by a task through the one fetcher (`community/fetch.py`: public
addresses only, 5 s, 1 MB), with the ETag and Last-Modified of the previous answer so that an
unchanged feed costs a `304`. `manage.py refresh_other_calendars` queues a fetch of every
feed; production runs it from cron (hourly), and a feed is also fetched when it is added.

A feed that cannot be fetched or read keeps the events of its last good fetch and says why on
the organisers' page; nothing it contains can break a page: texts are cut to the columns'
sizes, only events between yesterday and `HORIZON` are kept, at most `MAX_EVENTS` of them.
Recurring events keep their first date only (no RRULE expansion).
"""

import datetime as dt
import hashlib
import logging
import re

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from community.fetch import FetchError, fetch
from events.clashes import normalise_area
from events.models import ExternalEvent, RivalFeed, Series, Venue

MAX_EVENTS = 2000
HORIZON = dt.timedelta(days=400)
DEFAULT_LENGTH = dt.timedelta(hours=2)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ACCEPT = "text/calendar, text/plain;q=0.5"

logger = logging.getLogger(__name__)


def _text(value, size: int) -> str:
    return CONTROL.sub("", str(value or "")).strip()[:size]


def _moment(value) -> dt.datetime | None:
    """An aware datetime from DTSTART/DTEND: floating times and dates are Paris time."""
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, dt.date):
        return timezone.make_aware(dt.datetime.combine(value, dt.time.min))
    return None


def known_cities() -> list[str]:
    """Lower-case names of the cities of our venues and series, longest first."""
    cities = set(Venue.objects.values_list("city", flat=True))
    cities |= set(Series.objects.values_list("home_city", flat=True))
    return sorted({normalise_area(c) for c in cities if c and c.strip()}, key=len, reverse=True)


def area_of(location: str, *, cities: list[str], default: str) -> str:
    """The first of our cities named as a word in `location`, else the feed's city."""
    text = location.casefold()
    for city in cities:
        if re.search(rf"(?<!\w){re.escape(city)}(?!\w)", text):
            return city
    return normalise_area(default)


def parse_events(data: bytes, *, feed: RivalFeed, now: dt.datetime) -> tuple[list, bool]:
    """The feed's events in the window, and whether some were left out over `MAX_EVENTS`.
    Raises ValueError when the data is not iCalendar."""
    import icalendar  # noqa: PLC0415 - slow to import: loaded by the task that reads a feed

    calendar = icalendar.Calendar.from_ical(data)
    cities = known_cities()
    found, truncated = {}, False
    for component in calendar.walk("VEVENT"):
        try:
            start = _moment(component.decoded("DTSTART", None))
            end = _moment(component.decoded("DTEND", None))
        except (ValueError, TypeError, KeyError):
            continue
        if start is None:
            continue
        if end is None or end <= start:
            length = component.decoded("DURATION", None)
            if isinstance(length, dt.timedelta) and length > dt.timedelta(0):
                end = start + length
            elif not isinstance(component.decoded("DTSTART"), dt.datetime):
                end = start + dt.timedelta(days=1)
            else:
                end = start + DEFAULT_LENGTH
        if end < now - dt.timedelta(days=1) or start > now + HORIZON:
            continue
        if str(component.get("STATUS", "")).upper() == "CANCELLED":
            continue
        title = _text(component.get("SUMMARY"), 200)
        if not title:
            continue
        uid = _text(component.get("UID"), 255)
        if not uid:
            uid = hashlib.sha256(f"{title}|{start.isoformat()}".encode()).hexdigest()
        if uid in found:
            continue
        if len(found) >= MAX_EVENTS:
            truncated = True
            break
        location = _text(component.get("LOCATION"), 255)
        url = _text(component.get("URL"), 500)
        found[uid] = ExternalEvent(
            feed=feed,
            uid=uid,
            title=title,
            start=start,
            end=end,
            location=location,
            area=area_of(location, cities=cities, default=feed.city),
            url=url if url.startswith(("https://", "http://")) else "",
            description=_text(component.get("DESCRIPTION"), 2000),
        )
    return list(found.values()), truncated


@task()
def refresh_feed(*, feed_id: int) -> str:
    """Fetch one feed and replace its events; returns the outcome (for the logs and tests)."""
    feed = RivalFeed.objects.filter(pk=feed_id).first()
    if feed is None:
        return "gone"
    now = timezone.now()
    try:
        answer = fetch(feed.url, accept=ACCEPT, etag=feed.etag, last_modified=feed.last_modified)
    except FetchError as error:
        logger.info("Feed %s not fetched: %s", feed.pk, error)
        RivalFeed.objects.filter(pk=feed.pk).update(fetched_at=now, problem=error.reason)
        return error.reason
    if answer.not_modified:
        RivalFeed.objects.filter(pk=feed.pk).update(fetched_at=now, succeeded_at=now, problem="")
        return "not_modified"
    try:
        events, truncated = parse_events(answer.body, feed=feed, now=now)
    except (ValueError, TypeError, KeyError) as error:
        logger.info("Feed %s not readable: %s", feed.pk, error)
        RivalFeed.objects.filter(pk=feed.pk).update(
            fetched_at=now, problem=RivalFeed.Problem.MALFORMED
        )
        return RivalFeed.Problem.MALFORMED
    with transaction.atomic():
        ExternalEvent.objects.filter(feed=feed).delete()
        ExternalEvent.objects.bulk_create(events)
        RivalFeed.objects.filter(pk=feed.pk).update(
            fetched_at=now,
            succeeded_at=now,
            problem=RivalFeed.Problem.TOO_MANY if truncated else "",
            etag=answer.etag,
            last_modified=answer.last_modified,
        )
    return "fetched"


def queue_refresh(feed: RivalFeed) -> None:
    feed_id = feed.pk
    transaction.on_commit(lambda: refresh_feed.enqueue(feed_id=feed_id), robust=True)


def queue_all() -> int:
    ids = list(RivalFeed.objects.values_list("pk", flat=True))
    for feed_id in ids:
        refresh_feed.enqueue(feed_id=feed_id)
    return len(ids)
