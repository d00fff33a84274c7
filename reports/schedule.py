"""What the nightly schedule compiles, decided from the periods' own dates (data, not code)."""

import datetime

from monitoring.models import Period

from .models import Report
from .services import BrokerUnavailable, report_queue


def quarterly_report_day(period: Period) -> datetime.date:
    """The 10th of the month after the quarter ends."""
    first_next = (period.ends_on.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return first_next.replace(day=10)


def queue_scheduled_reports(*, today: datetime.date) -> list[int]:
    queued = []
    periods = list(Period.objects.order_by("starts_on"))
    wanted = []
    if periods and today >= periods[-1].due_on:
        wanted.append((Report.Kind.FINAL, None))
    wanted += [(Report.Kind.QUARTERLY, p) for p in periods if quarterly_report_day(p) == today]
    for kind, period in wanted:
        for language in Report.Language.values:
            already = Report.objects.filter(
                kind=kind, period=period, language=language, requested_by=None, requested_at__date=today
            ).exists()
            if already:
                continue
            try:
                report, _created = report_queue(user=None, kind=kind, period=period, language=language)
            except BrokerUnavailable:
                continue
            queued.append(report.pk)
    return queued
