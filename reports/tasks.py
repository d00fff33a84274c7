"""Thin Celery tasks for reports: ids in, a service does the work, safe to run twice."""

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from .services import report_compile, report_fail, report_recover_stale


class CompileTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Retries exhausted, or the hard limit killed it: the report must not stay "running" forever.
        report_fail(report_id=args[0], reason=f"{type(exc).__name__}: {exc}"[:2000], attempt=args[1])


# The limits are settings: the Redis visibility timeout and the stale-report sweep are derived from them.
@shared_task(
    base=CompileTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_HARD_TIME_LIMIT,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=10,
    retry_backoff_max=settings.REPORT_RETRY_BACKOFF_MAX,
    max_retries=5,
)
def compile_report(self, report_id: int, attempt: str) -> int | None:
    # Redis marks a message it hands out again: after its worker died, or rejected it on losing its child.
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    version = report_compile(report_id=report_id, attempt=attempt, redelivered=redelivered)
    return version.pk if version else None


@shared_task
def schedule_report_drafts() -> list[int]:
    """Nightly: a fresh draft of the final report once the last quarter's data are due; and the quarterly
    report on the 10th after each quarter. Each in Kazakh and Russian; idempotent within a day."""
    from .schedule import queue_scheduled_reports

    return queue_scheduled_reports(today=timezone.localdate())


@shared_task
def recover_stale_reports() -> dict[str, list[int]]:
    """Every minute: start again (or, after too many tries, fail) each compilation whose worker stopped."""
    return report_recover_stale()
