from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pilot_portal.forms import errors_onto_form

from ..forms import LeavePilotForm
from ..selectors import organisation_can_manage_membership, organisation_get, organisation_scope
from ..services import organisation_leave_pilot


@login_required
def leave_pilot_view(request, bin):
    """The Institute records that an organisation leaves the pilot or is replaced, and why."""
    organisation = organisation_get(user=request.user, bin=bin)
    if not organisation_can_manage_membership(user=request.user):
        raise PermissionDenied
    candidates = organisation_scope(user=request.user).exclude(pk=organisation.pk)
    form = LeavePilotForm(request.POST or None, organisations=candidates)
    if request.method == "POST" and form.is_valid() and organisation.is_in_pilot:
        try:
            organisation_leave_pilot(
                user=request.user,
                organisation=organisation,
                effective_on=form.cleaned_data["effective_on"],
                reason=form.cleaned_data["reason"],
                replaced_by=form.cleaned_data["replaced_by"],
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("Recorded: the organisation leaves the pilot."))
            return redirect("organisation_detail", bin=organisation.bin)
    return render(request, "pilots/leave_pilot.html", {"organisation": organisation, "form": form})
