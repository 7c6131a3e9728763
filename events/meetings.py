"""Recording that two attendees met in real life at an event."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from community.models import User
from events.models import RSVP, Event, Meeting


def record_meeting(*, event: Event, by: User, other: User) -> tuple[Meeting, bool]:
    """ "We met": both went to `event`, which is over; stored once per pair and event."""
    if other.pk == by.pk:
        raise ValidationError(_("You cannot record a meeting with yourself."), code="self")
    if not event.is_past:
        raise ValidationError(_("You can record meetings once the event is over."), code="early")
    going = set(
        RSVP.objects.going()
        .filter(event=event, member__in=[by.pk, other.pk])
        .values_list("member_id", flat=True)
    )
    if going != {by.pk, other.pk}:
        raise ValidationError(_("Both of you must have attended this event."), code="absent")
    a, b = sorted([by.pk, other.pk])
    try:
        with transaction.atomic():
            return Meeting.objects.get_or_create(
                event=event, member_a_id=a, member_b_id=b, defaults={"recorded_by": by}
            )
    except IntegrityError:
        # The other person recorded it at the same moment.
        return Meeting.objects.get(event=event, member_a_id=a, member_b_id=b), False
