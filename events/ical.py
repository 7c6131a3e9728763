"""The one iCalendar (.ics) writer, for all five calendar feeds, built with `icalendar`.

Feeds are `<scope>_ics` URLs: `site_ics`, `series_ics`, `event_ics`, `private_ics` (a member's
RSVPs) and `organisers_ics` (the organisers' shared calendar). Every entry carries the same
UID for the same event in every feed, so a calendar app subscribed to two of them keeps one
entry. Nothing here writes a line by hand: `icalendar` escapes and folds values, and control
characters, which no escaping makes valid, are removed first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from community.mail import absolute_url, site_host
from community.text import without_control_characters
from events.html import plain_summary
from events.models import Event

# icalendar is slow to import: loaded when a feed is written (and by community/wsgi.py
# before a web worker's first request), not by every process that loads the URLs.
if TYPE_CHECKING:
    import icalendar

PRODID = "-//Rencontres//Rencontres events//FR"


def event_uid(event: Event) -> str:
    """Stable across edits and slug changes: calendar apps update the entry they already have."""
    return f"event-{event.pk}@{site_host()}"


def ics_response(
    events: Iterable[Event],
    *,
    name: str,
    filename: str,
    language: str | None = None,
    private: bool = False,
) -> HttpResponse:
    """The calendar as a response, worded in `language` (the site's default language for
    public feeds; the owner's for a personal feed, which calendar apps fetch without the
    owner's cookies). `events` may carry `waitlist_position` (the owner's place in the queue).
    A private feed's address is a secret: no shared cache keeps it."""
    with translation.override(language or settings.LANGUAGE_CODE):
        body = build_calendar(events, name=str(name)).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if private:
        response["Cache-Control"] = "private, no-store"
    return response


def build_calendar(events: Iterable[Event], *, name: str) -> icalendar.Calendar:
    import icalendar  # noqa: PLC0415 - see above

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", without_control_characters(name))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        cal.add_component(_vevent(event))
    # One VTIMEZONE for Europe/Paris, with its summer and winter rules, from the tz database.
    cal.add_missing_timezones()
    return cal


def entry_summary(event: Event) -> str:
    title = without_control_characters(event.title)
    position = getattr(event, "waitlist_position", None)
    if position is not None and not event.is_cancelled:
        return _("Waitlist no. %(position)s — %(title)s") % {"position": position, "title": title}
    if event.is_hold:
        return _("[Hold] %(title)s") % {"title": title}
    return title


def entry_status(event: Event) -> str:
    if event.is_cancelled:
        return "CANCELLED"
    if event.is_hold or getattr(event, "waitlist_position", None) is not None:
        return "TENTATIVE"
    return "CONFIRMED"


def _vevent(event: Event) -> icalendar.Event:
    import icalendar  # noqa: PLC0415 - see above

    url = absolute_url(event.get_absolute_url())
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", event.updated_at or timezone.now())
    vevent.add("last-modified", event.updated_at or timezone.now())
    vevent.add("dtstart", timezone.localtime(event.start))
    vevent.add("dtend", timezone.localtime(event.end))
    vevent.add("summary", entry_summary(event))
    vevent.add("url", url)
    vevent.add("status", entry_status(event))
    summary = plain_summary(event.description, length=1000)
    description = f"{summary}\n\n{url}" if summary else url
    vevent.add("description", without_control_characters(description, keep_lines=True))
    if event.venue:
        venue = event.venue
        location = f"{venue.name}, {venue.address}, {venue.city}"
        vevent.add("location", without_control_characters(location))
    if event.series:
        vevent.add("categories", [without_control_characters(event.series.name)])
    return vevent


def add_links(event: Event, *, url: str) -> dict[str, str]:
    """Plain "add to my calendar" links for Google and Outlook (no script of theirs), and the
    series' calendar as a `webcal:` subscription. `url`: the event page's absolute address."""
    where = f"{event.venue.name}, {event.venue.address}, {event.venue.city}" if event.venue else ""
    details = f"{plain_summary(event.description, 500)}\n\n{url}".strip()
    start, end = (
        moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ") for moment in (event.start, event.end)
    )
    links = {
        "google": "https://calendar.google.com/calendar/render?"
        + urlencode(
            {
                "action": "TEMPLATE",
                "text": event.title,
                "dates": f"{start}/{end}",
                "details": details,
                "location": where,
                "ctz": settings.TIME_ZONE,
            }
        ),
        "outlook": "https://outlook.live.com/calendar/0/deeplink/compose?"
        + urlencode(
            {
                "path": "/calendar/action/compose",
                "rru": "addevent",
                "subject": event.title,
                "startdt": event.start.astimezone(dt.UTC).isoformat(),
                "enddt": event.end.astimezone(dt.UTC).isoformat(),
                "body": details,
                "location": where,
            }
        ),
    }
    if event.series:
        feed = absolute_url(reverse("events:series_ics", args=[event.series.slug]))
        links["webcal"] = "webcal://" + feed.split("://", 1)[1]
    return links
