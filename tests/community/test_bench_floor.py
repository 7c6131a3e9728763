import importlib
import os
import subprocess
import sys

import pytest
from django.urls import clear_url_caches

import community.urls


@pytest.fixture
def reload_urls():
    yield lambda: (importlib.reload(community.urls), clear_url_caches())
    importlib.reload(community.urls)
    clear_url_caches()


def test_floor_page_is_not_routed_by_default(client, db, settings, reload_urls):
    settings.BENCHMARK_FLOOR = False
    reload_urls()

    assert client.get("/bench/floor/").status_code == 404


def test_floor_page_renders_when_benchmark_floor_is_set(client, db, settings, reload_urls):
    settings.BENCHMARK_FLOOR = True
    reload_urls()

    response = client.get("/bench/floor/")

    assert response.status_code == 200
    assert response.templates[0].name == "bench_floor.html"
    assert "content-security-policy" in response.headers  # the same middleware stack


@pytest.mark.parametrize(("value", "routed"), [(None, "no"), ("false", "no"), ("true", "yes")])
def test_only_the_environment_variable_routes_the_floor_page(value, routed):
    # A fresh process reads the real environment, as gunicorn does.
    env = {k: v for k, v in os.environ.items() if k != "BENCHMARK_FLOOR"}
    env |= {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/unused"}  # never connected to
    if value is not None:
        env["BENCHMARK_FLOOR"] = value
    script = (
        "import django; django.setup()\n"
        "from django.urls import Resolver404, resolve\n"
        "try:\n    resolve('/bench/floor/'); print('yes')\n"
        "except Resolver404:\n    print('no')\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        env=env | {"DJANGO_SETTINGS_MODULE": "community.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == routed
