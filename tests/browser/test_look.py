"""The site's chrome in a browser: the header keeps to one row at 1280 px and two short rows on
a phone, its menu opens without JavaScript, touch targets are at least 24 px, the footer stays
at the bottom of short pages, and nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from events.models import RSVP
from tests.browser.helpers import log_in_as, no_horizontal_scroll
from tests.conftest import make_member, make_organiser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def long_named_organiser(series):
    return make_organiser("long", series, display_name="Marie-Christine Vandenbroucke-Delcourt")


def test_header_is_one_row_at_1280_px_and_the_menu_opens(page, live_server, long_named_organiser):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in_as(page, live_server, long_named_organiser)
    page.goto("/")

    assert page.locator(".site-header").bounding_box()["height"] <= 64
    menu = page.get_by_role("link", name="Organise")
    expect(menu).to_be_hidden()
    page.locator(".account-menu > summary").click()
    expect(menu).to_be_visible()
    for name in ["My profile", "My events", "Organise"]:
        assert page.get_by_role("link", name=name).bounding_box()["height"] >= 24
    assert page.get_by_role("button", name="Log out").bounding_box()["height"] >= 24


def test_header_is_two_short_rows_on_a_phone(phone_page, live_server, event):
    for path in ["/", event.series.get_absolute_url(), "/accounts/login/"]:
        phone_page.goto(path)
        assert phone_page.locator(".site-header").bounding_box()["height"] <= 100, path
        assert no_horizontal_scroll(phone_page), path
        for link in phone_page.locator(".site-header a").all():
            assert link.bounding_box()["height"] >= 24, (path, link.inner_text())


def test_member_cards_do_not_scroll_sideways_on_a_phone(phone_page, live_server, event, member):
    friend = make_member("friend")
    RSVP.objects.create(event=event, member=friend, status=RSVP.Status.GOING)
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    log_in_as(phone_page, live_server, member)

    phone_page.goto("/")

    expect(phone_page.locator(".event-card .badge-going")).to_have_text("You're going")
    assert no_horizontal_scroll(phone_page)


def test_footer_stays_at_the_bottom_of_a_short_page(page, db):
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto("/events/nothing-here/")

    footer = page.locator(".site-footer").bounding_box()
    assert footer["y"] + footer["height"] == pytest.approx(1000, abs=1)
