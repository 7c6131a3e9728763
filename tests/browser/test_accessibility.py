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
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        # What axe-playwright-python asks by default, lost when options are given: details
        # for violations only (the rules that pass are still run, their nodes not collected).
        "resultTypes": ["violations"],
    }
    results = Axe().run(page, options=options)
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


def test_outside_pages_parts_have_no_serious_accessibility_violation(
    page, live_server, series, venue
):
    """Other calendars (one broken), the shared calendar with an external evening, a past
    event with recaps, and a profile with verified and unverified identities."""
    import datetime as dt

    from django.utils import timezone

    from community.models import Identity, Network
    from events.models import ExternalEvent, Recap, RivalFeed
    from tests.conftest import make_event, make_organiser

    organiser = make_organiser("orla-a11y", series)
    past = make_event(series=series, venue=venue, days=-2)
    upcoming = make_event(series=series, venue=venue, days=3)
    feed = RivalFeed.objects.create(
        name="Agenda voisin", url="https://voisin.example/a.ics", succeeded_at=timezone.now()
    )
    RivalFeed.objects.create(name="Cassé", url="https://casse.example/a.ics", problem="timeout")
    ExternalEvent.objects.create(
        feed=feed,
        uid="1",
        title="Apéro data",
        start=upcoming.start,
        end=upcoming.end + dt.timedelta(hours=1),
        area="lille",
    )
    Recap.objects.create(
        event=past, source="https://blog.example/p", title="Retour", summary="<p>Super.</p>"
    )
    Identity.objects.create(
        member=organiser, network=Network.WEBSITE, handle="orla.example", verified_at=timezone.now()
    )
    Identity.objects.create(
        member=organiser, network=Network.X, handle="orla", check_problem="not_checkable"
    )
    log_in_as(page, live_server, organiser)
    month = timezone.localtime(upcoming.start).strftime("%Y-%m")
    for path in [
        "/organise/other-calendars/",
        f"/organise/calendar/?month={month}",
        past.get_absolute_url(),
        f"/organise/events/{past.slug}/edit/",
        organiser.get_absolute_url(),
    ]:
        page.goto(path)
        assert serious_violations(page) == [], path
