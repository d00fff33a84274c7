"""Thin Celery tasks: each takes ids or nothing, calls a service, and is safe to run twice."""

from celery import shared_task
from django.utils import timezone

from . import reminders
from .models import Transition
from .notifications import send_for_transition


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_transition_mail(transition_id: int) -> int:
    transition = Transition.objects.select_related("submission__organisation", "submission__period").get(
        pk=transition_id
    )
    return send_for_transition(transition)


@shared_task
def send_due_reminders() -> int:
    """Daily: reminders before and after the due date to organisations that have not submitted."""
    return reminders.send_organisation_reminders(today=timezone.localdate())


@shared_task
def send_coordinator_digests() -> int:
    """Daily: each coordinator with submissions waiting gets one digest."""
    return reminders.send_coordinator_digests(today=timezone.localdate())
