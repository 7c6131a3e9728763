"""An organiser creates a clashing event, sees the warning and its severity, publishes anyway;
the other series' organiser sees the clash on the shared calendar."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from events.models import ClashAcknowledgement, Event
from tests.conftest import make_event, make_member, make_organiser
from tests.events.organising import attended, make_series, paris

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user, live_server) -> None:
    """Reuse Django's test login, then hand its session cookie to the browser."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_organiser_publishes_anyway_and_other_organiser_sees_the_clash(
    page, browser, live_server, series, organiser
):
    other = make_series("Mercredi Web Analytics")
    otto = make_organiser("otto", other)
    # The two series share most of their audience: a high severity.
    attended(series, ["ana", "bea", "cyr"])
    attended(other, ["ana", "bea", "cyr", "dan"])
    theirs = make_event(title="Mesure d'audience", start=paris(2027, 12, 2, 18), series=other)

    log_in(page, organiser, live_server)
    page.goto("/organise/")
    page.get_by_role("link", name="New event or date hold").click()
    page.get_by_label("Title").fill("Blog en Nord de décembre")
    page.get_by_label("Publish now or hold the date").select_option("published")
    page.get_by_label("Start").fill("2027-12-02T19:30")
    page.get_by_label("End").fill("2027-12-02T22:30")
    # The preview lists the clash as soon as the dates are in, above the button, which it
    # moves down: a click before it lands would miss the button.
    expect(page.locator("#clash-preview .clash")).to_have_count(1)
    page.get_by_role("button", name="Save").click()

    publish_anyway = page.get_by_label("Publish anyway, despite the clashes")
    expect(publish_anyway).to_be_visible()  # the server's answer to the save, not the preview
    clash = page.locator(".clash")
    expect(clash).to_have_count(1)
    expect(clash).to_contain_text("Mesure d'audience")
    expect(clash).to_contain_text("Severity high · 75% shared audience")
    assert not Event.objects.filter(title="Blog en Nord de décembre").exists()

    publish_anyway.check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".message.success")).to_contain_text("Blog en Nord de décembre")
    mine = Event.objects.get(title="Blog en Nord de décembre")
    assert mine.is_published
    assert ClashAcknowledgement.objects.filter(event=mine, other_event=theirs).exists()

    other_context = browser.new_context(
        base_url=live_server.url, locale="en-GB", timezone_id="Europe/Paris"
    )
    other_page = other_context.new_page()
    log_in(other_page, otto, live_server)
    other_page.goto("/organise/calendar/?month=2027-12")
    clashing = other_page.locator(".cal-events .has-clash")
    expect(clashing).to_have_count(2)
    expect(clashing.filter(has_text="Blog en Nord de décembre")).to_have_count(1)
    expect(other_page.locator(".ack-list")).to_contain_text("Severity high")
    expect(other_page.locator(".ack-list")).to_contain_text("Blog en Nord de décembre")
    other_context.close()


def test_clash_shows_as_soon_as_the_dates_are_picked(page, live_server, series, organiser):
    other = make_series("Mercredi Web Analytics")
    attended(series, ["ana", "bea"])
    attended(other, ["ana", "bea"])
    make_event(title="Mesure d'audience", start=paris(2027, 12, 2, 18), series=other)
    log_in(page, organiser, live_server)
    page.goto(f"/organise/series/{series.slug}/new/")

    page.get_by_label("Start").fill("2027-12-02T19:30")
    page.get_by_label("End").fill("2027-12-02T22:30")

    # Before anything is saved: the preview asks the server as soon as the dates are there.
    clash = page.locator("#clash-preview .clash")
    expect(clash).to_have_count(1)
    expect(clash).to_contain_text("Mesure d'audience")
    assert page.url.endswith(f"/organise/series/{series.slug}/new/")
    page.get_by_label("End").fill("2027-12-01T22:30")  # before the start: nothing to say
    page.get_by_label("Start").fill("2027-12-01T19:30")
    expect(clash).to_have_count(0)


def test_calendar_is_a_list_on_a_phone(phone_page, live_server, series, organiser):
    make_event(title="Soirée de décembre", start=paris(2027, 12, 2, 19), series=series)
    log_in(phone_page, organiser, live_server)

    phone_page.goto("/organise/calendar/?month=2027-12")

    expect(phone_page.get_by_text("Soirée de décembre")).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    # Only days with something on are listed.
    expect(phone_page.locator(".cal-day:visible")).to_have_count(1)


def test_organiser_pages_have_no_accessibility_violations(page, live_server, series, organiser):
    from axe_playwright_python.sync_playwright import Axe

    mine = make_event(title="Blog de décembre", start=paris(2027, 12, 2, 19), series=series)
    make_event(
        title="Retenue", start=paris(2027, 12, 2, 12), series=series, status=Event.Status.HOLD
    )
    log_in(page, organiser, live_server)
    pages = [
        "/organise/",
        "/organise/calendar/?month=2027-12",
        f"/organise/series/{series.slug}/",
        f"/organise/events/{mine.slug}/edit/",
        f"/organise/events/{mine.slug}/cancel/",
    ]
    violations = {}
    for url in pages:
        page.goto(url)
        if url.endswith("/edit/"):
            page.get_by_role("button", name="Save").click()  # shows the clash list
            expect(page.locator(".clash")).to_have_count(1)
        violations[url] = Axe().run(page).violations_count

    assert violations == dict.fromkeys(pages, 0)


def test_organiser_cancels_an_event_after_seeing_who_will_be_emailed(
    page, live_server, series, organiser
):
    from events.models import RSVP

    mine = make_event(title="Blog de décembre", start=paris(2027, 12, 2, 19), series=series)
    RSVP.objects.create(event=mine, member=make_member("ana"), status=RSVP.Status.GOING)
    log_in(page, organiser, live_server)

    page.goto(f"/organise/events/{mine.slug}/edit/")
    page.get_by_role("link", name="Cancel this event").click()

    expect(page.locator(".cancel-reach")).to_contain_text("1 member going or on the waitlist")
    mine.refresh_from_db()
    assert mine.is_published
    page.get_by_role("button", name="Yes, cancel this event").click()

    expect(page.locator(".message.success")).to_contain_text("Blog de décembre")
    mine.refresh_from_db()
    assert mine.is_cancelled
