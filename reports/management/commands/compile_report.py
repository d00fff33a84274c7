import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from monitoring.models import Period
from pilots.models import Region
from reports.models import Report
from reports.services import BrokerUnavailable, report_queue


class Command(BaseCommand):
    help = "Queue a report; with --wait, block until its files exist and print their paths (PDF, XLSX, values CSV)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=Report.Kind.values)
        parser.add_argument("--period", help="for example 2026-Q3")
        parser.add_argument("--region", help="ISO code, for example KZ-71")
        parser.add_argument("--lang", default="kk", choices=Report.Language.values)
        parser.add_argument("--wait", action="store_true", help="wait for the files and print their paths")
        parser.add_argument("--timeout", type=int, default=900, help="seconds --wait waits at most")

    def handle(self, *args, kind, period, region, lang, wait, timeout, **options):
        period_obj = Period.objects.filter(code=period).first() if period else None
        if period and period_obj is None:
            raise CommandError(
                f"Unknown period {period!r}; known: {', '.join(Period.objects.values_list('code', flat=True))}"
            )
        region_obj = Region.objects.filter(code=region).first() if region else None
        if region and region_obj is None:
            raise CommandError(f"Unknown region {region!r}; use an ISO code such as KZ-71.")
        try:
            report, created = report_queue(
                user=None, kind=kind, period=period_obj, region=region_obj, language=lang, source=Report.Source.COMMAND
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        except BrokerUnavailable:
            raise CommandError(
                "The report is recorded and waits for the broker: the outbox hands it to the worker as soon as "
                "Redis answers (start Redis, a worker and the beat)."
            ) from None
        self.stdout.write(f"Report {report.pk} {'queued' if created else 'already queued'}.")
        if not wait:
            return
        deadline = time.monotonic() + timeout
        while True:
            report.refresh_from_db()
            if report.status == Report.Status.DONE:
                version = report.latest_version
                self.stdout.write(version.pdf.path)
                self.stdout.write(version.xlsx.path)
                if version.values_csv:
                    self.stdout.write(version.values_csv.path)
                return
            if report.status == Report.Status.FAILED:
                raise CommandError(f"Report {report.pk} failed: {report.error_label}")
            if time.monotonic() > deadline:
                raise CommandError(f"Report {report.pk} is still {report.status} after {timeout} s.")
            time.sleep(1)
