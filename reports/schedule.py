"""What the nightly schedule compiles, decided from the periods' own dates (data, not code)."""

import datetime

from monitoring.models import Period

from .models import Report
from .services import BrokerUnavailable, report_queue


def queue_scheduled_reports(*, today: datetime.date) -> list[int]:
    queued = []
    periods = list(Period.objects.order_by("starts_on"))
    wanted = []
    if periods and today >= periods[-1].due_on:
        wanted.append((Report.Kind.FINAL, None))
    wanted += [(Report.Kind.QUARTERLY, p) for p in periods if p.report_due_on == today]
    for kind, period in wanted:
        for language in Report.Language.values:
            already = Report.objects.filter(
                kind=kind, period=period, language=language, source=Report.Source.SCHEDULE, requested_at__date=today
            ).exists()
            if already:
                continue
            try:
                report, _created = report_queue(
                    user=None, kind=kind, period=period, language=language, source=Report.Source.SCHEDULE
                )
            except BrokerUnavailable:
                continue
            queued.append(report.pk)
    return queued
