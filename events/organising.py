"""What organisers do to their events: create, edit, publish a hold, cancel, change capacity.

Each operation is one transaction; the members concerned hear of it by email once it commits
(`events.notifications`). Views validate a form, call one of these and redirect. An operation
refused by the database raises `ValidationError`, which the view shows on its form.
"""

import datetime as dt
import unicodedata
from contextlib import contextmanager

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
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import User
from events.clashes import Clash
from events.models import RSVP, ClashAcknowledgement, Event
from events.notifications import notify_cancelled, notify_moved, notify_published
from events.reminders import schedule_reminders
from events.rsvps import promote_waitlisted

# Spreadsheets run a cell as a formula when it starts with one of these. Some skip what comes
# before it when invisible (spaces, zero-width and other format characters: U+200B, U+FEFF,
# U+2060…) or read a look-alike as the real sign (full-width ＝ ＋ － ＠, small ﹦ ﹢ ﹣ ﹫,
# which NFKC folds into the ASCII ones, and the minus sign −).
FORMULA_SIGNS = ("=", "+", "-", "@", "\u2212")

# An edition is "on track" with at least this share of the going count past editions had
# at the same number of days before their date.
ON_TRACK_SHARE = 0.9


def with_trend(events, now: dt.datetime):
    """Annotate each event with the number of past editions of its series and their total
    going RSVPs taken at the same lead time (RSVP created that long before their start)."""
    past = Event.objects.published().past(now).filter(series=OuterRef("series"))
    lead = ExpressionWrapper(OuterRef("start") - Value(now), output_field=DurationField())
    early_going = RSVP.objects.attended(now=now).filter(
        event__series=OuterRef("series"),
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


def acknowledge_clashes(*, event: Event, clashes: list[Clash], by: User) -> None:
    """Record "publish anyway": the other series' organisers see who confirmed which clash."""
    for clash in clashes:
        ClashAcknowledgement.objects.update_or_create(
            event=event,
            other_event=clash.other,
            defaults={"severity": clash.percent, "confirmed_by": by},
        )


def create_event(*, event: Event, clashes: list[Clash], by: User) -> Event:
    """Save a new event or hold (from the organiser form); a published one is announced."""
    event.created_by = by
    with _saving(event):
        event.save()
        acknowledge_clashes(event=event, clashes=clashes, by=by)
        if event.is_published:
            notify_published(event=event)
        schedule_reminders(event=event)
    return event


def edit_event(*, event: Event, clashes: list[Clash], by: User) -> Event:
    """Save the changes of the organiser form. Members hear of a hold being published, or of
    a published event moving (date, hours or venue); a changed capacity serves the waitlist."""
    with _saving(event):
        before = Event.objects.select_for_update().get(pk=event.pk)
        event.save()
        acknowledge_clashes(event=event, clashes=clashes, by=by)
        if event.capacity != before.capacity:
            change_capacity(event=event, capacity=event.capacity)
        if before.is_hold and event.is_published:
            notify_published(event=event)
        elif event.is_published and (event.start, event.end, event.venue_id) != (
            before.start,
            before.end,
            before.venue_id,
        ):
            notify_moved(
                event=event, old_start=before.start, old_end=before.end, old_venue=before.venue
            )
        if before.is_hold or event.start != before.start:
            schedule_reminders(event=event)
    return event


@transaction.atomic
def change_capacity(*, event: Event, capacity: int | None) -> list[RSVP]:
    """Set the capacity; seats it frees go at once to the waitlist, in order, with the
    promotion email. Refused below the number of members going (checked under the event lock,
    so an RSVP arriving meanwhile is counted)."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    locked.capacity = capacity
    locked.validate_capacity()
    locked.save(update_fields=["capacity", "updated_at"])
    event.capacity = capacity
    return promote_waitlisted(event=locked)


@transaction.atomic
def publish_hold(*, event: Event, clashes: list[Clash], by: User) -> None:
    event.status = Event.Status.PUBLISHED
    event.save(update_fields=["status", "updated_at"])
    acknowledge_clashes(event=event, clashes=clashes, by=by)
    notify_published(event=event)
    schedule_reminders(event=event)


@transaction.atomic
def cancel_event(*, event: Event) -> None:
    """Cancel a published event (its members are told, their RSVPs kept), or release a hold
    (it is deleted: nobody but its organisers knew of it)."""
    if event.is_hold:
        event.delete()
    elif event.is_published:
        event.status = Event.Status.CANCELLED
        event.save(update_fields=["status", "updated_at"])
        notify_cancelled(event=event)


def cancel_reach(event: Event) -> int:
    """How many members cancelling the event would email: those going or waiting."""
    return event.rsvps.active().count()


@contextmanager
def _saving(event: Event):
    """A transaction around saving an event. When the database refuses the venue because
    another organiser booked it meanwhile, the constraint is checked again (the other booking
    is visible now), so the caller gets the constraint's own `ValidationError`."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        event.validate_constraints()
        raise


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as typed, never runs as a formula."""
    first = value[:1]
    if first and (first.isspace() or unicodedata.category(first) in ("Cf", "Cc", "Zs")):
        return "'" + value  # whatever the invisible start hides
    if unicodedata.normalize("NFKC", first).startswith(FORMULA_SIGNS):
        return "'" + value
    return value


def attendee_rows(event: Event) -> list[list[str]]:
    """Going then waitlisted members, first come first, for the organiser's CSV (in the
    organiser's language)."""
    rsvps = event.rsvps.active().select_related("member").order_by("status", "status_changed_at")
    rows = [[_("Name"), _("Status"), _("RSVP time")]]
    for rsvp in rsvps:
        # A deactivated member keeps their seat in the count, but is named nowhere.
        name = str(rsvp.member) if rsvp.member.is_active else _("Deactivated account")
        rows.append(
            [
                csv_cell(name),
                rsvp.get_status_display(),
                timezone.localtime(rsvp.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return rows
