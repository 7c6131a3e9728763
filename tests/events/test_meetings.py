""" "We met" after an event, and the series' measure of online ties turned into meetings."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from community.models import Tie
from events.models import RSVP, Meeting
from events.people import series_meeting_stats
from tests.conftest import make_event, make_member


@pytest.fixture
def past_event(db, series):
    return make_event(title="Last month", days=-30, series=series)


def go(event, *members, status=RSVP.Status.GOING):
    for m in members:
        RSVP.objects.create(event=event, member=m, status=status)


def we_met(client, event, other):
    return client.post(reverse("events:we_met", args=[event.slug]), {"member": other.username})


def test_attendees_record_we_met_once_per_pair(client, past_event, member, outsider):
    go(past_event, member, outsider)
    client.force_login(outsider)
    assert we_met(client, past_event, member).status_code == 302
    client.force_login(member)
    we_met(client, past_event, outsider)
    meeting = Meeting.objects.get()
    assert (meeting.member_a_id, meeting.member_b_id) == tuple(sorted([member.pk, outsider.pk]))
    assert meeting.recorded_by == outsider
    assert meeting.event == past_event


def test_we_met_before_the_event_ends_is_refused(client, event, member, outsider):
    go(event, member, outsider)
    client.force_login(member)
    we_met(client, event, outsider)
    assert Meeting.objects.count() == 0


def test_we_met_becomes_possible_once_the_event_is_over(client, event, member, outsider):
    go(event, member, outsider)
    client.force_login(member)
    with time_machine.travel(event.end + dt.timedelta(hours=1)):
        we_met(client, event, outsider)
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize("status", [RSVP.Status.WAITLISTED, RSVP.Status.DECLINED, None])
def test_we_met_needs_both_to_have_attended(client, past_event, member, outsider, status):
    go(past_event, member)
    if status:
        go(past_event, outsider, status=status)
    client.force_login(member)
    we_met(client, past_event, outsider)
    client.force_login(outsider)
    we_met(client, past_event, member)
    assert Meeting.objects.count() == 0


def test_we_met_with_oneself_or_an_unknown_member_is_refused(client, past_event, member):
    go(past_event, member)
    client.force_login(member)
    we_met(client, past_event, member)
    response = client.post(
        reverse("events:we_met", args=[past_event.slug]), {"member": "nobody-here"}
    )
    assert response.status_code == 400
    assert Meeting.objects.count() == 0


def test_anonymous_cannot_record_a_meeting(client, past_event, member, outsider):
    go(past_event, member, outsider)
    assert we_met(client, past_event, member).status_code == 302
    assert Meeting.objects.count() == 0


def test_people_view_offers_we_met_after_the_event(client, past_event, member, outsider):
    go(past_event, member, outsider)
    client.force_login(member)
    ctx = client.get(reverse("events:people", args=[past_event.slug])).context
    assert ctx["can_record_meetings"] is True
    assert ctx["met_here"] == set()
    we_met(client, past_event, outsider)
    ctx = client.get(reverse("events:people", args=[past_event.slug])).context
    assert ctx["met_here"] == {outsider.pk}


def test_series_measure(client, series):
    ana, bob, chloe, dan, eve = (make_member(n) for n in ("ana", "bob", "chloe", "dan", "eve"))
    with time_machine.travel(timezone.now() - dt.timedelta(days=90)):
        Tie.objects.create(from_member=ana, to_member=bob, network="x")
        Tie.objects.create(from_member=bob, to_member=ana, network="mastodon")
    first = make_event(title="First", days=-60, series=series)
    second = make_event(title="Second", days=-30, series=series)
    elsewhere = make_event(title="Elsewhere", days=-20)
    go(first, ana, bob, chloe, dan)
    go(second, ana, bob, eve)
    go(elsewhere, ana, eve)

    def meet(event, a, b):
        x, y = sorted([a.pk, b.pk])
        Meeting.objects.create(event=event, member_a_id=x, member_b_id=y)

    meet(first, ana, bob)  # a tie turned into a meeting
    meet(second, ana, bob)  # the same pair again: counted once
    meet(first, chloe, dan)  # two newcomers who met
    meet(elsewhere, ana, eve)  # not this series
    # A tie declared after the meeting does not make eve someone who came knowing people.
    Tie.objects.create(from_member=eve, to_member=bob, network="x")
    meet(second, eve, bob)
    assert series_meeting_stats(series=series) == {"ties_met": 1, "newcomers_met": 3}
    response = client.get(series.get_absolute_url())
    assert response.context["meeting_stats"] == {"ties_met": 1, "newcomers_met": 3}


def test_series_page_shows_the_measure_in_english(client, series):
    response = client.get(series.get_absolute_url(), headers={"accept-language": "en"})
    body = response.content.decode()
    assert "no meeting has been recorded at these evenings yet" in body
