"""Seeding runs of their own: `--if-empty`, and the demo seeded on days of the month that
move its upcoming editions around (tests/events/test_seed_demo.py shares one seeded demo).

The test of `--if-empty` on a database with members comes first: it needs a database without
the demo, and a day's demo stays in the database until the last test of that day."""

import datetime as dt
from io import StringIO

import networkx as nx
import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from community.models import Tie, User
from events.models import RSVP, Event
from events.organising import trend, with_trend
from tests.conftest import make_member


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    # The demo draws covers: into the test's folder, not the checkout's media/.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_if_empty_leaves_a_database_with_members_alone(db):
    make_member("camille")

    out = seed("--if-empty")

    assert "no demo data" in out
    assert User.objects.count() == 1
    assert not Event.objects.exists()


# Days of the month that move the upcoming editions around (the demo's dates are relative).
SEED_DAYS = [
    dt.datetime(2027, 1, 4, 10, tzinfo=dt.UTC),
    dt.datetime(2027, 1, 21, 10, tzinfo=dt.UTC),
]


def going_graph(event: Event) -> nx.Graph:
    going = set(RSVP.objects.going().filter(event=event).values_list("member", flat=True))
    graph = nx.Graph()
    graph.add_nodes_from(going)
    graph.add_edges_from(
        Tie.objects.filter(from_member__in=going, to_member__in=going).values_list(
            "from_member", "to_member"
        )
    )
    return graph


@pytest.fixture(scope="module", params=SEED_DAYS, ids=lambda day: f"{day:%d}th")
def seeded_on(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded on one of `SEED_DAYS` by `seed_demo --if-empty` (the database is empty:
    it seeds), once for the tests of that day, in a transaction rolled back after them (pytest
    runs the tests of one day, then those of the next). The day and what the command printed."""
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(request.param, tick=False):
            out = seed("--if-empty")
        yield request.param, out
        transaction.set_rollback(True)


@pytest.fixture
def today(seeded_on, db):
    # `db`: each test in a transaction of its own inside the day's.
    day, _ = seeded_on
    with time_machine.travel(day, tick=False):
        yield day


def test_if_empty_seeds_an_empty_database(seeded_on, today):
    _, out = seeded_on

    assert "no demo data" not in out
    assert User.objects.count() > 100
    assert Event.objects.exists()


def test_demo_workspace_shows_upcoming_editions_on_track_and_behind(client, today):
    organiser = User.objects.get(email="organisatrice@rencontres.local")
    events = with_trend(
        Event.objects.filter(series__in=organiser.organised_series.all())
        .exclude(status=Event.Status.CANCELLED)
        .upcoming()
        .with_counts(),
        timezone.now(),
    )
    trends = [trend(event) for event in events]
    client.force_login(organiser)
    page = client.get(reverse("events:organise")).content.decode()

    assert any(t and t["on_track"] for t in trends)
    assert any(t and not t["on_track"] and t["expected"] >= 2 for t in trends)
    assert "dans les temps" in page
    assert "en retard — il faut relancer la promotion" in page


def test_demo_upcoming_evenings_have_clusters_bridges_and_newcomers(today):
    evenings = [
        e
        for e in Event.objects.published()
        .upcoming()
        .filter(series__slug__in=["blog-en-nord", "mercredi-web-analytics"])
        .with_counts()
        if e.going_count >= 30
    ]

    assert len(evenings) >= 2  # the full Mercredi Web Analytics, the nearly full Blog en Nord
    for event in evenings:
        graph = going_graph(event)
        attendees = graph.number_of_nodes()
        alone = [n for n in graph if graph.degree(n) == 0]
        assert 0.10 <= len(alone) / attendees <= 0.20
        groups = [c for c in nx.connected_components(graph) if len(c) > 1]
        assert len(groups) >= 2  # friends from elsewhere who came together
        assert max(len(c) for c in groups) <= 0.9 * attendees
        communities = [c for c in nx.community.greedy_modularity_communities(graph) if len(c) >= 3]
        assert len(communities) >= 3
        of = {n: i for i, c in enumerate(communities) for n in c}
        # A bridge has at least two ties into each of two communities.
        bridges = [
            n
            for n in graph
            if sum(1 for i in range(len(communities)) if sum(of.get(m) == i for m in graph[n]) >= 2)
            >= 2
        ]
        assert 2 <= len(bridges) <= attendees / 3  # a minority, not everyone
