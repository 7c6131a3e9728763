from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from events import listing, rsvps
from events.access import visible_event_or_404
from events.forms import EventFilterForm, RSVPForm
from events.html import json_ld, plain_summary, safe_description
from events.models import RSVP, Event, EventLink, Series
from events.people import series_meeting_stats

PAST_PER_PAGE = 30


def home(request: HttpRequest) -> HttpResponse:
    key = listing.request_key(request.GET)
    if (html := listing.recent(key)) is not None:
        return render(request, "events/home.html", {"listing": html})
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
        "months": SimpleLazyObject(lambda: listing.by_month(events)),
        "listing": listing.render(key, form, events),
    }
    return render(request, "events/home.html", ctx)


def past_events(request: HttpRequest) -> HttpResponse:
    events = (
        Event.objects.published()
        .past()
        .with_counts()
        .select_related("series", "venue")
        .prefetch_related("links")
        .order_by("-start")
    )
    page = Paginator(events, PAST_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "events/past.html", {"page": page, "events": page.object_list})


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event_or_404(
        request, slug, Event.objects.with_counts().select_related("series", "venue")
    )
    ctx = {
        "event": event,
        "description": safe_description(event.description),
        "summary": plain_summary(event.description),
        "links": list(event.links.all()),
        "seats_left": event.seats_left(event.going_count),
        "closed_reason": rsvps.closed_reason(event),
        "absolute_url": request.build_absolute_uri(event.get_absolute_url()),
        "rsvp_form": RSVPForm(),
        "my_rsvp": None,
        "attendees": [],
        "unlisted_count": 0,
    }
    if request.user.is_authenticated:
        # Members see who is going; members who asked not to be listed are only counted.
        going = (
            event.rsvps.filter(status=RSVP.Status.GOING)
            .select_related("member")
            .order_by("status_changed_at", "id")
        )
        ctx["attendees"] = [r.member for r in going if r.member.listed_in_attendees]
        ctx["unlisted_count"] = event.going_count - len(ctx["attendees"])
        ctx["my_rsvp"] = rsvps.with_waitlist_position(
            event.rsvps.filter(member=request.user)
        ).first()
    ctx["json_ld"] = json_ld(_schema_org_event(event, ctx["absolute_url"], ctx["summary"]))
    return render(request, "events/detail.html", ctx)


def series_detail(request: HttpRequest, slug: str) -> HttpResponse:
    series = get_object_or_404(Series.objects.prefetch_related("links", "organisers"), slug=slug)
    events = series.events.published().with_counts().select_related("venue", "series")
    now = timezone.now()
    ctx = {
        "series": series,
        "organisers": list(series.organisers.all()),
        "links": list(series.links.all()),
        "upcoming": list(events.upcoming(now).order_by("start")),
        "past": list(
            events.past(now)
            .prefetch_related(Prefetch("links", queryset=EventLink.objects.order_by("kind")))
            .order_by("-start")
        ),
        "meeting_stats": series_meeting_stats(series=series),  # issue 4
    }
    return render(request, "events/series.html", ctx)


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
