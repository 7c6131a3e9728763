"""Every rule the database enforces, provoked."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from community.models import Identity, Network, Tie, User
from events.models import RSVP, Event, Meeting
from tests.conftest import make_event, make_member


def violates(constraint: str):
    return pytest.raises(IntegrityError, match=constraint)


def test_event_must_end_after_it_starts(series):
    event = make_event(series=series)
    event.end = event.start
    with violates("events_event_end_after_start"), transaction.atomic():
        event.save()


def test_inverted_dates_are_a_form_error_on_the_end_field(series):
    event = make_event(series=series)
    event.end = event.start - dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert list(error.value.message_dict) == ["end"]


@pytest.mark.parametrize("capacity", [0])
def test_capacity_must_be_positive_when_set(series, capacity):
    with violates("events_event_capacity_positive"), transaction.atomic():
        make_event(series=series, capacity=capacity)
    assert make_event(series=series, capacity=None).capacity is None


def test_one_rsvp_per_member_and_event(event, member):
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    with violates("events_rsvp_one_per_member"), transaction.atomic():
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.DECLINED)
    assert RSVP.objects.filter(event=event, member=member).count() == 1


def test_two_events_cannot_overlap_in_the_same_venue(event, venue):
    with violates("events_event_no_venue_overlap"), transaction.atomic():
        make_event(title="Autre soirée", start=event.start + dt.timedelta(hours=1), venue=venue)


def test_back_to_back_events_and_other_venues_are_fine(event, venue):
    make_event(title="Après", start=event.end, venue=venue)  # ranges are [start, end)
    make_event(title="Ailleurs", start=event.start, venue=None)
    assert Event.objects.count() == 3


def test_a_cancelled_event_frees_its_slot(event, venue):
    event.status = Event.Status.CANCELLED
    event.save()
    make_event(title="Remplaçante", start=event.start, venue=venue)
    at_the_venue = Event.objects.filter(venue=venue, start=event.start).order_by("title")
    assert list(at_the_venue.values_list("title", "status")) == [
        ("Remplaçante", Event.Status.PUBLISHED),
        ("Soirée Blog en Nord", Event.Status.CANCELLED),
    ]


def test_one_claim_per_member_and_one_verified_claim_per_handle(member, outsider):
    Identity.objects.create(member=member, network=Network.X, handle="camille")
    with violates("community_identity_one_claim_per_member"), transaction.atomic():
        Identity.objects.create(member=member, network=Network.X, handle="camille")
    # Anyone may claim a handle; only one claim of it may be verified.
    Identity.objects.create(member=outsider, network=Network.X, handle="camille")
    now = timezone.now()
    Identity.objects.filter(member=member).update(verified_at=now)
    with violates("community_identity_one_verified_per_handle"), transaction.atomic():
        Identity.objects.filter(member=outsider).update(verified_at=now)
    Identity.objects.create(member=outsider, network=Network.MASTODON, handle="camille")


def test_one_tie_per_ordered_pair_and_network(member, outsider):
    Tie.objects.create(from_member=member, to_member=outsider, network=Network.X)
    with violates("community_tie_one_per_pair_and_network"), transaction.atomic():
        Tie.objects.create(from_member=member, to_member=outsider, network=Network.X)
    # The other direction and another network are distinct ties.
    Tie.objects.create(from_member=outsider, to_member=member, network=Network.X)
    Tie.objects.create(from_member=member, to_member=outsider, network=Network.LINKEDIN)
    assert Tie.objects.count() == 3


def test_no_self_tie(member):
    with violates("community_tie_no_self_tie"), transaction.atomic():
        Tie.objects.create(from_member=member, to_member=member, network=Network.X)


def test_meeting_is_stored_once_per_pair_and_event(event, member, outsider):
    a, b = sorted([member, outsider], key=lambda u: u.pk)
    Meeting.objects.create(event=event, member_a=a, member_b=b)
    with violates("events_meeting_once_per_pair"), transaction.atomic():
        Meeting.objects.create(event=event, member_a=a, member_b=b)
    with violates("events_meeting_ordered_pair"), transaction.atomic():
        Meeting.objects.create(event=event, member_a=b, member_b=a)


def test_emails_are_unique_whatever_their_case(member):
    with violates("community_user_unique_email"), transaction.atomic():
        User.objects.create_user(email=member.email.upper(), password="x", username="other")


def test_btree_gist_extension_is_installed(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'btree_gist'")
        assert cursor.fetchone() == ("btree_gist",)


def test_new_members_get_a_display_name_and_a_calendar_token(db):
    user = make_member("zoe")
    other = make_member("yann")
    assert user.display_name == "Zoe"
    assert len(user.calendar_token) >= 32
    assert user.calendar_token != other.calendar_token
