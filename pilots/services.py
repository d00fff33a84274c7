"""Writes to the pilot's registry. Each is one transaction; callers check permission through selectors."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilot_portal.stored_files import storage_guard
from pilot_portal.uploads import display_file_name

from . import policy
from .models import Activity, ActivityProgress, Clause, ClauseExecution, Organisation, PilotMembershipChange, User
from .selectors import organisation_can_edit_progress


@transaction.atomic
def activity_progress_set(
    *,
    user: User,
    organisation: Organisation,
    activity: Activity,
    done: bool,
    done_on: datetime.date | None,
    note: str,
    evidence=None,
    remove_evidence: bool = False,
) -> ActivityProgress:
    """Record an organisation's progress on one activity of the algorithm."""
    if not organisation_can_edit_progress(user=user, organisation=organisation):
        raise PermissionDenied
    if done and done_on is None:
        raise ValidationError(
            {"done_on": ValidationError(_("Give the date the activity was done."), code="date_required")}
        )
    if done_on and done_on > timezone.localdate():
        raise ValidationError(
            {"done_on": ValidationError(_("The date cannot be in the future."), code="date_in_future")}
        )
    progress, _created = ActivityProgress.objects.select_for_update().get_or_create(
        organisation=organisation, activity=activity
    )
    progress.done = done
    progress.done_on = done_on if done else None
    progress.note = note
    progress.updated_by = user
    if evidence is not None:
        progress.evidence = evidence
        progress.evidence_name = display_file_name(
            evidence.name, max_length=ActivityProgress._meta.get_field("evidence_name").max_length
        )
    elif remove_evidence:
        # The old file stays on disk: the history row still names it, and the audit trail can open it.
        progress.evidence = ""
        progress.evidence_name = ""
    with storage_guard():  # a file the storage refused leaves the transaction, so nothing is recorded
        progress.save()
    return progress


@transaction.atomic
def organisation_leave_pilot(
    *,
    user: User,
    organisation: Organisation,
    effective_on: datetime.date,
    reason: str,
    replaced_by: Organisation | None = None,
) -> PilotMembershipChange:
    """Take an organisation out of the pilot from a date, logging why and, if so, its replacement."""
    if not reason.strip():
        raise ValidationError({"reason": ValidationError(_("Give the reason."), code="reason_required")})
    if effective_on < organisation.in_pilot_from:
        raise ValidationError(
            {
                "effective_on": ValidationError(
                    _("The date is before the organisation joined the pilot."), code="date_before_joining"
                )
            }
        )
    if replaced_by is not None and replaced_by.pk == organisation.pk:
        raise ValidationError(
            {"replaced_by": ValidationError(_("An organisation cannot replace itself."), code="self_replacement")}
        )
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    locked.in_pilot_until = effective_on
    locked.save(update_fields=["in_pilot_until"])
    event = PilotMembershipChange.Event.REPLACED if replaced_by else PilotMembershipChange.Event.LEFT
    change = PilotMembershipChange.objects.create(
        organisation=locked,
        event=event,
        effective_on=effective_on,
        reason=reason.strip(),
        replaced_by=replaced_by,
        recorded_by=user,
    )
    if replaced_by is not None:
        PilotMembershipChange.objects.create(
            organisation=replaced_by,
            event=PilotMembershipChange.Event.JOINED,
            effective_on=replaced_by.in_pilot_from,
            reason=reason.strip(),
            reason_code=PilotMembershipChange.Reason.REPLACES,
            replaces=locked,
            recorded_by=user,
        )
    return change


def clause_execution_check_date(done_on: datetime.date) -> None:
    """An execution is recorded after the fact: a date ahead is a typing mistake."""
    if done_on > timezone.localdate():
        raise ValidationError(
            {"done_on": ValidationError(_("The date cannot be in the future."), code="date_in_future")}
        )


@transaction.atomic
def clause_execution_record(
    *, user: User, clause: Clause, done_on: datetime.date, note: str, reference: str = "", document_number: str = ""
) -> ClauseExecution:
    """Record that a clause of the order was executed (the control card counts it). A record is not edited
    afterwards: a correction is a new record with its own note."""
    if not policy.can_edit_registry(user):
        raise PermissionDenied
    clause_execution_check_date(done_on)
    if not note.strip():
        raise ValidationError({"note": ValidationError(_("Say what was done."), code="note_required")})
    return ClauseExecution.objects.create(
        clause=clause,
        done_on=done_on,
        note=note.strip(),
        reference=reference,
        document_number=document_number,
        recorded_by=user,
    )
