from django.core.management.base import BaseCommand
from django.db.models import Count, Q

from outbox.models import Message
from outbox.selectors import messages_pending
from outbox.services import messages_sweep


class Command(BaseCommand):
    help = "Show the outbox: what is delivered, what still waits and why; --sweep delivers what is owed now."

    def add_arguments(self, parser):
        parser.add_argument("--sweep", action="store_true", help="deliver every message still owed, as the beat does")

    def handle(self, *args, sweep, **options):
        if sweep:
            self.stdout.write(f"Delivered now: {messages_sweep()}")
        counts = Message.objects.aggregate(
            delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
            pending=Count("pk", filter=Q(delivered_at__isnull=True)),
        )
        self.stdout.write(f"Delivered: {counts['delivered']}; not yet delivered: {counts['pending']}")
        for message in messages_pending()[:50]:
            self.stdout.write(
                f"  {message.created_at:%Y-%m-%d %H:%M:%S} {message.kind} {message.key} "
                f"attempts={message.attempts} {message.last_error or ''}".rstrip()
            )
