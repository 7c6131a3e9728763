"""axe-core (through axe-playwright-python) on the main pages: no serious or critical violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from events.models import RSVP, EventLink
from tests.browser.helpers import log_in_as
from tests.conftest import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# WCAG 2.0, 2.1 and 2.2, levels A and AA, and axe's best practices.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def serious_violations(page) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def busy_event(event, member):
    event.description = "Une soirée <strong>conviviale</strong>.\n\nVenez nombreux."
    event.save()
    EventLink.objects.create(event=event, title="Slides", url="https://example.org/slides")
    RSVP.objects.create(event=event, member=make_member("alice"), status=RSVP.Status.GOING)
    return event


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/accounts/signup/", "/events/past/", "/series/blog-en-nord/"]
)
def test_public_pages_have_no_serious_accessibility_violation(page, busy_event, path):
    page.goto(path)
    assert serious_violations(page) == []


def test_event_page_has_no_serious_accessibility_violation(page, busy_event):
    page.goto(busy_event.get_absolute_url())
    assert serious_violations(page) == []


def test_member_pages_have_no_serious_accessibility_violation(page, live_server, busy_event):
    member = busy_event.rsvps.get().member
    log_in_as(page, live_server, member)
    for path in ["/", "/series/blog-en-nord/", busy_event.get_absolute_url(), "/me/events/"]:
        page.goto(path)
        assert serious_violations(page) == [], path


def test_french_pages_have_no_serious_accessibility_violation(browser, live_server, busy_event):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    for path in ["/", busy_event.get_absolute_url(), "/accounts/signup/"]:
        page.goto(path)
        assert serious_violations(page) == [], path
    context.close()


def test_forgotten_password_link_is_a_touch_target_of_at_least_24px(page, db):
    page.goto("/accounts/login/")

    link = page.get_by_role("link", name="Forgot your password?")
    box = link.bounding_box()

    assert box is not None
    assert box["height"] >= 24
