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
        reverse("events:we_met", args=[past_event.slug]), {"member": "nobody-here"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Vous ne pouvez pas enregistrer une rencontre avec vous-même.",
        "Choisissez une personne affichée parmi les participants de cet événement.",
    ]
    assert Meeting.objects.count() == 0


def answer(client, event, other) -> list[str]:
    response = client.post(
        reverse("events:we_met", args=[event.slug]), {"member": other.username}, follow=True
    )
    return [str(m) for m in response.context["messages"]]


def test_we_met_gives_the_same_answer_for_an_unlisted_attendee_and_a_non_attendee(
    client, past_event, member
):
    hermit = make_member("hermit", listed_in_attendees=False, ties_visibility="nobody")
    stranger = make_member("stranger")
    go(past_event, member, hermit)
    client.force_login(member)
    assert answer(client, past_event, hermit) == answer(client, past_event, stranger)
    assert answer(client, past_event, hermit) == [
        "Choisissez une personne affichée parmi les participants de cet événement."
    ]
    assert Meeting.objects.count() == 0
    # Nor is the unlisted attendee offered on the page.
    body = client.get(reverse("events:people", args=[past_event.slug])).content.decode()
    assert 'value="hermit"' not in body


def test_a_meeting_is_confirmed_when_the_other_side_says_so_too(client, past_event, member):
    other = make_member("thomas", display_name="Thomas")
    go(past_event, member, other)
    people_url = reverse("events:people", args=[past_event.slug])
    client.force_login(member)
    assert answer(client, past_event, other) == [
        "C’est noté\u00a0: vous avez rencontré Thomas. "
        "La rencontre sera confirmée quand cette personne le dira aussi."
    ]
    meeting = Meeting.objects.get()
    assert meeting.confirmed_at is None
    assert client.get(people_url).context["met_here"] == {other.pk: "mine"}
    assert "en attente de sa confirmation" in client.get(people_url).content.decode()
    assert answer(client, past_event, other) == []  # saying it twice changes nothing
    client.force_login(other)
    assert client.get(people_url).context["met_here"] == {member.pk: "theirs"}
    assert "Camille dit que vous vous êtes rencontrés" in client.get(people_url).content.decode()
    assert answer(client, past_event, member) == [
        "C’est confirmé\u00a0: vous avez rencontré Camille."
    ]
    meeting.refresh_from_db()
    assert meeting.confirmed_at is not None
    assert meeting.recorded_by == member
    assert client.get(people_url).context["met_here"] == {member.pk: "confirmed"}
    client.force_login(member)
    assert client.get(people_url).context["met_here"] == {other.pk: "confirmed"}


def test_anonymous_cannot_record_a_meeting(client, past_event, member, outsider):
    go(past_event, member, outsider)
    assert we_met(client, past_event, member).status_code == 302
    assert Meeting.objects.count() == 0


def test_people_view_offers_we_met_after_the_event(client, past_event, member, outsider):
    go(past_event, member, outsider)
    client.force_login(member)
    ctx = client.get(reverse("events:people", args=[past_event.slug])).context
    assert ctx["can_record_meetings"] is True
    assert ctx["met_here"] == {}
    we_met(client, past_event, outsider)
    ctx = client.get(reverse("events:people", args=[past_event.slug])).context
    assert ctx["met_here"] == {outsider.pk: "mine"}


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
