"""The paths a person walks: sign up → verify → log in → RSVP → My events → cancel;
waitlist and promotion; the language switch; a phone-sized screen."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from community.models import User
from events.models import RSVP
from tests.browser.helpers import log_in_as, no_horizontal_scroll
from tests.conftest import make_event, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "des-rencontres-en-vrai-2031"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # The database cache table is not a model: transactional tests do not empty it.
    cache.clear()


def test_sign_up_verify_log_in_rsvp_see_my_events_and_cancel(page, live_server, series, venue):
    event = make_event(title="Soirée Blog en Nord", series=series, venue=venue, capacity=20)

    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("lea@example.org")
    page.get_by_label("Display name").fill("Léa Lambert")
    # The username left empty: the page shows the profile address the site will make.
    expect(page.locator("#id_username")).to_have_attribute("placeholder", "lea-lambert")
    page.get_by_label("City").fill("Lille")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify")

    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body)[0]
    page.goto(re.sub(r"^https?://[^/]+", live_server.url, link))
    page.get_by_role("button", name="Confirm").click()
    assert EmailAddress.objects.get(email="lea@example.org").verified
    assert EmailAddress.objects.get(email="lea@example.org").user.username == "lea-lambert"

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("lea@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # The header's account menu, a <details>, holds the member's links.
    page.locator(".account-menu > summary").click()
    expect(page.get_by_role("link", name="My events")).to_be_visible()

    page.goto(event.get_absolute_url())
    page.get_by_role("button", name="I'm going").click()
    expect(page.locator(".rsvp-status")).to_have_text("You are going.")
    lea = User.objects.get(email="lea@example.org")
    assert RSVP.objects.get(event=event, member=lea).status == RSVP.Status.GOING
    expect(page.locator(".attendees")).to_contain_text("Léa Lambert")

    page.locator(".account-menu > summary").click()
    page.get_by_role("link", name="My events").click()
    expect(page.locator(".my-events")).to_contain_text("Soirée Blog en Nord")

    page.get_by_role("link", name="Soirée Blog en Nord").click()
    page.get_by_role("button", name="Cancel my RSVP").click()
    expect(page.get_by_role("button", name="I'm going")).to_be_visible()
    assert not RSVP.objects.filter(event=event, member=lea).exists()


def test_full_event_waitlist_then_promotion_when_someone_cancels(
    browser, page, live_server, series
):
    event = make_event(title="Petit comité", series=series, capacity=1)
    holder, hopeful = make_member("holder"), make_member("hopeful")
    RSVP.objects.create(event=event, member=holder, status=RSVP.Status.GOING)

    log_in_as(page, live_server, hopeful)
    page.goto(event.get_absolute_url())
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.locator(".rsvp-status")).to_have_text("You are number 1 on the waitlist.")
    assert RSVP.objects.get(member=hopeful).status == RSVP.Status.WAITLISTED

    other = browser.new_context(base_url=live_server.url, locale="en-GB")
    holder_page = other.new_page()
    log_in_as(holder_page, live_server, holder)
    holder_page.goto(event.get_absolute_url())
    holder_page.get_by_role("button", name="Cancel my RSVP").click()
    # The freed seat went straight to the waitlist: the event is full again.
    expect(holder_page.get_by_role("button", name="Join the waitlist")).to_be_visible()
    other.close()

    page.reload()
    expect(page.locator(".rsvp-status")).to_have_text("You are going.")
    assert RSVP.objects.get(member=hopeful).status == RSVP.Status.GOING
    assert [m.to for m in mail.outbox] == [[hopeful.email]]


def test_language_switch_changes_the_page_language(browser, live_server, event):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Événements à venir")

    page.get_by_role("link", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Upcoming events")
    context.close()


def test_pages_fit_a_phone_screen(phone_page, live_server, event, member):
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    for path in ["/", event.get_absolute_url(), "/accounts/login/", "/accounts/signup/"]:
        phone_page.goto(path)
        assert no_horizontal_scroll(phone_page), path
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375, path

    log_in_as(phone_page, live_server, member)
    for path in [event.get_absolute_url(), "/me/events/", member.get_absolute_url()]:
        phone_page.goto(path)
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375, path
