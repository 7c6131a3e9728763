"""Start-up checks: what would make every page fail is said before the first request."""

import logging

import psycopg
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

logger = logging.getLogger(__name__)


@register(Tags.staticfiles, deploy=True)
def static_manifest(app_configs=None, **kwargs) -> list[Error]:
    # With DEBUG on, `{% static %}` gives plain names and WhiteNoise serves the sources; with
    # it off, each name is looked up in the manifest that only `collectstatic` writes.
    if settings.DEBUG or not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    if staticfiles_storage.exists(staticfiles_storage.manifest_name):
        return []
    manifest = staticfiles_storage.path(staticfiles_storage.manifest_name)
    return [
        Error(
            f"The static files manifest {manifest} is missing, so with DEBUG off every page "
            "would fail.",
            hint="Run `manage.py collectstatic --no-input` before starting the server.",
            id="community.E001",
        )
    ]


def require_static_manifest() -> None:
    """For the WSGI and ASGI entry points, which run no system checks."""
    for error in static_manifest():
        raise ImproperlyConfigured(f"{error.msg} {error.hint}")


# Connections kept free for `manage.py` commands beside the servers (migrate, cron's
# send_due_reminders, a shell), each with a pool of its own.
COMMAND_CONNECTIONS = 2


def connections_needed() -> int:
    processes = settings.APP_SERVERS * settings.WEB_CONCURRENCY + settings.JOB_WORKERS
    return processes * settings.DATABASE_POOL_SIZE + COMMAND_CONNECTIONS


def server_connection_limit(connection) -> int:
    """`max_connections` less the slots PostgreSQL keeps for superusers, read on a connection
    of its own (never the pool's: gunicorn may fork after this runs)."""
    with psycopg.connect(**connection.get_connection_params()) as raw:
        rows = raw.execute(
            "SELECT current_setting('max_connections')::int"
            " - current_setting('superuser_reserved_connections')::int"
        )
        return rows.fetchone()[0]


def budget_errors(available: int) -> list[Error]:
    needed = connections_needed()
    if needed <= available:
        return []
    return [
        Error(
            f"The connection budget is over PostgreSQL's limit: ({settings.APP_SERVERS} "
            f"APP_SERVERS × {settings.WEB_CONCURRENCY} WEB_CONCURRENCY + "
            f"{settings.JOB_WORKERS} JOB_WORKERS) × {settings.DATABASE_POOL_SIZE} "
            f"DATABASE_POOL_SIZE + {COMMAND_CONNECTIONS} for commands = {needed} connections, "
            f"and the server accepts {available} (max_connections less "
            "superuser_reserved_connections).",
            hint="Lower DATABASE_POOL_SIZE or the number of workers, raise max_connections, "
            "or put PgBouncer in front of PostgreSQL (see docs/deploy.md).",
            id="community.E002",
        )
    ]


@register(Tags.database)
def connection_budget(app_configs=None, databases=None, **kwargs) -> list[Error]:
    # Run by `manage.py check --database default` and before `migrate`.
    if not databases or "default" not in databases:
        return []
    return budget_errors(server_connection_limit(connections["default"]))


def require_connection_budget() -> None:
    """For the WSGI entry point: refuse to start a worker that would take the database past
    its connection limit. A database that does not answer yet is no reason not to start."""
    try:
        available = server_connection_limit(connections["default"])
    except Exception as exc:  # noqa: BLE001 - any failure to connect: start, say why
        logger.warning("Could not read max_connections to check the connection budget: %s", exc)
        return
    for error in budget_errors(available):
        raise ImproperlyConfigured(f"{error.msg} {error.hint}")
