"""Two gunicorn app servers (2 workers each) on one PostgreSQL and a shared Redis: races and faults.

    .venv/bin/python bench/cluster.py race        # 200 concurrent RSVPs for 10 seats
    .venv/bin/python bench/cluster.py restart     # pg_ctl restart -m fast, then -m immediate
    .venv/bin/python bench/cluster.py outage      # PostgreSQL stopped for 8 s under load
    .venv/bin/python bench/cluster.py terminate   # pg_terminate_backend on every app connection
    .venv/bin/python bench/cluster.py all
    .venv/bin/python bench/cluster.py ramp        # what saturates first as clients grow

The script starts a PostgreSQL of its own (initdb in a temporary folder, a free port of
127.0.0.1; as root it runs it as the `postgres` user) so that restarting it harms nobody, uses
the Redis database given by `--redis` (flushed at start: give it a number of its own), and
serves the site with `DEBUG=false` from two gunicorn servers. Each scenario prints what it
checked and exits 1 when a check fails. Figures and how to read them: bench/README.md.
"""

import argparse
import contextlib
import http.client
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVERS = 2
WORKERS = 2
DATABASE = "rencontres"
# A request slower than this during an outage is a hang; errors must stop this long after
# PostgreSQL answers again.
MAX_ANSWER_SECONDS = 5.0
MAX_RECOVERY_SECONDS = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "scenario", choices=["race", "restart", "outage", "terminate", "all", "ramp"]
    )
    parser.add_argument("--requests", type=int, default=200, help="RSVPs of the race")
    parser.add_argument("--seats", type=int, default=10, help="seats of the raced event")
    parser.add_argument("--seconds", type=float, default=20, help="load time per fault")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients under faults")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--postgres-bin", default=find_postgres_bin())
    parser.add_argument("--postgres-port", type=int, default=5442)
    parser.add_argument("--ports", default="8181,8182", help="the two servers' ports")
    args = parser.parse_args()
    ports = [int(port) for port in args.ports.split(",")]

    failures: list[str] = []
    postgres = Postgres(Path(args.postgres_bin), args.postgres_port)
    with postgres, Site(postgres, args.redis, ports) as site:
        scenarios = ["race", "restart", "outage", "terminate"]
        for scenario in scenarios if args.scenario == "all" else [args.scenario]:
            print(f"\n== {scenario} ==")
            if scenario == "race":
                failures += race(site, args.requests, args.seats)
            elif scenario == "restart":
                for mode in ("fast", "immediate"):
                    failures += under_load(site, args, f"restart -m {mode}", postgres.restart, mode)
            elif scenario == "outage":
                failures += under_load(site, args, "stopped 8 s", postgres.outage, 8)
            elif scenario == "ramp":
                ramp(site, postgres)
            else:
                failures += terminate(site, postgres)
    print()
    for failure in failures:
        print(f"FAILED: {failure}")
    print("All checks passed." if not failures else f"{len(failures)} check(s) failed.")
    return 1 if failures else 0


# --- PostgreSQL of our own --------------------------------------------------------------


def find_postgres_bin() -> str:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "pg_ctl").exists():
            return str(candidate)
    return str(Path(shutil.which("pg_ctl") or "/usr/bin/pg_ctl").parent)


class Postgres:
    """A throwaway cluster: initdb, start, restart, stop, remove."""

    def __init__(self, bin_dir: Path, port: int):
        self.bin = bin_dir
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="rencontres-cluster-"))
        self.data = self.dir / "data"
        # PostgreSQL refuses to run as root.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def __enter__(self):
        if self.as_user:
            os.chown(self.dir, pwd.getpwnam("postgres").pw_uid, -1)
        self.pg("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.pg_ctl("start")
        self.pg("createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", DATABASE)
        print(f"PostgreSQL {self.version()} on 127.0.0.1:{self.port} ({self.data})")
        return self

    def __exit__(self, *exc):
        subprocess.run(
            [*self.as_user, self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "stop"],
            capture_output=True,
        )
        # Keep the logs (PostgreSQL's, the servers' tracebacks) for a look afterwards.
        logs = Path(tempfile.gettempdir()) / "rencontres-cluster-logs"
        shutil.rmtree(logs, ignore_errors=True)
        logs.mkdir()
        for log in self.dir.glob("*log"):
            shutil.copy(log, logs)
        shutil.rmtree(self.dir, ignore_errors=True)

    def pg(self, program: str, *arguments) -> str:
        command = [*self.as_user, self.bin / program, *map(str, arguments)]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=60"
        )
        self.pg(
            "pg_ctl", "-D", self.data, "-l", self.dir / "log", "-w", "-o", options, action, *extra
        )

    def restart(self, mode: str) -> tuple[float, float]:
        """(when the restart began, when the server accepted connections again)."""
        began = time.monotonic()
        self.pg_ctl("restart", "-m", mode)
        return began, time.monotonic()

    def outage(self, seconds: float) -> tuple[float, float]:
        began = time.monotonic()
        self.pg_ctl("stop", "-m", "fast")
        time.sleep(seconds)
        self.pg_ctl("start")
        return began, time.monotonic()

    def sql(self, query: str, *params) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def version(self) -> str:
        return self.pg("postgres", "--version").split()[2]


# --- The site: two gunicorn servers ----------------------------------------------------


class Site:
    def __init__(self, postgres: Postgres, redis_url: str, ports: list[int]):
        self.postgres = postgres
        self.redis_url = redis_url
        self.ports = ports
        self.servers: list[subprocess.Popen] = []
        self.env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "community.settings",
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis_url,
            "DEBUG": "false",
            "SECRET_KEY": "bench-cluster-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "APP_SERVERS": str(SERVERS),
            "WEB_CONCURRENCY": str(WORKERS),
        }

    def __enter__(self):
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=self.env, check=True)
        subprocess.run(
            [*manage, "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=self.env, check=True
        )
        for port in self.ports:
            self.servers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "community.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        str(WORKERS),
                        "--log-level",
                        "warning",
                        "--access-logfile",
                        "-",
                    ],  # fmt: skip
                    cwd=ROOT,
                    env=self.env,
                    stdout=subprocess.DEVNULL,
                    # Every request that failed during an outage logs its traceback.
                    stderr=(self.postgres.dir / f"gunicorn-{port}.log").open("w"),
                )
            )
        for port, server in zip(self.ports, self.servers, strict=True):
            wait_until_up(port, server)
        logs = Path(tempfile.gettempdir()) / "rencontres-cluster-logs"
        print(f"{SERVERS} gunicorn servers × {WORKERS} workers on ports {self.ports}, "
              f"cache {self.redis_url}, logs kept in {logs}/")  # fmt: skip
        return self

    def __exit__(self, *exc):
        for server in self.servers:
            server.terminate()
        for server in self.servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    def django(self, script: str) -> dict:
        """Run `script` with Django set up on the site's database; it prints one JSON line."""
        prelude = "import json, django; django.setup()\n"
        output = subprocess.run(
            [sys.executable, "-c", prelude + script],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return json.loads(output.strip().splitlines()[-1])

    def members_with_sessions(self, prefix: str, count: int) -> tuple[list[int], list[str]]:
        data = self.django(f"""
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from community.models import User
users = User.objects.bulk_create(
    User(username=f"{prefix}{{i}}", email=f"{prefix}{{i}}@bench.local",
         display_name=f"{prefix} {{i}}")
    for i in range({count}))
keys = []
for user in users:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    keys.append(session.session_key)
print(json.dumps({{"ids": [u.pk for u in users], "sessions": keys}}))
""")
        return data["ids"], data["sessions"]

    def event(self, slug: str, capacity: int) -> str:
        data = self.django(f"""
import datetime as dt
from django.utils import timezone
from events.models import Event, Series
series, _ = Series.objects.get_or_create(slug="bench-cluster", defaults={{"name": "Bench"}})
start = timezone.now() + dt.timedelta(days=7)
event = Event.objects.create(title="{slug}", slug="{slug}", series=series, capacity={capacity},
                             start=start, end=start + dt.timedelta(hours=3))
print(json.dumps({{"url": event.get_absolute_url()}}))
""")
        return data["url"]


# --- HTTP ---------------------------------------------------------------------------------

CSRF = "benchcsrf" * 3 + "abcde"  # 32 characters: an unmasked CSRF secret


@dataclass
class Answer:
    status: int | str  # the HTTP status, or the exception's name
    started: float
    seconds: float
    location: str = ""
    body: str = field(default="", repr=False)


def request(port: int, method: str, path: str, session: str = "", data: str = "") -> Answer:
    headers = {"Accept-Language": "en"}
    if session:
        headers["Cookie"] = f"sessionid={session}; csrftoken={CSRF}"
    if data:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        data += f"&csrfmiddlewaretoken={CSRF}"
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=data or None, headers=headers)
        response = conn.getresponse()
        body = response.read().decode(errors="replace")
        return Answer(
            response.status,
            started,
            time.monotonic() - started,
            response.getheader("Location", ""),
            body,
        )
    except OSError as exc:
        return Answer(type(exc).__name__, started, time.monotonic() - started)
    finally:
        conn.close()


def is_5xx(answer: Answer) -> bool:
    return not isinstance(answer.status, int) or answer.status >= 500


# --- Scenarios ----------------------------------------------------------------------------


def race(site: Site, count: int, seats: int) -> list[str]:
    event = site.event("bench-race", seats)
    ids, sessions = site.members_with_sessions("racer", count)
    barrier = threading.Barrier(count)
    answers: list[Answer | None] = [None] * count

    def one(i: int) -> None:
        barrier.wait()
        port = site.ports[i % SERVERS]
        answers[i] = request(port, "POST", f"{event}rsvp/", sessions[i], "answer=going")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    statuses = sorted({str(a.status) for a in answers})
    print(f"{count} RSVPs in {elapsed:.1f} s over {SERVERS} servers; statuses {statuses}; "
          f"slowest answer {max(a.seconds for a in answers):.2f} s")  # fmt: skip
    state = site.django("""
from events.models import RSVP, Event
from events.rsvps import with_waitlist_position
event = Event.objects.get(slug="bench-race")
waiting = with_waitlist_position(RSVP.objects.filter(event=event).waitlisted())
print(json.dumps({
    "going": RSVP.objects.filter(event=event).going().count(),
    "positions": sorted(waiting.values_list("waitlist_position", flat=True)),
    "rows": RSVP.objects.filter(event=event).count(),
}))
""")
    going, positions = state["going"], state["positions"]
    print(f"going {going}, waitlisted {len(positions)}, positions "
          f"{positions[:3]}…{positions[-3:]}, rows {state['rows']}")  # fmt: skip
    failures = []
    if any(is_5xx(a) for a in answers):
        failures.append(f"race: {sum(map(is_5xx, answers))} answers were 5xx or no answer")
    if any(a.status != 302 or "/accounts/" in a.location for a in answers):
        failures.append("race: not every RSVP was answered with the redirect to the event")
    if going != seats:
        failures.append(f"race: {going} going for {seats} seats")
    if positions != list(range(1, count - seats + 1)):
        failures.append(f"race: waitlist positions are not 1…{count - seats}")
    return failures


def under_load(site: Site, args, name: str, fault, *fault_args) -> list[str]:
    """Writers RSVP (one new member each time), readers load a member's page, while `fault`
    runs; then check every answered write, the answers' times, when errors stopped."""
    slug = "bench-" + name.replace(" ", "-").replace("-m-", "-").replace("8-s", "8s")
    event = site.event(slug, 1_000_000)
    ids, sessions = site.members_with_sessions(slug.removeprefix("bench-") + "-", 2500)
    members = iter(range(len(ids)))
    lock = threading.Lock()
    answers: list[tuple[str, int, Answer]] = []  # (kind, member index, answer)
    stop = threading.Event()

    def writer(n: int) -> None:
        while not stop.is_set():
            with lock:
                i = next(members, None)
            if i is None:
                return
            answer = request(
                site.ports[n % SERVERS], "POST", f"{event}rsvp/", sessions[i], "answer=going"
            )
            with lock:
                answers.append(("write", i, answer))

    def reader(n: int) -> None:
        while not stop.is_set():
            answer = request(site.ports[n % SERVERS], "GET", "/me/events/", sessions[n])
            with lock:
                answers.append(("read", n, answer))
            time.sleep(0.05)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(args.clients // 2)]
    threads += [threading.Thread(target=reader, args=(n,)) for n in range(args.clients // 2)]
    for thread in threads:
        thread.start()
    time.sleep(args.seconds / 4)
    down, up = fault(*fault_args)
    time.sleep(max(args.seconds * 3 / 4 - (up - down), MAX_RECOVERY_SECONDS + 2))
    stop.set()
    for thread in threads:
        thread.join()

    writes = [(i, a) for kind, i, a in answers if kind == "write"]
    answered = [i for i, a in writes if a.status == 302 and "/accounts/" not in a.location]
    stored = {
        row[0]
        for row in site.postgres.sql(
            "SELECT member_id FROM events_rsvp JOIN events_event e ON e.id = event_id "
            "WHERE e.slug = %s",
            slug,
        )
    }
    missing = [i for i in answered if ids[i] not in stored]
    errors = [a for _, _, a in answers if is_5xx(a)]
    unavailable = [a for a in errors if a.status == 503]
    other = [a for a in errors if a.status != 503]
    site_503 = all("Rencontres revient dans un instant" in a.body for a in unavailable)
    last_error = max((a.started + a.seconds for a in errors), default=up)
    slowest = max(a.seconds for _, _, a in answers)
    print(f"{name}: PostgreSQL away {up - down:.1f} s; {len(answers)} requests "
          f"({len(writes)} writes, {len(answered)} answered 302); {len(unavailable)} × 503 "
          f"(the site's page: {site_503}), {len(other)} other errors "
          f"{sorted({str(a.status) for a in other})}; slowest answer {slowest:.2f} s; "
          f"last error {last_error - up:+.1f} s after PostgreSQL was back; "
          f"answered writes missing from the database: {len(missing)}")  # fmt: skip
    for kind, _, a in sorted(answers, key=lambda x: -x[2].seconds)[:3]:
        print(f"  slow: {kind} sent {a.started - down:+.1f} s after the fault began, "
              f"{a.status} after {a.seconds:.2f} s (at {time.strftime('%H:%M:%S')})")  # fmt: skip
    failures = []
    if missing:
        failures.append(f"{name}: {len(missing)} writes answered 302 are not in the database")
    if slowest > MAX_ANSWER_SECONDS + 1:  # the fault itself may hold one request that long
        failures.append(f"{name}: an answer took {slowest:.1f} s")
    if last_error - up > MAX_RECOVERY_SECONDS:
        failures.append(f"{name}: errors went on {last_error - up:.1f} s after PostgreSQL was back")
    if not site_503:
        failures.append(f"{name}: a 503 was not the site's page")
    if other:
        failures.append(f"{name}: {len(other)} errors other than the 503 page")
    return failures


def terminate(site: Site, postgres: Postgres) -> list[str]:
    ids, sessions = site.members_with_sessions("terminated-", 8)
    for i in range(40):  # every worker of both servers holds a connection
        request(site.ports[i % SERVERS], "GET", "/me/events/", sessions[i % 8])
    killed = postgres.sql(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        DATABASE,
    )[0][0]
    answers = [
        request(site.ports[i % SERVERS], "GET", "/me/events/", sessions[i % 8]) for i in range(40)
    ]
    statuses = [a.status for a in answers]
    slowest = max(a.seconds for a in answers)
    print(f"terminated {killed} app connections; the next {len(answers)} requests: "
          f"{sorted({str(s) for s in statuses})}, slowest {slowest:.2f} s")  # fmt: skip
    if killed == 0:
        return ["terminate: no app connection to terminate"]
    if statuses != [200] * len(answers):
        return ["terminate: a request after pg_terminate_backend did not succeed"]
    return []


def ramp(site: Site, postgres: Postgres) -> None:
    """Requests/s, latencies and where the CPU went, for more and more concurrent clients."""
    import psutil

    event = site.event("bench-ramp", 1_000_000)
    _, sessions = site.members_with_sessions("ramp-", 256)
    mixes = {
        "anonymous event page": lambda i, port: request(port, "GET", event),
        "member event page": lambda i, port: request(port, "GET", event, sessions[i]),
        # Each client says going, then not going, then going…: a write and a redirect.
        "member RSVP": lambda i, port: request(
            port, "POST", f"{event}rsvp/", sessions[i], f"answer={RAMP_ANSWERS[i % 2]}"
        ),
    }
    postmaster = int((postgres.data / "postmaster.pid").read_text().split()[0])

    def cpu_seconds(roots: list[int]) -> float:
        total = 0.0
        for root in roots:
            with contextlib.suppress(psutil.NoSuchProcess):
                tree = psutil.Process(root)
                for proc in [tree, *tree.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        times = proc.cpu_times()
                        total += times.user + times.system
        return total

    print(f"{'mix':<22} {'clients':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'max ms':>7} {'errors':>6} {'gunicorn CPU':>12} {'postgres CPU':>12}")  # fmt: skip
    for name, call in mixes.items():
        for clients in (2, 8, 32, 128):
            answers: list[Answer] = []
            lock = threading.Lock()
            stop = threading.Event()

            def client(i: int, call=call, stop=stop, lock=lock, answers=answers) -> None:
                while not stop.is_set():
                    answer = call(i, site.ports[i % SERVERS])
                    with lock:
                        answers.append(answer)

            web0, db0 = cpu_seconds([s.pid for s in site.servers]), cpu_seconds([postmaster])
            threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            time.sleep(RAMP_SECONDS)
            stop.set()
            for thread in threads:
                thread.join()
            wall = time.monotonic() - started
            web = cpu_seconds([s.pid for s in site.servers]) - web0
            db = cpu_seconds([postmaster]) - db0
            times = sorted(a.seconds * 1000 for a in answers)
            errors = sum(1 for a in answers if is_5xx(a))
            print(f"{name:<22} {clients:>7} {len(answers) / wall:7.0f} "
                  f"{times[len(times) // 2]:7.0f} {times[int(len(times) * 0.95)]:7.0f} "
                  f"{times[-1]:7.0f} {errors:>6} {web / wall:11.0%} {db / wall:11.0%}")  # fmt: skip
    print(f"CPU: share of one core (the machine has {os.cpu_count()}); load average "
          f"{os.getloadavg()[0]:.1f}.")  # fmt: skip


RAMP_SECONDS = 6
RAMP_ANSWERS = ("going", "declined")


# --- Helpers ------------------------------------------------------------------------------


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited before answering.")
        if request(port, "GET", "/healthz").status == 200:
            return
        time.sleep(0.2)
    sys.exit("gunicorn did not answer /healthz within 60 s.")


if __name__ == "__main__":
    sys.exit(main())
