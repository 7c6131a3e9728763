"""No-shows and turnout forecasts: what a series' past editions say about its next ones.

No-show rate: of the members going when an edition started, the share nobody checked in at the
door (`RSVP.arrived_at` empty). Only editions where check-in was used (at least one arrival
recorded) count: elsewhere an empty `arrived_at` says nothing.

Turnout forecast for an upcoming edition `lead` before its start with `going` members so far:
each recent past edition of the series is one scenario. Its RSVP curve is rebuilt from the
RSVP dates (a member going since `status_changed_at`; a member who later declined was going
from `created_at` to `status_changed_at`), which gives how many were going at the same lead and
how many at the start; the upcoming edition grows the same way (by the same factor, or by the
same number when the past edition had too few RSVPs at that lead for a factor to mean
anything), up to its capacity, and loses that edition's share of no-shows (the series' rate
when that edition was not checked in). The forecast is the median scenario, the range the
spread of the scenarios. `bench/forecast_backtest.py` measures its error on past editions.

Everything is read in one query per page (`load_history`); the arithmetic is plain Python.
"""

import datetime as dt
import math
import statistics
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import F, Q
from django.utils import timezone

from events.models import RSVP, Event

# Past editions a forecast needs at all, and how many of the latest it reads (older ones
# describe a community that has since changed).
MIN_EDITIONS = 2
RECENT_EDITIONS = 12
# Below this many going at the same lead, a past edition's growth factor is noise (3 → 30 is
# "×10"): the scenario adds that edition's late RSVPs instead of multiplying.
MIN_FOR_FACTOR = 5
# "You can accept N more than capacity" needs this many checked-in editions behind it.
MIN_CHECKED_FOR_OVERBOOKING = 4


@dataclass
class Edition:
    """A past edition as the forecast reads it."""

    event_id: int
    series_id: int
    start: dt.datetime
    end: dt.datetime
    capacity: int | None
    # When each member going at the start took that status, sorted.
    going_since: list[dt.datetime] = field(default_factory=list)
    # Members who were going for a while, then declined: (from, until).
    going_spans: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    arrived: int = 0

    @property
    def going_at_start(self) -> int:
        return len(self.going_since)

    @property
    def checked_in(self) -> bool:
        """Check-in was used at the door: an empty `arrived_at` means a no-show."""
        return self.arrived > 0

    @property
    def no_shows(self) -> int:
        return self.going_at_start - self.arrived

    @property
    def no_show_rate(self) -> Fraction | None:
        if not self.checked_in or not self.going_at_start:
            return None
        return Fraction(self.no_shows, self.going_at_start)

    def going_at(self, moment: dt.datetime) -> int:
        """How many members were going at `moment` (before the start)."""
        going = sum(1 for since in self.going_since if since <= moment)
        return going + sum(1 for since, until in self.going_spans if since <= moment < until)


@dataclass
class NoShows:
    editions: int  # checked-in editions counted
    going: int
    no_shows: int
    lowest_rate: Fraction | None  # the best-attended checked-in edition's rate

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.no_shows, self.going) if self.going else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(100 * self.rate)


@dataclass
class Forecast:
    expected: int  # arrivals
    low: int
    high: int
    going_expected: int  # going at the start, before no-shows
    editions: int  # past editions behind it
    no_show_known: bool
    # "You can accept N more than capacity": with the series' setting, enough checked-in
    # editions behind it, and RSVPs expected to reach the capacity.
    overbook: int | None = None


def load_history(series_ids, *, now: dt.datetime | None = None) -> dict[int, list[Edition]]:
    """The past published editions of these series, oldest first, with their RSVP curves:
    one query, whatever the number of editions and RSVPs."""
    now = now or timezone.now()
    rows = (
        RSVP.objects.filter(
            event__series__in=series_ids,
            event__status=Event.Status.PUBLISHED,
            event__end__lt=now,
        )
        .filter(
            Q(status=RSVP.Status.GOING)
            # Going (or waiting) first, then declined: part of the curve until they declined.
            | Q(status=RSVP.Status.DECLINED, created_at__lt=F("status_changed_at"))
        )
        .order_by("event__start", "event_id", "status_changed_at")
        .values_list(
            "event_id",
            "event__series_id",
            "event__start",
            "event__end",
            "event__capacity",
            "status",
            "created_at",
            "status_changed_at",
            "arrived_at",
        )
    )
    editions: dict[int, Edition] = {}
    for event_id, series_id, start, end, capacity, status, created, changed, arrived in rows:
        edition = editions.get(event_id)
        if edition is None:
            edition = editions[event_id] = Edition(event_id, series_id, start, end, capacity)
        if status == RSVP.Status.DECLINED:
            if created <= start:
                edition.going_spans.append((created, changed))
        elif changed <= start:  # walk-ins, going only after the start, are not RSVPs kept
            edition.going_since.append(changed)
            edition.arrived += arrived is not None
    history: dict[int, list[Edition]] = {pk: [] for pk in series_ids}
    for edition in editions.values():
        history.setdefault(edition.series_id, []).append(edition)
    return history


def no_shows(history: list[Edition]) -> NoShows:
    """The no-show figures of a series, over its checked-in editions."""
    checked = [e for e in history if e.checked_in]
    rates = [e.no_show_rate for e in checked if e.no_show_rate is not None]
    return NoShows(
        editions=len(checked),
        going=sum(e.going_at_start for e in checked),
        no_shows=sum(e.no_shows for e in checked),
        lowest_rate=min(rates, default=None),
    )


def forecast(
    *,
    going: int,
    lead: dt.timedelta,
    capacity: int | None,
    history: list[Edition],
    overbooking: bool = False,
) -> Forecast | None:
    """The arrivals to expect at an edition `lead` before its start with `going` RSVPs so
    far, from the series' past editions (`history`, oldest first); None without enough."""
    recent = [e for e in history if e.going_at_start][-RECENT_EDITIONS:]
    if len(recent) < MIN_EDITIONS:
        return None
    figures = no_shows(recent)
    series_rate = figures.rate
    arrivals, going_final, demand = [], [], []
    for edition in recent:
        early = edition.going_at(edition.start - max(lead, dt.timedelta(0)))
        final = edition.going_at_start
        projected = going * final / early if early >= MIN_FOR_FACTOR else going + final - early
        projected = max(projected, 0)
        demand.append(projected)
        if capacity is not None:
            projected = min(projected, capacity)
        rate = edition.no_show_rate if edition.checked_in else series_rate
        going_final.append(projected)
        arrivals.append(projected * (1 - float(rate or 0)))
    expected = statistics.median(arrivals)
    low, high = _spread(arrivals)
    result = Forecast(
        expected=round(expected),
        low=math.floor(low),
        high=math.ceil(high),
        going_expected=round(statistics.median(going_final)),
        editions=len(recent),
        no_show_known=series_rate is not None,
    )
    # Only where it helps: the RSVPs to expect reach the capacity (a waitlist, or soon one).
    if overbooking and capacity and statistics.median(demand) >= capacity:
        result.overbook = safe_overbooking(capacity=capacity, figures=figures)
    return result


def _spread(values: list[float]) -> tuple[float, float]:
    """The range of the scenarios: all of them when few, else the 10th to 90th percentile."""
    if len(values) < 6:
        return min(values), max(values)
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return deciles[0], deciles[-1]


def safe_overbooking(*, capacity: int, figures: NoShows) -> int | None:
    """How many RSVPs beyond `capacity` still fit in the room even at the series'
    best-attended checked-in edition; None when the history is too short to say."""
    if figures.editions < MIN_CHECKED_FOR_OVERBOOKING or figures.lowest_rate is None:
        return None
    rate = figures.lowest_rate
    extra = math.floor(capacity * rate / (1 - rate)) if rate < 1 else 0
    return extra or None


def upcoming_forecasts(
    events, *, now: dt.datetime | None = None, history: dict[int, list[Edition]] | None = None
) -> dict[int, Forecast | None]:
    """The forecast of each upcoming published event (annotated `with_counts()`, its series
    loaded), by pk; `history` from `load_history()` when the caller has it already."""
    now = now or timezone.now()
    events = [e for e in events if e.is_published and e.series_id]
    if history is None:
        history = load_history({e.series_id for e in events}, now=now)
    return {
        event.pk: forecast(
            going=event.going_count,
            lead=event.start - now,
            capacity=event.capacity,
            history=history.get(event.series_id, []),
            overbooking=event.series.overbooking_advice,
        )
        for event in events
    }
