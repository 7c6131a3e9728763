"""Benchmark the public pages against a minimal "floor" page, all served by gunicorn.

Seeds 100,000 members, 2,000,000 ties and 50 upcoming events (`manage.py seed_scale`),
collects static files, starts gunicorn (2 sync workers, DEBUG=false,
DJANGO_SETTINGS_MODULE=bench.settings, which routes `/bench/floor/`), then loads each page
and the floor in turn with wrk (or a small threaded Python client when wrk is missing), and
prints the requests/s of each and their ratio. Goals: the anonymous pages (`/`, an event, a
series, the archive) at ≥ 70 % of the floor, a member's `/` and event page at ≥ 25 %.

The database: `BENCH_DATABASE_URL` when set (reused as it is, seeded once), otherwise
`postgres://postgres@127.0.0.1:5432/rencontres_bench` on the machine's PostgreSQL, dropped and
recreated on each run. See bench/README.md.
"""

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rencontres_bench"
FLOOR = "/bench/floor/"
# page name: (goal as a share of the floor, logged in as the benchmark member?)
PAGES = {
    "home": (0.70, False),
    "event": (0.70, False),
    "series": (0.70, False),
    "archive": (0.70, False),
    "member home": (0.25, True),
    "member event": (0.25, True),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--ties", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every page and floor")
    parser.add_argument("--duration", type=int, default=5, help="seconds per page per round")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=list(PAGES))
    parser.add_argument("--redis", metavar="URL", help="REDIS_URL for the site's caches")
    parser.add_argument("--gzip", action="store_true", help="send Accept-Encoding: gzip")
    parser.add_argument("--strict", action="store_true", help="exit 1 when below a goal")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    if "BENCH_DATABASE_URL" not in os.environ:
        recreate_database(url)
    env = os.environ | {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key-" + "x" * 32,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("REDIS_URL", None)
    if args.redis:
        env["REDIS_URL"] = args.redis
    manage = [sys.executable, str(ROOT / "manage.py")]
    # A database first migrated with Redis (`--redis`) has no cache table for a run without.
    run([*manage, "createcachetable"], env)
    run([*manage, "migrate", "--no-input", "-v", "0"], env)
    if not has_scale_data(url, args.members):
        started = time.monotonic()
        run(
            [
                *manage,
                "seed_scale",
                "--members",
                str(args.members),
                "--ties",
                str(args.ties),
                "--events",
                str(args.events),
            ],  # fmt: skip
            env,
        )
        print(f"Seeding took {time.monotonic() - started:.1f} s.")
    run([*manage, "collectstatic", "--no-input", "-v", "0"], env)
    paths, session = prepare(env)

    port = free_port()
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "community.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )
    headers = {"Accept-Encoding": "gzip"} if args.gzip else {}
    member = headers | {"Cookie": f"sessionid={session}"}
    pages = {name: (paths[name], member if PAGES[name][1] else headers) for name in args.pages}
    try:
        wait_until_up(port, gunicorn)
        check_page(port, FLOOR, "floor", headers)
        for name, (path, page_headers) in pages.items():
            check_page(port, path, name, page_headers)
        load = wrk if shutil.which("wrk") else python_load
        caches = f"Redis {args.redis}" if args.redis else "PostgreSQL (version), memory (fragments)"
        print(f"Caches: {caches}")
        print(f"Load generator: {'wrk' if load is wrk else 'Python threads'}, "
              f"{args.connections} connections, {args.duration} s per page and round, "
              f"{'with' if args.gzip else 'without'} gzip; load average "
              f"{os.getloadavg()[0]:.1f} before.")  # fmt: skip
        for path, page_headers in [(FLOOR, headers), *pages.values()]:  # warm every worker
            load(port, path, 1, args.connections, page_headers)
        rates: dict[str, list[float]] = {name: [] for name in pages}
        floors: dict[str, list[float]] = {name: [] for name in pages}
        ratios: dict[str, list[float]] = {name: [] for name in pages}
        for round_number in range(1, args.rounds + 1):
            for name, (path, page_headers) in pages.items():
                # Each page right beside a floor run: the machine's load moves in between.
                page = load(port, path, args.duration, args.connections, page_headers)
                floor = load(port, FLOOR, args.duration, args.connections, headers)
                rates[name].append(page)
                floors[name].append(floor)
                ratios[name].append(page / floor)
                print(f"  round {round_number}  {name:<13} {page:8.1f} req/s, floor "
                      f"{floor:8.1f} req/s: {page / floor:6.1%}  "
                      f"(load {os.getloadavg()[0]:.1f})")  # fmt: skip
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=20)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait()

    print(f"\n{'page':<14} {'path':<34} {'req/s':>8} {'floor':>8} {'ratio':>7} goal")
    below = []
    for name, (path, _) in pages.items():
        ratio, goal = statistics.median(ratios[name]), PAGES[name][0]
        print(f"{name:<14} {path:<34} {statistics.median(rates[name]):8.1f} "
              f"{statistics.median(floors[name]):8.1f} {ratio:7.1%} ≥ {goal:.0%} "
              f"{'OK' if ratio >= goal else 'BELOW'}")  # fmt: skip
        if ratio < goal:
            below.append(name)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 1 if args.strict and below else 0


def prepare(env: dict[str, str]) -> tuple[dict[str, str], str]:
    """The pages' paths and the session key of a logged-in benchmark member."""
    script = """
import django; django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from community.models import User
from events.models import Event, Series
from django.db.models import Count, Q
from events.models import RSVP
event = Event.objects.published().upcoming().order_by("start").first()
# A typical member, not an empty account: going to the event, with their ~40 ties; among
# those going, the one with the most contacts going to upcoming events (the most lines).
going = RSVP.objects.going().filter(event=event).values("member")
contacts_going = Q(ties_out__to_member__rsvps__status="going",
                   ties_out__to_member__rsvps__event__end__gte=event.start)
member = (User.objects.filter(pk__in=going)
          .annotate(n=Count("ties_out__to_member__rsvps", filter=contacts_going))
          .order_by("-n", "pk").first())
session = SessionStore()
session[SESSION_KEY] = str(member.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = member.get_session_auth_hash()
session.create()
print(event.get_absolute_url(), Series.objects.order_by("pk").first().get_absolute_url(),
      session.session_key)
"""
    output = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    event, series, session = output[-3:]
    paths = {
        "home": "/",
        "event": event,
        "series": series,
        "archive": "/events/past/",
        "member home": "/",
        "member event": event,
    }
    return paths, session


def run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        sys.exit(
            f"No PostgreSQL answers at {admin_url} ({exc}).\n"
            "Start one, or set BENCH_DATABASE_URL=postgres://user@host:port/name."
        )
    print(f"Recreated the database {name!r}.")


def has_scale_data(url: str, members: int) -> bool:
    import psycopg

    with psycopg.connect(url) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM community_user WHERE username LIKE 'scale-%'"
        ).fetchone()
    if count >= members:
        print(f"The database already holds {count:,} scale members: not seeding again.")
    return count >= members


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited before answering.")
        try:
            if get(port, "/healthz") == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not answer /healthz within 60 s.")


def get(port: int, path: str, headers: dict[str, str] | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def check_page(port: int, path: str, name: str, headers: dict[str, str]) -> None:
    status = get(port, path, headers)
    if status != 200:
        sys.exit(f"{path} ({name}) answered {status}, not 200.")


def wrk(port: int, path: str, seconds: int, connections: int, headers: dict[str, str]) -> float:
    output = subprocess.run(
        [
            "wrk",
            "--threads",
            "1",
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "10s",
            *(arg for name, value in headers.items() for arg in ("--header", f"{name}: {value}")),
            f"http://127.0.0.1:{port}{path}",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output:
        sys.exit(f"{path} answered errors under load:\n{output}")
    return float(re.search(r"Requests/sec:\s*([\d.]+)", output).group(1))


def python_load(
    port: int, path: str, seconds: int, connections: int, headers: dict[str, str]
) -> float:
    """A bounded closed-loop client: `connections` threads, each one request at a time."""
    deadline = time.monotonic() + seconds
    counts = [0] * connections
    errors: list[str] = []

    def worker(index: int) -> None:
        while time.monotonic() < deadline and not errors:
            status = get(port, path, headers)
            if status != 200:
                errors.append(f"{path} answered {status}")
            counts[index] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        sys.exit(errors[0])
    return sum(counts) / (time.monotonic() - started)


if __name__ == "__main__":
    sys.exit(main())
