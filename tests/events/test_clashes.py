import datetime as dt

import pytest
import time_machine

from events.clashes import clashing_event_ids, find_clashes, local_days
from events.models import Event, Venue
from tests.conftest import make_event
from tests.events.organising import attended, make_series, paris

pytestmark = pytest.mark.django_db


def clash_titles(**kwargs) -> list[str]:
    return [clash.other.title for clash in find_clashes(**kwargs)]


def test_same_day_same_area_clashes_even_at_other_hours(series, venue):
    make_event(title="Apéro", start=paris(2027, 2, 10, 12), hours=2, series=series, venue=venue)

    clashes = find_clashes(start=paris(2027, 2, 10, 19), end=paris(2027, 2, 10, 22), city="Lille")

    assert [c.other.title for c in clashes] == ["Apéro"]
    assert clashes[0].same_time is False


def test_overlapping_hours_are_flagged(series, venue):
    make_event(title="Apéro", start=paris(2027, 2, 10, 18), hours=2, series=series, venue=venue)

    [clash] = find_clashes(start=paris(2027, 2, 10, 19), end=paris(2027, 2, 10, 22), city="lille ")

    assert clash.same_time is True


def test_other_area_and_other_day_do_not_clash(series):
    roubaix = Venue.objects.create(name="La Condition", address="1 rue", city="Roubaix")
    make_event(title="À Roubaix", start=paris(2027, 2, 10, 19), series=series, venue=roubaix)
    make_event(title="Le lendemain", start=paris(2027, 2, 11, 19), series=series)

    assert (
        clash_titles(start=paris(2027, 2, 10, 19), end=paris(2027, 2, 10, 22), city="Lille") == []
    )


def test_series_home_city_is_the_area_without_venue(series):
    make_event(title="Sans lieu", start=paris(2027, 2, 10, 19), series=series)

    assert clash_titles(start=paris(2027, 2, 10, 20), end=paris(2027, 2, 10, 21), city="Lille") == [
        "Sans lieu"
    ]


def test_cancelled_events_are_ignored_and_holds_count(series, venue):
    make_event(
        title="Annulé",
        start=paris(2027, 2, 10, 19),
        series=series,
        venue=venue,
        status=Event.Status.CANCELLED,
    )
    make_event(
        title="Date retenue",
        start=paris(2027, 2, 10, 12),
        hours=1,
        series=series,
        status=Event.Status.HOLD,
    )

    clashes = find_clashes(start=paris(2027, 2, 10, 19), end=paris(2027, 2, 10, 22), city="Lille")

    assert [(c.other.title, c.other.is_hold) for c in clashes] == [("Date retenue", True)]


def test_event_crossing_midnight_touches_both_days(series):
    make_event(title="Nuit blanche", start=paris(2027, 2, 12, 22), hours=4, series=series)

    assert clash_titles(start=paris(2027, 2, 12, 12), end=paris(2027, 2, 12, 14), city="Lille") == [
        "Nuit blanche"
    ]
    assert clash_titles(start=paris(2027, 2, 13, 19), end=paris(2027, 2, 13, 21), city="Lille") == [
        "Nuit blanche"
    ]
    assert (
        clash_titles(start=paris(2027, 2, 14, 19), end=paris(2027, 2, 14, 21), city="Lille") == []
    )


def test_event_ending_at_midnight_stays_on_its_day(series):
    make_event(title="Jusqu'à minuit", start=paris(2027, 2, 12, 21), hours=3, series=series)

    assert local_days(paris(2027, 2, 12, 21), paris(2027, 2, 13, 0)) == [dt.date(2027, 2, 12)]
    assert (
        clash_titles(start=paris(2027, 2, 13, 19), end=paris(2027, 2, 13, 21), city="Lille") == []
    )


def test_spring_dst_day_is_one_local_day(series):
    # 28 March 2027 has 23 hours: 00:30 is 23:30 UTC the day before, 23:00 is 21:00 UTC.
    make_event(title="Petit matin", start=paris(2027, 3, 28, 0, 30), hours=1, series=series)

    assert clash_titles(
        start=paris(2027, 3, 28, 23), end=paris(2027, 3, 28, 23, 50), city="Lille"
    ) == ["Petit matin"]
    assert (
        clash_titles(start=paris(2027, 3, 27, 20), end=paris(2027, 3, 27, 23), city="Lille") == []
    )


def test_autumn_dst_days_are_cut_at_local_midnight(series):
    # 31 October 2027 has 25 hours; 23:30 that evening and 00:30 the next day are both
    # on 31 October in UTC, but on two different local days.
    make_event(title="Halloween", start=paris(2027, 10, 31, 23, 30), hours=0.4, series=series)

    assert (
        clash_titles(start=paris(2027, 11, 1, 0, 30), end=paris(2027, 11, 1, 1, 30), city="Lille")
        == []
    )
    assert clash_titles(
        start=paris(2027, 10, 31, 1, 30), end=paris(2027, 10, 31, 2, 30), city="Lille"
    ) == ["Halloween"]


def test_the_event_being_edited_is_not_its_own_clash(event):
    assert (
        find_clashes(
            start=event.start, end=event.end, city="Lille", series=event.series, exclude_event=event
        )
        == []
    )


@time_machine.travel(paris(2027, 2, 1, 12), tick=False)
def test_severity_grows_with_shared_audience(series):
    close = make_series("Mercredi Web Analytics")
    far = make_series("Apéro Python")
    unknown = make_series("Nouveau")
    regulars = ["ana", "bea", "cyr", "dan"]
    attended(series, regulars + ["eve"])
    attended(close, regulars)  # 4 shared among 5 people: 80 %
    attended(far, ["ana", "fay", "gus", "hal"])  # 1 shared among 8: 12.5 %
    for other in (far, unknown, close):
        make_event(title=other.name, start=paris(2027, 2, 10, 19), series=other)

    clashes = find_clashes(
        start=paris(2027, 2, 10, 18), end=paris(2027, 2, 10, 22), city="Lille", series=series
    )

    assert [(c.other.title, c.percent, c.level) for c in clashes] == [
        ("Mercredi Web Analytics", 80, "high"),
        ("Apéro Python", 12, "low"),
        ("Nouveau", 0, "low"),
    ]


@time_machine.travel(paris(2027, 2, 1, 12), tick=False)
def test_audience_older_than_a_year_does_not_count(series):
    other = make_series("Mercredi Web Analytics")
    attended(series, ["ana", "bea"], days_ago=400)
    attended(other, ["ana", "bea"], days_ago=400)
    attended(series, ["cyr"])
    attended(other, ["cyr", "dan", "eve"])
    make_event(title="Autre", start=paris(2027, 2, 10, 19), series=other)

    [clash] = find_clashes(
        start=paris(2027, 2, 10, 19), end=paris(2027, 2, 10, 21), city="Lille", series=series
    )

    assert (clash.percent, clash.level) == (33, "medium")


def test_same_series_shares_its_whole_audience(series):
    make_event(title="Autre date", start=paris(2027, 2, 10, 12), series=series)

    [clash] = find_clashes(
        start=paris(2027, 2, 10, 19), end=paris(2027, 2, 10, 21), city="Lille", series=series
    )

    assert (clash.percent, clash.level) == (100, "high")


def test_severity_takes_two_queries_whatever_the_audience(series, django_assert_num_queries):
    other = make_series("Mercredi Web Analytics")
    attended(series, [f"m{i}" for i in range(10)])
    attended(other, [f"m{i}" for i in range(5, 20)])
    make_event(title="Autre", start=paris(2027, 2, 10, 19), series=other)

    with django_assert_num_queries(3):  # the clashing events, audience sizes, shared audience
        [clash] = find_clashes(
            start=paris(2027, 2, 10, 19), end=paris(2027, 2, 10, 21), city="Lille", series=series
        )
    assert clash.percent == 25  # 5 shared among 20


def test_calendar_grouping_marks_events_sharing_an_area_and_day(series, venue):
    roubaix = Venue.objects.create(name="La Condition", address="1 rue", city="Roubaix")
    a = make_event(title="A", start=paris(2027, 2, 10, 12), hours=2, series=series, venue=venue)
    b = make_event(title="B", start=paris(2027, 2, 9, 22), hours=3, series=series)
    c = make_event(title="C", start=paris(2027, 2, 10, 19), series=series, venue=roubaix)

    from events.clashes import active_events

    assert clashing_event_ids(active_events()) == {a.pk, b.pk}
    assert c.pk not in clashing_event_ids(active_events())


@pytest.mark.parametrize(
    ("severity", "level", "label"),
    [
        (0, "low", "faible"),
        (14, "low", "faible"),
        (15, "medium", "moyenne"),
        (35, "high", "élevée"),
    ],
)
def test_an_acknowledgement_has_the_level_of_its_recorded_severity(series, severity, level, label):
    from django.utils import translation

    from events.models import ClashAcknowledgement

    mine = make_event(title="Ma soirée", series=series)
    theirs = make_event(title="Leur soirée", series=series)
    ack = ClashAcknowledgement(event=mine, other_event=theirs, severity=severity)

    with translation.override("fr"):
        assert (ack.level, str(ack.level_label)) == (level, label)
