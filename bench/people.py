"""Benchmark of the event's people view at community scale.

An event with 1,000 going attendees in a 100,000-member community with 2,000,000 ties
(`manage.py seed_scale`). Measures, in process with Django's test client (no network):

- the median server time of `/events/scale-big-event/people/` for a logged-in member
  and for an anonymous visitor, and the number of queries per request;
- the floor: the raw SQL time to fetch the ties induced by the attendees.

Goal: median ≤ 200 ms for the logged-in page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rencontres_people_bench \\
        .venv/bin/python bench/people.py --seed      # create the database and seed it first
    DATABASE_URL=... .venv/bin/python bench/people.py --requests 30
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

# Loaded the way gunicorn loads it (Django set up, then the garbage collector's freeze).
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from community.models import Tie, User  # noqa: E402
from community.wsgi import application  # noqa: E402, F401
from events.models import RSVP, Event  # noqa: E402

SLUG = "scale-big-event"

INDUCED_TIES_SQL = """
SELECT t.from_member_id, t.to_member_id
FROM community_tie AS t
WHERE t.from_member_id IN (SELECT member_id FROM events_rsvp
                           WHERE event_id = %(event)s AND status = 'going')
  AND t.to_member_id IN (SELECT member_id FROM events_rsvp
                         WHERE event_id = %(event)s AND status = 'going')
"""


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def describe(label: str, times: list[float]) -> None:
    print(
        f"{label:<38} median {statistics.median(times):7.1f} ms   "
        f"min {min(times):7.1f}   max {max(times):7.1f}   (n={len(times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true", help="migrate and run seed_scale first")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--ties", type=int, default=2_000_000)
    parser.add_argument("--attendees", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    if args.seed:
        call_command("migrate", verbosity=0)
        call_command(
            "seed_scale",
            members=args.members,
            ties=args.ties,
            events=10,
            attendees=args.attendees,
        )

    event = Event.objects.get(slug=SLUG)
    going = RSVP.objects.filter(event=event, status=RSVP.Status.GOING)
    viewer = User.objects.get(pk=going.order_by("member_id").values_list("member", flat=True)[0])
    print(
        f"{User.objects.count():,} members, {Tie.objects.count():,} ties, "
        f"{going.count():,} going to {SLUG}"
    )

    with connection.cursor() as cursor:
        cursor.execute(INDUCED_TIES_SQL, {"event": event.pk})
        print(f"induced ties among attendees: {len(cursor.fetchall()):,}")

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(INDUCED_TIES_SQL, {"event": event.pk})
            cursor.fetchall()

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    url = f"/events/{SLUG}/people/"

    def anonymous() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    member = Client()
    member.force_login(viewer)

    def logged_in() -> None:
        response = member.get(url)
        assert response.status_code == 200, response.status_code

    for fn in (floor, anonymous, logged_in):
        fn()  # warm caches and connections
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)
    ):
        logged_in()
    page_bytes = len(member.get(url).content)

    describe("floor: SQL of the induced ties", timed(floor, args.requests))
    describe("people page, anonymous", timed(anonymous, args.requests))
    member_times = timed(logged_in, args.requests)
    describe("people page, logged-in member", member_times)
    print(f"queries per logged-in request: {len(queries)}; page size {page_bytes / 1024:.0f} KiB")
    print("load average during the run: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    goal = statistics.median(member_times) <= 200
    print("goal (median ≤ 200 ms):", "met" if goal else "NOT met")


if __name__ == "__main__":
    main()
