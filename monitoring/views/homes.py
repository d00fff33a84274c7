from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from pilots import policy
from pilots.selectors import organisation_scope

from ..models import Period
from ..selectors import organisations_not_started, period_current, submission_list, submission_queue

PAGE_SIZE = 50
SHOWN = ("submitted", "returned", "accepted", "late", "missing")


@login_required
def queue_view(request):
    """The reviewer's queue for a period: counts, then the list of one kind (waiting by default)."""
    if not policy.can_read_queue(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    periods = list(Period.objects.filter(starts_on__lte=today))
    period = next((p for p in periods if p.code == request.GET.get("period")), None) or period_current(today=today)
    shown = request.GET.get("show", "submitted")
    if shown not in SHOWN:
        shown = "submitted"
    context = {"periods": periods, "period": period, "shown": shown, "today": today}
    if period is not None:
        context["counts"] = submission_queue(user=request.user, period=period)
        if shown == "missing":
            rows = organisations_not_started(organisations=organisation_scope(user=request.user), period=period)
        elif shown == "late":
            rows = submission_list(user=request.user, period=period).handed_in().filter(is_late=True)
        else:
            rows = submission_list(user=request.user, period=period, status=shown)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        context["missing" if shown == "missing" else "rows"] = page.object_list
    return render(request, "monitoring/queue.html", context)
