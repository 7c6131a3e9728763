"""Emails to members when an event they care about is published, moved or cancelled.

They go through `community.mail`: after the transaction commits, one message per member, each
in the member's language.
"""

import datetime as dt

from django.utils import timezone

from community.mail import absolute_url, send_mail
from community.models import EmailKind, User
from events.clashes import AUDIENCE_WINDOW
from events.models import RSVP, Event


def concerned_members(event: Event):
    """Members going to or waiting for the event."""
    return User.objects.filter(
        rsvps__event=event, rsvps__status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED]
    ).distinct()


def series_audience(event: Event):
    """Members who went to an edition of the event's series over the last 12 months."""
    if event.series_id is None:
        return User.objects.none()
    now = timezone.now()
    return User.objects.filter(
        rsvps__status=RSVP.Status.GOING,
        rsvps__event__series=event.series_id,
        rsvps__event__status=Event.Status.PUBLISHED,
        rsvps__event__end__lt=now,
        rsvps__event__end__gte=now - AUDIENCE_WINDOW,
    ).distinct()


# Which email setting each change falls under: a new date is news, the others concern a
# member's own RSVP.
EMAIL_KINDS = {
    "published": EmailKind.NEW_DATES,
    "moved": EmailKind.CHANGES,
    "cancelled": EmailKind.CHANGES,
}


def _send(*, event: Event, members, kind: str, extra: dict | None = None) -> None:
    ctx = {"event": event, "url": absolute_url(event.get_absolute_url()), "kind": kind}
    send_mail(
        members.order_by("pk"),
        template_prefix="events/email/event_change",
        context={**ctx, **(extra or {})},
        kind=EMAIL_KINDS[kind],
    )


def notify_published(*, event: Event) -> None:
    """A new date: tell the series' recent audience, and anyone already on the list."""
    members = (series_audience(event) | concerned_members(event)).distinct()
    _send(event=event, members=members, kind="published")


def notify_moved(*, event: Event, old_start: dt.datetime, old_end: dt.datetime, old_venue) -> None:
    """The date or the place changed; RSVPs are kept, so attendees must hear of it."""
    _send(
        event=event,
        members=concerned_members(event),
        kind="moved",
        extra={"old_start": old_start, "old_end": old_end, "old_venue": old_venue},
    )


def notify_cancelled(*, event: Event) -> None:
    _send(event=event, members=concerned_members(event), kind="cancelled")
