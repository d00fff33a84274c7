from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pilot_portal.xlsx_table import download, write_workbook
from pilots import policy
from pilots.policy import own_region

from ..list_exports import queue_sheet
from ..models import Period
from ..selectors import period_current, queue_rows, submission_queue

PAGE_SIZE = 50
SHOWN = ("submitted", "returned", "accepted", "late", "missing")


@login_required
def queue_view(request):
    """The reviewer's queue for a period: counts, then the list of one kind (waiting by default)."""
    if not policy.can_read_queue(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    periods, period, shown = _queue_choice(request, today)
    context = {"periods": periods, "period": period, "shown": shown, "today": today}
    if period is not None:
        context["counts"] = submission_queue(user=request.user, period=period)
        rows = queue_rows(user=request.user, period=period, shown=shown)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        context["missing" if shown == "missing" else "rows"] = page.object_list
    return render(request, "monitoring/queue.html", context)


def _queue_choice(request, today):
    """The periods that have started, the one asked for (else the current one) and the tab asked for."""
    periods = list(Period.objects.filter(starts_on__lte=today))
    period = next((p for p in periods if p.code == request.GET.get("period")), None) or period_current(today=today)
    shown = request.GET.get("show", "submitted")
    if shown not in SHOWN:
        shown = "submitted"
    return periods, period, shown


@login_required
def queue_export(request):
    """The tab of the queue the page shows, every row of it, as XLSX."""
    if not policy.can_read_queue(request.user):
        raise PermissionDenied
    _periods, period, shown = _queue_choice(request, timezone.localdate())
    if period is None:
        raise Http404("No period has started.")
    rows = queue_rows(user=request.user, period=period, shown=shown)
    sheet = queue_sheet(shown=shown, period=period, rows=rows)
    place = own_region(request.user)
    described = _("%(scope)s; data as of %(moment)s") % {
        "scope": place.name if place else _("All regions"),
        "moment": formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT"),
    }
    handle = write_workbook([sheet], title=sheet.title, description=described)
    return download(handle, f"queue-{period.code}-{shown}")
