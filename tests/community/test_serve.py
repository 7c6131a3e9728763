"""`manage.py serve` (what `make run` starts): web server and job worker live and die together."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.conftest import test_database_url

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(db):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}"],
        cwd=ROOT,
        # The product's settings: the test settings run jobs in-process, without a worker.
        # The test database, migrated: the worker needs its job table.
        env=os.environ
        | {"DJANGO_SETTINGS_MODULE": "community.settings", "DATABASE_URL": test_database_url()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:  # noqa: S310
                assert answer.read() == b"ok\n"
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("manage.py serve did not answer within 30 s")
            time.sleep(0.3)
    yield process
    if process.poll() is None:
        process.kill()


def commands(process: subprocess.Popen) -> list[str]:
    return [" ".join(child.cmdline()[2:3]) for child in psutil.Process(process.pid).children()]


def wait_gone(pids: list[int], timeout: float = 15) -> list[int]:
    processes = []
    for pid in pids:
        # One already stopped (and reaped) since the signal is what the test wants.
        with contextlib.suppress(psutil.NoSuchProcess):
            processes.append(psutil.Process(pid))
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return [p.pid for p in alive]


def all_pids(process: subprocess.Popen) -> list[int]:
    return [process.pid] + [c.pid for c in psutil.Process(process.pid).children(recursive=True)]


def test_serve_runs_the_web_server_and_the_job_worker_and_terminating_it_stops_both(served):
    assert sorted(commands(served)) == ["db_worker", "runserver"]
    pids = all_pids(served)

    served.send_signal(signal.SIGTERM)

    assert wait_gone(pids) == []


def test_when_the_web_server_dies_the_worker_stops_too(served):
    pids = all_pids(served)
    web = next(c for c in psutil.Process(served.pid).children() if "runserver" in c.cmdline())

    web.kill()

    assert wait_gone(pids) == []


def test_ctrl_c_twice_still_stops_both(served):
    pids = all_pids(served)

    served.send_signal(signal.SIGINT)
    time.sleep(0.1)
    served.send_signal(signal.SIGINT)  # an impatient second Ctrl-C during the stopping

    assert wait_gone(pids) == []


def test_a_closed_terminal_stops_both(served):
    pids = all_pids(served)

    served.send_signal(signal.SIGHUP)

    assert wait_gone(pids) == []
