import os
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from monitoring.models import Period
from pilot_portal.stored_files import stored_location
from pilots.models import Region
from reports.models import Report
from reports.services import BrokerUnavailable, report_queue


class Command(BaseCommand):
    help = "Queue a report; with --wait, block until its files exist and print their paths (PDF, XLSX, DOCX, CSV)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=Report.Kind.values)
        parser.add_argument("--period", help="for example 2026-Q3")
        parser.add_argument("--region", help="ISO code, for example KZ-71")
        parser.add_argument("--lang", default="kk", choices=Report.Language.values)
        parser.add_argument("--wait", action="store_true", help="wait for the files and print their paths")
        parser.add_argument("--timeout", type=int, default=900, help="seconds --wait waits at most")

    def handle(self, *args, **options):
        # The operator reads the command's messages in their own language (the shell's locale, else
        # the portal's default), whatever language the report is compiled in.
        with translation.override(operator_language()):
            self._handle(**options)

    def _handle(self, *, kind, period, region, lang, wait, timeout, **options):
        if not period and kind in (Report.Kind.QUARTERLY, Report.Kind.REGIONAL):
            period = self._latest_ended_quarter()
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
                # Paths on this machine, or s3://bucket/key with object storage (MEDIA_STORAGE_URL).
                for field in (version.pdf, version.xlsx, version.docx, version.values_csv):
                    if field:
                        self.stdout.write(stored_location(field))
                return
            if report.status == Report.Status.FAILED:
                raise CommandError(f"Report {report.pk} failed: {report.error_label}")
            if time.monotonic() > deadline:
                raise CommandError(f"Report {report.pk} is still {report.status} after {timeout} s.")
            time.sleep(1)

    def _latest_ended_quarter(self) -> str:
        """A quarterly or regional report asked without --period covers the latest quarter that has ended."""
        latest = Period.objects.filter(ends_on__lt=timezone.localdate()).order_by("-ends_on").first()
        if latest is None:
            raise CommandError(
                _(
                    "This report needs its quarter: add --period, for example --period 2026-Q3 "
                    "(no quarter has ended yet to take by default)."
                )
            )
        self.stdout.write(
            _("No --period given: the report covers %(quarter)s (%(code)s), the latest quarter that has ended.")
            % {"quarter": latest.document_label, "code": latest.code}
        )
        return latest.code


def operator_language() -> str:
    """The language of the shell's locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG) if the portal speaks it."""
    spoken = {code for code, _name in settings.LANGUAGES}
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        code = os.environ.get(variable, "")[:2].lower()
        if code in spoken:
            return code
    return settings.LANGUAGE_CODE
