"""Organiser pages and the admin need a second factor: without one, staff and organisers are
sent to set up an authenticator app, with a message; with one, they get in."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.messages import get_messages
from django.urls import reverse

from community.mfa import has_second_factor
from tests.conftest import make_event, make_member, make_organiser, make_staff, reauthenticate

pytestmark = pytest.mark.django_db


@pytest.fixture
def hold(series):
    return make_event(series=series, title="Date à retenir", days=20, status="hold")


def organiser_pages(series, event, hold):
    """(method, URL) of every organiser page."""
    return [
        ("get", reverse("events:organise")),
        ("get", reverse("events:organise_calendar")),
        ("get", reverse("events:organise_series", args=[series.slug])),
        ("get", reverse("events:organise_create", args=[series.slug])),
        ("get", reverse("events:organise_edit", args=[event.slug])),
        ("get", reverse("events:organise_edit", args=[hold.slug])),
        ("get", reverse("events:organise_publish", args=[hold.slug])),
        ("get", reverse("events:organise_cancel", args=[event.slug])),
        ("get", reverse("events:organise_attendees", args=[event.slug])),
        ("post", reverse("events:regenerate_organisers_ics")),
        ("post", reverse("events:organise_overbooking", args=[series.slug])),
        ("get", hold.get_absolute_url()),  # a hold's own page is for its organisers
    ]


ADMIN_PAGES = ["/admin/", "/admin/events/event/", "/admin/community/user/"]


def test_an_organiser_without_a_second_factor_is_sent_to_set_one_up(client, series, event, hold):
    organiser = make_organiser("otto", series, second_factor=False)
    token = organiser.organiser_feed_token
    client.force_login(organiser)
    client.cookies["django_language"] = "en"

    for method, url in organiser_pages(series, event, hold):
        response = getattr(client, method)(url)
        assert (response.status_code, response["Location"]) == (
            302,
            reverse("mfa_activate_totp"),
        ), url
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages[-1].startswith("Organiser pages and the admin are protected by a second")
    organiser.refresh_from_db()
    assert organiser.organiser_feed_token == token  # the POST did nothing


def test_with_an_authenticator_app_the_organiser_gets_in(client, series, event, hold):
    organiser = make_organiser("otto", series)
    client.force_login(organiser)

    for method, url in organiser_pages(series, event, hold):
        response = getattr(client, method)(url)
        assert response.status_code in (200, 302), url
        assert response.get("Location") != reverse("mfa_activate_totp"), url
    assert client.get(reverse("events:organise")).context["series_list"][0][0] == series


def test_members_who_organise_nothing_still_get_their_403_and_404(client, member, event, hold):
    client.force_login(member)

    assert client.get(reverse("events:organise")).status_code == 403
    assert client.get(reverse("events:organise_edit", args=[event.slug])).status_code == 403
    assert client.get(reverse("events:organise_edit", args=[hold.slug])).status_code == 404
    assert client.get(hold.get_absolute_url()).status_code == 404


def test_staff_without_a_second_factor_are_sent_to_set_one_up_from_the_admin(client):
    staff = make_member("sacha", is_staff=True, is_superuser=True)
    client.force_login(staff)

    for url in ADMIN_PAGES:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (
            302,
            reverse("mfa_activate_totp"),
        ), url


def test_staff_with_an_authenticator_app_use_the_admin(client):
    client.force_login(make_staff("sacha"))

    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 200, url


def test_setting_up_the_authenticator_app_opens_the_organiser_pages(client, series):
    organiser = make_organiser("otto", series, second_factor=False)
    EmailAddress.objects.create(user=organiser, email=organiser.email, verified=True, primary=True)
    reauthenticate(client, organiser)
    setup = client.get(reverse("mfa_activate_totp"))
    secret = setup.context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))

    client.post(reverse("mfa_activate_totp"), {"code": code})

    assert has_second_factor(organiser)
    assert client.get(reverse("events:organise")).status_code == 200
