"""A member walks from an event to its people view, and tells a profile "I know them online"."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from community.models import Tie
from events.models import RSVP
from tests.browser.helpers import no_horizontal_scroll
from tests.conftest import make_event, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def test_people_view_draws_75_attendees_without_csp_errors(page, live_server, tmp_path):
    event = make_event(title="Grande soirée")
    people = [make_member(f"guest-{i:02d}") for i in range(75)]
    for person in people:
        RSVP.objects.create(event=event, member=person, status=RSVP.Status.GOING)
    for i in range(0, 60, 3):
        Tie.objects.create(from_member=people[i], to_member=people[i + 1], network="x")
        Tie.objects.create(from_member=people[i + 1], to_member=people[i], network="x")
        Tie.objects.create(from_member=people[i + 1], to_member=people[i + 2], network="x")
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    log_in(page, live_server, people[0])
    page.goto(event.get_absolute_url())
    page.get_by_role("link", name="Who is coming, and who knows whom").click()
    # Around me by default: the viewer, guest-01 (mutual) and guest-02 whom guest-01 follows.
    assert page.locator("svg.people-graph a.attendee").count() == 3
    page.get_by_role("link", name="Everyone").click()
    assert page.locator("svg.people-graph a.attendee").count() == 75
    assert page.locator("svg.people-graph .tie-mutual").count() == 20
    assert page.locator("ul.newcomers li").count() == 6
    page.get_by_text("9 more newcomers").click()
    assert page.locator("details.people-more ul.plain-list li").first.is_visible()
    page.screenshot(path=str(tmp_path / "people.png"), full_page=True)
    assert errors == []


def test_around_me_is_readable_on_a_phone(phone_page, live_server):
    event = make_event(title="Soirée sur téléphone")
    me = make_member("camille", display_name="Camille Delcroix")
    people = [
        make_member(f"guest-{i:02d}", display_name=f"Invité numéro {i:02d}") for i in range(30)
    ]
    for person in [me, *people]:
        RSVP.objects.create(event=event, member=person, status=RSVP.Status.GOING)
    for i, person in enumerate(people):
        Tie.objects.create(
            from_member=me if i % 2 else people[i - 1], to_member=person, network="x"
        )
    log_in(phone_page, live_server, me)
    phone_page.goto(reverse("events:people", args=[event.slug]))
    assert no_horizontal_scroll(phone_page)
    # Every written name is at least 11 px tall on the screen, and inside the picture.
    sizes = phone_page.evaluate(
        """() => {
            const svg = document.querySelector("svg.people-graph");
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll("text.label:not(.label-hover)")].map(t => {
                const r = t.getBoundingClientRect();
                const px = parseFloat(t.getAttribute("font-size")) * svg.getScreenCTM().a;
                return [px, r.left >= box.left - 1 && r.right <= box.right + 1];
            });
        }"""
    )
    assert sizes
    assert min(px for px, _inside in sizes) >= 11
    assert all(inside for _px, inside in sizes)
    # A name left out shows when its face gets keyboard focus.
    hidden = phone_page.locator("svg.people-graph a.attendee:has(text.label-hover)").first
    hidden.focus()
    assert hidden.locator("text.label-hover").evaluate("t => getComputedStyle(t).visibility") == (
        "visible"
    )


def test_member_says_they_know_someone_online(page, live_server):
    me, other = make_member("camille"), make_member("thomas", display_name="Thomas V")
    log_in(page, live_server, me)
    page.goto(other.get_absolute_url())
    page.get_by_label("I know them online on").select_option("mastodon")
    page.get_by_role("button", name="I know them online").click()
    page.wait_for_url(f"**{other.get_absolute_url()}")
    assert list(Tie.objects.values_list("from_member", "to_member", "network")) == [
        (me.pk, other.pk, "mastodon")
    ]
    page.get_by_role("button", name="Remove").click()
    page.wait_for_url(f"**{other.get_absolute_url()}")
    assert Tie.objects.count() == 0


def test_people_and_identity_pages_have_no_serious_accessibility_violation(page, live_server):
    from tests.browser.test_accessibility import serious_violations

    event = make_event(title="Soirée accessible", days=-3)
    me, other, third = make_member("camille"), make_member("thomas"), make_member("lea")
    for person in (me, other, third):
        RSVP.objects.create(event=event, member=person, status=RSVP.Status.GOING)
    Tie.objects.create(from_member=me, to_member=other, network="x")
    Tie.objects.create(from_member=other, to_member=me, network="x")
    people_url = reverse("events:people", args=[event.slug])
    page.goto(people_url)
    assert serious_violations(page) == [], "anonymous people view"
    log_in(page, live_server, me)
    for path in [people_url, me.get_absolute_url(), other.get_absolute_url()]:
        page.goto(path)
        assert serious_violations(page) == [], path
    page.goto(me.get_absolute_url())
    page.get_by_role("link", name="Import your contacts from an export file").click()
    assert serious_violations(page) == [], "import page"
    page.goto(me.get_absolute_url())
    page.get_by_role("link", name="Privacy settings").click()
    assert serious_violations(page) == [], "privacy page"
