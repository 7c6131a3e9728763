import json
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from community.db import database_config, database_from_url
from community.settings import envbool, envint


def test_database_url_is_used_when_set(tmp_path):
    config = database_config(tmp_path, "postgres://alice:secret@db.example:6543/rencontres")

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["HOST"], config["PORT"]) == (
        "rencontres",
        "alice",
        "db.example",
        6543,
    )
    assert config["CONN_MAX_AGE"] == 0  # the connection pool requires it
    assert config["OPTIONS"]["pool"]["max_size"] == 4
    assert not (tmp_path / ".pgdata").exists()  # no embedded server was started


def test_without_database_url_the_embedded_backend_is_configured_but_not_started(tmp_path):
    config = database_config(tmp_path, None)

    assert (config["ENGINE"], config["NAME"], config["PGDATA"]) == (
        "community.embedded",
        "rencontres",
        str(tmp_path / ".pgdata"),
    )
    assert config["CONN_MAX_AGE"] == 0  # the connection pool requires it
    assert config["OPTIONS"]["pool"]["max_size"] == 4
    assert not (tmp_path / ".pgdata").exists()  # started by the first connection only


def test_an_unreachable_database_is_given_up_within_seconds_and_connections_are_checked(tmp_path):
    config = database_config(
        tmp_path, "postgres://db.example/rencontres", pool_size=2, statement_timeout=20
    )

    options = config["OPTIONS"]
    assert options["connect_timeout"] == 2
    assert (options["pool"]["max_size"], options["pool"]["timeout"]) == (2, 2)
    assert options["pool"]["reconnect_timeout"] == 5
    assert options["options"] == "-c statement_timeout=20000"
    # Django's pool tests each connection before handing it out only with health checks on.
    assert config["CONN_HEALTH_CHECKS"] is True
    assert "options" not in database_config(tmp_path, "postgres://h/db")["OPTIONS"]


@pytest.mark.parametrize(
    "url", ["not a url", "postgres://host:notaport/db", "sqlite:///db.sqlite3", "postgres://h/"]
)
def test_malformed_database_url_names_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url(url)


def test_bad_boolean_and_integer_settings_name_their_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        envbool("DEBUG", "true")
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        envint("EMAIL_PORT", "587")


def settings_under(env: dict[str, str]) -> dict:
    """The product settings as a process started with `env` computes them."""
    code = (
        "import json; from community import settings as s; "
        "print(json.dumps({'session': s.SESSION_ENGINE, "
        "'caches': {k: v['BACKEND'] for k, v in s.CACHES.items()}}))"
    )
    environ = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | env
    result = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_with_redis_sessions_are_read_from_it_and_written_through_to_the_database():
    config = settings_under({"REDIS_URL": "redis://127.0.0.1:6379/0"})

    assert config["session"] == "django.contrib.sessions.backends.cached_db"
    # The shared caches in Redis (through a client kept between calls); each worker's own
    # memory beside them.
    assert config["caches"] == {
        "default": "community.redis_cache.RedisCache",
        "fragments": "community.redis_cache.RedisCache",
        "local": "django.core.cache.backends.locmem.LocMemCache",
    }


def test_without_redis_sessions_stay_in_the_database_beside_the_shared_cache():
    config = settings_under({})

    assert config["session"] == "django.contrib.sessions.backends.db"
    assert config["caches"]["default"] == "django.core.cache.backends.db.DatabaseCache"
