from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from pilot_portal.xlsx_table import download, write_workbook
from pilots import policy

from ..list_exports import history_sheets
from ..selectors import submission_audit, submission_file_events, submission_get


def _submission(request, bin, period):
    context = submission_get(user=request.user, bin=bin, period_code=period)
    if not policy.can_read_history(request.user):
        raise PermissionDenied
    if context.submission is None:
        raise Http404("No submission.")
    return context


@login_required
def history_view(request, bin, period):
    """Every change of every value of a submission, and every file attached or removed, for the Institute."""
    context = _submission(request, bin, period)
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


@login_required
def history_export(request, bin, period):
    """The audit history as XLSX: a sheet of value changes, a sheet of files."""
    context = _submission(request, bin, period)
    sheets = history_sheets(
        changes=submission_audit(submission=context.submission),
        file_events=submission_file_events(submission=context.submission),
    )
    title = _("Audit history")  # outside the f-string, where makemessages finds it
    described = f"{context.organisation.name} ({context.organisation.bin}); {context.period.label}"
    handle = write_workbook(sheets, title=f"{title} · {context.period.label}", description=described)
    return download(handle, f"history-{context.organisation.bin}-{context.period.code}")
