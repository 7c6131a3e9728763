"""`manage.py serve [addr:port]`: the development server and the job worker, as one command.

`make run` uses it so that emails and fetches (jobs) are processed while you browse. The two
processes live and die together: when either exits, or this command is interrupted or
terminated, the other is stopped too.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

STOP_TIMEOUT = 10


class Command(BaseCommand):
    help = "Run the development server and the job worker (db_worker) together."
    requires_system_checks = []  # each child runs its own checks

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        manage = [sys.executable, sys.argv[0]]
        # Our own handlers for Ctrl-C, `kill` and a closed terminal: they only note the signal,
        # so a second Ctrl-C cannot interrupt the stopping below half-way and leave a child
        # running (the children, in sessions of their own, get no signal from the terminal).
        received: list[int] = []

        def note(signum, frame):
            received.append(signum)

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, note)
        # Each child leads its own process group, so that stopping it reaches the processes
        # it started (runserver's autoreloader runs the server in a grandchild).
        children = [
            # Our own manage.py, with the address this command was given.
            subprocess.Popen([*manage, "db_worker"], start_new_session=True),  # noqa: S603
            subprocess.Popen([*manage, "runserver", addrport], start_new_session=True),  # noqa: S603
        ]

        try:
            while not received and all(child.poll() is None for child in children):
                time.sleep(0.2)
        finally:
            for child in children:
                signal_group(child, signal.SIGTERM)
            # Give every process of both groups time to exit cleanly (they unregister from the
            # embedded database on the way out); kill only what is still there afterwards.
            deadline = time.monotonic() + STOP_TIMEOUT
            for child in children:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            while any(signal_group(c, 0) for c in children) and time.monotonic() < deadline:
                time.sleep(0.1)
            for child in children:
                signal_group(child, signal.SIGKILL)
        if received:
            sys.exit(128 + received[0])


def signal_group(child: subprocess.Popen, signum: int) -> bool:
    """Send `signum` to the child's process group; whether any of its processes is left."""
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        return False
    return True
