"""Thin tasks of the outbox: deliver one message; sweep every message still owed (beat, and when a
worker starts)."""

from celery import shared_task
from celery.signals import worker_ready

from .services import message_deliver, messages_sweep


@shared_task
def deliver_message(message_id: int) -> bool:
    return message_deliver(message_id=message_id)


@shared_task
def sweep_outbox() -> int:
    return messages_sweep()


@worker_ready.connect
def sweep_at_start_up(**kwargs) -> None:
    """What waited while no worker ran goes out as soon as one starts, not at the beat's next turn."""
    sweep_outbox.delay()
