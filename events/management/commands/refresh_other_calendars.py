"""`manage.py refresh_other_calendars`: queue a fetch of every other calendar of the region.

Run it from cron (hourly); the `db_worker` processes do the fetching, each feed a job of its
own, so a slow or hostile feed holds up nothing else.
"""

from django.core.management.base import BaseCommand

from events.rivals import queue_all


class Command(BaseCommand):
    help = "Queue a fetch of every other calendar (iCalendar feed) organisers have added."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{queue_all()} calendar(s) queued.")
