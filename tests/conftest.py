"""Named actors shared by every test: an organiser, a member, an outsider, anonymous."""

import datetime as dt
import os
import sys
import urllib.parse

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time as totp_counters
from django.db import connection
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.urls import reverse
from django.utils import timezone, translation
from xdist.scheduler import LoadScopeScheduling

from community.mfa import has_second_factor
from community.models import User
from events.models import Event, Series, Venue
from tests.local_web import web  # noqa: F401  (local web servers for what the site fetches)

# The suite starts about a hundred Python processes (servers, workers, commands) and rewrites
# the asserts of ninety test modules: each is compiled once into __pycache__, even where the
# environment says to write no bytecode (PYTHONDONTWRITEBYTECODE, set on this CI machine),
# rather than again in every process and every run.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# Modules whose tests start processes (servers, workers, the embedded PostgreSQL), drive the
# browser or seed the demo: seconds each, a few minutes in all. Workers are handed tests in
# collection order, so these come first, heaviest first: the run must not end with one worker
# alone on them while the other has nothing left.
SLOW_FIRST = (
    "tests/test_no_server_errors.py",
    "tests/events/test_rsvp_concurrency.py",
    "tests/community/test_embedded_postgres.py",
    "tests/community/test_mail_queue.py",
    "tests/community/test_serve.py",
    "tests/events/test_seed_demo",
    "tests/community/test_static_files.py",
    "tests/community/test_security.py",
    "tests/browser/",
    "tests/events/test_home_listing_cache.py",
    "tests/community/test_bench_floor.py",
    "tests/community/test_database_config.py",
    "tests/test_translations.py",
)
# Modules whose tests share a costly module-scoped fixture (the seeded demo, an initialised
# cluster, a collected copy of the project): each runs whole on one worker, so the fixture is
# made once.
ONE_WORKER = (
    "tests/events/test_seed_demo.py",
    "tests/events/test_seed_demo_runs.py",
    "tests/community/test_embedded_postgres.py",
    "tests/community/test_static_files.py",
)


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        return next(
            (i for i, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)),
            len(SLOW_FIRST),
        )

    items.sort(key=rank)  # stable: a module's tests keep their order


class _Scheduling(LoadScopeScheduling):
    """`-n`: a test at a time to whichever worker is free, in collection order, except the
    modules of `ONE_WORKER`, sent whole. (`--dist loadgroup` would do this with markers, but
    pytest-xdist 3.8 cannot rename pytest 9's node ids to group them.)"""

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return module if module in ONE_WORKER else nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "load":  # what -n chooses; another --dist is kept
        return _Scheduling(config, log)
    return None


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete():
    """Tests with `transaction=True` (the browser and live-server tests, the workers') empty
    every table after them with Django's flush. On PostgreSQL it TRUNCATEs, which makes new
    files for each table and index: about a second per test here, where DELETE on tables of a
    few rows takes milliseconds. The end state is the same (every table empty, sequences as
    they were); foreign keys are checked at commit (Django declares them DEFERRABLE INITIALLY
    DEFERRED) and the flush runs in one transaction, so the order of the tables is free."""
    truncate = PostgresOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]  # noqa: S608

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PostgresOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """Django's LocaleMiddleware activates each request's language in the thread that runs it
    (the test's own, with the test client) and leaves it active after the response: every test
    starts in the site's default language, whichever test ran before it on this worker."""
    translation.deactivate()
    yield
    translation.deactivate()


PASSWORD = "correct-horse-battery-staple"
# Every test organiser's authenticator app shares this secret (base32), so a test can type a code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_database_url() -> str:
    """A `DATABASE_URL` for the database this test process uses, for the servers and workers
    that tests start as subprocesses (the embedded server resolves its socket on connection)."""
    db = {**connection.settings_dict, **connection.get_connection_params()}
    return "postgres://{user}:{password}@{host}:{port}/{name}".format(
        user=urllib.parse.quote(db.get("user") or db["USER"] or "", safe=""),
        password=urllib.parse.quote(db["PASSWORD"] or "", safe=""),
        host=urllib.parse.quote(db.get("host") or db["HOST"] or "", safe=""),
        port=db.get("port") or db["PORT"] or 5432,
        name=db["NAME"],
    )


test_database_url.__test__ = False  # a helper, not a test


def make_member(username: str, **extra) -> User:
    extra.setdefault("display_name", username.replace("-", " ").title())
    return User.objects.create_user(
        email=f"{username}@example.org", password=PASSWORD, username=username, **extra
    )


def give_second_factor(user: User) -> User:
    """An authenticator app for `user` (the one organisers and staff must have)."""
    TOTP.activate(user, TOTP_SECRET)
    return user


def totp_code() -> str:
    """The code the test authenticator app shows now."""
    return format_hotp_value(hotp_value(TOTP_SECRET, next(iter(totp_counters()))))


def make_organiser(username: str, *series: Series, second_factor: bool = True, **extra) -> User:
    """A member who organises `series`: every test that needs an organiser makes one here, so
    what organisers need beyond the role (a second factor) is set up in one place."""
    return organise(make_member(username, **extra), *series, second_factor=second_factor)


def organise(user: User, *series: Series, second_factor: bool = True) -> User:
    """Makes an existing member an organiser of `series` (see `make_organiser`)."""
    if second_factor and not has_second_factor(user):
        give_second_factor(user)
    for one in series:
        one.organisers.add(user)
    return user


def make_staff(username: str, **extra) -> User:
    """A superuser with the second factor the admin asks for."""
    return give_second_factor(make_member(username, is_staff=True, is_superuser=True, **extra))


def reauthenticate(client, member: User) -> None:
    """A session that just gave the password again, as allauth asks before sensitive pages."""
    client.force_login(member)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def make_event(*, title: str = "Soirée Blog en Nord", days: int = 7, hours: int = 3, **extra):
    start = extra.pop("start", None) or timezone.now().replace(
        hour=19, minute=0, second=0, microsecond=0
    ) + dt.timedelta(days=days)
    return Event.objects.create(
        title=title, start=start, end=start + dt.timedelta(hours=hours), **extra
    )


@pytest.fixture
def member(db) -> User:
    return make_member("camille")


@pytest.fixture
def outsider(db) -> User:
    return make_member("olivier")


@pytest.fixture
def hermit(db) -> User:
    """A member who hides everything: not listed among attendees, ties seen by nobody."""
    return make_member(
        "hermit", display_name="Hidden Hermit", listed_in_attendees=False, ties_visibility="nobody"
    )


@pytest.fixture
def organiser(db, series) -> User:
    return make_organiser("orla", series)


@pytest.fixture
def venue(db) -> Venue:
    return Venue.objects.create(name="La Grand'Scène", address="1 rue de Paris", city="Lille")


@pytest.fixture
def series(db) -> Series:
    return Series.objects.create(
        name="Blog en Nord", slug="blog-en-nord", home_city="Lille", preferred_weekday=3
    )


@pytest.fixture
def event(db, series, venue) -> Event:
    return make_event(series=series, venue=venue, capacity=10)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client
