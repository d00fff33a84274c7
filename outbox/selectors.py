"""Reads of the outbox."""

from .models import Message


def message_waits(*, key: str) -> bool:
    """Whether the message under `key` was tried and is still not delivered."""
    return Message.objects.filter(key=key, delivered_at__isnull=True, attempts__gt=0).exists()


def messages_pending():
    """Every message not yet delivered, oldest first."""
    return Message.objects.filter(delivered_at__isnull=True).order_by("created_at", "pk")
