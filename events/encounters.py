"""« Mes rencontres »: whom a member met at the events they attended, over a period.

For the events the member attended in the period (`RSVP.objects.attended().present()`: a
no-show at an event checked in at the door met nobody there): the other attendees, how many
of them the member knew online (a tie either way, made before an evening together) or through
a friend (a contact tied to them), whom they met there for the first time (no earlier event
attended together) and which online ties became real-life meetings (tied online before their
first evening together, in the period; "noted" when one of the two recorded "we met").

The same rules as the people view (`events/people.py`): a tie A → B counts only where A's
`ties_visibility` lets the member see it (`community.ties.can_see_ties`); attendees who are
not listed (`RSVP.objects.listed()`) are counted, never named, and take no part in the figures
about ties. A fixed number of queries whatever the number of events and people.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.models import Tie, User
from community.ties import can_see_ties
from events.models import RSVP, Event, Meeting

PERIODS = {
    "week": gettext_lazy("This week"),
    "month": gettext_lazy("This month"),
    "year": gettext_lazy("This year"),
    "all": gettext_lazy("All time"),
}
DEFAULT_PERIOD = "year"
# Faces listed under "met for the first time"; the others are counted.
FIRST_TIME_SHOWN = 60


def period_start(period: str, now: dt.datetime) -> dt.datetime | None:
    """The first moment of the period, in the site's time zone (None: all time)."""
    today = timezone.localtime(now).date()
    if period == "week":
        day = today - dt.timedelta(days=today.weekday())
    elif period == "month":
        day = today.replace(day=1)
    elif period == "year":
        day = today.replace(month=1, day=1)
    else:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@dataclass
class Encounter:
    """Another attendee met in the period, as the member may see them."""

    member: User | None
    member_id: int
    events: list[Event]  # the events of the period attended together, in date order
    first_ever: bool = False  # no event attended together before the period
    tied_at: dt.datetime | None = None  # when the member and they first tied online
    through: list[User] = field(default_factory=list)  # contacts tied to both before meeting
    noted: bool = False  # one of the two recorded "we met"

    @property
    def first_event(self) -> Event:
        return self.events[0]

    @property
    def last_event(self) -> Event:
        return self.events[-1]

    @property
    def direct(self) -> bool:
        """Known online at one of the evenings together: tied before the last of them."""
        return self.tied_at is not None and self.tied_at < self.last_event.start

    @property
    def tie_met(self) -> bool:
        """An online tie that became a meeting: tied before their first evening ever."""
        return (
            self.first_ever and self.tied_at is not None and self.tied_at < self.first_event.start
        )


def member_encounters(*, member: User, period: str, now: dt.datetime | None = None) -> dict:
    """Context for the « Mes rencontres » page of `member` over `period`."""
    now = now or timezone.now()
    since = period_start(period, now)
    mine = list(
        RSVP.objects.attended(now=now)
        .present()
        .filter(member=member)
        .select_related("event__series", "event__venue")
        .order_by("event__start", "event_id")
    )
    events = {rsvp.event_id: rsvp.event for rsvp in mine}
    in_period = [r.event for r in mine if since is None or r.event.start >= since]
    period_ids = {e.pk for e in in_period}

    together = (
        RSVP.objects.attended(now=now)
        .present()
        .filter(event_id__in=list(events))
        .exclude(member=member)
        .annotate(listed=Exists(RSVP.objects.listed().filter(pk=OuterRef("pk"))))
        .values_list("event_id", "member_id", "listed")
    )
    first_ever: dict[int, dt.datetime] = {}
    shared: dict[int, list[Event]] = {}
    hidden: set[int] = set()
    per_event: dict[int, int] = dict.fromkeys(period_ids, 0)
    for event_id, other_id, listed in together:
        event = events[event_id]
        if other_id not in first_ever or event.start < first_ever[other_id]:
            first_ever[other_id] = event.start
        if event_id not in period_ids:
            continue
        per_event[event_id] += 1
        if not listed:
            hidden.add(other_id)
            continue
        shared.setdefault(other_id, []).append(event)
    hidden -= set(shared)  # listed at one evening, unlisted now: not named anywhere
    people = {
        other_id: Encounter(
            member=None,
            member_id=other_id,
            events=sorted(evenings, key=lambda e: e.start),
            first_ever=since is None or first_ever[other_id] >= since,
        )
        for other_id, evenings in shared.items()
    }
    _mark_ties(member, people)
    _mark_meetings(member, people)
    users = User.objects.filter(pk__in=list(people)).select_related("photo")
    for user in users:
        people[user.pk].member = user
    # The latest evening first, as the list of events; names in order within an evening.
    named = sorted(
        (p for p in people.values() if p.member is not None), key=lambda p: str(p.member).lower()
    )
    named.sort(key=lambda p: p.first_event.start, reverse=True)
    first_time = [p for p in named if p.first_ever]
    ties_met = [p for p in first_time if p.tie_met]
    return {
        "events": [(event, per_event[event.pk]) for event in reversed(in_period)],
        "attendees": len(named) + len(hidden),
        "hidden": len(hidden),
        "known_direct": sum(1 for p in named if p.direct),
        "known_through": sum(1 for p in named if not p.direct and p.through),
        "first_time": first_time[:FIRST_TIME_SHOWN],
        "first_time_count": len(first_time),
        "first_time_more": max(len(first_time) - FIRST_TIME_SHOWN, 0),
        "ties_met": ties_met,
        "chart": chart(period=period, since=since, now=now, events=in_period, people=named),
    }


def _mark_ties(member: User, people: dict[int, Encounter]) -> None:
    """Who the member knew online before meeting them, directly or through a contact: the
    member's ties either way, then the contacts' ties to the people met (two queries)."""
    mine = Tie.objects.filter(Q(from_member=member) | Q(to_member=member)).values_list(
        "from_member_id", "to_member_id", "from_member__ties_visibility", "created_at"
    )
    contacts: dict[int, dt.datetime] = {}  # contact → when the member first tied with them
    for a, b, visibility, created in mine:
        if can_see_ties(owner_id=a, visibility=visibility, viewer=member):
            other = b if a == member.pk else a
            contacts[other] = min(contacts.get(other, created), created)
    for other_id, person in people.items():
        person.tied_at = contacts.get(other_id)
    linkers = list(contacts)
    targets = [pk for pk, p in people.items() if not p.direct]
    if not linkers or not targets:
        return
    second = Tie.objects.filter(
        Q(from_member_id__in=linkers, to_member_id__in=targets)
        | Q(from_member_id__in=targets, to_member_id__in=linkers)
    ).values_list("from_member_id", "to_member_id", "from_member__ties_visibility", "created_at")
    through: dict[int, set[int]] = {}
    for a, b, visibility, created in second:
        linker, target = (a, b) if a in contacts and b in people else (b, a)
        if target not in people or target == member.pk or linker == target:
            continue
        before = people[target].last_event.start
        if (
            created < before
            and contacts[linker] < before
            and can_see_ties(owner_id=a, visibility=visibility, viewer=member)
        ):
            through.setdefault(target, set()).add(linker)
    if not through:
        return
    names = {
        u.pk: u for u in User.objects.filter(pk__in={pk for ids in through.values() for pk in ids})
    }
    for target, ids in through.items():
        people[target].through = sorted((names[i] for i in ids), key=lambda u: str(u).lower())


def _mark_meetings(member: User, people: dict[int, Encounter]) -> None:
    """ "We met" recorded with the member, at any event."""
    pairs = Meeting.objects.filter(Q(member_a=member) | Q(member_b=member)).values_list(
        "member_a_id", "member_b_id"
    )
    for a, b in pairs:
        other = b if a == member.pk else a
        if other in people:
            people[other].noted = True


# --- The chart -----------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 560, 210
CHART_TOP, CHART_BOTTOM, CHART_LEFT = 16, 46, 32


def _buckets(period: str, since: dt.datetime | None, now: dt.datetime, first: dt.date | None):
    """The chart's columns: (first day, label, second line) from the period's start to
    today; the year goes on the second line of January (and of the first month)."""
    today = timezone.localtime(now).date()
    start = timezone.localtime(since).date() if since else (first or today)
    if period == "week":
        days = [start + dt.timedelta(days=n) for n in range(7)]
        return [(d, date_format(d, "D j"), "") for d in days]
    if period == "month":
        mondays = [start - dt.timedelta(days=start.weekday())]
        while mondays[-1] + dt.timedelta(days=7) <= today:
            mondays.append(mondays[-1] + dt.timedelta(days=7))
        return [(max(m, start), date_format(max(m, start), "j N"), "") for m in mondays]
    months = []
    month = start.replace(day=1)
    while month <= today:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    if len(months) > 24:  # many years: one column a year
        years = range(start.year, today.year + 1)
        return [(dt.date(y, 1, 1), str(y), "") for y in years]
    return [
        (
            m,
            date_format(m, "N"),
            str(m.year) if period == "all" and (i == 0 or m.month == 1) else "",
        )
        for i, m in enumerate(months)
    ]


def _svg(number: float) -> str:
    """A coordinate as SVG reads it: a dot for decimals, whatever the page's language."""
    return f"{number:.1f}"


def chart(*, period: str, since, now, events: list[Event], people: list[Encounter]) -> dict:
    """A bar per column: people met for the first time, the part known online darker."""
    first = timezone.localtime(events[0].start).date() if events else None
    buckets = _buckets(period, since, now, first)
    starts = [b[0] for b in buckets]

    def column(moment: dt.datetime) -> int:
        day = timezone.localtime(moment).date()
        return max(i for i, s in enumerate(starts) if s <= day) if day >= starts[0] else 0

    met = [0] * len(buckets)
    online = [0] * len(buckets)
    evenings = [0] * len(buckets)
    for event in events:
        evenings[column(event.start)] += 1
    for person in people:
        if person.first_ever:
            i = column(person.first_event.start)
            met[i] += 1
            online[i] += person.tie_met or bool(person.through)
    top = max(met, default=0) or 1
    inner_w = CHART_WIDTH - CHART_LEFT - 8
    inner_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    step = inner_w / len(buckets)
    bar = min(step * 0.7, 48)
    columns = []
    for i, (_day, label, year) in enumerate(buckets):
        x = CHART_LEFT + i * step + (step - bar) / 2
        h_all = inner_h * met[i] / top
        h_online = inner_h * online[i] / top
        base = CHART_TOP + inner_h
        columns.append(
            {
                "label": label,
                "year": year,
                "x": _svg(x),
                "width": _svg(bar),
                "label_x": _svg(x + bar / 2),
                "y_all": _svg(base - h_all),
                "h_all": _svg(h_all),
                "y_online": _svg(base - h_online),
                "h_online": _svg(h_online),
                "value_y": _svg(base - h_all - 4),
                "met": met[i],
                "online": online[i],
                "evenings": evenings[i],
                "title": _(
                    "%(label)s — first meetings: %(met)s, known online: %(online)s, "
                    "events: %(events)s"
                )
                % {"label": label, "events": evenings[i], "met": met[i], "online": online[i]},
                "show_label": len(buckets) <= 16 or i % 2 == 0,
            }
        )
    return {
        "columns": columns,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "base": CHART_TOP + inner_h,
        "label_y": CHART_HEIGHT - CHART_BOTTOM + 18,
        "year_y": CHART_HEIGHT - CHART_BOTTOM + 34,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - 8,
        "top": top,
        "top_y": CHART_TOP,
        "empty": not any(met),
    }
