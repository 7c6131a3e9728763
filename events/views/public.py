from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from events import listing
from events.forms import EventFilterForm
from events.models import Event, Series


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
