from itertools import groupby

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from events.forms import EventFilterForm
from events.models import Event, Series
from events.people import series_meeting_stats


def home(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    events = form.filter(
        Event.objects.published()
        .upcoming()
        .with_counts()
        .select_related("series", "venue")
        .order_by("start")
    )
    months = [
        (month, list(month_events))
        for month, month_events in groupby(
            events, key=lambda e: timezone.localtime(e.start).date().replace(day=1)
        )
    ]
    return render(request, "events/home.html", {"form": form, "months": months})


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
        "meeting_stats": series_meeting_stats(series=series),  # issue 4
    }
    return render(request, "events/series.html", ctx)
