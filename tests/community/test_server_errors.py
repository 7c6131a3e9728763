"""The 503 page when the database cannot be reached; the connection budget at start-up."""

from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError
from django.test import Client

from community import checks

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_client(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_a_database_that_does_not_answer_gives_the_503_page(production_client):
    refused = OperationalError("connection failed: Connection refused")
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=refused):
        response = production_client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "Rencontres revient dans un instant" in body
    assert "cannot reach its database" in body


def test_other_failures_still_give_the_500_page(production_client):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=ZeroDivisionError
    ):
        response = production_client.get("/")

    assert response.status_code == 500
    assert "Oups, une erreur est survenue" in response.content.decode()


def test_the_connection_budget_counts_every_process_and_its_pool(settings):
    settings.APP_SERVERS, settings.WEB_CONCURRENCY, settings.JOB_WORKERS = 2, 2, 1
    settings.DATABASE_POOL_SIZE = 4

    assert checks.connections_needed() == (2 * 2 + 1) * 4 + 2
    assert checks.budget_errors(22) == []
    [error] = checks.budget_errors(21)
    assert error.id == "community.E002"
    assert "(2 APP_SERVERS × 2 WEB_CONCURRENCY + 1 JOB_WORKERS) × 4 DATABASE_POOL_SIZE" in error.msg
    assert "= 22 connections, and the server accepts 21" in error.msg


def test_the_budget_is_read_from_the_servers_max_connections(settings):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        max_connections = int(cursor.fetchone()[0])
        cursor.execute("SHOW superuser_reserved_connections")
        reserved = int(cursor.fetchone()[0])

    assert checks.server_connection_limit(connection) == max_connections - reserved
    assert checks.connection_budget(databases=["default"]) == []
    settings.WEB_CONCURRENCY = max_connections  # far too many workers
    assert [e.id for e in checks.connection_budget(databases=["default"])] == ["community.E002"]
    with pytest.raises(ImproperlyConfigured, match="connection budget is over"):
        checks.require_connection_budget()


def test_a_worker_starts_when_the_database_cannot_be_asked_yet(settings, caplog):
    settings.WEB_CONCURRENCY = 10_000
    with mock.patch.object(checks, "server_connection_limit", side_effect=OperationalError("down")):
        checks.require_connection_budget()  # no exception

    assert "Could not read max_connections" in caplog.text
