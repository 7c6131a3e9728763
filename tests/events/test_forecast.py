"""No-show rates and turnout forecasts (events/forecast.py) on crafted history."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from community.models import User
from events import forecast
from events.models import RSVP, Event
from tests.conftest import make_event, make_member, make_organiser
from tests.events.organising import make_series, paris

pytestmark = pytest.mark.django_db

NOW = paris(2027, 6, 1, 12)
DAY = dt.timedelta(days=1)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def edition(series, start, *, early: int, late: int, arrived: int | None, lead=7 * DAY, **extra):
    """A past edition: `early` members going since more than `lead` before its start, `late`
    in its last day, `arrived` of them checked in at the door (None: no check-in)."""
    event = make_event(title=f"Édition {start:%d %m}", start=start, series=series, **extra)
    total = early + late
    members = User.objects.bulk_create(
        User(username=f"e{event.pk}-{i}", email=f"e{event.pk}-{i}@example.org")
        for i in range(total)
    )
    rows = []
    for i, member in enumerate(members):
        at = start - lead - DAY if i < early else start - DAY / 2
        came = arrived is not None and i < arrived
        rows.append(
            RSVP(
                event=event,
                member=member,
                status=RSVP.Status.GOING,
                status_changed_at=at,
                arrived_at=start + dt.timedelta(minutes=10) if came else None,
            )
        )
    RSVP.objects.bulk_create(rows)
    RSVP.objects.filter(event=event).update(created_at=dt.datetime.now(dt.UTC) - 400 * DAY)
    return event


def test_no_show_rate_counts_only_checked_in_editions(series, frozen):
    edition(series, paris(2027, 2, 4, 19), early=4, late=6, arrived=8)  # 2 of 10 missing
    edition(series, paris(2027, 3, 4, 19), early=10, late=10, arrived=15)  # 5 of 20
    edition(series, paris(2027, 4, 1, 19), early=5, late=5, arrived=None)  # not checked in
    walk_in = edition(series, paris(2027, 5, 6, 19), early=3, late=1, arrived=4)  # 0 of 4
    # A walk-in, going only after the start and arrived, is no RSVP kept or missed.
    RSVP.objects.create(
        event=walk_in,
        member=make_member("walk-in"),
        status=RSVP.Status.GOING,
        status_changed_at=walk_in.start + dt.timedelta(minutes=30),
        arrived_at=walk_in.start + dt.timedelta(minutes=30),
    )

    figures = forecast.no_shows(forecast.load_history([series.pk])[series.pk])

    assert (figures.editions, figures.going, figures.no_shows) == (3, 34, 7)
    assert figures.percent == 21
    assert figures.lowest_rate == 0


def test_no_show_rate_shows_on_series_statistics_and_workspace(client, series, frozen):
    edition(series, paris(2027, 2, 4, 19), early=4, late=6, arrived=8)
    edition(series, paris(2027, 3, 4, 19), early=5, late=5, arrived=7)
    client.force_login(make_organiser("orla", series))
    client.cookies["django_language"] = "en"

    public = client.get(series.get_absolute_url()).content.decode()
    workspace = client.get(reverse("events:organise")).content.decode()

    expected = "No-shows: <strong>25 %</strong> of those going at the start, over 2 editions"
    assert expected in public
    assert expected in workspace
    assert "5 of 20 going did not come." in workspace


def test_series_without_check_in_says_so(client, series, frozen):
    edition(series, paris(2027, 2, 4, 19), early=4, late=6, arrived=None)
    client.cookies["django_language"] = "en"

    page = client.get(series.get_absolute_url()).content.decode()

    assert "No-shows: no past edition was checked in at the door yet." in page


def test_forecast_range_contains_the_truth_on_a_simple_history(series, frozen):
    # Each past edition: 10 going a week before, then doubling or so, a fifth not coming.
    edition(series, paris(2027, 2, 4, 19), early=10, late=10, arrived=16)
    edition(series, paris(2027, 3, 4, 19), early=10, late=14, arrived=18)
    edition(series, paris(2027, 4, 1, 19), early=10, late=8, arrived=15)
    history = forecast.load_history([series.pk])[series.pk]

    result = forecast.forecast(going=10, lead=7 * DAY, capacity=None, history=history)

    assert (result.expected, result.low, result.high) == (16, 15, 18)
    assert result.going_expected == 20
    assert result.editions == 3
    assert result.no_show_known
    # The truth, an edition like the middle one, falls in the range.
    assert result.low <= 16 <= result.high


def test_forecast_is_capped_by_capacity(series, frozen):
    edition(series, paris(2027, 2, 4, 19), early=10, late=10, arrived=16)
    edition(series, paris(2027, 3, 4, 19), early=10, late=10, arrived=16)
    history = forecast.load_history([series.pk])[series.pk]

    result = forecast.forecast(going=10, lead=7 * DAY, capacity=15, history=history)

    assert result.going_expected == 15
    assert result.expected == 12  # 15 going, a fifth not coming


def test_forecast_adds_late_rsvps_when_too_few_were_going_at_that_lead(series, frozen):
    edition(series, paris(2027, 2, 4, 19), early=1, late=9, arrived=10)
    edition(series, paris(2027, 3, 4, 19), early=2, late=8, arrived=10)
    history = forecast.load_history([series.pk])[series.pk]

    result = forecast.forecast(going=3, lead=7 * DAY, capacity=None, history=history)

    # 3 + 9 and 3 + 8 rather than 3 × 10 and 3 × 5.
    assert (result.low, result.high) == (11, 12)


def test_no_forecast_from_a_single_edition(series, frozen):
    edition(series, paris(2027, 2, 4, 19), early=10, late=10, arrived=16)
    history = forecast.load_history([series.pk])[series.pk]

    assert forecast.forecast(going=10, lead=7 * DAY, capacity=None, history=history) is None


def overbooking_history(series, editions: int):
    # No-shows of 20 %, 25 %, 30 %, 20 %… of 40 going: the best-attended edition lost 20 %.
    arrived = [32, 30, 28, 32]
    for month in range(editions):
        edition(
            series, paris(2027, 1 + month, 7, 19), early=20, late=20, arrived=arrived[month % 4]
        )
    return forecast.load_history([series.pk])[series.pk]


def test_accept_more_than_capacity_only_with_the_setting_and_enough_history(series, frozen):
    history = overbooking_history(series, 4)

    on = forecast.forecast(going=20, lead=7 * DAY, capacity=40, history=history, overbooking=True)
    off = forecast.forecast(going=20, lead=7 * DAY, capacity=40, history=history)
    short = forecast.forecast(
        going=20, lead=7 * DAY, capacity=40, history=history[:3], overbooking=True
    )

    quiet = forecast.forecast(
        going=10, lead=7 * DAY, capacity=40, history=history, overbooking=True
    )

    assert on.overbook == 10  # 50 going, a fifth not coming: 40 in the room
    assert off.overbook is None
    assert short.overbook is None
    assert quiet.overbook is None  # 20 RSVPs expected for 40 seats: nothing to advise


def test_workspace_lists_forecasts_and_the_advice_when_switched_on(client, series, frozen):
    overbooking_history(series, 4)
    other = make_series("Mercredi Web Analytics")
    organiser = make_organiser("orla", series, other)
    mine = make_event(title="Juin", start=NOW + 7 * DAY, series=series, capacity=40)
    RSVP.objects.bulk_create(
        RSVP(event=mine, member=make_member(f"j{i}"), status=RSVP.Status.GOING) for i in range(20)
    )
    make_event(title="Mesure", start=NOW + 9 * DAY, series=other)
    client.force_login(organiser)
    client.cookies["django_language"] = "en"

    before = client.get(reverse("events:organise"))
    series.overbooking_advice = True
    series.save()
    after = client.get(reverse("events:organise")).content.decode()

    rows = before.context["forecast_rows"]
    assert [e.title for e in rows] == ["Juin", "Mesure"]
    assert (rows[0].forecast.expected, rows[0].forecast.low, rows[0].forecast.high) == (
        31,
        28,
        32,
    )
    assert rows[1].forecast is None
    assert "not enough past editions" in before.content.decode()
    assert "more than capacity" not in before.content.decode()
    assert "you can accept 10 more than capacity" in after


def test_organiser_switches_the_advice_on_and_off(client, series, frozen):
    client.force_login(make_organiser("orla", series))
    url = reverse("events:organise_overbooking", args=[series.slug])

    client.post(url, {"overbooking_advice": "on"})
    series.refresh_from_db()
    assert series.overbooking_advice
    client.post(url, {})
    series.refresh_from_db()
    assert not series.overbooking_advice


def test_outsider_cannot_switch_the_advice(client, series, outsider, frozen):
    client.force_login(outsider)

    response = client.post(
        reverse("events:organise_overbooking", args=[series.slug]), {"overbooking_advice": "on"}
    )

    assert response.status_code == 403
    series.refresh_from_db()
    assert not series.overbooking_advice


def test_declined_members_count_in_the_curve_while_they_were_going(series, frozen):
    event = edition(series, paris(2027, 2, 4, 19), early=2, late=0, arrived=2)
    quitter = RSVP.objects.create(event=event, member=make_member("quitter"), status="declined")
    RSVP.objects.filter(pk=quitter.pk).update(
        created_at=event.start - 10 * DAY, status_changed_at=event.start - 2 * DAY
    )

    (past,) = forecast.load_history([series.pk])[series.pk]

    assert past.going_at(event.start - 7 * DAY) == 3
    assert past.going_at(event.start) == 2
    assert past.going_at_start == 2


def test_cancelled_editions_are_not_history(series, frozen):
    edition(series, paris(2027, 2, 4, 19), early=4, late=6, arrived=8)
    Event.objects.update(status=Event.Status.CANCELLED)

    assert forecast.load_history([series.pk])[series.pk] == []
