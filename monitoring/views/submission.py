from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from pilot_portal.stored_files import stored_file_response
from pilots import policy

from ..forms import ReviewForm, SubmissionForm
from ..models import Status, Submission
from ..pages import submission_page
from ..selectors import (
    attachment_get,
    form_indicators,
    organisation_reviewer,
    submission_can_edit,
    submission_can_reopen,
    submission_can_review,
    submission_get,
    submission_values,
)
from ..services import (
    StaleSubmission,
    SubmissionInvalid,
    attachment_remove,
    attachments_add,
    submission_accept,
    submission_reopen,
    submission_return,
    submission_save,
)


def _json_value(value):
    """Numbers as JSON numbers, yes/no as booleans, empty as null, text as text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _json(context, values):
    s = context.submission
    return JsonResponse(
        {
            "organisation": context.organisation.bin,
            "period": context.period.code,
            "status": s.status if s else Status.DRAFT,
            "version": s.version if s else 0,
            "values": {code: _json_value(v) for code, v in values.items()},
        }
    )


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _render(request, context, form, *, status=200, conflict=False, review_form=None, only_explanations=False):
    page = submission_page(
        user=request.user,
        context=context,
        form=form,
        today=timezone.localdate(),
        conflict=conflict,
        review_form=review_form,
        only_explanations=only_explanations,
        # After a successful save the browser's copy is no longer needed (draft-keeper.js).
        just_saved=request.GET.get("saved") == "1",
    )
    return render(request, "monitoring/submission.html", page.as_context(), status=status)


@login_required
@vary_on_headers("Accept")
def submission_view(request, bin, period):
    """The quarterly form of one organisation: GET to read or fill, POST to save a draft or submit."""
    context = submission_get(user=request.user, bin=bin, period_code=period)
    indicators = form_indicators(period=context.period, submission=context.submission)
    values, explanations = submission_values(submission=context.submission)
    version = context.submission.version if context.submission else 0
    if request.method == "GET":
        if _wants_json(request):
            return _json(context, values)
        form = SubmissionForm(indicators=indicators, values=values, explanations=explanations, version=version)
        return _render(request, context, form)

    if not submission_can_edit(user=request.user, context=context, today=timezone.localdate()):
        if policy.is_organisation_staff_of(request.user, context.organisation):
            messages.warning(request, _not_editable_reason(context))
            return redirect("submission", bin=context.organisation.bin, period=context.period.code)
        raise PermissionDenied
    action = request.POST.get("action", "save")
    if action in ("upload", "remove_file"):
        # The file form carries no values: a refused file redraws the form from what is saved,
        # never from the empty upload request, which would then save blanks over the data.
        saved = SubmissionForm(indicators=indicators, values=values, explanations=explanations, version=version)
        return _attachments(request, context, saved)
    form = SubmissionForm(
        request.POST, indicators=indicators, values=values, explanations=explanations, version=version
    )
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: please correct the values marked below."))
        return _render(request, context, form, status=400)
    try:
        submission_save(
            user=request.user,
            context=context,
            indicators=indicators,
            values=form.values(),
            explanations=form.explanations(),
            version=form.cleaned_data["version"],
            submit=action == "submit",
        )
    except StaleSubmission:
        form = _rebound_on_current_version(request, form, context)
        messages.error(
            request,
            _(
                "Someone saved this form after you opened it, so your changes were not saved. "
                "Your values are shown below: compare them with the saved ones (reload the page in another tab), "
                "then save again."
            ),
        )
        return _render(request, context, form, status=409, conflict=True)
    except SubmissionInvalid as invalid:
        for code, errors in invalid.outcome.errors.items():
            for message in errors:
                form.add_error(code if code in form.fields else None, message)
        for code, message in invalid.outcome.explanations_needed.items():
            form.add_error(f"{code}__explanation", message)
        if invalid.outcome.errors:
            messages.error(request, _("Not submitted: please correct the values marked below. Nothing was saved."))
        else:
            # Only the soft rule spoke: the values may well be right, they just need a word of explanation.
            messages.warning(
                request,
                _(
                    "Not submitted yet: some values differ a lot from the previous quarter. If they are right, "
                    "explain them in the boxes marked below and submit again; otherwise correct them."
                ),
            )
        return _render(request, context, form, status=400, only_explanations=not invalid.outcome.errors)
    if action == "submit":
        messages.success(request, _("Submitted for review."))
    else:
        messages.success(request, _("Draft saved."))
    url = reverse("submission", args=[context.organisation.bin, context.period.code])
    return redirect(f"{url}?saved=1")


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("No such file.") from None


def _rebound_on_current_version(request, form, context):
    """The person's typed values, bound to the version saved meanwhile, so that saving again goes through."""
    data = request.POST.copy()
    current = Submission.objects.filter(organisation=context.organisation, period=context.period).first()
    data["version"] = str(current.version if current else 0)
    rebound = SubmissionForm(data, indicators=form.indicators, values={}, explanations={}, version=int(data["version"]))
    rebound.is_valid()
    return rebound


def _not_editable_reason(context) -> str:
    """Why the organisation's own staff cannot change the form now, in words they can act on."""
    s = context.submission
    if context.period.locked:
        return _("The period is locked by the Institute; nothing was changed.")
    if not context.period.is_open(timezone.localdate()):
        return _("The period has not started yet; nothing was changed.")
    if s is not None and s.status == Status.SUBMITTED:
        return _("Already submitted and waiting for review; nothing was changed.")
    if s is not None and s.status == Status.ACCEPTED:
        return _(
            "Already accepted; nothing was changed. If something must be corrected, ask the Institute to reopen it."
        )
    return _("Nothing was changed.")


def _attachments(request, context, form):
    try:
        version = int(request.POST.get("version", "-1"))
    except ValueError:
        version = -1
    try:
        if request.POST["action"] == "upload":
            uploads = request.FILES.getlist("files")
            if not uploads:
                raise ValidationError(_("Choose at least one file."), code="no_file")
            attachments_add(user=request.user, context=context, uploads=uploads, version=version)
            messages.success(request, _("Files attached."))
        else:
            attachment = attachment_get(
                user=request.user,
                bin=context.organisation.bin,
                period_code=context.period.code,
                attachment_id=_int(request.POST.get("attachment")),
            )
            attachment_remove(user=request.user, context=context, attachment=attachment, version=version)
            messages.success(request, _("File removed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _render(request, context, form, status=400)
    except StaleSubmission:
        messages.error(request, _("Someone saved this form after you opened it; reload the page and try again."))
        return _render(request, context, form, status=409, conflict=True)
    return redirect("submission", bin=context.organisation.bin, period=context.period.code)


@login_required
@require_POST
def review_view(request, bin, period):
    """The coordinator (or the Institute) accepts a submission, or returns it with a comment."""
    context = submission_get(user=request.user, bin=bin, period_code=period)
    if not submission_can_review(user=request.user, context=context):
        # The submission is visible to this user, so saying "not allowed" gives nothing away.
        return _review_refused(request, context)
    indicators = form_indicators(period=context.period, submission=context.submission)
    review_form = ReviewForm(request.POST, indicators=indicators)
    if not review_form.is_valid():
        values, explanations = submission_values(submission=context.submission)
        form = SubmissionForm(
            indicators=indicators, values=values, explanations=explanations, version=context.submission.version
        )
        messages.error(request, _("Not recorded: please correct the review below."))
        return _render(request, context, form, status=400, review_form=review_form)
    try:
        if review_form.cleaned_data["decision"] == "accept":
            submission_accept(
                user=request.user,
                context=context,
                version=review_form.cleaned_data["version"],
                comment=review_form.cleaned_data["comment"],
            )
            messages.success(request, _("Accepted."))
        else:
            submission_return(
                user=request.user,
                context=context,
                version=review_form.cleaned_data["version"],
                comment=review_form.cleaned_data["comment"],
                field_reasons=review_form.field_reasons(),
                indicators=indicators,
            )
            messages.success(request, _("Returned for correction. The organisation has been notified."))
    except StaleSubmission:
        messages.error(request, _("The submission changed while you were reviewing it; look at it again."))
    return redirect("submission", bin=context.organisation.bin, period=context.period.code)


def _review_refused(request, context):
    """403, saying why when the user is the right reviewer and only the submission's state stands in the way."""
    reason = None
    if organisation_reviewer(user=request.user, organisation=context.organisation):
        if context.period.locked:
            reason = _("The period is locked by the Institute: reviews are closed.")
        else:
            status = context.submission.get_status_display() if context.submission else _("not started")
            reason = _("Only a submitted form can be reviewed; this one is: %(status)s.") % {"status": status}
    return render(request, "403.html", {"reason": reason}, status=403)


@login_required
@require_POST
def reopen_view(request, bin, period):
    """The Institute sends an accepted submission back to draft, saying why."""
    context = submission_get(user=request.user, bin=bin, period_code=period)
    if not submission_can_reopen(user=request.user, context=context):
        raise PermissionDenied
    try:
        submission_reopen(user=request.user, context=context, comment=request.POST.get("comment", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except StaleSubmission:
        messages.error(request, _("The submission changed meanwhile; look at it again."))
    else:
        messages.success(request, _("Reopened: the organisation can correct its data."))
    return redirect("submission", bin=context.organisation.bin, period=context.period.code)


@login_required
def attachment_download(request, bin, period, attachment_id):
    """An evidence file, only to those who may see the organisation."""
    attachment = attachment_get(user=request.user, bin=bin, period_code=period, attachment_id=attachment_id)
    return stored_file_response(request, attachment.file, filename=attachment.original_name)
