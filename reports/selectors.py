"""Reads of reports. report_scope() is the one door: lists, pages and downloads all go through it."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from monitoring.figures import periods_started
from monitoring.models import Period
from pilots.models import Region, User
from pilots.selectors import region_scope

from .models import Narrative, Report

NATIONAL_READERS = (User.Role.INSTITUTE, User.Role.MINISTRY, User.Role.ADMIN)


def report_scope(*, user: User) -> QuerySet[Report]:
    """National readers see every report; a coordinator sees their own region's regional reports."""
    qs = Report.objects.select_related("period", "region", "requested_by", "sent_by")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role in NATIONAL_READERS:
        return qs
    if user.role == User.Role.REGION:
        return qs.filter(kind=Report.Kind.REGIONAL, region_id=user.region_id)
    return qs.none()


def report_get(*, user: User, report_id: int) -> Report:
    try:
        return report_scope(user=user).get(pk=report_id)
    except Report.DoesNotExist:
        raise Http404("No such report.") from None


def report_can_queue(*, user: User, kind: str, region: Region | None) -> bool:
    """The Institute compiles any report; a coordinator only their own region's regional report."""
    if not user.is_authenticated:
        return False
    if user.role in (User.Role.INSTITUTE, User.Role.ADMIN):
        return True
    return (
        user.role == User.Role.REGION
        and kind == Report.Kind.REGIONAL
        and region is not None
        and region.pk == user.region_id
    )


def report_can_mark_sent(*, user: User, report: Report) -> bool:
    return user.role in (User.Role.INSTITUTE, User.Role.ADMIN) and report.kind in (
        Report.Kind.QUARTERLY,
        Report.Kind.FINAL,
    )


def report_list(*, user: User, kind: str = "") -> QuerySet[Report]:
    qs = report_scope(user=user).prefetch_related("versions")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-requested_at", "-pk")


def narratives(*, language: str) -> dict[str, Narrative]:
    return {n.section: n for n in Narrative.objects.filter(language=language, period=None).select_related("updated_by")}


def summary_region(*, user: User) -> Region | None:
    """Whose summaries the user writes: a coordinator their region's, anyone else the Institute's (None)."""
    return user.region if user.role == User.Role.REGION else None


def summary_can_write(*, user: User, region: Region | None) -> bool:
    """The Institute writes its summary of a quarter; a region's summary only that region's coordinator
    writes, since clause 4 makes the regional department answer for the pilot on its ground."""
    if not user.is_authenticated or not user.is_active:
        return False
    if region is None:
        return user.role in (User.Role.INSTITUTE, User.Role.ADMIN)
    return user.role == User.Role.REGION and user.region_id == region.pk


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
