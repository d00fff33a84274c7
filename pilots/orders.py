"""The pilot's order, as the registry holds it."""

from .models import Order


def order_current() -> Order | None:
    """The pilot's order: the most recently signed one."""
    return Order.objects.order_by("-signed_on").first()
