from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from pilots import policy

from ..selectors import submission_audit, submission_file_events, submission_get


@login_required
def history_view(request, bin, period):
    """Every change of every value of a submission, and every file attached or removed, for the Institute."""
    context = submission_get(user=request.user, bin=bin, period_code=period)
    if not policy.can_read_history(request.user):
        raise PermissionDenied
    if context.submission is None:
        raise Http404("No submission.")
    return render(
        request,
        "monitoring/history.html",
        {
            "organisation": context.organisation,
            "period": context.period,
            "changes": submission_audit(submission=context.submission),
            "file_events": submission_file_events(submission=context.submission),
        },
    )
