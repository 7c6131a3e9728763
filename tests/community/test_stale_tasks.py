"""Jobs left RUNNING by a killed worker are queued again (`manage.py requeue_stale_tasks`)."""

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community.mail import send_mail

# The worker closes "old" connections between jobs, which a test-wide transaction forbids.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued(settings, django_capture_on_commit_callbacks) -> DBTaskResult:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        send_mail(
            ["ada@example.org"], template_prefix="community/email/account_deleted", context={}
        )
    return DBTaskResult.objects.get()


def kill_worker_running(job: DBTaskResult, worker: str) -> None:
    """What a worker leaves behind when SIGKILL stops it in the middle of a job."""
    job.claim(worker)


def requeue(*arguments: str) -> str:
    out = io.StringIO()
    call_command("requeue_stale_tasks", *arguments, stdout=out)
    return out.getvalue()


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())


def test_a_job_left_running_by_a_killed_worker_is_run_again_by_another(queued):
    kill_worker_running(queued, "killed-worker")
    run_worker()
    assert mail.outbox == []  # RUNNING: no worker takes it again on its own

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert requeue() == "1 job(s) queued again, 0 given up.\n"
    run_worker()

    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    assert queued.worker_ids[0] == "killed-worker" and len(queued.worker_ids) == 2


def test_a_job_running_for_less_than_the_limit_is_left_to_its_worker(queued):
    kill_worker_running(queued, "busy-worker")

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=14)):
        assert requeue() == "0 job(s) queued again, 0 given up.\n"

    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.RUNNING


def test_a_job_that_killed_three_workers_is_given_up(queued):
    for worker in ("w1", "w2", "w3"):
        kill_worker_running(queued, worker)

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=30)):
        assert requeue("--older-than", "20") == "0 job(s) queued again, 1 given up.\n"
        assert requeue() == "0 job(s) queued again, 0 given up.\n"  # nothing twice

    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.FAILED
    assert queued.traceback == "Left RUNNING by 3 workers in turn (w1, w2, w3): given up."
