"""Reads of reports. report_scope() is the one door: lists, pages and downloads all go through it."""

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from monitoring.figures import periods_started
from monitoring.models import Period
from pilots import policy
from pilots.models import Region, User
from pilots.selectors import region_scope

from .models import Approval, Narrative, Report, ReportVersion


def report_scope(*, user: User) -> QuerySet[Report]:
    """National readers see every report; a coordinator sees their own region's regional reports."""
    qs = Report.objects.select_related("period", "region", "requested_by", "sent_by")
    if policy.can_read_national(user):
        return qs
    if policy.is_coordinator(user):
        return qs.filter(kind=Report.Kind.REGIONAL, region_id=user.region_id)
    return qs.none()


def report_get(*, user: User, report_id: int) -> Report:
    try:
        return report_scope(user=user).get(pk=report_id)
    except Report.DoesNotExist:
        raise Http404("No such report.") from None


def report_can_queue(*, user: User, kind: str, region: Region | None) -> bool:
    """The Institute compiles any report; a coordinator only their own region's regional report."""
    return policy.can_queue_report(user, regional=kind == Report.Kind.REGIONAL, region=region)


def report_can_approve(*, user: User, report: Report) -> bool:
    """Only the Institute's director approves, and so signs with the Institute's key: not the analysts
    who wrote the report, not the Ministry that receives it, not a region, not an administrator."""
    return policy.can_approve_report(user)


def report_can_send(*, user: User, report: Report) -> bool:
    """The Institute sends the quarterly and the final report to the Department (clause 3 of the order);
    a regional report stays with its region."""
    return policy.can_send_report(user) and report.kind in (Report.Kind.QUARTERLY, Report.Kind.FINAL)


def approvals_trusted_pems() -> list[str]:
    """Every certificate the portal has signed with: a copy signed before the key was replaced still checks.
    A demonstration key's passphrase is no secret, so its certificates are trusted only where it may sign."""
    approvals = Approval.objects.order_by()
    if not settings.REPORT_SIGNING_ALLOW_DEMO:
        approvals = approvals.filter(demonstration=False)
    return list(approvals.values_list("certificate_pem", flat=True).distinct())


def approval_by_signed_sha256(*, user: User, sha256: str) -> Approval | None:
    """The approval whose signed file has this checksum, among the reports the user may read."""
    return (
        Approval.objects.select_related("version__report__period", "version__report__region", "approved_by")
        .filter(signed_sha256=sha256, version__report__in=report_scope(user=user))
        .first()
    )


def report_list(*, user: User, kind: str = "") -> QuerySet[Report]:
    versions = ReportVersion.objects.select_related("approval__letter").order_by("-number")
    qs = report_scope(user=user).prefetch_related(Prefetch("versions", queryset=versions))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-requested_at", "-pk")


def narratives(*, language: str) -> dict[str, Narrative]:
    return {n.section: n for n in Narrative.objects.filter(language=language, period=None).select_related("updated_by")}


def summary_region(*, user: User) -> Region | None:
    """Whose summaries the user writes: a coordinator their region's, anyone else the Institute's (None)."""
    return policy.own_region(user)


def summary_can_write(*, user: User, region: Region | None) -> bool:
    """The Institute writes its summary of a quarter; a region's summary only that region's coordinator
    writes, since clause 4 makes the regional department answer for the pilot on its ground."""
    return policy.can_write_summary(user, region)


def summary_target(*, user: User, period_code: str, region_code: str = "") -> tuple[Period, Region | None]:
    """The quarter (begun) and region a summary is about; an unknown one, or a region out of the user's
    scope, is 404 alike."""
    period = next((p for p in periods_started(today=timezone.localdate()) if p.code == period_code), None)
    if period is None:
        raise Http404("No such quarter.")
    if not region_code:
        return period, None
    region = region_scope(user=user).filter(code=region_code).first()
    if region is None:
        raise Http404("No such region.")
    return period, region


def summaries(*, period: Period | None = None, region: Region | None = None) -> QuerySet[Narrative]:
    """The summaries of quarters: the Institute's (region None) or a region's; every quarter's when no period."""
    qs = Narrative.objects.filter(section=Narrative.Section.SUMMARY, region=region).select_related("updated_by")
    return qs.filter(period=period) if period is not None else qs
