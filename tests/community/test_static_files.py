"""Static files in production: the hashed names come from the manifest `collectstatic` writes,
whatever DEBUG says, and a server without that manifest refuses to start."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from tests.community.conftest import copy_of_the_project

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-like-secret-key",
    # Never reached: starting the site must not need the database.
    "DATABASE_URL": "postgres://rencontres@db.invalid:5432/rencontres",
}


@pytest.fixture(scope="module")
def collected():
    """A copy of the project after `collectstatic --no-input` (DEBUG unset), made once for the
    tests that read what it wrote; the command's result beside it."""
    with copy_of_the_project() as copy:
        yield copy, copy.run("manage.py", "collectstatic", "--no-input")


def test_collectstatic_writes_the_manifest_without_debug_being_set(collected):
    project_copy, done = collected

    assert done.returncode == 0, done.stderr
    manifest = json.loads((project_copy.path / "staticfiles" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert hashed.startswith("css/site.") and hashed != "css/site.css"
    assert (project_copy.path / "staticfiles" / f"{hashed}.gz").exists()  # compressed too


def test_a_production_server_without_the_manifest_refuses_to_start(project_copy):
    done = project_copy.run(
        "-m", "gunicorn", "community.wsgi", "--bind", "127.0.0.1:0", "--workers", "1", **PRODUCTION
    )

    assert done.returncode != 0
    manifest = project_copy.path / "staticfiles" / "staticfiles.json"
    assert f"The static files manifest {manifest} is missing" in done.stderr
    assert "Run `manage.py collectstatic --no-input`" in done.stderr


def test_the_deploy_check_names_the_missing_manifest_but_migrate_is_not_blocked(project_copy):
    deploy = project_copy.run("manage.py", "check", "--deploy", **PRODUCTION)
    plain = project_copy.run("manage.py", "check", **PRODUCTION)

    assert deploy.returncode != 0
    assert "(community.E001) The static files manifest" in deploy.stderr
    # README order: migrate, then collectstatic; migrate runs the checks `check` runs.
    assert plain.returncode == 0, plain.stderr


def test_after_collectstatic_production_pages_link_the_hashed_files(collected):
    project_copy, collectstatic = collected
    assert collectstatic.returncode == 0, collectstatic.stderr

    done = project_copy.run(
        "-c",
        "import community.wsgi; from django.templatetags.static import static; "
        "print(static('css/site.css'))",
        **PRODUCTION,
    )

    assert done.returncode == 0, done.stderr
    manifest = json.loads((project_copy.path / "staticfiles" / "staticfiles.json").read_text())
    assert done.stdout == f"/static/{manifest['paths']['css/site.css']}\n"


def test_with_debug_on_pages_link_the_sources_without_collectstatic(project_copy):
    done = project_copy.run(
        "-c",
        "import community.wsgi; from django.templatetags.static import static; "
        "print(static('css/site.css'))",
    )

    assert (done.returncode, done.stdout) == (0, "/static/css/site.css\n"), done.stderr


def test_a_web_worker_loads_every_view_and_library_before_its_first_request(project_copy):
    done = project_copy.run(
        "-c",
        "import gc, sys; import community.wsgi; "
        "print(gc.get_threshold(), gc.get_freeze_count() > 0, "
        "all(m in sys.modules for m in ('events.views.people', 'networkx', 'icalendar')))",
    )

    assert (done.returncode, done.stdout) == (0, "(50000, 20, 20) True True\n"), done.stderr


def test_every_section_of_the_stylesheet_starts_outside_any_block():
    # A brace lost in one section (a merge, say) silently swallows every rule after it.
    depth = 0
    for number, line in enumerate(
        (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text().splitlines(), 1
    ):
        if line.startswith("/* =="):
            assert depth == 0, f"site.css line {number} ({line}) is inside an unclosed block"
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"site.css line {number} closes a block it never opened"
    assert depth == 0
