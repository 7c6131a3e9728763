"""`manage.py requeue_stale_tasks`: put back in the queue the jobs a killed worker left RUNNING.

django-tasks-db marks a job RUNNING when a worker takes it and holds no lock while it runs,
so a worker killed outright (SIGKILL, the OOM killer, a lost machine) leaves its job RUNNING
forever, and no other worker takes it. No job of the site runs longer than a minute (an SMTP
attempt gives up after 10 s, a fetch after 5 s): one RUNNING for `--older-than` minutes (15)
has lost its worker. It is made READY again, up to `--max-attempts` runs (3), after which it
is marked FAILED rather than allowed to kill worker after worker. Run it from cron beside
`send_due_reminders`; running it again changes nothing.
"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


def requeue_stale_tasks(*, older_than: dt.timedelta, max_attempts: int) -> tuple[int, int]:
    """(jobs made READY again, jobs marked FAILED)."""
    requeued = failed = 0
    now = timezone.now()
    with transaction.atomic():
        stale = DBTaskResult.objects.running().filter(started_at__lt=now - older_than)
        # A worker that is only slow finishes its job meanwhile: it saves it by primary key,
        # after this transaction, and its result wins.
        for job in stale.select_for_update(skip_locked=True):
            if len(job.worker_ids) >= max_attempts:
                job.status = TaskResultStatus.FAILED
                job.finished_at = now
                job.exception_class_path = "community.StaleTask"
                job.traceback = (
                    f"Left RUNNING by {len(job.worker_ids)} workers in turn "
                    f"({', '.join(job.worker_ids)}): given up."
                )
                job.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                failed += 1
            else:
                job.status = TaskResultStatus.READY
                job.started_at = None
                job.save(update_fields=["status", "started_at"])
                requeued += 1
    return requeued, failed


class Command(BaseCommand):
    help = "Queue again the jobs left RUNNING by a worker that was killed."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=15, metavar="MINUTES")
        parser.add_argument("--max-attempts", type=int, default=3)

    def handle(self, *args, older_than: int, max_attempts: int, **options) -> None:
        requeued, failed = requeue_stale_tasks(
            older_than=dt.timedelta(minutes=older_than), max_attempts=max_attempts
        )
        self.stdout.write(f"{requeued} job(s) queued again, {failed} given up.")
