"""Recording that two attendees met in real life at an event.

One side's "we met" is their word only: the meeting is confirmed when the other side says so
too. Only attendees listed among those going can be chosen, so that the answer never tells
whether a member who attended unlisted was there.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import User
from events.models import RSVP, Event, Meeting


def meeting_candidates(event: Event) -> QuerySet[User]:
    """The members one may say one met at `event`: those listed among the attendees."""
    listed = RSVP.objects.going().listed().filter(event=event)
    return User.objects.filter(pk__in=listed.values("member_id"))


def record_meeting(*, event: Event, by: User, other: User) -> tuple[Meeting, str]:
    """ "We met" from `by`: stored once per pair and event, confirmed by the other side.

    Returns the meeting and what happened: "recorded" (waiting for the other side),
    "confirmed" (the other side had recorded it) or "unchanged".
    """
    if other.pk == by.pk:
        raise ValidationError(_("You cannot record a meeting with yourself."), code="self")
    if not event.is_past:
        raise ValidationError(_("You can record meetings once the event is over."), code="early")
    if not RSVP.objects.going().filter(event=event, member=by).exists():
        raise ValidationError(_("You did not attend this event."), code="absent")
    # The same answer for a member who was not there and one who was there unlisted.
    if not meeting_candidates(event).filter(pk=other.pk).exists():
        raise ValidationError(
            _("Choose someone listed among the attendees of this event."), code="not_listed"
        )
    a, b = sorted([by.pk, other.pk])
    try:
        with transaction.atomic():
            meeting, created = Meeting.objects.select_for_update().get_or_create(
                event=event, member_a_id=a, member_b_id=b, defaults={"recorded_by": by}
            )
    except IntegrityError:
        # The other person recorded it at the same moment.
        meeting, created = Meeting.objects.get(event=event, member_a_id=a, member_b_id=b), False
    if created:
        return meeting, "recorded"
    if meeting.confirmed_at is None and meeting.recorded_by_id != by.pk:
        confirmed = Meeting.objects.filter(pk=meeting.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now()
        )
        meeting.refresh_from_db(fields=["confirmed_at"])
        if confirmed:
            return meeting, "confirmed"
    return meeting, "unchanged"
