"""Database settings: `DATABASE_URL` when set, otherwise the embedded PostgreSQL.

Nothing here connects or starts a server: the embedded one starts on the first connection
(`community/embedded/`), so loading the settings stays cheap and side-effect free.
"""

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from community.embedded.server import DATABASE_NAME

PGDATA_DIRNAME = ".pgdata"


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


def embedded_database(base_dir: Path) -> dict[str, Any]:
    # HOST and USER are filled in by the backend once the server runs.
    return {
        "ENGINE": "community.embedded",
        "NAME": DATABASE_NAME,
        "PGDATA": str(base_dir / PGDATA_DIRNAME),
    }


# How long a request waits for the database before the visitor gets the 503 page: a server
# that is down answers "connection refused" at once, but the pool then waits for its
# background reconnection. A sync worker holds one connection at a time and never waits on
# its own pool otherwise, and during an outage requests queued behind it wait their turn:
# with 2 s, a visitor two requests deep in a worker's queue still has the page within 5 s.
CONNECT_TIMEOUT = 2
POOL_TIMEOUT = 2
# The pool retries a failed connection with a doubling delay (1, 2, 4, 8 s…); giving up after
# this long and starting again from 1 s at the next request keeps the site from waiting
# minutes after PostgreSQL is back.
POOL_RECONNECT_TIMEOUT = 5


def database_config(
    base_dir: Path,
    url: str | None,
    *,
    pool_size: int = 4,
    statement_timeout: int = 0,
) -> dict[str, Any]:
    """`pool_size`: connections each process may open (`DATABASE_POOL_SIZE`);
    `statement_timeout`: seconds a query may run, 0 for no limit (`DATABASE_STATEMENT_TIMEOUT`).
    """
    config = database_from_url(url) if url else embedded_database(base_dir)
    # The pool needs CONN_MAX_AGE=0; each gunicorn worker gets its own pool.
    config["CONN_MAX_AGE"] = 0
    options = config.setdefault("OPTIONS", {})
    options["pool"] = {
        "min_size": 1,
        "max_size": pool_size,
        "timeout": POOL_TIMEOUT,
        "reconnect_timeout": POOL_RECONNECT_TIMEOUT,
        # Django's default `check` (a connection is tested before it is handed out, so one
        # that PostgreSQL closed or a restart killed is replaced) needs CONN_HEALTH_CHECKS.
    }
    config["CONN_HEALTH_CHECKS"] = True
    options["connect_timeout"] = CONNECT_TIMEOUT
    if statement_timeout:
        options["options"] = f"-c statement_timeout={statement_timeout * 1000}"
    return config
