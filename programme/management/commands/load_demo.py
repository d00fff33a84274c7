from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from monitoring.demo import load_demo_submissions
from monitoring.reference import load_catalogue
from monitoring.signals import summaries_summed_once
from pilots.demo import DEMO_PASSWORD, load_demo
from reports.signing import ensure_demo_key


class Command(BaseCommand):
    help = (
        "Load the order, regions, algorithm, monitoring catalogue, 100 demo organisations, "
        "the demo accounts and demo submissions (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even when DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production, and demo accounts share one known password. "
                "Use --force if you really mean it."
            )
        today = timezone.localdate()
        # The demo's submissions are written directly, not through the transitions: summed once, at the end.
        with summaries_summed_once():
            result = load_demo(today=today)
            load_catalogue()
            submissions = load_demo_submissions(today=today)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {result['regions']} regions, {result['organisations']} organisations, "
                f"{result['users_created']} new accounts (password {DEMO_PASSWORD}), "
                f"{submissions} new monitoring submissions."
            )
        )
        created = ensure_demo_key()
        if created is not None:
            self.stdout.write(f"A demonstration signing certificate was created at {created} (not a legal signature).")
