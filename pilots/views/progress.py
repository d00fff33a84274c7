from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pilot_portal.forms import errors_onto_form
from pilot_portal.stored_files import stored_file_response

from ..forms import ActivityProgressForm
from ..selectors import activity_progress_get, organisation_can_edit_progress
from ..services import activity_progress_set


@login_required
def activity_progress_edit(request, bin, code):
    """Organisation staff tick one activity of the algorithm, with its date, a note and evidence."""
    organisation, activity, progress = activity_progress_get(user=request.user, bin=bin, activity_code=code)
    if not organisation_can_edit_progress(user=request.user, organisation=organisation):
        # The organisation is visible to this user (else 404 above), so saying "not allowed" reveals nothing.
        raise PermissionDenied
    initial = {}
    if progress is not None:
        initial = {"done": progress.done, "done_on": progress.done_on, "note": progress.note}
    form = ActivityProgressForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity_progress_set(
                user=request.user,
                organisation=organisation,
                activity=activity,
                done=data["done"],
                done_on=data["done_on"],
                note=data["note"],
                evidence=data["evidence"] or None,
                remove_evidence=data["remove_evidence"],
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("Saved: %(activity)s") % {"activity": activity.name})
            return redirect("organisation_detail", bin=organisation.bin)
    return render(
        request,
        "pilots/activity_progress_form.html",
        {"organisation": organisation, "activity": activity, "progress": progress, "form": form},
    )


@login_required
def activity_evidence_download(request, bin, code):
    """The evidence file of an activity, only to those who may see the organisation."""
    _organisation, _activity, progress = activity_progress_get(user=request.user, bin=bin, activity_code=code)
    if progress is None or not progress.evidence:
        raise Http404("No evidence.")
    # Django writes a non-ASCII name as RFC 5987 `filename*=utf-8''…`, so the person gets their own name back.
    return stored_file_response(request, progress.evidence, filename=progress.evidence_display_name)
