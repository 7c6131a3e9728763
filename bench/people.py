"""Benchmark of the event's people view at community scale.

In a 100,000-member community with 2,000,000 ties (`manage.py seed_scale`), two events whose
going attendees were found by walking ties from one member (breadth first, so they know each
other): 1,000 attendees, and 75 like a demo evening. The walking member is the viewer.
Measures, in process with Django's test client (no network, DEBUG off):

- the median server time of each people view for that member (default "around me" view, and
  "everyone") and for an anonymous visitor, wall clock and this process's CPU time, and the
  number of queries per request; the part the same for every viewer comes from the cache
  (`events.people.Shared`), so the default view is measured once more just after a write
  (the data version replaced before each request: the shared part built again);
- the page's size, raw and gzip-compressed (level 6, as the site's GZipMiddleware), and its
  number of DOM elements (start tags);
- the floor: the raw SQL time to fetch the ties induced by the attendees.

Budgets: 1,000 attendees, member: median ≤ 150 ms, ≤ 60 KB compressed, ≤ 3,000 elements;
75 attendees: ≤ 30 KB compressed. The time budget is checked against the wall clock and, as
the machine may be shared, against the CPU time too: both are printed.

The database: `BENCH_DATABASE_URL` (reused as it is: migrated, seeded only when it holds
fewer scale members than asked; the two events are made once), otherwise
`postgres://postgres@127.0.0.1:5432/rencontres_people_bench`, created and seeded if missing.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/rencontres_bench_h4 \\
        .venv/bin/python bench/people.py --requests 30
"""

import argparse
import gzip
import os
import statistics
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rencontres_people_bench"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 32)
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

# Models can only be imported once the apps are loaded.
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from community.models import Tie, User  # noqa: E402
from events import cache  # noqa: E402
from events.models import RSVP, Event, Series, Venue  # noqa: E402

BUDGETS = {1000: {"ms": 150, "gzip_kb": 60, "elements": 3000}, 75: {"gzip_kb": 30}}

INDUCED_TIES_SQL = """
SELECT t.from_member_id, t.to_member_id
FROM community_tie AS t
WHERE t.from_member_id IN (SELECT member_id FROM events_rsvp
                           WHERE event_id = %(event)s AND status = 'going')
  AND t.to_member_id IN (SELECT member_id FROM events_rsvp
                         WHERE event_id = %(event)s AND status = 'going')
"""


class ElementCounter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.count = 0

    def handle_starttag(self, tag, attrs):
        self.count += 1

    def handle_startendtag(self, tag, attrs):
        self.count += 1


def walk_ties(start: User, count: int) -> list[int]:
    """`count` members reached from `start` breadth first along ties (either direction)."""
    found, frontier = [start.pk], [start.pk]
    seen = {start.pk}
    while frontier and len(found) < count:
        nxt = []
        for chunk in range(0, len(frontier), 5000):
            part = frontier[chunk : chunk + 5000]
            pairs = set(
                Tie.objects.filter(from_member_id__in=part).values_list(
                    "from_member_id", "to_member_id"
                )
            ) | set(
                Tie.objects.filter(to_member_id__in=part).values_list(
                    "to_member_id", "from_member_id"
                )
            )
            for _a, b in sorted(pairs):
                if b not in seen:
                    seen.add(b)
                    nxt.append(b)
        for member_id in nxt:
            if len(found) == count:
                break
            found.append(member_id)
        frontier = nxt
    return found


def walked_event(slug: str, start: User, count: int) -> Event:
    """An upcoming event whose `count` going attendees were found by walking ties."""
    event = Event.objects.filter(slug=slug).first()
    if event is not None:
        return event
    members = walk_ties(start, count)
    venue, _ = Venue.objects.get_or_create(
        name="Salle des benchmarks", city="Lille", defaults={"address": "1 rue du Test"}
    )
    series, _ = Series.objects.get_or_create(
        slug="scale", defaults={"name": "Scale", "home_city": "Lille"}
    )
    start_at = timezone.now() + timezone.timedelta(days=400 + count % 97)
    with transaction.atomic():
        event = Event.objects.create(
            series=series,
            venue=venue,
            title=f"Soirée des {count} qui se connaissent",
            slug=slug,
            start=start_at,
            end=start_at + timezone.timedelta(hours=3),
            capacity=None,
        )
        RSVP.objects.bulk_create(
            RSVP(event=event, member_id=m, status=RSVP.Status.GOING) for m in members
        )
    return event


def timed(fn, repeat: int, cpu: list[float] | None = None, before=None) -> list[float]:
    """Wall-clock times in ms; with `cpu`, this process's CPU time of each call too (on a
    shared machine the wall clock mostly measures the wait for a core). `before()` runs
    before each call, untimed."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - start_cpu) * 1000)
    return times


def describe(label: str, times: list[float]) -> None:
    print(
        f"{label:<44} median {statistics.median(times):7.1f} ms   "
        f"min {min(times):7.1f}   max {max(times):7.1f}   (n={len(times)})"
    )


def measure(event: Event, viewer: User, requests: int) -> dict:
    settings.ALLOWED_HOSTS = ["*"]
    url = f"/events/{event.slug}/people/"
    anonymous, member = Client(), Client()
    member.force_login(viewer)
    going = RSVP.objects.going().filter(event=event).count()

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(INDUCED_TIES_SQL, {"event": event.pk})
            cursor.fetchall()

    with connection.cursor() as cursor:
        cursor.execute(INDUCED_TIES_SQL, {"event": event.pk})
        induced = len(cursor.fetchall())
    print(f"\n{event.slug}: {going:,} going, {induced:,} ties among them")

    def get(client, query=""):
        def load():
            response = client.get(url + query)
            assert response.status_code == 200, response.status_code
            return response

        return load

    figures = {}
    for label, client, query, before in (
        ("member, around me (default)", member, "", None),
        ("member, everyone", member, "?graph=everyone", None),
        ("anonymous", anonymous, "", None),
        # As after any write anywhere on the site (an RSVP, a tie): the shared part rebuilt.
        ("member, around me, after a write", member, "", cache.changed),
    ):
        load = get(client, query)
        load()  # warm caches and connections
        queries = []
        if before is not None:
            before()
        with connection.execute_wrapper(
            lambda execute, sql, *a, q=queries: q.append(sql) or execute(sql, *a)
        ):
            body = load().content
        cpu: list[float] = []
        times = timed(load, requests, cpu, before)
        counter = ElementCounter()
        counter.feed(body.decode())
        compressed = len(gzip.compress(body, compresslevel=6))
        describe(f"people page, {label}", times)
        print(
            f"{'':<44} CPU of this process: median {statistics.median(cpu):.1f} ms; "
            f"{len(queries)} queries, {len(body) / 1024:.0f} KB, "
            f"{compressed / 1024:.1f} KB gzip, {counter.count:,} elements"
        )
        figures[label] = {
            "ms": statistics.median(times),
            "cpu_ms": statistics.median(cpu),
            "gzip_kb": compressed / 1024,
            "elements": counter.count,
        }
    describe("floor: SQL of the induced ties", timed(floor, requests))
    return figures["member, around me (default)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--ties", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    # A database restored from a dump may lack the cache table, which the data version (and
    # so `migrate`'s post-migrate hook) needs: created first, if missing.
    call_command("createcachetable", verbosity=0)
    call_command("migrate", verbosity=0)
    # DEBUG off needs the hashed static files, as in production.
    call_command("collectstatic", interactive=False, verbosity=0)
    # The app loaded as gunicorn loads it (Django set up, then the garbage collector's freeze).
    import community.wsgi  # noqa: F401, PLC0415

    scale_members = User.objects.filter(username__startswith="scale-").count()
    if scale_members < args.members:
        call_command("seed_scale", members=args.members, ties=args.ties, events=10)
    start = User.objects.filter(username="scale-1").get()
    print(f"{User.objects.count():,} members, {Tie.objects.count():,} ties; walking from {start}")

    print("load average before the run: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    ok = True
    for count in (1000, 75):
        event = walked_event(f"people-bench-walked-{count}", start, count)
        figures = measure(event, start, args.requests)
        for key, limit in BUDGETS[count].items():
            met = figures[key] <= limit
            ok = ok and met
            print(f"  budget {key} ≤ {limit}: {figures[key]:.1f} {'met' if met else 'NOT met'}")
            if key == "ms":
                cpu_met = figures["cpu_ms"] <= limit
                print(
                    f"  budget ms ≤ {limit} in CPU time: {figures['cpu_ms']:.1f} "
                    f"{'met' if cpu_met else 'NOT met'}"
                )
    print("load average after the run: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print("all budgets met" if ok else "some budgets NOT met")


if __name__ == "__main__":
    main()
