"""What a report page shows, read in one place: a view parses the request, calls a service or one of these,
renders. A page object is frozen; its fields are the template's context keys (`as_context()`)."""

from dataclasses import dataclass, fields
from typing import Any

from django.core.paginator import Page, Paginator
from django.urls import reverse
from django.utils import timezone

from monitoring.figures import periods_started
from pilots import policy
from pilots.orders import order_current
from pilots.selectors import region_scope

from .approvals import unwritten_message
from .forms import ReportRequestForm, SendForm
from .models import CoverLetter, Report
from .selectors import (
    report_can_approve,
    report_can_queue,
    report_can_send,
    report_list,
    summary_can_write,
    summary_region,
)

REPORTS_PER_PAGE = 25


class _Context:
    def as_context(self) -> dict:
        # Not dataclasses.asdict: that deep-copies the forms and querysets.
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ReportListPage(_Context):
    """The reports a user may read, one page of them, and the form to compile a new one."""

    form: ReportRequestForm
    page: Page  # of the reports, newest first (the template's `page.object_list`)
    can_queue: bool
    can_write_summaries: bool
    # Versions waiting for approval are marked for the one who approves.
    is_approver: bool


def report_request_form(*, user, data=None) -> ReportRequestForm:
    """The form to compile a report: only the quarters begun and the regions in the user's scope to choose."""
    return ReportRequestForm(
        data,
        user=user,
        periods=periods_started(today=timezone.localdate()),
        regions=region_scope(user=user),
    )


def report_list_page(*, user, params, form: ReportRequestForm | None = None) -> ReportListPage:
    """The list page for `user`; `params` is the query string (`?page=`); `form` the bound one after a refused POST."""
    return ReportListPage(
        form=form if form is not None else report_request_form(user=user),
        page=Paginator(report_list(user=user), REPORTS_PER_PAGE).get_page(params.get("page")),
        can_queue=policy.can_queue_any_report(user),
        can_write_summaries=summary_can_write(user=user, region=summary_region(user=user)),
        is_approver=report_can_approve(user=user, report=None),
    )


def report_latest(report: Report):
    """The latest version, its approval and the letter that sent it (each None until it exists)."""
    version = report.latest_version
    approval = version.approval_or_none if version else None
    return version, approval, letter_of(approval)


def letter_of(approval):
    """The letter that sent this approved version, if it went."""
    if approval is None:
        return None
    return CoverLetter.objects.filter(approval=approval).select_related("sent_by").first()


@dataclass(frozen=True)
class ReportDetailPage(_Context):
    """One report: its progress, its versions, and where the latest stands (compiled → approved → sent)."""

    report: Report
    stale: bool
    versions: Any
    can_requeue: bool
    summary_url: str
    version: Any
    approval: Any
    letter: Any
    # A correction of a report already sent: the earlier letter, for the page to say so.
    earlier_letter: Any
    can_approve: bool
    # Why the latest version cannot be approved while texts it prints were unwritten, and where to write them.
    unwritten_message: str
    write_url: str
    # The order's number is not in the portal yet: every document cites it as «№ ___» (DESIGN allows it until known).
    order_number_missing: bool
    can_send: bool
    send_form: SendForm | None
    sendable_kind: bool


def report_detail_page(*, user, report: Report, send_form: SendForm | None = None) -> ReportDetailPage:
    """The detail page of `report` for `user`; `send_form` the bound one after a refused sending."""
    version, approval, letter = report_latest(report)
    can_approve = bool(
        version
        and approval is None
        and report.status not in (report.Status.QUEUED, report.Status.RUNNING)
        and report_can_approve(user=user, report=report)
    )
    can_send = bool(approval and letter is None and report_can_send(user=user, report=report))
    if can_send and send_form is None:
        send_form = _send_form(report)
    summary_url = _summary_url(user, report)
    unwritten = bool(version and approval is None and version.unwritten)
    if report.kind == report.Kind.FINAL:
        write_url = reverse("report_narrative") if policy.can_write_final_narrative(user) else ""
    else:
        write_url = summary_url
    return ReportDetailPage(
        report=report,
        stale=report.is_stale,
        versions=report.versions.select_related("approval").order_by("-number"),
        can_requeue=report_can_queue(user=user, kind=report.kind, region=report.region),
        summary_url=summary_url,
        version=version,
        approval=approval,
        letter=letter,
        earlier_letter=None if letter else report.letters.order_by("-date", "-pk").first(),
        can_approve=can_approve and not unwritten,
        unwritten_message=unwritten_message(version) if unwritten else "",
        write_url=write_url if unwritten else "",
        order_number_missing=bool(version and approval is None and _order_number_missing()),
        can_send=can_send,
        send_form=send_form if can_send else None,
        sendable_kind=report.kind in (report.Kind.QUARTERLY, report.Kind.FINAL),
    )


def _order_number_missing() -> bool:
    order = order_current()
    return order is not None and not order.number.strip()


def _send_form(report: Report) -> SendForm:
    from .letter import default_addressee, default_signatory

    name, position = default_signatory(report.language)
    return SendForm(
        initial={
            "date": timezone.localdate(),
            "addressee": default_addressee(report.language),
            "signatory_name": name,
            "signatory_position": position,
        }
    )


def _summary_url(user, report: Report) -> str:
    """Where the user writes the summary this report prints, if it prints one they write."""
    if report.kind == report.Kind.FINAL or not summary_can_write(user=user, region=report.region):
        return ""
    if report.region_id:
        return reverse("report_region_summary", args=[report.period.code, report.region.code])
    return reverse("report_quarter_summary", args=[report.period.code])
