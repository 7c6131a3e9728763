"""Public pages come from Django's cache, keyed by a data version every write replaces."""

import datetime as dt
import gzip
import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import cache
from events.models import RSVP, Event, EventLink, Series, Venue
from tests.conftest import PASSWORD, make_event, organise, test_database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def card_renders():
    names = []

    def record(sender, template, context, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    yield lambda: names.count("includes/event_card.html")
    template_rendered.disconnect(record)


def test_anonymous_page_is_served_from_the_cache(
    client, event, card_renders, django_assert_num_queries
):
    first = client.get(reverse("events:home")).content

    with django_assert_num_queries(1):  # the data version
        second = client.get(reverse("events:home")).content

    assert card_renders() == 1
    assert second == first
    assert event.title in second.decode()


def test_members_get_the_shared_listing_and_their_own_header(
    client, event, member, organiser, card_renders
):
    client.force_login(member)
    mine = client.get(reverse("events:home")).content.decode()
    client.force_login(organiser)
    theirs = client.get(reverse("events:home")).content.decode()

    assert card_renders() == 1
    assert main(mine) == main(theirs)
    assert "Camille" in mine and "Camille" not in theirs
    assert reverse("events:organise") in theirs and reverse("events:organise") not in mine


def main(body: str) -> str:
    return body[body.index("<main") : body.index("</main>")]


def test_a_new_rsvp_shows_at_once(client, event, member, card_renders):
    assert "Plus que 10 places" in client.get(reverse("events:home")).content.decode()
    assert 'data-going="0"' in client.get(event.get_absolute_url()).content.decode()

    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)

    assert "Plus que 9 places" in client.get(reverse("events:home")).content.decode()
    assert 'data-going="1"' in client.get(event.get_absolute_url()).content.decode()
    assert card_renders() == 2


@pytest.mark.parametrize(
    "write",
    [
        lambda e: Series.objects.filter(pk=e.series_id).update(
            name="Blog en Nord et Pas-de-Calais"
        ),
        lambda e: Venue.objects.filter(pk=e.venue_id).update(name="Le Channel"),
        lambda e: Event.objects.filter(pk=e.pk).update(capacity=12),
    ],
)
def test_writes_without_signals_show_once_they_say_so(client, event, write):
    before = client.get(event.get_absolute_url()).content

    write(event)
    cache.changed()

    assert client.get(event.get_absolute_url()).content != before


def test_series_page_shows_a_new_link_and_organiser(client, series, event, outsider):
    client.get(series.get_absolute_url())

    series.links.create(title="Groupe Meetup", url="https://meetup.example.org/ben")
    organise(outsider, series)  # many-to-many: no post_save

    body = client.get(series.get_absolute_url()).content.decode()
    assert "Groupe Meetup" in body
    assert outsider.display_name in body


def test_archive_shows_a_new_recap(client, series):
    old = make_event(series=series, title="Soirée de mai", days=-30)
    client.get(reverse("events:past"))

    EventLink.objects.create(event=old, title="Le récap", url="https://blog.example.org/r")

    assert "https://blog.example.org/r" in client.get(reverse("events:past")).content.decode()


def test_a_renamed_member_shows_on_the_series_page(client, series, organiser):
    client.get(series.get_absolute_url())

    organiser.display_name = "Orla Nouveau-Nom"
    organiser.save()

    assert "Orla Nouveau-Nom" in client.get(series.get_absolute_url()).content.decode()


def test_logging_in_does_not_change_the_data_version(client, member, db):
    version = cache.data_version()

    assert client.login(email=member.email, password=PASSWORD)

    assert cache.data_version() == version


def test_an_event_that_ends_leaves_the_pages_without_any_write(client, series, venue):
    event = make_event(series=series, venue=venue, title="Ce soir", days=1, hours=2)
    with time_machine.travel(event.start - dt.timedelta(hours=1), tick=False) as traveller:
        assert "Ce soir" in client.get(reverse("events:home")).content.decode()
        assert "Ce soir" not in client.get(reverse("events:past")).content.decode()
        assert 'value="going"' not in client.get(event.get_absolute_url()).content.decode()
        assert "Je viens" in client.get(event.get_absolute_url()).content.decode()

        traveller.move_to(event.end + dt.timedelta(minutes=1))

        assert "Ce soir" not in client.get(reverse("events:home")).content.decode()
        assert "Ce soir" in client.get(reverse("events:past")).content.decode()
        body = client.get(event.get_absolute_url()).content.decode()
        assert "Cet événement est terminé" in body
        assert "Je viens" not in body


def test_each_language_and_filter_gets_its_own_page(client, event, series):
    Venue.objects.create(name="Le Channel", address="173 bd Gambetta", city="Calais")
    french = client.get(reverse("events:home")).content.decode()

    english = client.get(reverse("events:home"), headers={"accept-language": "en"})
    filtered = client.get(reverse("events:home"), {"series": series.slug}).content.decode()

    assert "seats left" in english.content.decode()
    assert "seats left" not in french
    assert f'<option value="{series.slug}" selected>' in filtered
    assert f'<option value="{series.slug}" selected>' not in french


def test_pages_with_a_message_or_a_csrf_token_are_not_cached(client, event, member):
    client.force_login(member)
    client.post(reverse("account_logout"))  # leaves a message for the next page

    body = client.get(event.get_absolute_url()).content.decode()
    assert 'class="messages"' in body
    assert 'class="messages"' not in client.get(event.get_absolute_url()).content.decode()


def test_visitors_get_a_page_without_csrf_token(client, event):
    response = client.get(event.get_absolute_url())

    body = response.content.decode()
    assert "csrfmiddlewaretoken" not in body
    assert "csrftoken" not in response.cookies
    assert f'action="{reverse("account_login")}"' in body
    assert f'name="next" value="{event.get_absolute_url()}"' in body


def test_the_version_changes_again_when_the_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        before = cache.data_version()
        Venue.objects.create(name="Le Channel", address="173 bd Gambetta", city="Calais")
        during = cache.data_version()
        Venue.objects.create(name="Le Bateau Feu", address="place du Théâtre", city="Dunkerque")

    assert during != before
    assert len(callbacks) == 1  # one more change when it commits, however many rows
    callbacks[0]()
    assert cache.data_version() not in (before, during)


def test_a_lost_version_is_replaced_by_a_new_one(db):
    old = cache.data_version()
    caches["default"].delete(cache.VERSION_KEY)  # evicted, or rolled back

    assert cache.data_version() != old


@pytest.fixture
def second_server(live_server):
    """Another process serving the same database, with its own memory (fragments)."""
    url = test_database_url()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = os.environ | {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "community.settings",
        "DEBUG": "true",  # static files from the sources, without collectstatic
    }
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - loopback
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("the second server did not start")
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=20)


def test_an_rsvp_through_one_server_shows_on_the_next_request_to_the_other(
    live_server, second_server, client, series, venue, member
):
    event = make_event(series=series, venue=venue, capacity=10)
    path = event.get_absolute_url()
    for _ in range(2):  # rendered, then served from the second server's own memory
        assert going(fetch(second_server + path)) == "0"
    assert going(fetch(live_server.url + path)) == "0"

    # RSVP through the first server, as the member, with their session and CSRF token.
    client.force_login(member)
    session = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    page = urllib.request.Request(live_server.url + path, headers={"Cookie": session})  # noqa: S310
    with urllib.request.urlopen(page) as response:  # noqa: S310 - loopback
        csrf = SimpleCookie(response.headers["Set-Cookie"])[settings.CSRF_COOKIE_NAME].value
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())
    form = urllib.parse.urlencode({"answer": "going", "csrfmiddlewaretoken": token[1]})
    post = urllib.request.Request(  # noqa: S310 - loopback
        live_server.url + reverse("events:rsvp", args=[event.slug]),
        data=form.encode(),
        headers={"Cookie": f"{session}; {settings.CSRF_COOKIE_NAME}={csrf}"},
    )
    urllib.request.urlopen(post).close()  # noqa: S310 - loopback
    assert RSVP.objects.get(event=event, member=member).is_going

    assert going(fetch(second_server + path)) == "1"


def fetch(url: str) -> str:
    return urllib.request.urlopen(url, timeout=10).read().decode()  # noqa: S310 - loopback


def going(body: str) -> str:
    return re.search(r'data-going="(\d+)"', body)[1]


def test_seeding_with_raw_sql_changes_the_version(db):
    before = cache.data_version()

    call_command("seed_scale", members=3, ties=2, events=1, stdout=io.StringIO())

    assert cache.data_version() != before


def test_pages_are_compressed_once_for_browsers_that_accept_gzip(client, event, member):
    plain = client.get(event.get_absolute_url()).content
    first = client.get(event.get_absolute_url(), headers={"accept-encoding": "gzip, br"})
    second = client.get(event.get_absolute_url(), headers={"accept-encoding": "gzip, br"})

    assert first["Content-Encoding"] == second["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in second["Vary"]
    assert second.content == first.content  # the same compressed bytes, from the cache
    assert gzip.decompress(second.content) == plain
    assert int(second["Content-Length"]) == len(second.content) < len(plain) / 2
    client.force_login(member)  # members' pages are compressed by the middleware
    mine = client.get(event.get_absolute_url(), headers={"accept-encoding": "gzip"})
    assert "Camille" in gzip.decompress(mine.content).decode()


def test_flushing_the_database_changes_the_version(db):
    before = cache.data_version()

    call_command("flush", interactive=False, verbosity=0)

    assert cache.data_version() != before


def test_many_writes_in_one_transaction_change_the_version_twice(
    db, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        CaptureQueriesContext(connection) as queries,
        transaction.atomic(),
    ):
        series = Series.objects.create(name="Blog en Nord", slug="blog-en-nord")
        for i in range(20):
            make_event(title=f"Soirée {i}", days=i + 1, series=series)
        Event.objects.filter(series=series).delete()  # a post_delete for each of them

    changes = [
        q
        for q in queries
        if q["sql"].startswith(("UPDATE", "INSERT")) and "rencontres_cache" in q["sql"]
    ]
    assert len(changes) == 1  # at the first write
    assert len(callbacks) == 1  # and when the transaction commits
