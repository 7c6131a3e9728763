"""`/bench/floor/`, the benchmarks' yardstick, exists only under `bench.settings`."""

import os
import subprocess
import sys

import pytest


def test_the_product_has_no_floor_page(client, db):
    response = client.get("/bench/floor/")

    assert response.status_code == 404
    assert 'class="site-header"' in response.content.decode()  # the site's own 404 page


def test_floor_page_renders_under_the_bench_urls(client, db, settings):
    settings.ROOT_URLCONF = "bench.urls"

    response = client.get("/bench/floor/")

    assert response.status_code == 200
    assert response.templates[0].name == "bench_floor.html"
    assert response.content.decode().count("<p>Rencontres</p>") == 1
    assert "content-security-policy" in response.headers  # the same middleware stack
    assert "Événements à venir" in client.get("/").content.decode()  # and the whole site


@pytest.mark.parametrize(
    ("settings_module", "routed"), [("community.settings", "no"), ("bench.settings", "yes")]
)
def test_only_the_bench_settings_route_the_floor_page(settings_module, routed):
    # A fresh process, as gunicorn runs with DJANGO_SETTINGS_MODULE=bench.settings.
    env = os.environ | {
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/unused",  # never connected to
        "DJANGO_SETTINGS_MODULE": settings_module,
    }
    script = (
        "import django; django.setup()\n"
        "from django.urls import Resolver404, resolve\n"
        "try:\n    resolve('/bench/floor/'); print('yes')\n"
        "except Resolver404:\n    print('no')\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == routed
