"""The public pages: `/`, the archive, an event, a series.

Their shared parts are rendered once per data version (events/cache.py); visitors who are not
logged in get the whole page from the cache. Members get the shared parts and their own: the
lines on the cards, their RSVP and whom they know going, computed once per data version for
each member (`cache.personal`), and the RSVP form rendered on each request.
"""

import datetime as dt
import hashlib
from itertools import groupby

from django.core.files.storage import storages
from django.core.paginator import Paginator
from django.db.models import Min, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_safe

from community.mail import absolute_url
from community.photos import PHOTO_CACHE_CONTROL
from events import cache, forecast, pictures, rsvps
from events.access import check_visible, visible_event_or_404
from events.forms import EventFilterForm, RSVPForm
from events.html import json_ld, plain_summary, safe_description, share_links
from events.ical import add_links
from events.models import Event, EventLink, Series
from events.people import contacts_going, known_going, series_meeting_stats
from events.reminders import directions_url

PAST_PER_PAGE = 30
# The attendee wall shows this many faces; the others are behind "see all".
WALL_SHOWN = 20
Page = tuple[HttpResponse, dt.datetime | None]


def home(request: HttpRequest) -> HttpResponse:
    return cache.page(request, lambda: _home(request))


def _home(request: HttpRequest) -> Page:
    query = {name: request.GET.get(name, "") for name in EventFilterForm.base_fields}
    listing = cache.fragment(
        request,
        "home",
        sorted(query.items()),
        bool(request.GET),
        build=lambda: _home_listing(request),
    )
    html = _for_member(request, listing["html"], listing["event_ids"])
    response = render(request, "events/home.html", {"listing": html})
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
        "event_ids": [e.pk for e in events],
        # The first listed event to end leaves the list then.
        "valid_until": cache.earliest(e.end for e in events),
    }


def _for_member(request: HttpRequest, html: str, event_ids: list[int]) -> str:
    """The shared cards of `html` with the member's own line on each: "You're going",
    "Waitlist no. 3", the people they know going. Computed once per data version for each
    member and listing (three queries whatever the number of cards).

    Each card carries a marker (`<!--me:<id>-->`, templates/includes/event_card.html) that no
    text of a member can forge (it is escaped); visitors keep the bare comment.
    """
    if not request.user.is_authenticated or not event_ids:
        return html
    listing = hashlib.sha256(html.encode()).hexdigest()
    cards = cache.personal(
        request, "cards", listing, build=lambda: _member_cards(request, html, event_ids)
    )
    return mark_safe(cards["html"])  # noqa: S308 - fragments and lines rendered by our templates


def _member_cards(request: HttpRequest, html: str, event_ids: list[int]) -> dict:
    my_rsvps = rsvps.upcoming_of(request.user)
    known = contacts_going(viewer=request.user, event_ids=event_ids)
    for event_id in (my_rsvps.keys() & set(event_ids)) | known.keys():
        ctx = {"rsvp": my_rsvps.get(event_id), "known": known.get(event_id, [])}
        line = render_to_string("includes/event_card_me.html", ctx)
        html = html.replace(f"<!--me:{event_id}-->", line, 1)
    return {"html": html, "valid_until": None}


def _by_month(events: list[Event]) -> list[tuple]:
    return [
        (month, list(month_events))
        for month, month_events in groupby(
            events, key=lambda e: timezone.localtime(e.start).date().replace(day=1)
        )
    ]


def past_events(request: HttpRequest) -> HttpResponse:
    return cache.page(request, lambda: _past_events(request))


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
    response = cache.page(request, lambda: _event_detail(request, slug))
    # Blogs that write about the event tell us so (Webmention): the endpoint, on every answer.
    response["Link"] = f'<{absolute_url(reverse("events:webmention"))}>; rel="webmention"'
    return response


def _event_detail(request: HttpRequest, slug: str) -> Page:
    # The event with its counts, read once per data version; who may see it, on each request.
    event = cache.fragment(request, "event-row", slug, build=lambda: _event_row(slug))["event"]
    check_visible(request, event)
    absolute_url = request.build_absolute_uri(event.get_absolute_url())
    share_image = request.build_absolute_uri(pictures.share_image_url(event, event.going_count))
    parts = cache.fragment(
        request,
        "event",
        event.pk,
        absolute_url,
        share_image,
        build=lambda: _event_parts(event, absolute_url, share_image),
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
        # Members see who is going: the same wall for every member, so it is shared too.
        ctx["attendees"] = cache.fragment(
            request, "event-attendees", event.pk, build=lambda: _attendees(event)
        )["html"]
        ctx.update(
            cache.personal(request, "event-me", event.pk, build=lambda: _mine(event, request))
        )
    # RSVPs close when the event ends; recaps are listed once it has started.
    return render(request, "events/detail.html", ctx), cache.earliest([event.start, event.end])


def _event_row(slug: str) -> dict:
    events = Event.objects.with_counts().select_related("series", "venue")
    return {"event": events.filter(slug=slug).first(), "valid_until": None}


def _mine(event: Event, request: HttpRequest) -> dict:
    """The member's own part of an event page: their RSVP and whom they know going."""
    my_rsvp = event.rsvps.filter(member=request.user).first()
    rsvps.add_waitlist_positions([my_rsvp] if my_rsvp else [])
    mine = {"my_rsvp": my_rsvp, "valid_until": cache.earliest([event.start, event.end])}
    if not event.is_past and not event.is_cancelled:
        mine["known"] = known = _known(event, request.user)
        mine["known_html"] = render_to_string("events/detail.html#known", {"known": known})
    return mine


def _known(event: Event, member) -> dict:
    """The member's own part: the faces of their contacts going, and the counts."""
    known = known_going(event=event, viewer=member)
    return {
        "faces": known.people,  # with their photos: they quack like members for {% face %}
        "count": len(known.people),
        "fof": known.friends_of_friends,
        "others": known.others,
    }


def _event_parts(event: Event, absolute_url: str, share_image: str) -> dict:
    summary = plain_summary(event.description)
    hosts = (
        list(
            event.series.organisers.filter(is_active=True)
            .select_related("photo")
            .order_by("display_name")
        )
        if event.series
        else []
    )
    links = list(event.links.all())
    if event.is_past:
        # Once it is over, what came of the evening comes first: recaps and slides.
        links.sort(key=lambda link: link.kind not in (EventLink.Kind.RECAP, EventLink.Kind.SLIDES))
    ctx = {
        "event": event,
        "seats_left": event.seats_left(event.going_count),
        "seats": event.seats_in_words(event.going_count),
        "description": safe_description(event.description) if event.description.strip() else "",
        "summary": summary,
        "links": links,
        "hosts": hosts,
        "cover": pictures.cover_url(event, 1200),
        "cover_small": pictures.cover_url(event, 600),
        "share_image": share_image,
        "absolute_url": absolute_url,
        "directions_url": directions_url(event.venue) if event.venue else "",
        "calendar": add_links(event, url=absolute_url),
        "share": share_links(url=absolute_url, text=event.title),
        "json_ld": json_ld(_schema_org_event(event, absolute_url, summary)),
    }
    # Recaps (Webmention) tell of an evening that took place: listed from its start.
    started = event.start <= timezone.now()
    recaps = list(event.recaps.visible().select_related("author")) if started else []
    return {
        "summary": summary,
        "seats": ctx["seats"],
        "head": render_to_string("events/detail.html#head", ctx),
        "facts": render_to_string("events/detail.html#facts", ctx),
        "about": render_to_string("events/detail.html#about", ctx),
        "links": render_to_string("events/detail.html#links", ctx),
        "actions": render_to_string("events/detail.html#actions", ctx),
        "recaps": render_to_string("events/_recaps.html", {"recaps": recaps}),
        # Once the event is over it reads as past: its seats become "N people came"; recaps
        # are listed from its start.
        "valid_until": cache.earliest([event.start, event.end]),
    }


def _attendees(event: Event) -> dict:
    # Members who asked not to be listed are only counted.
    going = (
        event.rsvps.going()
        .listed()
        .select_related("member__photo")
        .order_by("status_changed_at", "id")
    )
    attendees = [r.member for r in going]
    ctx = {
        "event": event,
        "attendees": attendees[:WALL_SHOWN],
        "more_attendees": attendees[WALL_SHOWN:],
        "unlisted_count": event.going_count - len(attendees),
    }
    return {"html": render_to_string("events/detail.html#attendees", ctx), "valid_until": None}


@require_safe
def share_image(request: HttpRequest, slug: str, digest: str) -> HttpResponse:
    """The event's share image, drawn on the first request for what it shows; an old
    address leads to the current one."""
    event = visible_event_or_404(
        request, slug, Event.objects.with_counts().select_related("series", "venue")
    )
    if digest != pictures.share_digest(event, event.going_count):
        return redirect(pictures.share_image_url(event, event.going_count))
    name = pictures.stored_share_image(event, event.going_count)
    with storages["default"].open(name) as stored:
        response = HttpResponse(stored.read(), content_type="image/png")
    # The address names what the picture shows: it may be kept for ever.
    response["Cache-Control"] = PHOTO_CACHE_CONTROL
    return response


def series_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return cache.page(request, lambda: _series_detail(request, slug))


def _series_detail(request: HttpRequest, slug: str) -> Page:
    ics = request.build_absolute_uri(reverse("events:series_ics", args=[slug]))
    webcal_url = "webcal://" + ics.split("://", 1)[1]
    parts = cache.fragment(
        request, "series", slug, webcal_url, build=lambda: _series_parts(slug, webcal_url)
    )
    ctx = {"parts": parts, "main": _for_member(request, parts["main"], parts["event_ids"])}
    return render(request, "events/series.html", ctx), parts["valid_until"]


def _series_parts(slug: str, webcal_url: str) -> dict:
    series = get_object_or_404(Series.objects.prefetch_related("links"), slug=slug)
    events = series.events.published().with_counts().select_related("venue", "series")
    now = timezone.now()
    upcoming = list(events.upcoming(now).order_by("start"))
    ctx = {
        "series": series,
        "organisers": list(series.named_organisers().select_related("photo")),
        "links": list(series.links.all()),
        "upcoming": upcoming,
        "past": list(
            events.past(now)
            .prefetch_related(Prefetch("links", queryset=EventLink.objects.order_by("kind")))
            .order_by("-start")
        ),
        "meeting_stats": series_meeting_stats(series=series),
        "no_shows": forecast.no_shows(forecast.load_history([series.pk], now=now)[series.pk]),
        "webcal_url": webcal_url,
    }
    return {
        "name": series.name,
        "slug": series.slug,
        "description": plain_summary(series.description),
        "main": render_to_string("events/series.html#main", ctx),
        "event_ids": [e.pk for e in upcoming],
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


@require_GET
def series_colours(request: HttpRequest) -> HttpResponse:
    """`.series-<id>` classes that set each series' colour as CSS custom properties.

    A stylesheet rather than `style` attributes or a `<style>` block: the CSP allows styles
    from this site only, and a nonce cannot be used in pages served whole from the cache.
    Linked as `?v=<data version>` (events/context_processors.py), so that browsers may keep
    it for a year: a new colour comes with a new address.
    """
    css = cache.fragment(request, "series-colours", build=_series_colours_css)["css"]
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    if request.GET.get("v") == str(cache.data_version(request)):
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "no-cache"
    return response


def _series_colours_css() -> dict:
    rules = [
        f".series-{s.pk}{{--series:{s.colour};--series-ink:{s.colour_ink};"
        f"--series-text:{s.colour_text}}}"
        for s in Series.objects.order_by("pk")
    ]
    return {"css": "\n".join(rules) + "\n", "valid_until": None}
