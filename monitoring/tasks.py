"""Thin Celery tasks: each takes ids or nothing, calls a service, and is safe to run twice."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from . import reminders
from .models import Transition
from .notifications import transition_mail


@shared_task
def send_transition_mail(transition_id: int) -> int:
    """Only for tasks queued by a portal older than the outbox: writes the transition's mail to the
    outbox (once per recipient, by key), which sends it."""
    transition = Transition.objects.select_related("submission__organisation", "submission__period").get(
        pk=transition_id
    )
    with transaction.atomic():
        return transition_mail(transition=transition)


@shared_task
def send_due_reminders() -> int:
    """Daily: reminders before and after the due date to organisations that have not submitted."""
    return reminders.send_organisation_reminders(today=timezone.localdate())


@shared_task
def send_coordinator_digests() -> int:
    """Daily: each coordinator with submissions waiting gets one digest."""
    return reminders.send_coordinator_digests(today=timezone.localdate())
