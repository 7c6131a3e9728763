"""Organiser pages: workspace, events and holds, free dates, shared calendar and its feed."""

import calendar
import csv
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from community.models import User
from events import forecast, organising
from events.access import (
    organised_event_or_403,
    organised_series,
    organised_series_or_403,
    organiser_or_403,
)
from events.clashes import (
    active_events,
    clashing_event_ids,
    clashing_with_external,
    day_window,
    find_clashes,
    free_dates,
    local_days,
)
from events.forms import (
    AddOrganiserForm,
    ClashPreviewForm,
    DayForm,
    EventForm,
    FreeDatesForm,
    MonthForm,
    OverbookingForm,
    PublishHoldForm,
)
from events.ical import ics_response
from events.models import (
    FIRST_YEAR,
    LAST_YEAR,
    ClashAcknowledgement,
    Event,
    ExternalEvent,
    RivalFeed,
    Weekday,
)


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    organiser_or_403(request)
    now = timezone.now()
    my_series = list(organised_series(request.user).order_by("name"))
    events = list(
        organising.with_trend(
            Event.objects.filter(series__in=my_series).not_cancelled().upcoming(now).with_counts(),
            now,
        )
        .select_related("venue")
        .order_by("start")
    )
    by_series = {s.pk: [] for s in my_series}
    series_by_pk = {s.pk: s for s in my_series}
    for event in events:
        event.series = series_by_pk[event.series_id]
        event.trend = organising.trend(event)
        by_series[event.series_id].append(event)
    history = forecast.load_history([s.pk for s in my_series], now=now)
    forecasts = forecast.upcoming_forecasts(events, now=now, history=history)
    for event in events:
        event.forecast = forecasts.get(event.pk)
    for series in my_series:
        series.no_shows = forecast.no_shows(history[series.pk])
    acks = (
        ClashAcknowledgement.objects.filter(
            other_event__series__in=my_series, other_event__end__gte=now
        )
        .exclude(event__status=Event.Status.CANCELLED)
        .select_related("event__series", "other_event", "confirmed_by")
        .order_by("other_event__start")
    )
    ctx = {
        "series_list": [(s, by_series[s.pk]) for s in my_series],
        # Side by side across series: every upcoming published edition, in date order.
        "forecast_rows": [e for e in events if e.is_published],
        "acks": acks,
        "feed_problems": RivalFeed.objects.exclude(problem="").count(),
    }
    return render(request, "events/organise/workspace.html", ctx)


@login_required
def series_page(request: HttpRequest, slug: str) -> HttpResponse:
    series = organised_series_or_403(request, slug)
    add_form = AddOrganiserForm(request.POST or None, series=series)
    if request.method == "POST" and add_form.is_valid():
        new = add_form.cleaned_data["who"]
        series.organisers.add(new)
        messages.success(
            request, _("%(name)s now organises %(series)s.") % {"name": new, "series": series}
        )
        return redirect("events:organise_series", slug=series.slug)
    count_form = FreeDatesForm(request.GET or None)
    count = (count_form.is_valid() and count_form.cleaned_data["count"]) or 5
    ctx = {
        "series": series,
        "organisers": series.named_organisers().select_related("photo"),
        "add_form": add_form,
        "overbooking_form": OverbookingForm(instance=series),
        "no_shows": forecast.no_shows(forecast.load_history([series.pk])[series.pk]),
        "free_dates": free_dates(series=series, count=count),
        "count": count,
    }
    return render(request, "events/organise/series.html", ctx)


@login_required
@require_POST
def series_overbooking(request: HttpRequest, slug: str) -> HttpResponse:
    series = organised_series_or_403(request, slug)
    form = OverbookingForm(request.POST, instance=series)
    if form.is_valid():  # a checkbox: any POST is valid
        form.save()
        if series.overbooking_advice:
            messages.success(request, _("The workspace now says how many more RSVPs fit."))
        else:
            messages.success(request, _("The workspace no longer suggests overbooking."))
    return redirect("events:organise_series", slug=series.slug)


def saved(request: HttpRequest, form: EventForm, operation) -> bool:
    """Run the create or edit operation on a valid form; a refusal shows on the form."""
    try:
        event = operation(event=form.save(commit=False), clashes=form.clashes, by=request.user)
    except ValidationError as error:
        form.add_save_error(error)
        return False
    form.save_cover(event)
    messages.success(request, _("“%(title)s” is saved.") % {"title": event.title})
    return True


@login_required
def event_create(request: HttpRequest, slug: str) -> HttpResponse:
    series = organised_series_or_403(request, slug)
    initial = {"status": Event.Status.HOLD, **DayForm(request.GET).initial_times()}
    form = EventForm(request.POST or None, request.FILES or None, series=series, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and saved(request, form, organising.create_event)
    ):
        return redirect("events:organise")
    ctx = {"form": form, "series": series, "event": None}
    return render(request, "events/organise/event_form.html", ctx)


@login_required
def event_edit(request: HttpRequest, slug: str) -> HttpResponse:
    event = organised_event_or_403(request, slug)
    if event.is_cancelled:
        messages.error(request, _("A cancelled event cannot be changed."))
        return redirect("events:organise")
    form = EventForm(
        request.POST or None, request.FILES or None, instance=event, series=event.series
    )
    if request.method == "POST" and form.is_valid() and saved(request, form, organising.edit_event):
        return redirect("events:organise")
    ctx = {"form": form, "series": event.series, "event": event}
    ctx["recaps"] = event.recaps.order_by("-published", "-received_at")
    return render(request, "events/organise/event_form.html", ctx)


@login_required
@require_GET
def clash_preview(request: HttpRequest, slug: str) -> JsonResponse:
    """The clashes of the dates typed on the event form, as soon as they are picked
    (static/js/clash_preview.js): the same list, from the same template, as after saving."""
    series = organised_series_or_403(request, slug)
    form = ClashPreviewForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"count": 0, "html": ""})
    data = form.cleaned_data
    event = series.events.filter(slug=data["event"]).first() if data["event"] else None
    clashes = find_clashes(
        start=data["start"],
        end=data["end"],
        city=data["venue"].city if data["venue"] else series.home_city,
        series=series,
        exclude_event=event,
    )
    html = render_to_string("events/organise/clashes.html", {"clashes": clashes}, request)
    return JsonResponse({"count": len(clashes), "html": html})


@login_required
def hold_publish(request: HttpRequest, slug: str) -> HttpResponse:
    event = organised_event_or_403(request, slug)
    if not event.is_hold:
        messages.error(request, _("Only a date hold can be published this way."))
        return redirect("events:organise")
    form = PublishHoldForm(request.POST if request.method == "POST" else None, event=event)
    if request.method == "POST" and form.is_valid():
        organising.publish_hold(event=event, clashes=form.clashes, by=request.user)
        messages.success(request, _("“%(title)s” is published.") % {"title": event.title})
        return redirect("events:organise")
    return render(request, "events/organise/publish.html", {"form": form, "event": event})


@login_required
def event_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    """GET asks for confirmation, saying who will be emailed; POST cancels a published event
    or releases a hold."""
    event = organised_event_or_403(request, slug)
    if event.is_cancelled:
        messages.error(request, _("This event is already cancelled."))
        return redirect("events:organise")
    if request.method == "POST":
        was_hold, title = event.is_hold, event.title
        organising.cancel_event(event=event)
        if was_hold:
            messages.success(request, _("The date hold is released."))
        else:
            messages.success(request, _("“%(title)s” is cancelled.") % {"title": title})
        return redirect("events:organise")
    ctx = {"event": event, "reach": organising.cancel_reach(event)}
    return render(request, "events/organise/cancel.html", ctx)


@login_required
def attendees_csv(request: HttpRequest, slug: str) -> HttpResponse:
    event = organised_event_or_403(request, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-attendees.csv"'
    csv.writer(response).writerows(organising.attendee_rows(event))
    return response


def bad_request(request: HttpRequest) -> HttpResponse:
    return render(request, "400.html", status=400)


def month_key(month: dt.date) -> str | None:
    """`2027-06` for the calendar's previous/next links; None outside the years it shows."""
    return f"{month:%Y-%m}" if FIRST_YEAR <= month.year <= LAST_YEAR else None


@login_required
def calendar_month(request: HttpRequest) -> HttpResponse:
    organiser_or_403(request)
    form = MonthForm(request.GET)
    if not form.is_valid():
        return bad_request(request)
    month = form.cleaned_data["month"] or timezone.localdate().replace(day=1)
    last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    grid_first = month - dt.timedelta(days=month.weekday())
    grid_last = last_day + dt.timedelta(days=6 - last_day.weekday())
    window_start, window_end = day_window(grid_first, grid_last)
    events = list(
        active_events().filter(start__lt=window_end, end__gt=window_start).order_by("start")
    )
    # Evenings of other calendars of the region, marked as external.
    externals = list(
        ExternalEvent.objects.filter(start__lt=window_end, end__gt=window_start)
        .select_related("feed")
        .order_by("start")
    )
    clashing = clashing_event_ids(events)
    with_external, external_clashing = clashing_with_external(events, externals)
    clashing |= with_external
    cells = {
        grid_first + dt.timedelta(days=n): [] for n in range((grid_last - grid_first).days + 1)
    }
    for event in events:
        event.clashes = event.pk in clashing
    for other in externals:
        other.is_external = True
        other.clashes = other.pk in external_clashing
    for event in sorted(events + externals, key=lambda e: e.start):
        for day in local_days(event.start, event.end):
            if day in cells:
                cells[day].append(event)
    today = timezone.localdate()
    days = [
        {
            "date": day,
            "events": day_events,
            "in_month": day.month == month.month,
            "today": day == today,
        }
        for day, day_events in cells.items()
    ]
    acks = (
        ClashAcknowledgement.objects.filter(
            other_event__series__in=organised_series(request.user),
            other_event__start__lt=window_end,
            other_event__end__gt=window_start,
        )
        .exclude(event__status=Event.Status.CANCELLED)
        .select_related("event__series", "other_event", "confirmed_by")
        .order_by("other_event__start")
    )
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = last_day + dt.timedelta(days=1)
    ctx = {
        "month": month,
        "previous": previous,
        "previous_key": month_key(previous),
        "next": following,
        "next_key": month_key(following),
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
        "acks": acks,
        "weekdays": Weekday.labels,
    }
    return render(request, "events/organise/calendar.html", ctx)


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The shared calendar as .ics, behind the organiser's secret token (no login: calendar
    apps cannot log in), in the organiser's language. Holds are TENTATIVE.

    The token is the organisers' own (never the personal feed's), and it opens the feed only
    while its owner is an active member organising a series: a deactivated or former
    organiser's old subscription stops at once."""
    user = get_object_or_404(User.objects.filter(is_active=True), organiser_feed_token=token)
    if not organised_series(user).exists():
        raise Http404
    since = timezone.now() - dt.timedelta(days=90)
    events = (
        Event.objects.not_cancelled()
        .filter(end__gte=since)
        .select_related("series", "venue")
        .order_by("start")
    )
    return ics_response(
        events,
        name=gettext_lazy("Rencontres — organisers' calendar"),
        filename="rencontres-organisers.ics",
        language=user.language,
        private=True,
    )
