import threading
from collections import OrderedDict
from itertools import groupby

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe

from events.forms import EventFilterForm
from events.models import Event, Series, Venue


def home(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    events = list(
        form.filter(
            Event.objects.published()
            .upcoming()
            .with_counts()
            .select_related("series", "venue")
            .order_by("start")
        )
    )
    ctx = {
        "form": form,
        "months": SimpleLazyObject(lambda: group_by_month(events)),
        "listing": home_listing(form, events),
    }
    return render(request, "events/home.html", ctx)


def group_by_month(events: list[Event]) -> list[tuple]:
    return [
        (month, list(month_events))
        for month, month_events in groupby(
            events, key=lambda e: timezone.localtime(e.start).date().replace(day=1)
        )
    ]


# The filters and event cards of `/`, rendered once per distinct content and kept per process.
# Rendering 50 cards costs ~20 ms, the three queries ~1 ms: the key is built from everything
# the fragment shows (the rows just read, the filter choices, the language), so a cached
# fragment is never stale and nothing needs invalidating. The fragment must not depend on
# the request or the visitor (no CSRF token, nonce or "you are going" badge in it).
_LISTING_CACHE: OrderedDict[tuple, SafeString] = OrderedDict()
_LISTING_CACHE_SIZE = 64
_LISTING_LOCK = threading.Lock()
_EVENT_FIELDS = [f.attname for f in Event._meta.concrete_fields]
_SERIES_FIELDS = [f.attname for f in Series._meta.concrete_fields]
_VENUE_FIELDS = [f.attname for f in Venue._meta.concrete_fields]


def _row(obj, fields: list[str]) -> tuple | None:
    return None if obj is None else tuple(getattr(obj, name) for name in fields)


def home_listing(form: EventFilterForm, events: list[Event]) -> SafeString:
    key = (
        translation.get_language(),
        timezone.get_current_timezone_name(),
        tuple((f.name, str(f.value()), tuple(f.field.choices)) for f in form),
        tuple(
            (
                _row(e, _EVENT_FIELDS),
                e.going_count,
                e.waitlist_count,
                _row(e.series, _SERIES_FIELDS),
                _row(e.venue, _VENUE_FIELDS),
            )
            for e in events
        ),
    )
    with _LISTING_LOCK:
        if (html := _LISTING_CACHE.get(key)) is not None:
            _LISTING_CACHE.move_to_end(key)
            return html
    html = mark_safe(  # noqa: S308 - the output of our own template
        render_to_string(
            "events/home.html#listing", {"form": form, "months": group_by_month(events)}
        )
    )
    with _LISTING_LOCK:
        _LISTING_CACHE[key] = html
        while len(_LISTING_CACHE) > _LISTING_CACHE_SIZE:
            _LISTING_CACHE.popitem(last=False)
    return html


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(
        Event.objects.with_counts().select_related("series", "venue"), slug=slug
    )
    if event.is_hold:
        raise Http404
    return render(request, "events/detail.html", {"event": event})


def series_detail(request: HttpRequest, slug: str) -> HttpResponse:
    series = get_object_or_404(Series, slug=slug)
    events = series.events.published().with_counts().select_related("venue")
    now = timezone.now()
    ctx = {
        "series": series,
        "upcoming": events.upcoming(now).order_by("start"),
        "past": events.past(now).order_by("-start"),
    }
    return render(request, "events/series.html", ctx)
