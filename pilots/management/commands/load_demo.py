from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pilots.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the order, regions, algorithm, 100 demo organisations and the demo accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even when DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production, and demo accounts share one known password. "
                "Use --force if you really mean it."
            )
        result = load_demo(today=timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {result['regions']} regions, {result['organisations']} organisations, "
                f"{result['users_created']} new accounts (password {DEMO_PASSWORD})."
            )
        )
