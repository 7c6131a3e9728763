"""The check-in page on a phone at the door: search as you type, one tap, live counts, axe."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from community.models import User
from events.models import RSVP
from tests.browser.helpers import log_in_as, no_horizontal_scroll
from tests.browser.test_accessibility import serious_violations
from tests.conftest import make_member, make_organiser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def door(event, series):
    names = ["Marie Dupont", "Bruno Lemaire", "Zoé Lefèvre", "Karim Benali", "Léa Martin"]
    for n, name in enumerate(names):
        member = make_member(f"m{n}", display_name=name)
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    hidden = make_member(
        "discrete",
        display_name="Dana Discrète",
        listed_in_attendees=False,
        ties_visibility=User.Visibility.NOBODY,
    )
    RSVP.objects.create(event=event, member=hidden, status=RSVP.Status.WAITLISTED)
    make_member("marion", display_name="Marion Walkin")
    return make_organiser("orla", series)


@pytest.fixture
def shoot(tmp_path):
    """Screenshots for a person to look at (not compared): in `CHECKIN_SHOTS` when set."""
    folder = Path(os.environ.get("CHECKIN_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(folder / name), full_page=True)

    return take


def test_at_the_door_on_a_phone_search_tap_and_see_the_count(
    phone_page, live_server, event, door, shoot
):
    page = phone_page
    log_in_as(page, live_server, door)
    page.goto(f"/organise/events/{event.slug}/check-in/")
    expect(page.locator(".checkin-counts")).to_contain_text("0 / 5")
    assert serious_violations(page) == []
    assert no_horizontal_scroll(page)
    shoot(page, "check-in-375.png")

    page.get_by_label("Find a member").press_sequentially("mari", delay=30)

    rows = page.locator("#checkin-live .checkin-list").first.locator(".checkin-name")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Marie Dupont")
    expect(page.get_by_role("button", name="Check in Marion Walkin as a walk-in")).to_be_visible()
    assert "q=mari" in page.url

    page.get_by_role("button", name="Check in Marie Dupont").click()

    expect(page.locator(".checkin-counts")).to_contain_text("1 / 5")
    expect(page.locator("#checkin-status")).to_have_text("Marie Dupont is checked in.")
    expect(page.get_by_role("button", name="Undo the check-in of Marie Dupont")).to_be_focused()
    assert RSVP.objects.get(member__display_name="Marie Dupont").arrived_at is not None
    shoot(page, "check-in-375-search.png")

    page.get_by_role("button", name="Check in Marion Walkin as a walk-in").click()
    expect(page.locator(".checkin-counts")).to_contain_text("2 / 6")
    assert serious_violations(page) == []


def test_the_check_in_page_works_without_javascript(browser, live_server, event, door, shoot):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        java_script_enabled=False,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in_as(page, live_server, door)
    page.goto(f"/organise/events/{event.slug}/check-in/")

    page.get_by_label("Find a member").fill("bruno")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Check in Bruno Lemaire").click()

    expect(page.locator(".checkin-counts")).to_contain_text("1 / 5")
    expect(page.get_by_label("Find a member")).to_have_value("bruno")
    page.get_by_label("Guest's name").fill("Jeanne Invitée")
    page.get_by_role("button", name="Check in the guest").click()
    expect(page.locator(".checkin-counts")).to_contain_text("2 / 6")
    expect(page.locator(".messages")).to_contain_text("Guest Jeanne Invitée is checked in.")
    shoot(page, "check-in-1280-nojs.png")
    context.close()


def test_the_check_in_page_on_a_wide_screen_passes_axe(page, live_server, event, door, shoot):
    page.set_viewport_size({"width": 1280, "height": 900})
    RSVP.objects.filter(member__display_name="Bruno Lemaire").update(arrived_at=event.start)
    log_in_as(page, live_server, door)
    page.goto(f"/organise/events/{event.slug}/check-in/")

    expect(page.get_by_role("button", name="Undo the check-in of Bruno Lemaire")).to_be_visible()
    assert serious_violations(page) == []
    assert no_horizontal_scroll(page)
    shoot(page, "check-in-1280.png")


def test_a_door_pass_opened_by_the_organiser_passes_axe(
    phone_page, live_server, event, door, shoot
):
    from events.checkin import door_token

    marie = User.objects.get(display_name="Marie Dupont")
    log_in_as(phone_page, live_server, door)
    phone_page.goto(f"/events/{event.slug}/door/{door_token(event=event, member=marie)}/")

    expect(phone_page.get_by_role("status")).to_have_text("Checked in.")
    assert serious_violations(phone_page) == []
    shoot(phone_page, "door-pass-375.png")


@pytest.mark.parametrize("width", [375, 1280])
def test_my_door_pass_on_my_events(browser, live_server, event, door, width, shoot):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}, locale="en-GB"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in_as(page, live_server, User.objects.get(display_name="Zoé Lefèvre"))
    page.goto("/me/events/")

    page.get_by_text("My door pass (QR code)").click()

    expect(page.get_by_role("img", name=f"Door pass for {event.title}")).to_be_visible()
    assert serious_violations(page) == []
    assert no_horizontal_scroll(page)
    shoot(page, f"my-events-{width}.png")
    context.close()
