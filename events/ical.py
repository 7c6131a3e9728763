"""iCalendar (.ics) files for the calendar feeds, written with the `icalendar` library."""

from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from events.html import plain_summary
from events.models import Event

PRODID = "-//Rencontres//Rencontres events//FR"

_STATUS = {
    Event.Status.PUBLISHED: "CONFIRMED",
    Event.Status.HOLD: "TENTATIVE",
    Event.Status.CANCELLED: "CANCELLED",
}


def event_uid(event: Event) -> str:
    """Stable across edits and slug changes: calendar apps update the entry they already have."""
    return f"event-{event.pk}@rencontres"


def build_calendar(events: Iterable[Event], *, name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        cal.add_component(_vevent(event))
    # One VTIMEZONE for Europe/Paris, with its summer and winter rules, from the tz database.
    cal.add_missing_timezones()
    return cal


def ics_response(events: Iterable[Event], *, name: str, filename: str) -> HttpResponse:
    body = build_calendar(events, name=name).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _vevent(event: Event) -> icalendar.Event:
    url = settings.SITE_URL + event.get_absolute_url()
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", event.updated_at or timezone.now())
    vevent.add("last-modified", event.updated_at or timezone.now())
    vevent.add("dtstart", timezone.localtime(event.start))
    vevent.add("dtend", timezone.localtime(event.end))
    vevent.add("summary", event.title)
    vevent.add("url", url)
    vevent.add("status", _STATUS[event.status])
    summary = plain_summary(event.description, length=1000)
    vevent.add("description", f"{summary}\n\n{url}" if summary else url)
    if event.venue:
        venue = event.venue
        vevent.add("location", f"{venue.name}, {venue.address}, {venue.city}")
    if event.series:
        vevent.add("categories", [event.series.name])
    return vevent
