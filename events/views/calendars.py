"""Organisers' other calendars of the region: the iCalendar feeds whose evenings may clash."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import rivals
from events.access import organiser_or_403
from events.forms import RivalFeedForm
from events.models import RivalFeed


@login_required
def other_calendars(request: HttpRequest) -> HttpResponse:
    organiser_or_403(request)
    form = RivalFeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        feed = form.save(commit=False)
        feed.added_by = request.user
        feed.save()
        rivals.queue_refresh(feed)
        messages.success(
            request, _("“%(name)s” is added; its events arrive shortly.") % {"name": feed.name}
        )
        return redirect("events:other_calendars")
    feeds = RivalFeed.objects.select_related("added_by").with_event_counts()
    ctx = {"form": form, "feeds": feeds}
    return render(
        request, "events/organise/other_calendars.html", ctx, status=400 if form.errors else 200
    )


@login_required
@require_POST
def other_calendar_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    organiser_or_403(request)
    feed = get_object_or_404(RivalFeed, pk=pk)
    rivals.queue_refresh(feed)
    messages.success(request, _("“%(name)s” will be fetched again shortly.") % {"name": feed.name})
    return redirect("events:other_calendars")


@login_required
@require_POST
def other_calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    organiser_or_403(request)
    feed = get_object_or_404(RivalFeed, pk=pk)
    feed.delete()
    messages.success(request, _("“%(name)s” is removed, with its events.") % {"name": feed.name})
    return redirect("events:other_calendars")
