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


def database_config(base_dir: Path, url: str | None) -> dict[str, Any]:
    config = database_from_url(url) if url else embedded_database(base_dir)
    # The pool needs CONN_MAX_AGE=0; each gunicorn worker gets its own pool.
    config["CONN_MAX_AGE"] = 0
    config.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": 8, "timeout": 10}
    return config
