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
* **External events** (from other calendars of the region, `events/rivals.py`) clash by the
  same rule (same local day, same area). Their severity is how close they are to the series'
  topic: the share of the external event's words (title and description, words of four letters
  or more, common words left out) found in the series' description and the titles of its past
  events. The shared words are listed in the warning, so organisers see why.
* Same venue and overlapping times is not a clash but impossible: the database constraint
  `events_event_no_venue_overlap` forbids it and the event form reports it on the venue field.
"""

import datetime as dt
import re
from dataclasses import dataclass

import holidays
from django.db.models import Count
from django.utils import timezone

from events.models import RSVP, Event, ExternalEvent, Series, severity_level

AUDIENCE_WINDOW = dt.timedelta(days=365)


class _Severity:
    """`level` and its label from `percent` (how close the other evening is), one rule for
    both kinds of clash."""

    @property
    def level(self) -> str:
        return severity_level(self.percent)[0]

    @property
    def level_label(self) -> str:
        return severity_level(self.percent)[1]


@dataclass
class Clash(_Severity):
    other: Event
    overlap: float  # 0..1, the Jaccard index of the two audiences
    same_time: bool

    @property
    def percent(self) -> int:
        return round(self.overlap * 100)


@dataclass
class ExternalClash(_Severity):
    other: ExternalEvent
    closeness: float  # 0..1, the share of its words found in the series' vocabulary
    shared_words: list[str]
    same_time: bool

    @property
    def percent(self) -> int:
        return round(self.closeness * 100)


WORD = re.compile(r"[^\W\d_]{4,}")
# Words of four letters or more that say nothing about a topic, in French and English.
# fmt: off
COMMON_WORDS = {
    "avec", "dans", "pour", "plus", "vous", "nous", "leur", "leurs", "elle", "elles", "sont",
    "être", "fait", "faire", "tout", "tous", "toute", "toutes", "cette", "entre", "comme",
    "mais", "sans", "sous", "chez", "après", "avant", "soir", "soirée", "soirées", "rencontre",
    "rencontres", "événement", "événements", "édition", "venez", "inscription", "gratuit",
    "gratuite", "lille", "with", "from", "this", "that", "your", "have", "will", "about",
    "into", "more", "event", "events", "evening", "meetup", "night", "free", "join", "edition",
    "talk", "talks", "what", "when", "where", "which", "their", "there", "them", "they"
}
# fmt: on
PAST_TITLES = 100


def topic_words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.casefold()) if w not in COMMON_WORDS}


def series_vocabulary(series: Series | None, *, now: dt.datetime | None = None) -> set[str]:
    """Words of the series' description and of the titles of its recent past events."""
    if series is None:
        return set()
    titles = (
        Event.objects.filter(series=series)
        .not_cancelled()
        .past(now)
        .order_by("-start")
        .values_list("title", flat=True)[:PAST_TITLES]
    )
    return topic_words(" ".join([series.description, *titles]))


def topic_closeness(other: ExternalEvent, vocabulary: set[str]) -> tuple[float, list[str]]:
    words = topic_words(f"{other.title} {other.description}")
    shared = sorted(words & vocabulary)
    return (len(shared) / len(words) if words else 0.0), shared


def find_external_clashes(
    *,
    start: dt.datetime,
    end: dt.datetime,
    city: str | None,
    series: Series | None = None,
    now: dt.datetime | None = None,
) -> list[ExternalClash]:
    """Events of other calendars on the same local day(s) in `city`, closest topic first."""
    area = normalise_area(city)
    if not area or end <= start:
        return []
    days = local_days(start, end)
    window_start, window_end = day_window(days[0], days[-1])
    others = list(
        ExternalEvent.objects.filter(start__lt=window_end, end__gt=window_start, area=area)
        .select_related("feed")
        .order_by("start")
    )
    if not others:
        return []
    vocabulary = series_vocabulary(series, now=now)
    clashes = []
    for other in others:
        closeness, shared = topic_closeness(other, vocabulary)
        same_time = other.start < end and other.end > start
        clashes.append(ExternalClash(other, closeness, shared, same_time))
    clashes.sort(key=lambda c: (-c.closeness, c.other.start))
    return clashes


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


def clashing_with_external(events, externals) -> tuple[set[int], set[int]]:
    """Ids of our events (with `area`) and of external events that share an area and a day."""
    ours: dict[tuple[str, dt.date], list[int]] = {}
    for event in events:
        for day in local_days(event.start, event.end):
            if event.area:
                ours.setdefault((event.area, day), []).append(event.pk)
    our_ids, external_ids = set(), set()
    for other in externals:
        for day in local_days(other.start, other.end):
            if other.area and (other.area, day) in ours:
                our_ids.update(ours[(other.area, day)])
                external_ids.add(other.pk)
    return our_ids, external_ids


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
