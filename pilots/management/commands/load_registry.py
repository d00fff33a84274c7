from django.core.management.base import BaseCommand
from django.db import transaction

from pilots.demo import load_algorithm, load_order, load_regions


class Command(BaseCommand):
    help = "Load the order and its clauses, the 20 regions and the algorithm's stages from fixtures/ (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        load_order()
        regions = load_regions()
        load_algorithm()
        self.stdout.write(self.style.SUCCESS(f"Registry ready: the order, {len(regions)} regions, the algorithm."))
