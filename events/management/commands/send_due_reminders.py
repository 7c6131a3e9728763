"""`manage.py send_due_reminders`: send the reminders that are due and not sent yet.

The queue sends them on its own; run this from cron (every quarter of an hour, say) as a
safety net for a lost job or a worker that was down. Running it again sends nothing twice.
"""

from django.core.management.base import BaseCommand

from events.reminders import due_events, remind


class Command(BaseCommand):
    help = "Send the event reminders that are due and have not been sent yet."

    def handle(self, *args, **options) -> None:
        sent = sum(remind(event=event) for event in due_events())
        self.stdout.write(f"{sent} reminder(s) sent.")
