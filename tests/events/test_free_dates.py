import datetime as dt

import pytest
import time_machine

from events.clashes import free_dates
from events.models import Event, Venue, Weekday
from tests.conftest import make_event
from tests.events.organising import make_series, paris

pytestmark = pytest.mark.django_db


@time_machine.travel(paris(2027, 3, 20, 12), tick=False)
def test_event_crossing_midnight_and_easter_monday_are_skipped_around_spring_dst():
    series = make_series("Lundi Data", preferred_weekday=Weekday.MONDAY)
    other = make_series("Dimanche soir")
    # Sunday 23:00 to Monday 01:00: Monday the 22nd is taken.
    make_event(title="Tard", start=paris(2027, 3, 21, 23), hours=2, series=other)
    # 29 March 2027, the day after the clocks change, is Easter Monday.

    assert free_dates(series=series, count=3) == [
        dt.date(2027, 4, 5),
        dt.date(2027, 4, 12),
        dt.date(2027, 4, 19),
    ]


@time_machine.travel(paris(2027, 10, 25, 12), tick=False)
def test_days_are_local_around_autumn_dst():
    series = make_series("Mercredi Web Analytics", preferred_weekday=Weekday.WEDNESDAY)
    # Tuesday 26 October 23:30–23:55 (summer time): Wednesday the 27th stays free.
    make_event(title="Mardi tard", start=paris(2027, 10, 26, 23, 30), hours=0.4, series=series)
    # Wednesday 3 November 00:30 (winter time) is still Tuesday in UTC, but Wednesday here.
    make_event(title="Mercredi tôt", start=paris(2027, 11, 3, 0, 30), hours=1, series=series)

    assert free_dates(series=series, count=3) == [
        dt.date(2027, 10, 27),
        dt.date(2027, 11, 10),
        dt.date(2027, 11, 17),
    ]


@time_machine.travel(paris(2027, 7, 1, 12), tick=False)
def test_holds_block_cancelled_and_elsewhere_do_not_and_holidays_are_skipped():
    series = make_series("Mercredi Web Analytics", preferred_weekday=Weekday.WEDNESDAY)
    other = make_series("Blog en Nord")
    roubaix = Venue.objects.create(name="La Condition", address="1 rue", city="Roubaix")
    make_event(title="Retenue", start=paris(2027, 7, 7, 19), series=other, status=Event.Status.HOLD)
    make_event(title="À Roubaix", start=paris(2027, 7, 21, 19), series=other, venue=roubaix)
    make_event(
        title="Annulée", start=paris(2027, 7, 28, 19), series=other, status=Event.Status.CANCELLED
    )
    # 14 July 2027 is a Wednesday and Bastille Day.

    assert free_dates(series=series, count=3) == [
        dt.date(2027, 7, 21),
        dt.date(2027, 7, 28),
        dt.date(2027, 8, 4),
    ]


@time_machine.travel(paris(2027, 7, 1, 12), tick=False)
def test_free_dates_take_one_query(django_assert_num_queries):
    series = make_series("Mercredi Web Analytics", preferred_weekday=Weekday.WEDNESDAY)
    for week in range(20):
        make_event(
            title=f"S{week}", start=paris(2027, 7, 7, 19) + dt.timedelta(weeks=week), series=series
        )

    with django_assert_num_queries(1):
        dates = free_dates(series=series, count=2)

    assert dates == [dt.date(2027, 11, 24), dt.date(2027, 12, 1)]
