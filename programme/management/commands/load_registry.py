from django.core.management.base import BaseCommand
from django.db import transaction

from monitoring.reference import load_catalogue
from pilots.reference import load_algorithm, load_order, load_regions
from pilots.roles import institute_group


class Command(BaseCommand):
    help = "Load the order, the 20 regions, the algorithm and the monitoring catalogue from fixtures/ (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        load_order()
        regions = load_regions()
        load_algorithm()
        load_catalogue()
        institute_group()
        self.stdout.write(
            self.style.SUCCESS(
                f"Registry ready: the order, {len(regions)} regions, the algorithm, the monitoring catalogue."
            )
        )
