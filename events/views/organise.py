"""Organiser pages: workspace, events and holds, free dates, shared calendar and its feed."""

import calendar
import csv
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from community.models import User
from events.access import event_for_organiser_or_403, organised_series_or_403, organiser_or_403
from events.clashes import (
    Clash,
    active_events,
    clashing_event_ids,
    day_window,
    free_dates,
    level_for,
    local_days,
)
from events.forms import (
    AddOrganiserForm,
    DayForm,
    EventForm,
    FreeDatesForm,
    MonthForm,
    PublishHoldForm,
)
from events.ical import ics_response
from events.models import RSVP, ClashAcknowledgement, Event, Series, Weekday
from events.notifications import notify_cancelled, notify_moved, notify_published

# An edition is "on track" with at least this share of the going count past editions had
# at the same number of days before their date.
ON_TRACK_SHARE = 0.9


def with_trend(events, now: dt.datetime):
    """Annotate each event with the number of past editions of its series and their total
    going RSVPs taken at the same lead time (RSVP created that long before their start)."""
    past = Event.objects.filter(
        series=OuterRef("series"), status=Event.Status.PUBLISHED, end__lt=now
    )
    lead = ExpressionWrapper(OuterRef("start") - Value(now), output_field=DurationField())
    early_going = RSVP.objects.filter(
        event__series=OuterRef("series"),
        event__status=Event.Status.PUBLISHED,
        event__end__lt=now,
        status=RSVP.Status.GOING,
        created_at__lte=ExpressionWrapper(F("event__start") - lead, output_field=DateTimeField()),
    )
    return events.annotate(
        past_editions=Coalesce(
            Subquery(past.values("series").annotate(n=Count("pk")).values("n")[:1]), 0
        ),
        past_going=Coalesce(
            Subquery(early_going.values("event__series").annotate(n=Count("pk")).values("n")[:1]),
            0,
        ),
    )


def trend(event: Event) -> dict | None:
    if not event.is_published or not event.past_editions:
        return None
    expected = event.past_going / event.past_editions
    return {
        "expected": round(expected, 1),
        "on_track": event.going_count >= expected * ON_TRACK_SHARE,
    }


def record_acknowledgements(*, event: Event, clashes: list[Clash], user: User) -> None:
    for clash in clashes:
        ClashAcknowledgement.objects.update_or_create(
            event=event,
            other_event=clash.other,
            defaults={"severity": clash.percent, "confirmed_by": user},
        )


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    organiser_or_403(request)
    now = timezone.now()
    my_series = list(request.user.organised_series.order_by("name"))
    events = (
        with_trend(
            Event.objects.filter(series__in=my_series)
            .exclude(status=Event.Status.CANCELLED)
            .upcoming(now)
            .with_counts(),
            now,
        )
        .select_related("venue")
        .order_by("start")
    )
    by_series = {s.pk: [] for s in my_series}
    for event in events:
        event.trend = trend(event)
        by_series[event.series_id].append(event)
    acks = (
        ClashAcknowledgement.objects.filter(
            other_event__series__in=my_series, other_event__end__gte=now
        )
        .exclude(event__status=Event.Status.CANCELLED)
        .select_related("event__series", "other_event", "confirmed_by")
        .order_by("other_event__start")
    )
    for ack in acks:
        ack.level = level_for(ack.severity)
    ctx = {
        "series_list": [(s, by_series[s.pk]) for s in my_series],
        "acks": acks,
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
        "organisers": series.organisers.order_by("display_name"),
        "add_form": add_form,
        "free_dates": free_dates(series=series, count=count),
        "count": count,
    }
    return render(request, "events/organise/series.html", ctx)


def save_event_form(request: HttpRequest, form: EventForm) -> Event | None:
    """Save and record "publish anyway"; None when the venue was taken meanwhile."""
    try:
        with transaction.atomic():
            event = form.save(commit=False)
            if event.created_by_id is None:
                event.created_by = request.user
            event.save()
            record_acknowledgements(event=event, clashes=form.clashes, user=request.user)
    except IntegrityError as error:
        if "events_event_no_venue_overlap" not in str(error):
            raise
        form.add_error("venue", _("The venue was booked at these times meanwhile."))
        return None
    return event


@login_required
def event_create(request: HttpRequest, slug: str) -> HttpResponse:
    series = organised_series_or_403(request, slug)
    initial = {"status": Event.Status.HOLD, **DayForm(request.GET).initial_times()}
    form = EventForm(request.POST or None, series=series, initial=initial)
    if request.method == "POST" and form.is_valid():
        event = save_event_form(request, form)
        if event is not None:
            if event.is_published:
                notify_published(event=event)
            messages.success(request, _("“%(title)s” is saved.") % {"title": event.title})
            return redirect("events:organise")
    ctx = {"form": form, "series": series, "event": None}
    return render(request, "events/organise/event_form.html", ctx)


@login_required
def event_edit(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_for_organiser_or_403(request, slug)
    if event.is_cancelled:
        messages.error(request, _("A cancelled event cannot be changed."))
        return redirect("events:organise")
    was_hold = event.is_hold
    old_start, old_end, old_venue = event.start, event.end, event.venue
    form = EventForm(request.POST or None, instance=event, series=event.series)
    if request.method == "POST" and form.is_valid():
        event = save_event_form(request, form)
        if event is not None:
            if was_hold and event.is_published:
                notify_published(event=event)
            elif event.is_published and (
                (event.start, event.end, event.venue_id)
                != (old_start, old_end, old_venue.pk if old_venue else None)
            ):
                notify_moved(event=event, old_start=old_start, old_end=old_end, old_venue=old_venue)
            messages.success(request, _("“%(title)s” is saved.") % {"title": event.title})
            return redirect("events:organise")
    ctx = {"form": form, "series": event.series, "event": event}
    return render(request, "events/organise/event_form.html", ctx)


@login_required
def hold_publish(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_for_organiser_or_403(request, slug)
    if not event.is_hold:
        messages.error(request, _("Only a date hold can be published this way."))
        return redirect("events:organise")
    form = PublishHoldForm(request.POST if request.method == "POST" else None, event=event)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            event.status = Event.Status.PUBLISHED
            event.save(update_fields=["status", "updated_at"])
            record_acknowledgements(event=event, clashes=form.clashes, user=request.user)
            notify_published(event=event)
        messages.success(request, _("“%(title)s” is published.") % {"title": event.title})
        return redirect("events:organise")
    return render(request, "events/organise/publish.html", {"form": form, "event": event})


@login_required
@require_POST
def event_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    """Cancel a published event (members are told), or release a hold (it is deleted)."""
    event = event_for_organiser_or_403(request, slug)
    if event.is_hold:
        event.delete()
        messages.success(request, _("The date hold is released."))
    elif event.is_published:
        with transaction.atomic():
            event.status = Event.Status.CANCELLED
            event.save(update_fields=["status", "updated_at"])
            notify_cancelled(event=event)
        messages.success(request, _("“%(title)s” is cancelled.") % {"title": event.title})
    return redirect("events:organise")


def csv_cell(value: str) -> str:
    # A name starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
def attendees_csv(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_for_organiser_or_403(request, slug)
    rsvps = (
        event.rsvps.filter(status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED])
        .select_related("member")
        .order_by("status", "status_changed_at")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-attendees.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Name"), _("Status"), _("RSVP time")])
    for rsvp in rsvps:
        writer.writerow(
            [
                csv_cell(str(rsvp.member)),
                rsvp.status,
                timezone.localtime(rsvp.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return response


def bad_request(request: HttpRequest) -> HttpResponse:
    return render(request, "400.html", status=400)


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
    clashing = clashing_event_ids(events)
    cells = {
        grid_first + dt.timedelta(days=n): [] for n in range((grid_last - grid_first).days + 1)
    }
    for event in events:
        event.clashes = event.pk in clashing
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
    my_series = Series.objects.filter(organisers=request.user)
    acks = (
        ClashAcknowledgement.objects.filter(
            other_event__series__in=my_series,
            other_event__start__lt=window_end,
            other_event__end__gt=window_start,
        )
        .exclude(event__status=Event.Status.CANCELLED)
        .select_related("event__series", "other_event", "confirmed_by")
        .order_by("other_event__start")
    )
    for ack in acks:
        ack.level = level_for(ack.severity)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = last_day + dt.timedelta(days=1)
    ctx = {
        "month": month,
        "previous": previous,
        "previous_key": f"{previous:%Y-%m}",
        "next": following,
        "next_key": f"{following:%Y-%m}",
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
        "acks": acks,
        "weekdays": Weekday.labels,
    }
    return render(request, "events/organise/calendar.html", ctx)


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The shared calendar as .ics, behind the organiser's secret token (no login: calendar
    apps cannot log in), in the organiser's language. Holds are TENTATIVE."""
    user = get_object_or_404(User, calendar_token=token)
    if not user.organised_series.exists():
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
