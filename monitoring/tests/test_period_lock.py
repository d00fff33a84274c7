"""A quarter is locked and unlocked through the services, which record who did it and when in the period's
history; the admin's actions call them, and the lock can no longer be ticked in a form past them."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from monitoring.models import Period
from monitoring.services import period_lock, period_unlock
from pilots.models import User
from pilots.roles import institute_group
from pilots.tests.factories import CoordinatorFactory, InstituteFactory, UserFactory

pytestmark = pytest.mark.django_db


def _changes(period):
    """The period's history past its creation: the locks and unlocks."""
    return period.history.filter(history_type="~").order_by("history_id")


def test_a_coordinator_may_not_lock_a_period(period):
    with pytest.raises(PermissionDenied):
        period_lock(user=CoordinatorFactory(), period=period)
    period.refresh_from_db()
    assert not period.locked and _changes(period).count() == 0 and period.history.count() == 1
    period_lock(user=InstituteFactory(), period=period)  # the positive control: the Institute may
    period.refresh_from_db()
    assert period.locked and _changes(period).count() == 1


def test_locking_records_who_and_when_in_the_periods_history(period):
    institute = InstituteFactory()
    period_lock(user=institute, period=period)
    period.refresh_from_db()
    assert period.locked and period.locked_by == institute and period.locked_at is not None
    row = _changes(period).get()
    assert (row.locked, row.history_user, row.history_change_reason) == (True, institute, "locked")


def test_unlocking_is_on_record_as_the_lock_was(period):
    institute = InstituteFactory()
    period_lock(user=institute, period=period)
    period_unlock(user=institute, period=period)
    period.refresh_from_db()
    assert not period.locked and period.locked_by is None
    assert [(r.locked, r.history_change_reason) for r in _changes(period)] == [
        (True, "locked"),
        (False, "unlocked"),
    ]


def test_locking_a_locked_period_writes_no_second_row(period):
    institute = InstituteFactory()
    period_lock(user=institute, period=period)
    period_lock(user=institute, period=period)
    assert _changes(period).count() == 1


def test_the_admin_action_locks_through_the_service(client, period):
    editor = InstituteFactory(is_staff=True)
    editor.groups.add(institute_group())
    client.force_login(editor)
    response = client.post(
        reverse("admin:monitoring_period_changelist"),
        {"action": "lock", "_selected_action": [period.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert f"Locked: {period.code}." in response.content.decode()
    assert Period.objects.get(pk=period.pk).locked
    assert _changes(period).get().history_user == editor


def test_the_admin_form_does_not_offer_the_lock_as_a_field(client, period):
    client.force_login(UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:monitoring_period_change", args=[period.pk])).content.decode()
    assert 'name="due_on"' in page  # the control: the form's editable fields are there
    assert 'name="locked"' not in page
