"""Clash detection between events and date holds, and free dates for a series.

The rule, decided with the organisers:

* Two events **clash** when they are in the same *area* and touch the same *local day*
  (Europe/Paris). The area is the venue's city, or the series' home city when no venue is set
  (compared without case or surrounding spaces). An event touches every local day between its
  start and its end: 22:00–02:00 touches two days, 19:00–00:00 only one. Days are cut at local
  midnight, so a 23-hour or 25-hour day around the daylight-saving changes counts as one day.
  Hours need not overlap: one audience rarely does two meetups on the same evening in the same
  town, and an afternoon event eats into the evening's energy. Whether the hours overlap is
  reported beside each clash (`same_time`).
* Published events and holds clash; cancelled events never do.
* **Severity** grows with the audience overlap of the two series: among the members who went to
  a past event of either series in the last 12 months, the share who went to both (Jaccard
  index). Two events of the same series share their whole audience. Levels
  (`events.models.SEVERITY_LEVELS`): low below 15 %, medium below 35 %, high from 35 %.
* Same venue and overlapping times is not a clash but impossible: the database constraint
  `events_event_no_venue_overlap` forbids it and the event form reports it on the venue field.
"""

import datetime as dt
from dataclasses import dataclass

import holidays
from django.db.models import Count
from django.utils import timezone

from events.models import RSVP, Event, Series, severity_level

AUDIENCE_WINDOW = dt.timedelta(days=365)


@dataclass
class Clash:
    other: Event
    overlap: float  # 0..1, the Jaccard index of the two audiences
    same_time: bool

    @property
    def percent(self) -> int:
        return round(self.overlap * 100)

    @property
    def level(self) -> str:
        return severity_level(self.percent)[0]

    @property
    def level_label(self) -> str:
        return severity_level(self.percent)[1]


def local_days(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    """The local (Europe/Paris) days an event touches; an end at midnight stays on the day."""
    first = timezone.localtime(start).date()
    last = timezone.localtime(end - dt.timedelta(microseconds=1)).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def day_window(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From local midnight of `first` to local midnight after `last`, as aware datetimes."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def normalise_area(city: str | None) -> str:
    return (city or "").strip().lower()


def active_events():
    """Events and holds that take a date: everything not cancelled, with its area."""
    return Event.objects.not_cancelled().select_related("series", "venue").with_area()


def audience_overlaps(
    *, series: Series | None, others: list[Series], now: dt.datetime | None = None
) -> dict[int, float]:
    """Jaccard index of past attendees between `series` and each of `others`, by series id.

    Two aggregate queries whatever the number of members: the attendee count of each series,
    and the count of `series` attendees who also went to each other series.
    """
    other_ids = {s.pk for s in others}
    if series is None or not other_ids:
        return {}
    now = now or timezone.now()
    attended = RSVP.objects.attended(within=AUDIENCE_WINDOW, now=now)
    sizes = dict(
        attended.filter(event__series__in=other_ids | {series.pk})
        .values_list("event__series")
        .annotate(n=Count("member", distinct=True))
        .values_list("event__series", "n")
    )
    shared = dict(
        attended.filter(
            event__series__in=other_ids,
            member__in=attended.filter(event__series=series).values("member"),
        )
        .values_list("event__series")
        .annotate(n=Count("member", distinct=True))
        .values_list("event__series", "n")
    )
    overlaps = {}
    for pk in other_ids:
        if pk == series.pk:
            overlaps[pk] = 1.0
            continue
        both = shared.get(pk, 0)
        either = sizes.get(series.pk, 0) + sizes.get(pk, 0) - both
        overlaps[pk] = both / either if either else 0.0
    return overlaps


def find_clashes(
    *,
    start: dt.datetime,
    end: dt.datetime,
    city: str | None,
    series: Series | None = None,
    exclude_event: Event | None = None,
    now: dt.datetime | None = None,
) -> list[Clash]:
    """Other published events and holds clashing with `start`–`end` in `city`, worst first."""
    area = normalise_area(city)
    if not area or end <= start:
        return []
    days = local_days(start, end)
    window_start, window_end = day_window(days[0], days[-1])
    others = active_events().filter(start__lt=window_end, end__gt=window_start, area=area)
    if exclude_event is not None and exclude_event.pk:
        others = others.exclude(pk=exclude_event.pk)
    others = list(others.order_by("start"))
    overlaps = audience_overlaps(
        series=series, others=[o.series for o in others if o.series], now=now
    )
    clashes = [
        Clash(
            other=other,
            overlap=overlaps.get(other.series_id, 0.0),
            same_time=other.start < end and other.end > start,
        )
        for other in others
    ]
    clashes.sort(key=lambda c: (-c.overlap, c.other.start))
    return clashes


def clashing_event_ids(events) -> set[int]:
    """Ids of the events (from `active_events()`, with `area`) that clash with another."""
    by_day: dict[tuple[str, dt.date], list[int]] = {}
    for event in events:
        area = event.area
        if not area:
            continue
        for day in local_days(event.start, event.end):
            by_day.setdefault((area, day), []).append(event.pk)
    return {pk for ids in by_day.values() if len(ids) > 1 for pk in ids}


def free_dates(
    *, series: Series, count: int = 5, after: dt.date | None = None, horizon_days: int = 400
) -> list[dt.date]:
    """The next `count` dates on the series' preferred weekday (any day when it has none) that
    are not French public holidays and on which nothing takes place in its home city.

    One query: every active event of the area over the horizon, then days are ticked off.
    Without a home city, any event anywhere makes the day busy.
    """
    first = (after or timezone.localdate()) + dt.timedelta(days=1)
    last = first + dt.timedelta(days=horizon_days)
    window_start, window_end = day_window(first, last)
    events = active_events().filter(start__lt=window_end, end__gt=window_start)
    if area := normalise_area(series.home_city):
        events = events.filter(area=area)
    busy = {day for e in events for day in local_days(e.start, e.end)}
    public_holidays = holidays.France(years=range(first.year, last.year + 1))
    found = []
    day = first
    while day <= last and len(found) < count:
        if (
            (series.preferred_weekday is None or day.weekday() == series.preferred_weekday)
            and day not in public_holidays
            and day not in busy
        ):
            found.append(day)
        day += dt.timedelta(days=1)
    return found
