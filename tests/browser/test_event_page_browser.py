"""The event page in a browser: the phone's sticky RSVP bar, copying the link with and
without JavaScript."""

import pytest
from playwright.sync_api import expect

from events.models import RSVP, EventLink
from tests.browser.helpers import log_in_as, no_horizontal_scroll
from tests.conftest import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def long_event(event):
    event.description = "\n\n".join(f"Paragraphe {i} de la soirée." for i in range(40))
    event.capacity = 50
    event.save()
    EventLink.objects.create(event=event, title="Slides", url="https://example.org/slides")
    for i in range(30):
        RSVP.objects.create(event=event, member=make_member(f"b{i}"), status=RSVP.Status.GOING)
    return event


def test_on_a_phone_the_rsvp_stays_at_hand_and_hides_nothing(browser, live_server, long_event):
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 375, "height": 812}
    )
    page = context.new_page()
    member = make_member("phone-user")
    log_in_as(page, live_server, member)
    page.goto(long_event.get_absolute_url())
    bar = page.locator(".rsvp-bar")

    page.mouse.wheel(0, 2500)
    page.wait_for_timeout(100)
    box = bar.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(812, abs=1)  # stuck to the bottom
    assert bar.get_by_role("button", name="I'm going").is_visible()
    assert no_horizontal_scroll(page)

    # At the end of the page the bar has its own place: the last text is above it.
    page.keyboard.press("End")
    page.wait_for_timeout(100)
    last = page.locator(".event-description p").last.bounding_box()
    assert last["y"] + last["height"] <= bar.bounding_box()["y"]

    bar.get_by_role("button", name="I'm going").click()
    assert RSVP.objects.get(event=long_event, member=member).status == RSVP.Status.GOING
    context.close()


def test_the_bar_is_not_shown_on_a_wide_screen(page, long_event):
    page.goto(long_event.get_absolute_url())

    assert not page.locator(".rsvp-bar").is_visible()
    assert page.locator("#rsvp").is_visible()


def test_copy_link_button_copies_the_address(browser, live_server, event):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(event.get_absolute_url())

    page.get_by_role("button", name="Copy the link").click()

    expect(page.locator(".share-copied")).to_have_text("Link copied")  # once the copy is done
    assert page.evaluate("navigator.clipboard.readText()") == live_server.url + (
        event.get_absolute_url()
    )
    context.close()


def test_without_javascript_the_address_is_there_to_copy(browser, live_server, event):
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(event.get_absolute_url())

    assert not page.get_by_role("button", name="Copy the link").is_visible()
    field = page.get_by_label("Link to this page")
    assert field.is_visible()
    assert field.input_value() == live_server.url + event.get_absolute_url()
    context.close()
