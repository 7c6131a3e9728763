"""The listing of `/` (filters and event cards), kept per process at two levels.

1. By content: rendering 50 cards costs ~20 ms, reading them ~3 ms. The key holds everything
   the fragment shows (the rows just read, the filter choices and values, the language and
   time zone), so a fragment found here is never stale and nothing needs invalidating.
2. For a few seconds by request (`HOME_CACHE_SECONDS`, 2 s by default, 0 in tests): the same
   filters in the same language get the same fragment without any query, so a busy home page
   costs about as much as the site's chrome. Seat counts may lag by that long; the RSVP itself
   always checks capacity in the database.

The fragment must not depend on the request or the visitor (no CSRF token, nonce, or "you
are going" badge in it): the page's chrome, rendered for each request, holds those.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from events.forms import EventFilterForm
from events.models import Event, Series, Venue

CACHE_SIZE = 64
_lock = threading.Lock()
_by_content: OrderedDict[Hashable, SafeString] = OrderedDict()
_by_request: OrderedDict[Hashable, tuple[float, SafeString]] = OrderedDict()
_event_row = attrgetter(*(f.attname for f in Event._meta.concrete_fields))
_series_row = attrgetter(*(f.attname for f in Series._meta.concrete_fields))
_venue_row = attrgetter(*(f.attname for f in Venue._meta.concrete_fields))


def request_key(query: dict) -> tuple:
    return (
        translation.get_language(),
        timezone.get_current_timezone_name(),
        *(query.get(name, "") for name in EventFilterForm.base_fields),
    )


def recent(key: Hashable) -> SafeString | None:
    """The fragment served for these filters less than HOME_CACHE_SECONDS ago, if any."""
    if not settings.HOME_CACHE_SECONDS:
        return None
    with _lock:
        found = _by_request.get(key)
    if found is None or found[0] < time.time():
        return None
    return found[1]


def render(key: Hashable, form: EventFilterForm, events: list[Event]) -> SafeString:
    content = (
        translation.get_language(),
        timezone.get_current_timezone_name(),
        tuple((f.name, str(f.value()), tuple(f.field.choices)) for f in form),
        tuple(
            (
                _event_row(e),
                e.going_count,
                e.waitlist_count,
                e.series and _series_row(e.series),
                e.venue and _venue_row(e.venue),
            )
            for e in events
        ),
    )
    with _lock:
        html = _by_content.get(content)
        if html is not None:
            _by_content.move_to_end(content)
    if html is None:
        html = mark_safe(  # noqa: S308 - the output of our own template
            render_to_string("events/home.html#listing", {"form": form, "months": by_month(events)})
        )
        _remember(_by_content, content, html)
    if settings.HOME_CACHE_SECONDS:
        _remember(_by_request, key, (time.time() + settings.HOME_CACHE_SECONDS, html))
    return html


def by_month(events: list[Event]) -> list[tuple]:
    return [
        (month, list(month_events))
        for month, month_events in groupby(
            events, key=lambda e: timezone.localtime(e.start).date().replace(day=1)
        )
    ]


def clear() -> None:
    with _lock:
        _by_content.clear()
        _by_request.clear()


def _remember(cache: OrderedDict, key: Hashable, value) -> None:
    with _lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
