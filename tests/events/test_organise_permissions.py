"""Only a series' organisers change its events; everyone else gets 403 (404 for a date hold,
whose existence is private), or the login page. Superusers are not organisers here."""

import pytest
from django.urls import reverse

from events.models import Event
from tests.conftest import make_event, make_organiser, make_staff
from tests.events.organising import make_series, paris

pytestmark = pytest.mark.django_db

EVENT_DATA = {
    "title": "Piratée",
    "status": "published",
    "start": "2027-12-02T19:00",
    "end": "2027-12-02T22:00",
    "publish_anyway": "on",
}


@pytest.fixture
def other_organiser(db):
    """Organises another series: an organiser, but not of `series` — the "could leak" case."""
    other = make_series("Mercredi Web Analytics")
    return make_organiser("otto", other)


@pytest.fixture
def hold(series):
    return make_event(
        title="Retenue", start=paris(2027, 12, 2, 19), series=series, status=Event.Status.HOLD
    )


@pytest.fixture(params=["outsider", "other_organiser"])
def intruder(request, client):
    client.force_login(request.getfixturevalue(request.param))
    return client


def test_create_in_another_series_is_forbidden(intruder, series):
    response = intruder.post(reverse("events:organise_create", args=[series.slug]), EVENT_DATA)

    assert response.status_code == 403
    assert not Event.objects.filter(title="Piratée").exists()


def test_edit_of_another_series_event_is_forbidden(intruder, event):
    response = intruder.post(reverse("events:organise_edit", args=[event.slug]), EVENT_DATA)

    event.refresh_from_db()
    assert response.status_code == 403
    assert event.title == "Soirée Blog en Nord"


def test_cancel_of_another_series_event_is_forbidden(intruder, event):
    response = intruder.post(reverse("events:organise_cancel", args=[event.slug]))

    event.refresh_from_db()
    assert response.status_code == 403
    assert event.is_published


def test_release_of_another_series_hold_is_404(intruder, hold):
    response = intruder.post(reverse("events:organise_cancel", args=[hold.slug]))

    assert response.status_code == 404
    assert Event.objects.filter(pk=hold.pk, status=Event.Status.HOLD).exists()


def test_publish_of_another_series_hold_is_404(intruder, hold):
    response = intruder.post(
        reverse("events:organise_publish", args=[hold.slug]), {"publish_anyway": "on"}
    )

    hold.refresh_from_db()
    assert response.status_code == 404
    assert hold.is_hold


def test_edit_of_another_series_hold_is_404(intruder, hold):
    response = intruder.post(reverse("events:organise_edit", args=[hold.slug]), EVENT_DATA)

    hold.refresh_from_db()
    assert response.status_code == 404
    assert (hold.title, hold.status) == ("Retenue", Event.Status.HOLD)


@pytest.mark.parametrize(
    "name",
    [
        "events:organise_edit",
        "events:organise_publish",
        "events:organise_cancel",
        "events:organise_attendees",
        "events:detail",
        "events:event_ics",
    ],
)
def test_every_hold_url_is_404_to_others_as_for_a_missing_slug(intruder, hold, name):
    """Could leak: a hold must answer exactly as a slug that does not exist."""
    held = intruder.get(reverse(name, args=[hold.slug]))
    missing = intruder.get(reverse(name, args=["retenue-2099-01-01"]))

    assert (held.status_code, missing.status_code) == (404, 404)
    assert "Retenue" not in held.content.decode()


@pytest.fixture
def superuser(db):
    return make_staff("root")


def test_superusers_are_not_organisers_on_organiser_pages(client, superuser, hold, event):
    """They run the site through the admin; organiser pages are for the series' organisers."""
    client.force_login(superuser)

    assert client.get(reverse("events:organise")).status_code == 403
    assert client.get(reverse("events:organise_edit", args=[event.slug])).status_code == 403
    assert client.get(reverse("events:organise_edit", args=[hold.slug])).status_code == 404
    assert client.get(hold.get_absolute_url()).status_code == 404
    assert client.get(reverse("admin:events_event_change", args=[hold.pk])).status_code == 200


def test_the_series_organiser_reaches_the_hold(client, organiser, hold):
    client.force_login(organiser)

    assert client.get(reverse("events:organise_edit", args=[hold.slug])).status_code == 200
    assert client.get(hold.get_absolute_url()).status_code == 200


def test_an_event_without_series_is_nobodys_on_organiser_pages(client, organiser):
    loose = make_event(title="Sans série", created_by=organiser, status=Event.Status.HOLD)
    client.force_login(organiser)

    assert client.get(reverse("events:organise_edit", args=[loose.slug])).status_code == 404


def test_attendee_csv_of_another_series_is_forbidden(intruder, event):
    response = intruder.get(reverse("events:organise_attendees", args=[event.slug]))

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


def test_adding_an_organiser_to_another_series_is_forbidden(intruder, series, outsider):
    response = intruder.post(
        reverse("events:organise_series", args=[series.slug]), {"who": outsider.email}
    )

    assert response.status_code == 403
    assert not series.organisers.filter(pk=outsider.pk).exists()


def test_forbidden_page_is_the_site_page(client, outsider, event):
    client.force_login(outsider)
    client.cookies["django_language"] = "en"

    response = client.post(reverse("events:organise_cancel", args=[event.slug]))

    assert response.status_code == 403
    assert "Only the organisers of a series can change its events." in response.content.decode()


@pytest.mark.parametrize("name", ["events:organise", "events:organise_calendar"])
def test_organiser_pages_are_forbidden_to_members_who_organise_nothing(client, outsider, name):
    client.force_login(outsider)

    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["events:organise", "events:organise_calendar"])
def test_organiser_pages_send_anonymous_visitors_to_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_unknown_event_is_404(client, organiser):
    client.force_login(organiser)

    assert client.get(reverse("events:organise_edit", args=["nope"])).status_code == 404


def test_holds_are_invisible_to_members(client, member, hold):
    client.force_login(member)

    assert client.get(hold.get_absolute_url()).status_code == 404
    assert "Retenue" not in client.get(reverse("events:home")).content.decode()


def test_calendar_feed_of_a_non_organiser_is_404(client, outsider):
    response = client.get(reverse("events:organisers_ics", args=[outsider.organiser_feed_token]))

    assert response.status_code == 404
