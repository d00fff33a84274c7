"""Writes of monitoring data. Each transition is atomic, conditional on the status it starts from, and
records its history row and its mail (in the outbox, which sends it after commit) in the same
transaction."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pilot_portal.stored_files import storage_guard
from pilot_portal.uploads import display_file_name
from pilots import policy
from pilots.evidence import validate_evidence_file
from pilots.models import User

from . import notifications
from .models import (
    EDITABLE_STATUSES,
    Attachment,
    FieldComment,
    Indicator,
    Period,
    Status,
    Submission,
    Transition,
    Value,
)
from .selectors import (
    SubmissionContext,
    previous_values,
    submission_can_edit,
    submission_can_reopen,
    submission_can_review,
    submission_values,
)
from .summary import summary_transition
from .validation import RuleOutcome, check_submission, rules_for

MAX_ATTACHMENTS = 20


class StaleSubmission(Exception):
    """The page was opened on an older version than the one saved since."""


class SubmissionInvalid(Exception):
    """Submit found values that break the rules; nothing was written."""

    def __init__(self, outcome: RuleOutcome):
        super().__init__("submission breaks rules")
        self.outcome = outcome


def _snapshot(values: dict) -> dict:
    return {code: (str(v) if isinstance(v, Decimal) else v) for code, v in values.items() if v not in (None, "")}


def _write_values(submission: Submission, indicators: list[Indicator], values: dict, explanations: dict) -> None:
    existing = {v.indicator_id: v for v in Value.objects.filter(submission=submission)}
    for row in existing.values():
        row.submission = submission  # read already: the summary's receivers ask it for its status
    for indicator in indicators:
        raw = values.get(indicator.code)
        number, text = None, ""
        if indicator.is_numeric and raw is not None:
            number = Decimal(raw)
        elif indicator.type == Indicator.Type.BOOLEAN and raw is not None:
            number = Decimal(1 if raw else 0)
        elif indicator.type in (Indicator.Type.TEXT, Indicator.Type.CHOICE):
            text = raw or ""
        explanation = explanations.get(indicator.code, "")
        row = existing.get(indicator.pk)
        if row is None:
            if number is None and not text and not explanation:
                continue
            Value.objects.create(
                submission=submission, indicator=indicator, number=number, text=text, explanation=explanation
            )
        elif (row.number, row.text, row.explanation) != (number, text, explanation):
            row.number, row.text, row.explanation = number, text, explanation
            row.save()  # one save per changed value, so the audit history keeps each change


def _claim(context: SubmissionContext, *, user: User, version: int) -> Submission:
    """The submission row, created at version 0→1 or moved on from `version`; StaleSubmission if someone was first."""
    if context.submission is None:
        if version != 0:
            raise StaleSubmission
        try:
            with transaction.atomic():
                return Submission.objects.create(
                    organisation=context.organisation, period=context.period, updated_by=user
                )
        except IntegrityError:
            raise StaleSubmission from None
    moved = Submission.objects.filter(pk=context.submission.pk, version=version, status__in=EDITABLE_STATUSES).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
    if not moved:
        raise StaleSubmission
    return Submission.objects.select_for_update().get(pk=context.submission.pk)


def submission_save(
    *,
    user: User,
    context: SubmissionContext,
    indicators: list[Indicator],
    values: dict,
    explanations: dict,
    version: int,
    submit: bool,
) -> Submission:
    """Save the form as a draft, or submit it after every rule passes. All or nothing."""
    today = timezone.localdate()
    if not submission_can_edit(user=user, context=context, today=today):
        raise PermissionDenied
    with transaction.atomic():
        submission = _claim(context, user=user, version=version)
        _write_values(submission, indicators, values, explanations)
        if submit:
            outcome = check_submission(
                indicators=indicators,
                values=values,
                explanations=explanations,
                previous=previous_values(organisation=context.organisation, period=context.period),
                rules=rules_for(context.period),
            )
            if not outcome.ok:
                raise SubmissionInvalid(outcome)
            from_status = submission.status
            now = timezone.now()
            submission.status = Status.SUBMITTED
            submission.submitted_at = now
            if submission.first_submitted_at is None:
                submission.first_submitted_at = now
                submission.is_late = context.period.is_late(today)
            submission.save()  # its part of the summary moves with the save (monitoring.signals)
            transition = Transition.objects.create(
                submission=submission,
                from_status=from_status,
                to_status=Status.SUBMITTED,
                by=user,
                values_snapshot=_snapshot(values),
            )
            notifications.transition_mail(transition=transition)
        return submission


def _review_transition(
    *, user: User, context: SubmissionContext, to_status: str, comment: str, version: int
) -> Transition:
    submission = context.submission
    values, _explanations = submission_values(submission=submission)
    moved = Submission.objects.filter(pk=submission.pk, status=Status.SUBMITTED, version=version).update(
        status=to_status,
        version=F("version") + 1,
        updated_by=user,
        updated_at=timezone.now(),
        accepted_at=timezone.now() if to_status == Status.ACCEPTED else None,
        return_comment=comment if to_status == Status.RETURNED else "",
    )
    if not moved:
        raise StaleSubmission
    summary_transition(submission=submission, from_status=Status.SUBMITTED, to_status=to_status)
    return Transition.objects.create(
        submission=submission,
        from_status=Status.SUBMITTED,
        to_status=to_status,
        by=user,
        comment=comment,
        values_snapshot=_snapshot(values),
    )


def submission_accept(*, user: User, context: SubmissionContext, version: int, comment: str = "") -> Transition:
    if not submission_can_review(user=user, context=context):
        raise PermissionDenied
    with transaction.atomic():
        transition = _review_transition(
            user=user, context=context, to_status=Status.ACCEPTED, comment=comment, version=version
        )
        notifications.transition_mail(transition=transition)
    return transition


def submission_return(
    *,
    user: User,
    context: SubmissionContext,
    version: int,
    comment: str,
    field_reasons: dict[str, str],
    indicators: list[Indicator],
) -> Transition:
    if not submission_can_review(user=user, context=context):
        raise PermissionDenied
    if not comment.strip():
        raise ValidationError({"comment": ValidationError(_("Say what must be corrected."), code="comment_required")})
    by_code = {i.code: i for i in indicators}
    with transaction.atomic():
        transition = _review_transition(
            user=user, context=context, to_status=Status.RETURNED, comment=comment.strip(), version=version
        )
        FieldComment.objects.bulk_create(
            FieldComment(transition=transition, indicator=by_code[code], comment=text)
            for code, text in field_reasons.items()
            if code in by_code
        )
        notifications.transition_mail(transition=transition)
    return transition


def submission_reopen(*, user: User, context: SubmissionContext, comment: str) -> Transition:
    """The Institute alone sends an accepted submission back to draft, saying why."""
    if not submission_can_reopen(user=user, context=context):
        raise PermissionDenied
    if not comment.strip():
        raise ValidationError(
            {"comment": ValidationError(_("Say why the submission is reopened."), code="comment_required")}
        )
    submission = context.submission
    with transaction.atomic():
        moved = Submission.objects.filter(pk=submission.pk, status=Status.ACCEPTED).update(
            status=Status.DRAFT, version=F("version") + 1, updated_by=user, accepted_at=None
        )
        if not moved:
            raise StaleSubmission
        summary_transition(submission=submission, from_status=Status.ACCEPTED, to_status=Status.DRAFT)
        values, _explanations = submission_values(submission=submission)
        transition = Transition.objects.create(
            submission=submission,
            from_status=Status.ACCEPTED,
            to_status=Status.DRAFT,
            by=user,
            comment=comment.strip(),
            values_snapshot=_snapshot(values),
        )
        notifications.transition_mail(transition=transition)
    return transition


def attachments_add(*, user: User, context: SubmissionContext, uploads: list, version: int) -> Submission:
    """Attach evidence files to an editable submission; every file is checked before any is stored."""
    today = timezone.localdate()
    if not submission_can_edit(user=user, context=context, today=today):
        raise PermissionDenied
    existing = context.submission.attachments.count() if context.submission else 0
    if existing + len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("At most %(limit)d files per submission; %(existing)d are attached already.")
            % {"limit": MAX_ATTACHMENTS, "existing": existing},
            code="too_many_files",
        )
    kinds = []
    for upload in uploads:
        try:
            kinds.append(validate_evidence_file(upload))
        except ValidationError as error:
            raise ValidationError(
                _("%(name)s: %(reason)s") % {"name": upload.name, "reason": " ".join(error.messages)},
                code=error.error_list[0].code,
            ) from None
    # The storage refusing a file undoes the whole step: no attachment row, no claimed version.
    with storage_guard(), transaction.atomic():
        submission = _claim(context, user=user, version=version)
        for upload, kind in zip(uploads, kinds, strict=True):
            Attachment.objects.create(
                submission=submission,
                file=upload,
                original_name=display_file_name(
                    upload.name, max_length=Attachment._meta.get_field("original_name").max_length
                ),
                kind=kind,
                size=upload.size,
                uploaded_by=user,
            )
    return submission


def attachment_remove(*, user: User, context: SubmissionContext, attachment: Attachment, version: int) -> None:
    if not submission_can_edit(user=user, context=context, today=timezone.localdate()):
        raise PermissionDenied
    with transaction.atomic():
        _claim(context, user=user, version=version)
        attachment._history_user = user  # the removal's history row names who removed it
        attachment.delete()


def _period_set_locked(*, user: User, period: Period, locked: bool, reason: str) -> Period:
    if not policy.can_lock_period(user):
        raise PermissionDenied
    with transaction.atomic():
        current = Period.objects.select_for_update().get(pk=period.pk)
        if current.locked == locked:
            return current  # already so: no second history row for a change that did not happen
        current.locked = locked
        current.locked_at, current.locked_by = (timezone.now(), user) if locked else (None, None)
        current._history_user = user
        current._change_reason = reason
        current.save(update_fields=["locked", "locked_at", "locked_by"])
    return current


def period_lock(*, user: User, period: Period) -> Period:
    """Close a quarter: no form of it can be saved, submitted or reopened until it is unlocked; the history
    of the period records who locked it and when."""
    return _period_set_locked(user=user, period=period, locked=True, reason="locked")


def period_unlock(*, user: User, period: Period) -> Period:
    """Open a locked quarter again, on record as the lock was."""
    return _period_set_locked(user=user, period=period, locked=False, reason="unlocked")
