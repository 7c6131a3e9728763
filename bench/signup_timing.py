"""Does the sign-up response time tell whether an address is registered?

Signs up alternately with a new address and with a registered one, with the production
password hasher (PBKDF2) and the production job queue (the emails are queued in PostgreSQL),
in process with Django's test client, and prints the median server time of each path. Both
paths should cost the same: a password hash and one queued email.

    .venv/bin/python bench/signup_timing.py [--repeat 20]

It works in a throw-away database `rencontres_signup_bench` on the configured server (the
embedded PostgreSQL when DATABASE_URL is unset), created anew and dropped at the end.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from community.models import User  # noqa: E402

# Throw-away passwords of the throw-away database.
PASSWORD = "un-mot-de-passe-tres-long-42"  # noqa: S105
REGISTERED = "registered@bench.invalid"


def sign_up(client: Client, email: str) -> float:
    # Each attempt starts with fresh rate limits (one confirmation per address every three
    # minutes would otherwise spare the registered path its email).
    cache.clear()
    client.cookies.clear()
    start = time.perf_counter()
    response = client.post(
        reverse("account_signup"),
        {
            "email": email,
            "display_name": "Banc d'essai",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    elapsed = time.perf_counter() - start
    assert response.status_code == 302, response.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    setup_test_environment()  # emails stay in memory; the test client's host is allowed
    print(f"hasher: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}")
    # Its own name, so a test run on the same server is never in the way.
    connection.settings_dict["TEST"]["NAME"] = "rencontres_signup_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        User.objects.create_user(email=REGISTERED, password=PASSWORD[::-1])
        client = Client()
        sign_up(client, "warm-up@bench.invalid")
        new, registered = [], []
        for i in range(args.repeat):
            new.append(sign_up(client, f"new-{i}@bench.invalid"))
            registered.append(sign_up(client, REGISTERED))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    for label, times in (("new address", new), ("registered address", registered)):
        print(
            f"{label:<20} median {statistics.median(times) * 1000:7.1f} ms   "
            f"min {min(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms   "
            f"({len(times)} sign-ups)"
        )
    ratio = statistics.median(registered) / statistics.median(new)
    print(f"registered / new: {ratio:.2f}")


if __name__ == "__main__":
    main()
