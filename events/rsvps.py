"""RSVPs: capacity, waitlist and promotion, safe under concurrent requests.

Every change locks the event row (`SELECT … FOR UPDATE`) for the length of its transaction, so
all RSVP changes to one event run one after the other: seats are counted and given away under
the lock, and the order in which requests take the lock is the order of the waitlist.
"""

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from community.mail import absolute_url, send_mail
from community.models import EmailKind, User
from events.models import RSVP, Event
from events.people import known_going


class RSVPClosed(Exception):
    """The event takes no RSVP (past, cancelled or a date hold); the message says why."""


def closed_reason(event: Event) -> str | None:
    if event.is_cancelled:
        return _("This event is cancelled: it takes no RSVP.")
    if event.is_hold:
        return _("This date is only held by the organisers: it takes no RSVP yet.")
    if event.is_past:
        return _("This event is over: it takes no RSVP.")
    return None


def rsvp(*, event: Event, member: User, going: bool) -> RSVP:
    """Answer going (a seat, or the waitlist when full) or not going. Repeating changes nothing."""
    try:
        return _rsvp(event=event, member=member, going=going)
    except IntegrityError:
        # Only reachable if a row was written without the event lock (the admin, a script):
        # the one RSVP the constraint allows exists, so answer again against it.
        return _rsvp(event=event, member=member, going=going)


@transaction.atomic
def _rsvp(*, event: Event, member: User, going: bool) -> RSVP:
    event = _lock(event)
    if reason := closed_reason(event):
        raise RSVPClosed(reason)
    current = RSVP.objects.filter(event=event, member=member).first()
    if going:
        if current and current.status in (RSVP.Status.GOING, RSVP.Status.WAITLISTED):
            return current  # already holds a seat or a place in the queue: keep it
        # Seats freed outside this module (a raised capacity) go to the queue first.
        fill_free_seats(event=event)
        status = RSVP.Status.GOING if _has_free_seat(event) else RSVP.Status.WAITLISTED
    else:
        if current and current.status == RSVP.Status.DECLINED:
            return current
        status = RSVP.Status.DECLINED
    freed_seat = current is not None and current.status == RSVP.Status.GOING
    now = timezone.now()
    if current is None:
        current = RSVP.objects.create(
            event=event, member=member, status=status, status_changed_at=now
        )
    else:
        current.status, current.status_changed_at = status, now
        current.save(update_fields=["status", "status_changed_at", "updated_at"])
    if freed_seat:
        fill_free_seats(event=event)
    return current


@transaction.atomic
def cancel(*, event: Event, member: User) -> bool:
    """Withdraw the member's RSVP; a freed seat goes to the first on the waitlist.

    Returns whether there was an RSVP to withdraw.
    """
    event = _lock(event)
    if reason := closed_reason(event):
        raise RSVPClosed(reason)
    current = RSVP.objects.filter(event=event, member=member).first()
    if current is None:
        return False
    current.delete()
    if current.status == RSVP.Status.GOING:
        fill_free_seats(event=event)
    return True


@transaction.atomic
def promote_waitlisted(*, event: Event) -> list[RSVP]:
    """Give free seats to the waitlist, e.g. after an organiser raised the capacity."""
    return fill_free_seats(event=_lock(event))


def fill_free_seats(*, event: Event) -> list[RSVP]:
    """Promote waitlisted members, first come first served, while seats are free.

    The caller holds the event lock: call `promote_waitlisted` from outside this module.
    """
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - _going_count(event)
        if free <= 0:
            return []
    waiting = (
        RSVP.objects.filter(event=event, status=RSVP.Status.WAITLISTED)
        .select_related("member")
        .order_by("status_changed_at", "id")
    )
    promoted = list(waiting if free is None else waiting[:free])
    now = timezone.now()
    for entry in promoted:
        entry.status, entry.status_changed_at = RSVP.Status.GOING, now
        entry.save(update_fields=["status", "status_changed_at", "updated_at"])
        transaction.on_commit(lambda entry=entry: _tell_promoted(entry, event), robust=True)
    return promoted


def waitlist_position(rsvp: RSVP) -> int | None:
    """1 for the first in the queue; None when the member is not waitlisted."""
    add_waitlist_positions([rsvp])
    return getattr(rsvp, "waitlist_position", None)


def upcoming_of(member) -> dict[int, RSVP]:
    """The member's RSVPs going or waiting to events still to come, by event id, the waiting
    ones with their `waitlist_position`: one query, and one more only when some are waiting
    (the cards of `/` and of a series page)."""
    mine = {
        r.event_id: r
        for r in RSVP.objects.active().filter(member=member, event__end__gte=timezone.now())
    }
    add_waitlist_positions(mine.values())
    return mine


def add_waitlist_positions(entries) -> None:
    """Set `waitlist_position` on the waitlisted ones among `entries`: no query when none is."""
    waiting = {r.pk: r for r in entries if r.is_waitlisted}
    if waiting:
        ranked = with_waitlist_position(RSVP.objects.filter(pk__in=waiting))
        for pk, position in ranked.values_list("pk", "waitlist_position"):
            waiting[pk].waitlist_position = position


def with_waitlist_position(rsvps):
    """Annotate `waitlist_position` (1-based) on waitlisted RSVPs in one query."""
    ahead = (
        RSVP.objects.filter(event=OuterRef("event"), status=RSVP.Status.WAITLISTED)
        .filter(
            Q(status_changed_at__lt=OuterRef("status_changed_at"))
            | Q(status_changed_at=OuterRef("status_changed_at"), id__lt=OuterRef("id"))
        )
        .order_by()
        .values("event")
        .annotate(n=Count("id"))
        .values("n")
    )
    return rsvps.annotate(waitlist_position=Coalesce(Subquery(ahead), Value(0)) + 1)


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _going_count(event: Event) -> int:
    return RSVP.objects.filter(event=event, status=RSVP.Status.GOING).count()


def _has_free_seat(event: Event) -> bool:
    return event.capacity is None or _going_count(event) < event.capacity


def _tell_promoted(entry: RSVP, event: Event) -> None:
    # Who they know there, by the people view's rules: the contacts this member may see,
    # among the attendees who let themselves be listed.
    known = known_going(event=event, viewer=entry.member)
    send_mail(
        [entry.member],
        template_prefix="events/email/promoted",
        context={
            "member": entry.member,
            "event": event,
            "url": absolute_url(event.get_absolute_url()),
            "known": [person.name for person in known.people],
        },
        kind=EmailKind.WAITLIST,
    )
