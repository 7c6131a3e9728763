"""Recaps by Webmention: the endpoint as the W3C recommendation says, the source fetched and
checked by a task, listed under « Comptes rendus », removed when it no longer links."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from community.models import Identity, Network
from events import webmentions
from events.models import Event, Recap
from events.views import recaps as recap_views
from tests.conftest import make_event, make_member, make_organiser
from tests.local_web import endless

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def target_of(event: Event) -> str:
    return "http://testserver" + event.get_absolute_url()


def post(web, path: str, body: str) -> str:
    web.route(path, body=body, headers={"Content-Type": "text/html; charset=utf-8"})
    return web.url(path)


def blog_post(event_url: str, *, name="Retour sur la soirée", extra="") -> str:
    return f"""<!doctype html><html><head><title>Mon blog — {name}</title></head><body>
    <article class="h-entry">
      <h1 class="p-name">{name}</h1>
      <a class="p-author h-card" href="https://camille.example/">Camille D.</a>
      <time class="dt-published" datetime="2026-12-03T22:15:00+01:00">3 décembre</time>
      <div class="e-content"><p>Belle soirée à <a href="{event_url}">Blog en Nord</a>.</p>
      <script>alert("x")</script><img src=x onerror=alert(1)></div>
      {extra}
    </article></body></html>"""


def send(client, source: str, target: str, **kwargs):
    return client.post(reverse("events:webmention"), {"source": source, "target": target}, **kwargs)


@pytest.fixture
def published(series, venue, settings):
    """Last night's evening: recaps are listed once an event has started."""
    settings.SITE_URL = "http://testserver"
    return make_event(series=series, venue=venue, days=-1)


def test_event_pages_advertise_the_endpoint(client, published):
    response = client.get(published.get_absolute_url())
    assert response["Link"] == '<http://testserver/webmention/>; rel="webmention"'
    assert '<link rel="webmention" href="/webmention/">' in response.content.decode()
    # The same on a page served from the cache.
    assert client.get(published.get_absolute_url())["Link"] == response["Link"]


def test_a_post_linking_to_the_event_is_listed_as_a_recap(
    web, client, published, django_capture_on_commit_callbacks
):
    source = post(web, "/2026/12/retour", blog_post(target_of(published)))
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, source, target_of(published))
    assert response.status_code == 202
    recap = Recap.objects.get()
    assert (recap.event, recap.source, recap.title, recap.author_name) == (
        published,
        source,
        "Retour sur la soirée",
        "Camille D.",
    )
    assert recap.published == timezone.datetime.fromisoformat("2026-12-03T22:15:00+01:00")
    assert "<script" not in recap.summary and "onerror" not in recap.summary
    page = client.get(published.get_absolute_url(), headers={"accept-language": "fr"})
    html = page.content.decode()
    assert "Comptes rendus" in html
    assert f'href="{source}"' in html
    assert "Retour sur la soirée" in html


def test_a_post_on_a_verified_blog_links_to_its_authors_profile(
    web, client, published, django_capture_on_commit_callbacks
):
    camille = make_member("camille-d")
    Identity.objects.create(
        member=camille,
        network=Network.WEBSITE,
        handle="camille.example",
        url="https://camille.example/",
        verified_at=timezone.now(),
    )
    post(web, "/2026/retour", blog_post(target_of(published)))
    source = web.url("/2026/retour", host="camille.example")
    with django_capture_on_commit_callbacks(execute=True):
        send(client, source, target_of(published))
    assert Recap.objects.get().author == camille
    html = client.get(published.get_absolute_url()).content.decode()
    assert f'<a class="p-author" href="{camille.get_absolute_url()}">' in html


def test_an_author_who_hides_their_attendance_is_not_linked(client, published):
    hidden = make_member("discrete", listed_in_attendees=False, ties_visibility="nobody")
    Recap.objects.create(
        event=published,
        source="https://discrete.example/p",
        title="Retour",
        author=hidden,
        author_name="D.",
    )
    client.force_login(make_member("reader"))
    html = client.get(published.get_absolute_url()).content.decode()
    assert "Retour" in html
    assert hidden.get_absolute_url() not in html
    assert hidden.display_name not in html


def test_an_unverified_claim_of_the_blog_does_not_link_the_author(
    web, client, published, django_capture_on_commit_callbacks
):
    Identity.objects.create(
        member=make_member("squatter"),
        network=Network.WEBSITE,
        handle="camille.example",
        url="https://camille.example/",
    )
    post(web, "/retour", blog_post(target_of(published)))
    source = web.url("/retour", host="camille.example")
    with django_capture_on_commit_callbacks(execute=True):
        send(client, source, target_of(published))
    assert Recap.objects.get().author is None


def test_a_source_that_does_not_link_to_the_event_is_not_listed(
    web, client, published, django_capture_on_commit_callbacks
):
    source = post(web, "/spam", "<p>Achetez des montres</p>")
    with django_capture_on_commit_callbacks(execute=True):
        assert send(client, source, target_of(published)).status_code == 202
    assert not Recap.objects.exists()


def test_a_source_that_no_longer_links_is_removed(
    web, client, published, django_capture_on_commit_callbacks
):
    source = post(web, "/retour", blog_post(target_of(published)))
    with django_capture_on_commit_callbacks(execute=True):
        send(client, source, target_of(published))
    assert Recap.objects.count() == 1
    post(web, "/retour", "<p>Article retiré.</p>")
    with django_capture_on_commit_callbacks(execute=True):
        send(client, source, target_of(published))
    assert not Recap.objects.exists()


def test_a_deleted_source_is_removed(web, client, published, django_capture_on_commit_callbacks):
    source = post(web, "/retour", blog_post(target_of(published)))
    with django_capture_on_commit_callbacks(execute=True):
        send(client, source, target_of(published))
    web.route("/retour", status=410, body="gone")
    with django_capture_on_commit_callbacks(execute=True):
        send(client, source, target_of(published))
    assert not Recap.objects.exists()


def test_an_update_keeps_the_organisers_choice_to_hide(
    web, client, published, django_capture_on_commit_callbacks
):
    source = post(web, "/retour", blog_post(target_of(published)))
    with django_capture_on_commit_callbacks(execute=True):
        send(client, source, target_of(published))
    Recap.objects.update(hidden=True)
    post(web, "/retour", blog_post(target_of(published), name="Retour (mis à jour)"))
    with django_capture_on_commit_callbacks(execute=True):
        send(client, source, target_of(published))
    recap = Recap.objects.get()
    assert (recap.title, recap.hidden) == ("Retour (mis à jour)", True)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("https://blog.example/p", "https://elsewhere.example/events/x/"),
        ("https://blog.example/p", "http://testserver/events/no-such-event/"),
        ("https://blog.example/p", "http://testserver/series/blog-en-nord/"),
        ("ftp://blog.example/p", "TARGET"),
        ("", "TARGET"),
        ("TARGET", "TARGET"),
        ("https://blog.example/p", "javascript:alert(1)"),
    ],
)
def test_bad_requests_are_400_with_a_reason(client, published, source, target):
    target = target.replace("TARGET", target_of(published))
    source = source.replace("TARGET", target_of(published))
    response = send(client, source, target, headers={"accept-language": "en"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().strip() != ""
    assert not Recap.objects.exists()


def test_a_date_hold_is_not_a_target(client, series, settings):
    settings.SITE_URL = "http://testserver"
    hold = make_event(series=series, status=Event.Status.HOLD)
    response = send(client, "https://blog.example/p", target_of(hold))
    assert response.status_code == 400


def test_the_endpoint_takes_only_post(client, published):
    assert client.get(reverse("events:webmention")).status_code == 405


def test_webmentions_are_rate_limited_per_source_site(client, published, monkeypatch):
    monkeypatch.setattr(recap_views, "SOURCE_LIMIT", 3)
    statuses = [
        send(client, f"https://spam.example/{n}", target_of(published)).status_code
        for n in range(5)
    ]
    assert statuses == [202, 202, 202, 429, 429]
    response = send(client, "https://spam.example/again", target_of(published))
    assert response["Retry-After"] == str(recap_views.SOURCE_WINDOW)
    # Another site is not held back by the spammer.
    assert send(client, "https://blog.example/p", target_of(published)).status_code == 202


@pytest.mark.parametrize(
    "hostile",
    ["huge", "private-redirect", "deep-nesting", "not-html"],
)
def test_hostile_sources_are_refused_without_harm(
    web, client, published, django_capture_on_commit_callbacks, hostile, settings
):
    if hostile == "huge":
        web.route("/p", handler=endless)
    elif hostile == "private-redirect":
        settings.FETCH_ALLOWED_TEST_NETWORKS = ["127.0.0.1/32"]
        web.route("/p", status=302, headers={"Location": f"http://127.0.0.2:{web.port}/admin"})
    elif hostile == "deep-nesting":
        web.route("/p", body="<div>" * 150_000 + f'<a href="{target_of(published)}">x</a>')
    else:
        web.route(
            "/p",
            body=f'{{"link": "{target_of(published)}"}}',
            headers={"Content-Type": "application/json"},
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert send(client, web.url("/p"), target_of(published)).status_code == 202
    assert not Recap.objects.exists()
    assert client.get(published.get_absolute_url()).status_code == 200


def test_organisers_hide_and_show_a_recap(client, published, series):
    recap = Recap.objects.create(event=published, source="https://blog.example/p", title="Retour")
    assert "Retour" in client.get(published.get_absolute_url()).content.decode()
    organiser = make_organiser("orla", series)
    client.force_login(organiser)
    response = client.post(reverse("events:recap_hide", args=[recap.pk]))
    assert response["Location"] == reverse("events:organise_edit", args=[published.slug])
    recap.refresh_from_db()
    assert recap.hidden
    edit = reverse("events:organise_edit", args=[published.slug])
    html = client.get(edit, headers={"accept-language": "en"}).content.decode()
    assert "Show this recap again" in html
    client.logout()
    assert "Retour" not in client.get(published.get_absolute_url()).content.decode()
    client.force_login(organiser)
    client.post(reverse("events:recap_hide", args=[recap.pk]), {"hidden": "0"})
    recap.refresh_from_db()
    assert not recap.hidden


def test_recaps_of_an_upcoming_event_wait_for_its_start(client, series, venue):
    upcoming = make_event(series=series, venue=venue, days=3)
    Recap.objects.create(event=upcoming, source="https://blog.example/p", title="J'y serai")
    assert "J&#x27;y serai" not in client.get(upcoming.get_absolute_url()).content.decode()
    with time_machine.travel(upcoming.start + dt.timedelta(minutes=5)):
        html = client.get(upcoming.get_absolute_url()).content.decode()
    assert "J&#x27;y serai" in html


def test_only_the_events_organisers_may_hide_a_recap(client, published, outsider):
    recap = Recap.objects.create(event=published, source="https://blog.example/p", title="Retour")
    client.force_login(outsider)
    assert client.post(reverse("events:recap_hide", args=[recap.pk])).status_code == 403
    recap.refresh_from_db()
    assert not recap.hidden


def test_recaps_do_not_grow_the_event_pages_queries(
    client, published, django_assert_max_num_queries
):
    for n in range(12):
        Recap.objects.create(event=published, source=f"https://blog.example/{n}", title=f"R{n}")
    member = make_member("reader")
    client.force_login(member)
    # A member's first visit (see the event page's own budget), the twelve recaps in one query
    # with the page's cached parts.
    with django_assert_max_num_queries(11):
        html = client.get(published.get_absolute_url()).content.decode()
    assert html.count('class="recap h-cite') == 12


def test_the_task_for_a_deleted_event_does_nothing():
    assert webmentions.receive.call(source="https://blog.example/p", event_id=999999) == "gone"
