"""Writing the checked rows in one transaction, and who may: the import as the command and the upload page call it."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .. import policy
from ..events import organisations_written
from ..models import Organisation, PilotMembershipChange, User
from ..orders import order_current
from .reading import organisations_parse
from .results import ImportProblem, ImportResult, OrganisationRow, _file_error

HISTORY_REASON = "Appendix 2 import"


def user_can_import(*, user) -> bool:
    """The Institute and administrators load the list; everyone else only reads it."""
    return policy.can_import(user)


# Writing ------------------------------------------------------------------------------------------------------------


def _in_pilot_from(today: datetime.date) -> datetime.date:
    """New organisations join the pilot at its start, as the order sets it, or on the day they are imported
    once it has begun (or when no order is loaded yet)."""
    order = order_current()
    return max(order.pilot_starts_on, today) if order is not None else today


@transaction.atomic
def organisations_import(
    *,
    rows: list[OrganisationRow],
    user: User | None,
    dry_run: bool = False,
    today: datetime.date | None = None,
) -> ImportResult:
    """Create the new BINs and update the known ones, all in one transaction; with `dry_run` only count.

    `user` is None when an operator runs the command on the server. Existing organisations are read in one
    query; creating and updating are bulk writes that also write their history rows.
    """
    if user is not None and not user_can_import(user=user):
        raise PermissionDenied
    today = today or timezone.localdate()
    result = ImportResult(dry_run=dry_run)
    existing = {
        o.bin: o
        for o in Organisation.objects.select_for_update(of=("self",))
        .select_related("region")
        .filter(bin__in=[r.bin for r in rows])
    }
    to_create: list[Organisation] = []
    to_update: list[Organisation] = []
    changed_fields: set[str] = set()
    previous: dict[int, dict] = {}  # organisation pk → the changed fields' values before this import
    joins_on = _in_pilot_from(today)
    for row in rows:
        organisation = existing.get(row.bin)
        if organisation is None:
            to_create.append(Organisation(bin=row.bin, in_pilot_from=joins_on, **row.values))
            continue
        changed = [name for name, value in row.values.items() if getattr(organisation, name) != value]
        if "region" in changed:
            result.warnings.append(
                ImportProblem(
                    row.row,
                    "region",
                    "region_changed",
                    _("%(bin)s moves from %(old)s to %(new)s; its coordinator changes with it.")
                    % {"bin": row.bin, "old": organisation.region.code, "new": row.values["region"].code},
                )
            )
        if not organisation.is_in_pilot:
            result.warnings.append(
                ImportProblem(
                    row.row,
                    "bin",
                    "left_pilot",
                    _("%(bin)s left the pilot on %(date)s; its details are updated, but it stays out of the pilot.")
                    % {"bin": row.bin, "date": organisation.in_pilot_until.strftime("%d.%m.%Y")},
                )
            )
        if not changed:
            result.unchanged += 1
            continue
        previous[organisation.pk] = {name: getattr(organisation, name) for name in changed}
        for name in changed:
            setattr(organisation, name, row.values[name])
        changed_fields.update(changed)
        to_update.append(organisation)
    result.created, result.updated = len(to_create), len(to_update)
    if dry_run:
        return result
    if to_create:
        created = bulk_create_with_history(
            to_create, Organisation, default_user=user, default_change_reason=HISTORY_REASON
        )
        PilotMembershipChange.objects.bulk_create(
            [
                PilotMembershipChange(
                    organisation=organisation,
                    event=PilotMembershipChange.Event.JOINED,
                    effective_on=organisation.in_pilot_from,
                    reason_code=PilotMembershipChange.Reason.IMPORTED,
                    recorded_by=user,
                )
                for organisation in created
            ]
        )
    if to_update:
        bulk_update_with_history(
            to_update, Organisation, sorted(changed_fields), default_user=user, default_change_reason=HISTORY_REASON
        )
    # A bulk write sends no model signals: it says what it wrote, for what other apps keep (monitoring's summary).
    organisations_written.send(sender=Organisation, created=to_create, changed=previous)
    return result


def organisations_import_file(
    *, file, user: User | None, dry_run: bool = False, today: datetime.date | None = None
) -> ImportResult:
    """Check the whole file and, only if every row is good (and not `dry_run`), write it."""
    if user is not None and not user_can_import(user=user):
        raise PermissionDenied
    parsed = organisations_parse(file)
    if parsed.errors:
        return ImportResult(dry_run=dry_run, warnings=parsed.warnings, errors=parsed.errors)
    try:
        result = organisations_import(rows=parsed.rows, user=user, dry_run=dry_run, today=today)
    except IntegrityError:
        # Someone else added one of these BINs between our read and our write; the transaction rolled back.
        return ImportResult(
            dry_run=dry_run,
            warnings=parsed.warnings,
            errors=[
                _file_error(
                    "conflict",
                    _("The list changed while the file was being imported; nothing was saved. Please try again."),
                )
            ],
        )
    result.warnings[:0] = parsed.warnings
    return result
