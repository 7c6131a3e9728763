from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.mail import absolute_url
from events import checkin, rsvps
from events.access import visible_event_or_404
from events.forms import RSVPForm
from events.models import RSVP, Event


@require_POST
def rsvp(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event_or_404(request, slug)
    if not request.user.is_authenticated:
        # Back to the event page after logging in: the RSVP URL itself only takes POSTs.
        return redirect_to_login(event.get_absolute_url())
    form = RSVPForm(request.POST)
    if not form.is_valid():
        return render(request, "events/rsvp_invalid.html", {"event": event}, status=400)
    answer = form.cleaned_data["answer"]
    try:
        if answer == RSVPForm.CANCEL:
            if rsvps.cancel(event=event, member=request.user):
                messages.success(request, _("Your RSVP is cancelled."))
        else:
            entry = rsvps.rsvp(event=event, member=request.user, going=answer == RSVPForm.GOING)
            messages.success(request, _rsvp_message(entry))
    except rsvps.RSVPClosed as closed:
        messages.error(request, str(closed))
    return redirect(event)


def _rsvp_message(entry: RSVP) -> str:
    if entry.status == RSVP.Status.GOING:
        return _("You are going. See you there!")
    if entry.status == RSVP.Status.WAITLISTED:
        return _(
            "The event is full: you are number %(position)d on the waitlist. "
            "We will email you if a seat frees up."
        ) % {"position": rsvps.waitlist_position(entry)}
    return _("Noted: you are not going.")


@login_required
def my_events(request: HttpRequest) -> HttpResponse:
    entries = rsvps.with_waitlist_position(
        request.user.rsvps.filter(
            status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED],
            event__end__gte=timezone.now(),
            event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
        )
        .select_related("event", "event__series", "event__venue")
        .order_by("event__start")
    )
    for entry in entries:
        if entry.is_going and entry.event.is_published:
            entry.door_qr = checkin.qr_svg(
                checkin.door_url(event=entry.event, member=request.user),
                label=_("Door pass for %(title)s") % {"title": entry.event.title},
            )
    feed_url = absolute_url(reverse("events:private_ics", args=[request.user.calendar_token]))
    return render(request, "events/my_events.html", {"entries": entries, "feed_url": feed_url})


@login_required
@require_POST
def regenerate_calendar_token(request: HttpRequest) -> HttpResponse:
    request.user.regenerate_calendar_token()
    messages.success(request, _("Your calendar address has changed: the old one no longer works."))
    return redirect("events:my_events")
