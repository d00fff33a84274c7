from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from monitoring.control_card import State, order_control_card
from monitoring.list_exports import control_card_sheet
from monitoring.models import Period
from pilot_portal.xlsx_table import download, write_workbook
from pilots.models import Clause
from pilots.orders import order_current
from reports.models import CoverLetter, Report
from reports.selectors import report_scope


@login_required
def control_card(request):
    """The order's control card: clauses, who is responsible, deadlines, live status."""
    order = order_current()
    today = timezone.localdate()
    context = {"order": order, "today": today}
    if order is not None:
        context["statuses"] = order_control_card(order=order, today=today, user=request.user)
        context["latest_reports"] = _latest_reports(request.user)
        context["period_labels"] = _period_labels()
        context["letters"] = _letters(request.user)
        context["final_report_done"] = any(
            s.clause.kind == Clause.Kind.FINAL_REPORT and s.state == State.DONE for s in context["statuses"]
        )
        days = (order.final_report_due_on - today).days
        context["days_to_final_report"] = days
        context["days_final_report_overdue"] = -days
    return render(request, "pilots/order.html", context)


@login_required
def control_card_export(request):
    """The control card as XLSX: the clauses, who is responsible, deadlines, the state today and its summary."""
    order = order_current()
    if order is None:
        raise Http404("No order.")
    today = timezone.localdate()
    sheet = control_card_sheet(order_control_card(order=order, today=today, user=request.user))
    described = _("%(order)s; statuses as of %(day)s") % {
        "order": order.title,
        "day": formats.date_format(today, "SHORT_DATE_FORMAT"),
    }
    handle = write_workbook([sheet], title=sheet.title, description=described)
    return download(handle, "control-card")


def _latest_reports(user) -> dict:
    """The latest compiled final and quarterly report, for clauses 3.2 and 3.1, if the user may read reports."""
    scope = report_scope(user=user).filter(versions__isnull=False).distinct()
    return {
        "3.1": scope.filter(kind=Report.Kind.QUARTERLY).order_by("-requested_at", "-pk").first(),
        "3.2": scope.filter(kind=Report.Kind.FINAL).order_by("-requested_at", "-pk").first(),
    }


def _letters(user) -> dict:
    """The cover letters the user may read, by their outgoing number, which clause 3.1's and 3.2's records keep."""
    letters = CoverLetter.objects.filter(report__in=report_scope(user=user)).select_related("approval__version")
    return {letter.number: letter for letter in letters}


def _period_labels() -> dict[str, str]:
    """Quarter codes named in the reader's language, for records of quarterly reports sent."""
    return {p.code: p.document_label for p in Period.objects.all()}
