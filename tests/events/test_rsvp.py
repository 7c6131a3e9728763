"""RSVP rules: capacity, waitlist, promotion and the RSVP view's answers to bad requests."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from events import rsvps
from events.models import RSVP, Event
from tests.conftest import make_event, make_member


def _status(event, member):
    return RSVP.objects.get(event=event, member=member).status


def test_member_gets_a_seat_while_seats_are_left(event, member):
    entry = rsvps.rsvp(event=event, member=member, going=True)

    assert entry.status == RSVP.Status.GOING
    assert _status(event, member) == RSVP.Status.GOING


def test_full_event_puts_member_on_waitlist(db, series):
    event = make_event(series=series, capacity=2)
    first, second, third, fourth = (make_member(f"p{i}") for i in range(4))
    for person in (first, second, third, fourth):
        rsvps.rsvp(event=event, member=person, going=True)

    assert _status(event, first) == _status(event, second) == RSVP.Status.GOING
    third_rsvp = RSVP.objects.get(event=event, member=third)
    fourth_rsvp = RSVP.objects.get(event=event, member=fourth)
    assert third_rsvp.status == fourth_rsvp.status == RSVP.Status.WAITLISTED
    assert rsvps.waitlist_position(third_rsvp) == 1
    assert rsvps.waitlist_position(fourth_rsvp) == 2


def test_same_rsvp_twice_changes_nothing(event, member):
    first = rsvps.rsvp(event=event, member=member, going=True)
    again = rsvps.rsvp(event=event, member=member, going=True)

    assert again.pk == first.pk
    assert again.status_changed_at == first.status_changed_at
    assert RSVP.objects.filter(event=event, member=member).count() == 1


def test_cancelling_a_seat_promotes_the_first_waitlisted_and_emails_them(
    db, series, django_capture_on_commit_callbacks
):
    event = make_event(series=series, capacity=1)
    going, first_waiting, second_waiting = (make_member(n) for n in ("ana", "bob", "cyd"))
    rsvps.rsvp(event=event, member=going, going=True)
    rsvps.rsvp(event=event, member=first_waiting, going=True)
    rsvps.rsvp(event=event, member=second_waiting, going=True)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        rsvps.cancel(event=event, member=going)

    assert not RSVP.objects.filter(event=event, member=going).exists()
    assert _status(event, first_waiting) == RSVP.Status.GOING
    assert _status(event, second_waiting) == RSVP.Status.WAITLISTED
    assert rsvps.waitlist_position(RSVP.objects.get(member=second_waiting)) == 1
    assert [m.to for m in mail.outbox] == [[first_waiting.email]]
    assert event.title in mail.outbox[0].subject
    assert event.get_absolute_url() in mail.outbox[0].body


def test_declining_a_seat_also_promotes(db, series, django_capture_on_commit_callbacks):
    event = make_event(series=series, capacity=1)
    going, waiting = make_member("ana"), make_member("bob")
    rsvps.rsvp(event=event, member=going, going=True)
    rsvps.rsvp(event=event, member=waiting, going=True)

    with django_capture_on_commit_callbacks(execute=True):
        rsvps.rsvp(event=event, member=going, going=False)

    assert _status(event, going) == RSVP.Status.DECLINED
    assert _status(event, waiting) == RSVP.Status.GOING
    assert len(mail.outbox) == 1


def test_leaving_the_waitlist_promotes_nobody(db, series):
    event = make_event(series=series, capacity=1)
    going, waiting = make_member("ana"), make_member("bob")
    rsvps.rsvp(event=event, member=going, going=True)
    rsvps.rsvp(event=event, member=waiting, going=True)

    rsvps.cancel(event=event, member=waiting)

    assert list(RSVP.objects.filter(event=event).values_list("member", "status")) == [
        (going.pk, RSVP.Status.GOING)
    ]


def test_event_without_capacity_never_waitlists(db, series):
    event = make_event(series=series, capacity=None)
    people = [make_member(f"p{i}") for i in range(5)]
    for person in people:
        rsvps.rsvp(event=event, member=person, going=True)

    assert RSVP.objects.filter(event=event, status=RSVP.Status.GOING).count() == 5


@pytest.mark.parametrize(
    "extra",
    [{"status": Event.Status.CANCELLED}, {"status": Event.Status.HOLD}, {"days": -3}],
    ids=["cancelled", "hold", "past"],
)
def test_no_rsvp_to_cancelled_hold_or_past_events(db, series, member, extra):
    event = make_event(series=series, capacity=5, **extra)

    with pytest.raises(rsvps.RSVPClosed):
        rsvps.rsvp(event=event, member=member, going=True)

    assert not RSVP.objects.filter(event=event).exists()


# The view


def test_rsvp_view_records_going_and_redirects_to_the_event(member_client, event, member):
    response = member_client.post(reverse("events:rsvp", args=[event.slug]), {"answer": "going"})

    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    assert _status(event, member) == RSVP.Status.GOING


def test_rsvp_view_shows_waitlist_position_on_the_event_page(db, client, series):
    event = make_event(series=series, capacity=1)
    rsvps.rsvp(event=event, member=make_member("ana"), going=True)
    waiting = make_member("bob")
    client.force_login(waiting)

    response = client.post(
        reverse("events:rsvp", args=[event.slug]), {"answer": "going"}, follow=True
    )

    assert _status(event, waiting) == RSVP.Status.WAITLISTED
    assert 'data-waitlist-position="1"' in response.content.decode()


def test_rsvp_view_cancel_removes_the_rsvp(member_client, event, member):
    rsvps.rsvp(event=event, member=member, going=True)

    member_client.post(reverse("events:rsvp", args=[event.slug]), {"answer": "cancel"})

    assert not RSVP.objects.filter(event=event, member=member).exists()


def test_anonymous_rsvp_is_sent_to_log_in_and_back_to_the_event(client, event):
    response = client.post(reverse("events:rsvp", args=[event.slug]), {"answer": "going"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={event.get_absolute_url()}"
    assert not RSVP.objects.exists()


def test_tampered_rsvp_value_answers_400_with_a_message(member_client, event):
    member_client.cookies["django_language"] = "en"
    response = member_client.post(reverse("events:rsvp", args=[event.slug]), {"answer": "vip-seat"})

    assert response.status_code == 400
    assert "This answer is not one the event page offers" in response.content.decode()
    assert not RSVP.objects.exists()


def test_rsvp_view_refuses_get(member_client, event):
    response = member_client.get(reverse("events:rsvp", args=[event.slug]))
    assert response.status_code == 405


def test_rsvp_to_past_event_shows_a_clear_message(member_client, series, member):
    event = make_event(series=series, capacity=5, days=-2)
    member_client.cookies["django_language"] = "en"

    response = member_client.post(
        reverse("events:rsvp", args=[event.slug]), {"answer": "going"}, follow=True
    )

    assert "This event is over: it takes no RSVP." in response.content.decode()
    assert not RSVP.objects.exists()


def test_rsvp_to_cancelled_event_shows_a_clear_message(member_client, series):
    event = make_event(series=series, capacity=5, status=Event.Status.CANCELLED)
    member_client.cookies["django_language"] = "en"

    response = member_client.post(
        reverse("events:rsvp", args=[event.slug]), {"answer": "going"}, follow=True
    )

    assert "This event is cancelled: it takes no RSVP." in response.content.decode()
    assert not RSVP.objects.exists()


def test_rsvp_to_hold_event_is_404_for_a_member(member_client, series):
    event = make_event(series=series, capacity=5, status=Event.Status.HOLD)

    response = member_client.post(reverse("events:rsvp", args=[event.slug]), {"answer": "going"})

    assert response.status_code == 404
    assert not RSVP.objects.exists()


def test_rsvp_to_unknown_event_is_404(member_client):
    response = member_client.post(reverse("events:rsvp", args=["nope"]), {"answer": "going"})
    assert response.status_code == 404


def test_waitlist_order_follows_status_change_then_id(db, series):
    event = make_event(series=series, capacity=1)
    holder = make_member("holder")
    RSVP.objects.create(event=event, member=holder, status=RSVP.Status.GOING)
    same_time = event.start - dt.timedelta(days=3)
    late = RSVP.objects.create(
        event=event,
        member=make_member("late"),
        status=RSVP.Status.WAITLISTED,
        status_changed_at=same_time + dt.timedelta(minutes=1),
    )
    tie_a = RSVP.objects.create(
        event=event, member=make_member("tie-a"), status=RSVP.Status.WAITLISTED,
        status_changed_at=same_time,
    )  # fmt: skip
    tie_b = RSVP.objects.create(
        event=event, member=make_member("tie-b"), status=RSVP.Status.WAITLISTED,
        status_changed_at=same_time,
    )  # fmt: skip

    positions = {
        r.pk: r.waitlist_position
        for r in rsvps.with_waitlist_position(RSVP.objects.filter(status="waitlisted"))
    }

    assert positions == {tie_a.pk: 1, tie_b.pk: 2, late.pk: 3}
    assert [rsvps.waitlist_position(r) for r in (tie_a, tie_b, late)] == [1, 2, 3]


def test_raising_the_capacity_promotes_the_waitlist_in_order(
    db, series, django_capture_on_commit_callbacks
):
    event = make_event(series=series, capacity=1)
    people = [make_member(f"p{i}") for i in range(4)]
    for person in people:
        rsvps.rsvp(event=event, member=person, going=True)

    event.capacity = 3
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = rsvps.promote_waitlisted(event=event)

    assert [r.member for r in promoted] == people[1:3]
    assert [_status(event, p) for p in people] == ["going", "going", "going", "waitlisted"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people[1:3])


def test_organiser_of_a_hold_event_sees_it_but_cannot_rsvp(client, series, organiser):
    event = make_event(series=series, capacity=5, status=Event.Status.HOLD)
    client.force_login(organiser)
    client.cookies["django_language"] = "en"

    response = client.post(
        reverse("events:rsvp", args=[event.slug]), {"answer": "going"}, follow=True
    )

    assert response.status_code == 200
    assert "only held by the organisers: it takes no RSVP yet" in response.content.decode()
    assert not RSVP.objects.exists()


def test_newcomer_does_not_jump_the_queue_when_capacity_was_raised_quietly(db, series):
    event = make_event(series=series, capacity=1)
    first, waiting, newcomer = make_member("ana"), make_member("bob"), make_member("cyd")
    rsvps.rsvp(event=event, member=first, going=True)
    rsvps.rsvp(event=event, member=waiting, going=True)
    Event.objects.filter(pk=event.pk).update(capacity=2)  # no promote_waitlisted call

    rsvps.rsvp(event=event, member=newcomer, going=True)

    assert _status(event, waiting) == RSVP.Status.GOING
    assert _status(event, newcomer) == RSVP.Status.WAITLISTED
