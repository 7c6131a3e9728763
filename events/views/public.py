"""The public pages: `/`, the archive, an event, a series.

Their shared parts are rendered once per data version (events/cache.py); visitors who are not
logged in get the whole page from the cache, members get the shared parts and a personal
header and RSVP box.
"""

import datetime as dt
from itertools import groupby

from django.core.paginator import Paginator
from django.db.models import Min, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from community.mail import absolute_url
from events import cache, rsvps
from events.access import visible_event_or_404
from events.forms import EventFilterForm, RSVPForm
from events.html import json_ld, plain_summary, safe_description
from events.models import Event, EventLink, Series
from events.people import series_meeting_stats

PAST_PER_PAGE = 30
Page = tuple[HttpResponse, dt.datetime | None]


def home(request: HttpRequest) -> HttpResponse:
    return cache.anonymous_page(request, lambda: _home(request))


def _home(request: HttpRequest) -> Page:
    query = {name: request.GET.get(name, "") for name in EventFilterForm.base_fields}
    listing = cache.fragment(
        request,
        "home",
        sorted(query.items()),
        bool(request.GET),
        build=lambda: _home_listing(request),
    )
    response = render(request, "events/home.html", {"listing": listing["html"]})
    return response, listing["valid_until"]


def _home_listing(request: HttpRequest) -> dict:
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
    ctx = {"form": form, "months": _by_month(events)}
    return {
        "html": render_to_string("events/home.html#listing", ctx),
        # The first listed event to end leaves the list then.
        "valid_until": cache.earliest(e.end for e in events),
    }


def _by_month(events: list[Event]) -> list[tuple]:
    return [
        (month, list(month_events))
        for month, month_events in groupby(
            events, key=lambda e: timezone.localtime(e.start).date().replace(day=1)
        )
    ]


def past_events(request: HttpRequest) -> HttpResponse:
    return cache.anonymous_page(request, lambda: _past_events(request))


def _past_events(request: HttpRequest) -> Page:
    number = request.GET.get("page", "")
    archive = cache.fragment(request, "past", number, build=lambda: _archive(number))
    response = render(request, "events/past.html", {"archive": archive["html"]})
    return response, archive["valid_until"]


def _archive(number: str) -> dict:
    events = (
        Event.objects.published()
        .past()
        .with_counts()
        .select_related("series", "venue")
        .prefetch_related("links")
        .order_by("-start")
    )
    page = Paginator(events, PAST_PER_PAGE).get_page(number)
    ctx = {"page": page, "events": page.object_list}
    next_end = Event.objects.published().upcoming().aggregate(end=Min("end"))["end"]
    return {
        "html": render_to_string("events/past.html#archive", ctx),
        # The next event to end joins the archive then.
        "valid_until": cache.earliest([next_end]),
    }


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    response = cache.anonymous_page(request, lambda: _event_detail(request, slug))
    # Blogs that write about the event tell us so (Webmention): the endpoint, on every answer.
    response["Link"] = f'<{absolute_url(reverse("events:webmention"))}>; rel="webmention"'
    return response


def _event_detail(request: HttpRequest, slug: str) -> Page:
    event = visible_event_or_404(
        request, slug, Event.objects.with_counts().select_related("series", "venue")
    )
    absolute_url = request.build_absolute_uri(event.get_absolute_url())
    parts = cache.fragment(
        request, "event", event.pk, absolute_url, build=lambda: _event_parts(event, absolute_url)
    )
    seats_left = event.seats_left(event.going_count)
    ctx = {
        "event": event,
        "parts": parts,
        "seats_left": seats_left,
        "closed_reason": rsvps.closed_reason(event),
        "rsvp_form": RSVPForm(),
        "my_rsvp": None,
    }
    if request.user.is_authenticated:
        # Members see who is going: the same list for every member, so it is shared too.
        ctx["attendees"] = cache.fragment(
            request, "event-attendees", event.pk, build=lambda: _attendees(event)
        )["html"]
        ctx["my_rsvp"] = rsvps.with_waitlist_position(
            event.rsvps.filter(member=request.user)
        ).first()
    # RSVPs close when the event ends; recaps are listed once it has started.
    return render(request, "events/detail.html", ctx), cache.earliest([event.start, event.end])


def _event_parts(event: Event, absolute_url: str) -> dict:
    summary = plain_summary(event.description)
    ctx = {
        "event": event,
        "seats_left": event.seats_left(event.going_count),
        "description": safe_description(event.description),
        "summary": summary,
        "links": list(event.links.all()),
        "absolute_url": absolute_url,
        "json_ld": json_ld(_schema_org_event(event, absolute_url, summary)),
    }
    # Recaps (Webmention) tell of an evening that took place: listed from its start.
    started = event.start <= timezone.now()
    recaps = list(event.recaps.visible().select_related("author")) if started else []
    return {
        "summary": summary,
        "head": render_to_string("events/detail.html#head", ctx),
        "facts": render_to_string("events/detail.html#facts", ctx),
        "about": render_to_string("events/detail.html#about", ctx),
        "recaps": render_to_string("events/_recaps.html", {"recaps": recaps}),
        "valid_until": None if started else event.start,
    }


def _attendees(event: Event) -> dict:
    # Members who asked not to be listed are only counted.
    going = (
        event.rsvps.going().listed().select_related("member").order_by("status_changed_at", "id")
    )
    attendees = [r.member for r in going]
    ctx = {
        "event": event,
        "attendees": attendees,
        "unlisted_count": event.going_count - len(attendees),
    }
    return {"html": render_to_string("events/detail.html#attendees", ctx), "valid_until": None}


def series_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return cache.anonymous_page(request, lambda: _series_detail(request, slug))


def _series_detail(request: HttpRequest, slug: str) -> Page:
    parts = cache.fragment(request, "series", slug, build=lambda: _series_parts(slug))
    return render(request, "events/series.html", {"parts": parts}), parts["valid_until"]


def _series_parts(slug: str) -> dict:
    series = get_object_or_404(Series.objects.prefetch_related("links", "organisers"), slug=slug)
    events = series.events.published().with_counts().select_related("venue", "series")
    now = timezone.now()
    upcoming = list(events.upcoming(now).order_by("start"))
    ctx = {
        "series": series,
        "organisers": list(series.organisers.all()),
        "links": list(series.links.all()),
        "upcoming": upcoming,
        "past": list(
            events.past(now)
            .prefetch_related(Prefetch("links", queryset=EventLink.objects.order_by("kind")))
            .order_by("-start")
        ),
        "meeting_stats": series_meeting_stats(series=series),
    }
    return {
        "name": series.name,
        "slug": series.slug,
        "main": render_to_string("events/series.html#main", ctx),
        # The first upcoming event to end moves to the past events then.
        "valid_until": cache.earliest(e.end for e in upcoming),
    }


def _schema_org_event(event: Event, url: str, summary: str) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": url,
        "startDate": timezone.localtime(event.start).isoformat(),
        "endDate": timezone.localtime(event.end).isoformat(),
        "eventStatus": "https://schema.org/EventCancelled"
        if event.is_cancelled
        else "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "description": summary,
        "isAccessibleForFree": True,
    }
    if event.venue:
        data["location"] = {
            "@type": "Place",
            "name": event.venue.name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": event.venue.address,
                "addressLocality": event.venue.city,
                "addressCountry": "FR",
            },
        }
    if event.series:
        data["organizer"] = {
            "@type": "Organization",
            "name": event.series.name,
            "url": url.removesuffix(event.get_absolute_url()) + event.series.get_absolute_url(),
        }
    if event.capacity:
        data["maximumAttendeeCapacity"] = event.capacity
        data["remainingAttendeeCapacity"] = event.seats_left(event.going_count)
    return data
