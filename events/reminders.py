"""Reminders before an event: the venue and the way there to members going, and to members
waiting a word on where they stand in the queue.

Publishing or moving an event queues `send_reminders` for `REMINDER_HOURS_BEFORE` hours before
its start; the job does nothing if the event was cancelled or moved meanwhile (the move queued
a job of its own). `manage.py send_due_reminders`, from cron, sends whatever is due and not
sent yet, should a job have been lost. Either way the `Reminder` ledger, written in the same
transaction that queues the email, lets each reminder go out once per member and start.
"""

import datetime as dt
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from community.mail import absolute_url, send_mail
from community.models import EmailKind, User
from events.checkin import door_token
from events.models import RSVP, Event, Reminder, Venue
from events.rsvps import with_waitlist_position

TEMPLATES = {
    Reminder.Kind.GOING: "events/email/reminder",
    Reminder.Kind.WAITLISTED: "events/email/waitlist_reminder",
}


def reminder_time(event: Event) -> dt.datetime:
    return event.start - dt.timedelta(hours=settings.REMINDER_HOURS_BEFORE)


def schedule_reminders(*, event: Event) -> None:
    """Queue the reminders of a published event for its current start (after the commit)."""
    if not event.is_published or event.start <= timezone.now():
        return
    if not send_reminders.get_backend().supports_defer:
        # A backend that runs jobs at once (the tests') would remind on publication;
        # `send_due_reminders` serves such a setup.
        return
    deferred = send_reminders.using(run_after=reminder_time(event))
    transaction.on_commit(
        partial(deferred.enqueue, event_id=event.pk, start=event.start.isoformat()), robust=True
    )


@task()
def send_reminders(*, event_id: int, start: str) -> int:
    """Remind the members of the event, if it is still published at `start` and to come."""
    event = Event.objects.select_related("venue").filter(pk=event_id).first()
    if event is None or not event.is_published or event.start != dt.datetime.fromisoformat(start):
        return 0
    return remind(event=event)


def due_events(now: dt.datetime | None = None):
    """Published events starting within the reminder window."""
    now = now or timezone.now()
    return (
        Event.objects.published()
        .filter(start__gt=now, start__lte=now + dt.timedelta(hours=settings.REMINDER_HOURS_BEFORE))
        .select_related("venue")
    )


def remind(*, event: Event) -> int:
    """Send the reminders of `event` not yet sent for its start; returns how many were sent."""
    if event.start <= timezone.now():
        return 0  # a job run late, after the start: too late to be of use
    rsvps = (
        with_waitlist_position(event.rsvps.active().filter(member__is_active=True))
        .select_related("member")
        .order_by("status", "status_changed_at", "pk")
    )
    sent = 0
    for rsvp in rsvps:
        kind = Reminder.Kind.GOING if rsvp.is_going else Reminder.Kind.WAITLISTED
        with transaction.atomic():
            # Another worker reminding the same member waits here on the unique row, then
            # finds it: the member hears once.
            _, created = Reminder.objects.get_or_create(
                event=event, member=rsvp.member, kind=kind, event_start=event.start
            )
            if not created:
                continue
            send_mail(
                [rsvp.member],
                template_prefix=TEMPLATES[kind],
                context=_context(event=event, rsvp=rsvp),
                kind=EmailKind.REMINDERS,
                queue_in_transaction=True,
            )
        sent += 1
    return sent


def _context(*, event: Event, rsvp: RSVP) -> dict:
    ctx = {
        "member": rsvp.member,
        "event": event,
        "venue": event.venue,
        "url": absolute_url(event.get_absolute_url()),
    }
    if event.venue:
        ctx["directions_url"] = directions_url(event.venue)
    if rsvp.is_going:
        ctx["known_going"] = known_going_count(event=event, member=rsvp.member)
        # A link rather than an attachment: the emails are plain text through the one mail
        # path; the image opens in any mail app or browser and can be saved for the door.
        token = door_token(event=event, member=rsvp.member)
        ctx["door_pass_url"] = absolute_url(reverse("events:door_qr", args=[event.slug, token]))
    else:
        ctx["position"] = rsvp.waitlist_position
    return ctx


def directions_url(venue: Venue) -> str:
    """A plain OpenStreetMap search for the venue's address (no map embedded, no script)."""
    return "https://www.openstreetmap.org/search?" + urlencode(
        {"query": f"{venue.address}, {venue.city}"}
    )


def known_going_count(*, event: Event, member: User) -> int:
    """Members going whom `member` declared a tie to, among those who let themselves be
    listed. Only the member's own ties count: theirs to know, whoever may see them."""
    return (
        event.rsvps.going()
        .listed()
        .filter(member__ties_in__from_member=member)
        .exclude(member=member)
        .values("member")
        .distinct()
        .count()
    )
