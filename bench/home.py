"""Benchmark `/` against a minimal "floor" page, both served by gunicorn on 127.0.0.1.

Seeds 100,000 members and 50 upcoming events (`manage.py seed_scale`), collects static files,
starts gunicorn (2 sync workers, DEBUG=false, BENCHMARK_FLOOR=true), then loads `/` and
`/bench/floor/` alternately with wrk (or a small threaded Python client when wrk is missing)
and prints the requests/s of each and their ratio. Goal: `/` at ≥ 50 % of the floor.

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
PATHS = {"home": "/", "floor": "/bench/floor/"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument(
        "--ties", type=int, default=0, help="ties to seed (the home page uses none)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per page")
    parser.add_argument("--duration", type=int, default=8, help="seconds per round")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--strict", action="store_true", help="exit 1 when below the goal")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    if "BENCH_DATABASE_URL" not in os.environ:
        recreate_database(url)
    env = os.environ | {
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key-" + "x" * 32,
        "BENCHMARK_FLOOR": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
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
    try:
        wait_until_up(port, gunicorn)
        for name, path in PATHS.items():
            check_page(port, path, name)
        load = wrk if shutil.which("wrk") else python_load
        print(f"HOME_CACHE_SECONDS={env.get('HOME_CACHE_SECONDS', '2 (the default)')}")
        print(f"Load generator: {'wrk' if load is wrk else 'Python threads'}, "
              f"{args.connections} connections, {args.duration} s per round.")  # fmt: skip
        for path in PATHS.values():  # warm both workers' caches and connection pools
            load(port, path, 2, args.connections)
        results: dict[str, list[float]] = {name: [] for name in PATHS}
        for round_number in range(1, args.rounds + 1):
            for name, path in PATHS.items():
                rate = load(port, path, args.duration, args.connections)
                results[name].append(rate)
                print(f"  round {round_number}  {name:<5} {path:<14} {rate:9.1f} req/s")
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=20)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait()

    home, floor = (statistics.median(results[name]) for name in PATHS)
    ratio = home / floor
    print(f"\n/ (home)        {home:9.1f} req/s (median of {args.rounds} rounds)")
    print(f"/bench/floor/   {floor:9.1f} req/s")
    print(f"ratio           {ratio:9.1%}  (goal ≥ 50 %) {'OK' if ratio >= 0.5 else 'BELOW GOAL'}")
    return 1 if args.strict and ratio < 0.5 else 0


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


def get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def check_page(port: int, path: str, name: str) -> None:
    status = get(port, path)
    if status != 200:
        sys.exit(f"{path} ({name}) answered {status}, not 200.")


def wrk(port: int, path: str, seconds: int, connections: int) -> float:
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
            f"http://127.0.0.1:{port}{path}",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output:
        sys.exit(f"{path} answered errors under load:\n{output}")
    return float(re.search(r"Requests/sec:\s*([\d.]+)", output).group(1))


def python_load(port: int, path: str, seconds: int, connections: int) -> float:
    """A bounded closed-loop client: `connections` threads, each one request at a time."""
    deadline = time.monotonic() + seconds
    counts = [0] * connections
    errors: list[str] = []

    def worker(index: int) -> None:
        while time.monotonic() < deadline and not errors:
            status = get(port, path)
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
