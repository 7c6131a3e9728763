"""A freed seat, told with friends: the promotion email names the contacts going."""

import pytest
from django.core import mail

from community.models import Network, Tie, User
from events import rsvps
from tests.conftest import make_event, make_member

pytestmark = pytest.mark.django_db


def tie(a: User, b: User) -> None:
    Tie.objects.create(from_member=a, to_member=b, network=Network.LINKEDIN)


@pytest.fixture
def full_evening(series, venue):
    event = make_event(series=series, venue=venue, capacity=5)
    leaving = make_member("leo")
    friend = make_member("fanny", display_name="Fanny Durand")
    follower = make_member("gaston", display_name="Gaston Leroy")
    unlisted = make_member("hidden-hana", display_name="Hana Cachée", listed_in_attendees=False)
    secret = make_member(
        "secret-sam", display_name="Sam Secret", ties_visibility=User.Visibility.NOBODY
    )
    for member in (leaving, friend, follower, unlisted, secret):
        rsvps.rsvp(event=event, member=member, going=True)
    waiting = make_member("wanda", display_name="Wanda")
    rsvps.rsvp(event=event, member=waiting, going=True)
    return event, leaving, waiting, friend, follower, unlisted, secret


def test_promotion_email_lists_the_contacts_going(full_evening, django_capture_on_commit_callbacks):
    event, leaving, waiting, friend, follower, unlisted, secret = full_evening
    tie(waiting, friend)  # her own tie
    tie(follower, waiting)  # his, visible to members
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        rsvps.cancel(event=event, member=leaving)

    [message] = mail.outbox
    assert message.to == [waiting.email]
    assert "2 de vos contacts en ligne y vont :\n- Fanny Durand\n- Gaston Leroy\n" in message.body


def test_promotion_email_leaves_out_contacts_who_hide(
    full_evening, django_capture_on_commit_callbacks
):
    event, leaving, waiting, friend, follower, unlisted, secret = full_evening
    tie(waiting, unlisted)  # going, but not listed among attendees
    tie(secret, waiting)  # going, but Sam shows his ties to nobody
    tie(waiting, friend)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        rsvps.cancel(event=event, member=leaving)

    [message] = mail.outbox
    assert "1 de vos contacts en ligne y va :\n- Fanny Durand\n" in message.body
    assert "Hana" not in message.body
    assert "Sam" not in message.body


def test_promotion_email_without_contacts_says_nothing_of_them(
    full_evening, django_capture_on_commit_callbacks
):
    event, leaving, waiting, *_ = full_evening
    mail.outbox.clear()
    waiting.language = "en"
    waiting.save()

    with django_capture_on_commit_callbacks(execute=True):
        rsvps.cancel(event=event, member=leaving)

    [message] = mail.outbox
    assert "online contacts" not in message.body
    assert "contacts en ligne" not in message.body
    assert "A seat has freed up" in message.body
