"""Benchmark of the door: the badge PDF and reading a door pass, on the demo's busiest event.

Reads the development database (run `manage.py seed_demo` first): the upcoming event with the
most members going. Reports the CPU time (the figure to compare; on a shared machine the wall
time mostly measures the other processes) of

- `badges_pdf()`: every going member's badge, 8 to an A4 sheet;
- `rsvp_for_token()` for the last member in the list and for a forged token (the worst cases:
  every going member's HMAC is computed either way).

    .venv/bin/python bench/door.py
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")


def measure(label: str, function, repeat: int = 5) -> None:
    best_cpu, best_wall = float("inf"), float("inf")
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        result = function()
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    print(f"{label:<40} cpu {best_cpu * 1000:7.1f} ms   wall {best_wall * 1000:7.1f} ms", result)


def main() -> None:
    import django

    django.setup()
    from events import badges, checkin
    from events.models import Event

    event = Event.objects.published().upcoming().with_counts().order_by("-going_count").first()
    if event is None:
        sys.exit("No upcoming event: run `manage.py seed_demo` first.")
    members = badges.going_members(event)
    print(f"{event.title}: {len(members)} going")
    last = checkin.door_token(event=event, member=members[-1])
    measure("badges_pdf (bytes)", lambda: len(badges.badges_pdf(event)))
    measure("rsvp_for_token, last member", lambda: checkin.rsvp_for_token(event=event, token=last))
    forged = "A" * checkin.TOKEN_LENGTH
    measure("rsvp_for_token, forged", lambda: checkin.rsvp_for_token(event=event, token=forged))


if __name__ == "__main__":
    main()
