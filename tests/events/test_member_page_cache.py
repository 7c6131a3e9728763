"""A member's own parts of a page (their cards' lines, their RSVP and whom they know on an event
page, their header and footer) are computed once per data version: every write they depend on
shows on the very next request, and one member's parts never reach another."""

import re
import uuid

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from community import imports
from community.imports import Confirmation
from community.models import Tie, User
from community.redis_cache import RedisCache
from events import cache
from events.models import RSVP
from tests.conftest import make_member


def going(event, *members):
    for member in members:
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)


def home(client) -> str:
    return client.get(reverse("events:home")).content.decode()


def known_count(body: str) -> int | None:
    found = re.search(r'data-known="(\d+)"', body)
    return int(found[1]) if found else None


def test_a_contact_who_says_yes_shows_on_my_next_visit(client, event, member):
    ana, bob = make_member("ana"), make_member("bob")
    Tie.objects.create(from_member=member, to_member=ana, network="x")
    Tie.objects.create(from_member=member, to_member=bob, network="x")
    going(event, ana)
    client.force_login(member)
    assert "1 personne que vous connaissez y va" in home(client)
    assert known_count(client.get(event.get_absolute_url()).content.decode()) == 1

    going(event, bob)

    assert "2 personnes que vous connaissez y vont" in home(client)
    assert known_count(client.get(event.get_absolute_url()).content.decode()) == 2


def test_a_new_tie_shows_on_my_next_visit(client, event, member):
    ana = make_member("ana")
    going(event, ana)
    client.force_login(member)
    assert "que vous connaissez" not in home(client)
    assert known_count(client.get(event.get_absolute_url()).content.decode()) == 0

    Tie.objects.create(from_member=member, to_member=ana, network="mastodon")

    assert "1 personne que vous connaissez y va" in home(client)
    assert known_count(client.get(event.get_absolute_url()).content.decode()) == 1


def test_ties_imported_in_bulk_show_on_my_next_visit(client, event, member):
    ana = make_member("ana")
    going(event, ana)
    client.force_login(member)
    assert "que vous connaissez" not in home(client)

    confirmation = Confirmation(
        kind="mastodon",
        filename="following_accounts.csv",
        rows_read=1,
        ties=[(ana.pk, "mastodon")],
        nonce="a-nonce",
        since=0,
    )
    imports.confirm_import(member=member, confirmation=confirmation)

    assert Tie.objects.filter(from_member=member, to_member=ana).exists()
    assert "1 personne que vous connaissez y va" in home(client)


def test_a_contact_who_hides_shows_no_more_on_my_next_visit(client, event, member):
    ana = make_member("ana")
    Tie.objects.create(from_member=member, to_member=ana, network="x")
    going(event, ana)
    client.force_login(member)
    assert "1 personne que vous connaissez y va" in home(client)
    assert 'aria-label="Ana"' in client.get(event.get_absolute_url()).content.decode()

    ana.listed_in_attendees = False
    ana.save()

    assert "que vous connaissez" not in home(client)
    page = client.get(event.get_absolute_url()).content.decode()
    assert known_count(page) == 0
    assert "Ana" not in page


def test_my_own_answer_shows_at_once(client, event, member):
    client.force_login(member)
    assert "Vous y allez" not in home(client)

    client.post(reverse("events:rsvp", args=[event.slug]), {"answer": "going"})

    assert "Vous y allez" in home(client)
    assert 'data-rsvp-status="going"' in client.get(event.get_absolute_url()).content.decode()


def test_one_members_parts_never_reach_another(event, member):
    ana = make_member("ana", display_name="Ana Lefebvre")
    Tie.objects.create(from_member=ana, to_member=member, network="x")
    going(event, member, ana)
    mine, hers = Client(), Client()
    mine.force_login(member)
    hers.force_login(ana)

    my_home, my_page = home(mine), mine.get(event.get_absolute_url()).content.decode()
    home(hers)
    her_page = hers.get(event.get_absolute_url()).content.decode()

    assert "Camille" in my_page.split("</header>")[0]
    assert "Ana Lefebvre" in her_page.split("</header>")[0]
    assert "Ana Lefebvre" not in my_home.split("</header>")[0]
    assert "Ana Lefebvre" not in my_page.split("</header>")[0]
    assert known_count(my_page) == 1 and known_count(her_page) == 1
    assert 'data-rsvp-status="going"' in my_page and 'data-rsvp-status="going"' in her_page
    # Read again from the cache: still each their own.
    assert "Ana Lefebvre" not in home(mine).split("</header>")[0]
    assert "Ana Lefebvre" in home(hers).split("</header>")[0]


def test_my_new_name_shows_in_the_header_on_the_next_page(client, member):
    client.force_login(member)
    assert "Camille" in home(client).split("</header>")[0]

    member.display_name = "Camille Desmet"
    member.save()

    assert "Camille Desmet" in home(client).split("</header>")[0]


def test_the_cached_header_carries_this_requests_csrf_token(event, member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    home(browser)  # the header is rendered and kept
    browser.cookies.pop("csrftoken", None)  # a new CSRF secret for the next page

    body = home(browser)
    token = _token(body)

    assert token and "csrf-" not in token
    logout = browser.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert logout.status_code == 302
    assert "_auth_user_id" not in browser.session


def _token(body: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    return found[1] if found else ""


@pytest.mark.parametrize("reads", [1, 3])
def test_the_redis_cache_keeps_its_client(reads):
    # A prefix of its own: the other parameter runs at the same time on another worker.
    redis = RedisCache("redis://127.0.0.1:6379/9", {"KEY_PREFIX": f"test-client-{uuid.uuid4()}"})
    redis.set("k", "v")
    first = redis._cache.get_client()

    assert [redis.get("k") for _ in range(reads)] == ["v"] * reads
    assert redis._cache.get_client() is first
    assert redis._cache.get_client(write=True) is first  # one server: one pool, one client
    redis.delete("k")


def test_personal_parts_live_in_this_workers_memory_only(rf, member):
    request = rf.get("/")
    request.user = member
    built = []

    def build():
        built.append(1)
        return {"html": "mine", "valid_until": None}

    assert cache.personal(request, "test", 1, build=build)["html"] == "mine"
    assert cache.personal(request, "test", 1, build=build)["html"] == "mine"
    assert len(built) == 1
    other = rf.get("/")
    other.user = User.objects.create_user(username="bob", email="bob@example.org")
    cache.personal(other, "test", 1, build=build)
    assert len(built) == 2  # keyed by the member
    key = cache._key("test", cache.data_version(request), member.pk, 1)
    assert caches["local"].get(key)["html"] == "mine"


def test_a_cached_event_page_carries_this_requests_csrf_token(event, member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    browser.get(event.get_absolute_url())  # the member's page is rendered and kept
    browser.cookies.pop("csrftoken", None)  # a new CSRF secret for the next page

    body = browser.get(event.get_absolute_url()).content.decode()
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body))

    assert len(tokens) == 1 and cache.CSRF_PLACEHOLDER not in body
    answer = browser.post(
        reverse("events:rsvp", args=[event.slug]),
        {"answer": "going", "csrfmiddlewaretoken": tokens.pop()},
    )
    assert answer.status_code == 302
    assert RSVP.objects.get(event=event, member=member).is_going


def test_a_message_is_shown_once_and_never_kept(client, event, member):
    client.force_login(member)
    client.get(event.get_absolute_url())

    shown = client.post(
        reverse("events:rsvp", args=[event.slug]), {"answer": "going"}, follow=True
    ).content.decode()
    again = client.get(event.get_absolute_url()).content.decode()

    assert 'class="messages"' in shown
    assert 'class="messages"' not in again
    assert 'data-rsvp-status="going"' in again


def test_a_member_who_starts_hiding_everything_vanishes_from_cached_pages(client, event, member):
    hugo = make_member("hugo", display_name="Hugo Caché")
    Tie.objects.create(from_member=hugo, to_member=member, network="x")  # Hugo's own tie
    going(event, hugo)
    client.force_login(member)
    assert "1 personne que vous connaissez y va" in home(client)
    assert "Hugo Caché" in client.get(event.get_absolute_url()).content.decode()

    hugo.listed_in_attendees = False
    hugo.ties_visibility = User.Visibility.NOBODY
    hugo.save()

    page = client.get(event.get_absolute_url()).content.decode()
    assert "que vous connaissez" not in home(client)
    assert "Hugo" not in page and ">HC<" not in page
    assert known_count(page) == 0
    assert "et 1 membre qui préfère ne pas apparaître" in page  # counted, never named
    visitor = Client().get(event.get_absolute_url()).content.decode()
    assert "Hugo" not in visitor
    assert 'data-going="1"' in visitor  # the count only
