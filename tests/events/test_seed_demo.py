import datetime as dt
import re
from io import StringIO
from pathlib import Path

import networkx as nx
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from community.mfa import has_second_factor
from community.models import Identity, Network, Tie, User
from events.management.commands.seed_demo import DEMO_TOTP_SECRET
from events.models import RSVP, Event, EventLink, Meeting, Series, SeriesLink, Venue
from events.people import series_meeting_stats

ROOT = Path(__file__).resolve().parents[2]
DEMO_LOGINS = [
    "organisatrice@rencontres.local",
    "membre@rencontres.local",
    "admin@rencontres.local",
]


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    # The demo draws covers: into the module's folder, not the checkout's media/.
    root = tmp_path_factory.mktemp("demo") / "media"
    with override_settings(MEDIA_ROOT=root):
        yield root


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, media_root) -> str:
    """The demo, seeded once for the module (seconds of work) in a transaction rolled back
    after its last test, as `TestCase.setUpTestData` does."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db) -> str:
    # `db`: each test in a transaction of its own inside, so what one test writes (a login,
    # a second run), the next does not see.
    return seeded


def test_demo_gives_a_few_events_a_drawn_cover(demo, media_root):
    covered = list(Event.objects.exclude(cover_digest=""))

    assert 2 <= len(covered) < Event.objects.count() / 4
    for event in covered:
        assert (media_root / f"covers/{event.cover_digest}-1200.webp").is_file()
        assert event.picture_url == f"/media/covers/{event.cover_digest}-600.webp"


def test_demo_recap_titles_need_no_elision(demo):
    titles = list(
        EventLink.objects.filter(kind=EventLink.Kind.RECAP).values_list("title", flat=True)
    )
    assert titles
    # « de » never stands before a vowel or a mute h: « le récap d’Anaïs », not « de Anaïs ».
    assert [t for t in titles if re.search(r"\bde [AEIOUYÉÈÊÀÂÎÏÔHaeiouéèêàâîïôh]", t)] == []
    assert all(t.startswith("Le récap de la soirée, par ") for t in titles)


def test_demo_creates_the_three_series_with_organisers_and_links(demo):
    series = {s.slug: s for s in Series.objects.all()}

    assert sorted(series) == ["blog-en-nord", "devcom-lille", "mercredi-web-analytics"]
    assert series["mercredi-web-analytics"].preferred_weekday == 2  # Wednesday
    organiser = User.objects.get(email="organisatrice@rencontres.local")
    for s in series.values():
        assert s.organisers.count() >= 2
        assert s.links.count() >= 2
        assert s.description
        assert re.fullmatch(r"#[0-9a-f]{6}", s.colour)
    assert set(organiser.organised_series.values_list("slug", flat=True)) == {
        "blog-en-nord",
        "mercredi-web-analytics",
    }
    assert {"Lille", "Bergues", "Calais"} <= set(Venue.objects.values_list("city", flat=True))
    assert Venue.objects.filter(city="Lille").count() >= 3


def test_demo_members_have_identities_on_every_network_with_normalised_handles(demo):
    members = User.objects.filter(email__endswith="@demo.rencontres.local")
    assert 140 <= members.count() + 2 <= 160  # the two demo logins are members too
    assert not members.filter(Q(city="") | Q(bio="") | Q(display_name="")).exists()

    networks = set(Identity.objects.values_list("network", flat=True))
    assert networks == set(Network.values)
    assert not User.objects.filter(is_superuser=False, identities=None).exists()
    for identity in Identity.objects.all():
        assert identity.url.startswith("https://")
        handle = identity.handle
        assert handle == handle.lower()
        if identity.network == Network.X:
            assert re.fullmatch(r"[a-z0-9_]{1,15}", handle)
        elif identity.network == Network.MASTODON:
            assert re.fullmatch(r"[a-z0-9_]+@[a-z0-9.-]+\.[a-z]+", handle)
        elif identity.network == Network.LINKEDIN:
            assert re.fullmatch(r"in/[a-z0-9-]+", handle)
        elif identity.network == Network.WEBSITE:
            assert not handle.startswith(("http", "www.")) and not handle.endswith("/")


def test_demo_tie_graph_is_clustered_with_mutual_ties_and_lonely_newcomers(demo):
    pairs = set(Tie.objects.values_list("from_member", "to_member"))
    members = User.objects.filter(is_superuser=False).count()

    mutual = sum(1 for a, b in pairs if (b, a) in pairs)
    assert mutual / len(pairs) > 0.4
    graph = nx.Graph(list(pairs))
    # Communities stand out: a random graph of this density would have a modularity near 0.
    communities = nx.community.greedy_modularity_communities(graph)
    assert nx.community.modularity(graph, communities) > 0.35
    assert len([c for c in communities if len(c) >= 20]) >= 3
    assert nx.transitivity(graph) > 2 * nx.density(graph)
    assert nx.is_connected(graph)  # bridges join the communities
    # Newcomers know nobody and nobody knows them yet.
    lonely = User.objects.filter(is_superuser=False, ties_out=None, ties_in=None)
    assert 8 <= lonely.count() <= 12
    assert graph.number_of_nodes() == members - lonely.count()
    assert not Tie.objects.filter(from_member=F("to_member")).exists()


def test_demo_past_events_have_rsvps_links_and_meetings(demo):
    now = timezone.now()
    past = Event.objects.published().past(now).with_counts().select_related("series")

    assert past.count() >= 20
    assert past.filter(start__lt=now - dt.timedelta(days=300)).exists()
    assert not past.filter(start__lt=now - dt.timedelta(days=370)).exists()
    for event in past:
        assert event.going_count >= 20
        assert event.links.filter(kind=EventLink.Kind.PHOTOS).exists()
    assert past.filter(links__kind=EventLink.Kind.RECAP).distinct().count() >= past.count() - 2
    assert EventLink.objects.filter(kind=EventLink.Kind.SLIDES).exists()
    analytics = [e.going_count for e in past if e.series.slug == "mercredi-web-analytics"]
    assert 65 <= sum(analytics) / len(analytics) <= 80  # ~75 attendees an evening
    assert {e.venue.city for e in past} >= {"Lille", "Bergues", "Calais"}

    meetings = Meeting.objects.all()
    assert meetings.count() >= 20
    for meeting in meetings:
        assert meeting.member_a_id < meeting.member_b_id
        going = RSVP.objects.filter(event=meeting.event, status=RSVP.Status.GOING)
        assert going.filter(member__in=[meeting.member_a_id, meeting.member_b_id]).count() == 2


def test_demo_upcoming_events_fill_the_next_three_months(demo):
    now = timezone.now()
    upcoming = Event.objects.upcoming(now).with_counts().select_related("series")

    assert upcoming.count() >= 6
    assert not upcoming.filter(start__gt=now + dt.timedelta(days=92)).exists()
    assert upcoming.filter(status=Event.Status.HOLD).count() == 1
    assert upcoming.filter(status=Event.Status.CANCELLED).count() == 1
    published = [e for e in upcoming if e.is_published]
    full = [e for e in published if e.going_count == e.capacity]
    nearly_full = [e for e in published if e.capacity and 0 < e.capacity - e.going_count <= 5]
    assert len(full) == 1
    assert full[0].waitlist_count >= 3
    assert len(nearly_full) == 1
    waitlist = list(
        RSVP.objects.filter(event=full[0], status=RSVP.Status.WAITLISTED).order_by(
            "status_changed_at"
        )
    )
    latest_going = RSVP.objects.filter(event=full[0], status=RSVP.Status.GOING).latest(
        "status_changed_at"
    )
    assert latest_going.status_changed_at < waitlist[0].status_changed_at
    assert waitlist[-1].member.email == "membre@rencontres.local"
    for event in Event.objects.filter(series__slug__in=["blog-en-nord", "mercredi-web-analytics"]):
        assert timezone.localtime(event.start).time() == dt.time(19, 0)


def test_demo_events_respect_venue_and_capacity_rules(demo):
    events = list(Event.objects.exclude(status=Event.Status.CANCELLED).with_counts())
    for event in events:
        assert event.end > event.start
        if event.capacity:
            assert event.going_count <= event.capacity
    for a in events:
        for b in events:
            if a.pk < b.pk and a.venue_id == b.venue_id:
                assert a.end <= b.start or b.end <= a.start


def test_second_run_creates_nothing(demo):
    models = [User, Identity, Tie, Series, SeriesLink, Venue, Event, RSVP, EventLink, Meeting]
    before = {m.__name__: m.objects.count() for m in models}

    out = seed()

    assert "already" in out
    assert {m.__name__: m.objects.count() for m in models} == before


def test_demo_logins_are_printed_and_can_log_in(demo, client):
    for email in DEMO_LOGINS:
        assert email in demo
        assert EmailAddress.objects.get(email=email).verified

        response = client.post(
            reverse("account_login"), {"login": email, "password": "rencontres-demo"}
        )

        assert response.status_code == 302
        if response["Location"] == reverse("mfa_authenticate"):  # the organiser and the admin
            code = format_hotp_value(
                hotp_value(DEMO_TOTP_SECRET, next(iter(yield_hotp_counters_from_time())))
            )
            client.post(reverse("mfa_authenticate"), {"code": code})
        assert int(client.session["_auth_user_id"]) == User.objects.get(email=email).pk
        client.logout()
    assert User.objects.get(email="admin@rencontres.local").is_superuser
    annotated = Series.objects.annotate(n=Count("organisers"))
    assert all(s.n for s in annotated)


def test_demo_rsvps_spread_over_the_weeks_before_each_event_with_a_late_surge(demo):
    now = timezone.now()
    past = Event.objects.published().past(now)

    leads = []
    for event in past:
        going = RSVP.objects.going().filter(event=event).values_list("created_at", flat=True)
        event_leads = [event.start - at for at in going]
        assert min(event_leads) >= dt.timedelta(0)
        assert max(event_leads) > dt.timedelta(weeks=3)
        assert sum(lead < dt.timedelta(days=3) for lead in event_leads) >= 0.1 * len(going)
        leads += event_leads
    # The usual curve: a good share more than two weeks ahead, a surge in the last three days.
    assert 0.25 <= sum(lead < dt.timedelta(days=3) for lead in leads) / len(leads) <= 0.45
    assert sum(lead > dt.timedelta(weeks=2) for lead in leads) / len(leads) >= 0.3
    rsvps = RSVP.objects.all()
    assert rsvps.values("created_at").distinct().count() > 0.95 * rsvps.count()
    assert not rsvps.filter(created_at__gt=now).exists()
    assert (
        not rsvps.exclude(status=RSVP.Status.DECLINED)
        .exclude(status_changed_at=F("created_at"))
        .exists()
    )
    assert not rsvps.filter(status_changed_at__lt=F("created_at")).exists()
    assert not rsvps.filter(created_at__lt=F("member__date_joined")).exists()
    assert not Tie.objects.filter(created_at__lt=F("from_member__date_joined")).exists()
    assert not Tie.objects.filter(created_at__lt=F("to_member__date_joined")).exists()
    # Events are announced when their RSVPs open, before the first one.
    for event in Event.objects.exclude(status=Event.Status.HOLD):
        first = event.rsvps.order_by("created_at").first()
        assert event.created_at < (first.created_at if first else now)


def test_demo_series_pages_count_online_ties_that_became_meetings(demo):
    now = timezone.now()
    ties = Tie.objects.order_by("created_at")
    assert ties.last().created_at - ties.first().created_at > dt.timedelta(days=3 * 365)
    assert ties.filter(created_at__lt=now - dt.timedelta(days=365)).count() > 0.3 * ties.count()
    for meeting in Meeting.objects.select_related("event"):
        assert meeting.event.end <= meeting.created_at <= now

    for slug in ["blog-en-nord", "mercredi-web-analytics"]:
        series = Series.objects.get(slug=slug)
        meetings = Meeting.objects.filter(event__series=series)
        stats = series_meeting_stats(series=series)
        # Most who record "we met" knew each other online first; a few came knowing nobody.
        assert 0.4 * meetings.count() <= stats["ties_met"] < meetings.count()
        assert 3 <= stats["newcomers_met"] < stats["ties_met"]
    # Some met first and followed each other online in the days after.
    followed_after = [
        m
        for m in Meeting.objects.select_related("event")
        if Tie.objects.filter(
            Q(from_member=m.member_a, to_member=m.member_b)
            | Q(from_member=m.member_b, to_member=m.member_a),
            created_at__gt=m.event.end,
            created_at__lt=m.event.end + dt.timedelta(days=5),
        ).exists()
    ]
    assert len(followed_after) >= 5


def test_demo_organiser_and_admin_have_the_documented_authenticator_key(demo):
    organiser = User.objects.get(email="organisatrice@rencontres.local")
    admin = User.objects.get(email="admin@rencontres.local")
    member = User.objects.get(email="membre@rencontres.local")

    for user in (organiser, admin):
        (totp,) = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)
        assert decrypt(totp.data["secret"]) == DEMO_TOTP_SECRET
    assert not has_second_factor(member)
    assert DEMO_TOTP_SECRET in demo
    assert DEMO_TOTP_SECRET in (ROOT / "README.md").read_text()


def test_demo_data_is_analysed_for_the_series_meeting_figures(demo):
    # Without statistics the planner loops over every pair of attendees for the figures.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'events_rsvp'")
        (estimated,) = cursor.fetchone()
    assert estimated == RSVP.objects.count()
