import sys

from django.core.management.base import BaseCommand

from monitoring.progress_summary import progress_differences, progress_rebuild
from monitoring.summary import summary_differences, summary_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the dashboards' summary (monitoring.models.summary) from the values; with --check, only "
        "compare, print every cell that differs, and exit 1 if any does."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare only; exit 1 on any difference")

    def handle(self, *args, check=False, **options):
        if check:
            differences = summary_differences() + progress_differences()
            for line in differences:
                self.stdout.write(line)
            if differences:
                self.stderr.write(f"The summary differs from the values in {len(differences)} places.")
                sys.exit(1)
            self.stdout.write(self.style.SUCCESS("The summary equals the values."))
            return
        counts, values = summary_rebuild()
        organisations, activities = progress_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Summary rebuilt: {counts} count cells, {values} value cells, {organisations} organisation cells, "
                f"{activities} activity cells."
            )
        )
