"""The events part of a member's export and erasure: RSVPs, meetings, series organised.

Connected to `community.privacy`'s signals in `EventsConfig.ready()`.
"""

from django.db.models import Count, Q
from django.dispatch import receiver
from django.tasks import TaskResultStatus
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from community.models import User
from community.privacy import (
    Export,
    collect_member_data,
    erase_member,
    erasure_blockers,
    forget_admin_history,
    iso,
    person,
)
from events import rsvps, webmentions
from events.models import RSVP, ClashAcknowledgement, Event, Meeting, Recap, RivalFeed, Series


def sole_organised_series(member: User):
    """The series `member` organises alone: nobody would be left to run them."""
    # Counted before filtering on the member, so the count covers every organiser.
    return (
        Series.objects.annotate(organiser_count=Count("organisers"))
        .filter(organisers=member, organiser_count=1)
        .order_by("name")
    )


@receiver(collect_member_data, dispatch_uid="events_member_data")
def add_events_data(sender, *, member: User, export: Export, **kwargs) -> None:
    entries = RSVP.objects.filter(member=member).select_related("event", "event__series")
    export.data["rsvps"] = [
        {
            "event": entry.event.title,
            "series": entry.event.series.name if entry.event.series else None,
            "start": iso(entry.event.start),
            "end": iso(entry.event.end),
            "status": entry.status,
            "answered_at": iso(entry.created_at),
            "status_changed_at": iso(entry.status_changed_at),
            "arrived_at": iso(entry.arrived_at),  # checked in at the door
        }
        for entry in entries.order_by("event__start", "event__pk")
    ]
    meetings = (
        Meeting.objects.filter(Q(member_a=member) | Q(member_b=member) | Q(recorded_by=member))
        .select_related("event", "member_a", "member_b")
        .order_by("event__start", "pk")
    )
    export.data["meetings"] = [
        {
            "event": meeting.event.title,
            "event_start": iso(meeting.event.start),
            "with": [
                person(other)
                for other in (meeting.member_a, meeting.member_b)
                if other.pk != member.pk
            ],
            "recorded_by_me": meeting.recorded_by_id == member.pk,
            "created_at": iso(meeting.created_at),
        }
        for meeting in meetings
    ]
    export.data["series_organised"] = [
        {"name": series.name, "slug": series.slug}
        for series in member.organised_series.order_by("name")
    ]


@receiver(erasure_blockers, dispatch_uid="events_erasure_blockers")
def series_to_hand_over(sender, *, member: User, **kwargs) -> list[str]:
    return [
        _(
            "You are the only organiser of the series « %(name)s »: add another organiser "
            "to it before deleting your account."
        )
        % {"name": series.name}
        for series in sole_organised_series(member)
    ]


@receiver(erase_member, dispatch_uid="events_erase_member")
def erase_events_data(sender, *, member: User, **kwargs) -> None:
    forget_admin_history(RSVP.objects.filter(member=member))
    upcoming = RSVP.objects.filter(member=member, event__in=Event.objects.upcoming())
    for entry in upcoming.select_related("event"):
        if rsvps.closed_reason(entry.event) is None:
            # The one promotion rule: a freed seat goes to the first on the waitlist.
            rsvps.cancel(event=entry.event, member=member)
        else:
            entry.delete()  # a cancelled event or a date hold: no seat to give away
    # Past attendance stays, on the scrubbed account, so past events keep their counts; a
    # "not going" answer counts for nothing and goes.
    RSVP.objects.filter(member=member, status=RSVP.Status.DECLINED).delete()
    meetings = Meeting.objects.filter(Q(member_a=member) | Q(member_b=member))
    forget_admin_history(meetings)
    meetings.delete()
    Meeting.objects.filter(recorded_by=member).update(recorded_by=None)
    Event.objects.filter(created_by=member).update(created_by=None)
    ClashAcknowledgement.objects.filter(confirmed_by=member).update(confirmed_by=None)
    # Recaps from the member's verified blog name them (author, their blog's address): gone.
    recaps = Recap.objects.filter(author=member)
    forget_admin_history(recaps)
    # The job queue keeps each webmention it checked, with the post's address.
    DBTaskResult.objects.filter(
        task_path=webmentions.receive.module_path,
        args_kwargs__kwargs__source__in=list(recaps.values_list("source", flat=True)),
    ).exclude(status=TaskResultStatus.RUNNING).delete()
    recaps.delete()
    RivalFeed.objects.filter(added_by=member).update(added_by=None)
    # Only co-organised series are left (sole organisers are refused): they just lose them.
    member.organised_series.clear()
