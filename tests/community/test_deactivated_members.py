"""A deactivated member (`is_active=False`) is named or linked nowhere: not on profiles, event
pages, the people view, series pages, feeds, "my events" or the organisers' pages and CSV."""

import pytest
from django.urls import reverse

from community.models import Tie
from events.models import RSVP, Meeting
from tests.conftest import make_event, make_organiser

pytestmark = pytest.mark.django_db

NAME = "Zoé Partie"
USERNAME = "zoe-partie"


@pytest.fixture
def gone(series, venue):
    """A member who went to an event, met and knew people, organised a series, then left."""
    zoe = make_organiser(USERNAME, series, display_name=NAME)
    return zoe


@pytest.fixture
def scene(gone, series, venue, organiser, member):
    past = make_event(series=series, venue=venue, days=-30, slug="past-evening")
    coming = make_event(series=series, venue=venue, days=7, slug="next-evening")
    for event in (past, coming):
        RSVP.objects.create(event=event, member=gone, status=RSVP.Status.GOING)
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    for a, b in ((gone, member), (member, gone), (gone, organiser), (organiser, gone)):
        Tie.objects.create(from_member=a, to_member=b, network="mastodon")
    low, high = sorted([gone, member], key=lambda m: m.pk)
    Meeting.objects.create(event=past, member_a=low, member_b=high, recorded_by=member)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    return past, coming


def pages(past, coming, member, series):
    return [
        "/",
        "/events/past/",
        past.get_absolute_url(),
        coming.get_absolute_url(),
        reverse("events:people", args=[past.slug]),
        reverse("events:people", args=[coming.slug]),
        series.get_absolute_url(),
        member.get_absolute_url(),
        reverse("events:feed"),
        reverse("events:site_ics"),
        reverse("events:series_ics", args=[series.slug]),
        reverse("events:event_ics", args=[coming.slug]),
    ]


def assert_never_named(response):
    body = response.content.decode()
    assert response.status_code == 200, response.request["PATH_INFO"]
    assert NAME not in body, response.request["PATH_INFO"]
    assert USERNAME not in body, response.request["PATH_INFO"]


def test_the_profile_of_a_deactivated_member_is_not_found(client, scene, gone, member):
    client.force_login(member)
    assert client.get(gone.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("viewer", ["anonymous", "member", "organiser"])
def test_no_page_names_a_deactivated_member(client, scene, series, member, organiser, viewer):
    past, coming = scene
    if viewer != "anonymous":
        client.force_login(member if viewer == "member" else organiser)
    for url in pages(past, coming, member, series):
        assert_never_named(client.get(url))


def test_organisers_pages_and_csv_do_not_name_a_deactivated_member(
    client, scene, series, organiser
):
    past, coming = scene
    client.force_login(organiser)
    for url in [
        reverse("events:organise"),
        reverse("events:organise_series", args=[series.slug]),
        reverse("events:organise_edit", args=[coming.slug]),
        reverse("events:organise_attendees", args=[coming.slug]),
        reverse("events:my_events"),
    ]:
        assert_never_named(client.get(url))


def test_the_csv_keeps_the_seat_of_a_deactivated_member_without_a_name(
    client, scene, organiser, member
):
    _past, coming = scene
    client.force_login(organiser)

    response = client.get(reverse("events:organise_attendees", args=[coming.slug]))

    names = [line.split(",")[0] for line in response.content.decode().splitlines()[1:]]
    assert sorted(names) == sorted([str(member), "Compte désactivé"])
