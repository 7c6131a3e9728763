import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

PROJECT_PARTS = ["manage.py", "community", "events", "templates", "static", "locale"]


class ProjectCopy:
    def __init__(self, path: Path):
        self.path = path

    def environ(self, **env: str) -> dict[str, str]:
        """The product's settings and none of the test suite's variables."""
        environ = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")
        }
        return {**environ, "DJANGO_SETTINGS_MODULE": "community.settings", **env}

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args],
            cwd=self.path,
            env=self.environ(**env),
            capture_output=True,
            text=True,
            timeout=180,
        )

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, *args],
            cwd=self.path,
            env=self.environ(**env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )


@contextlib.contextmanager
def copy_of_the_project():
    """The project's code in a throw-away directory, so that its `.pgdata/` and `staticfiles/`
    are its own and not the ones the test suite uses. Not pytest's tmp_path: as root, the
    embedded server runs as another system user, who must be able to reach the directory."""
    path = Path(tempfile.mkdtemp(prefix="rencontres-copy-"))
    path.chmod(0o755)
    for part in PROJECT_PARTS:
        source = Path(settings.BASE_DIR) / part
        if source.is_dir():
            # With the compiled modules: a process in the copy then starts without compiling
            # the project again (Python checks them against the sources' times and sizes,
            # which copytree keeps, and names the copy's files in tracebacks).
            shutil.copytree(source, path / part)
        else:
            shutil.copy(source, path / part)
    try:
        yield ProjectCopy(path)
    finally:
        pidfile = path / ".pgdata" / "postmaster.pid"
        if pidfile.exists():  # a failed test must not leave a server running
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pidfile.read_text().split()[0]), signal.SIGKILL)
            time.sleep(0.5)
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def project_copy():
    with copy_of_the_project() as copy:
        yield copy
