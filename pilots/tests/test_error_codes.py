"""The services' refusals keep their codes on the field they concern: a caller (a form, the API, a test) can tell
one refusal from another without reading its translated message."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pilots.models import User
from pilots.services import activity_progress_set, organisation_leave_pilot
from pilots.tests.factories import ActivityFactory, InstituteFactory, OrganisationFactory, RegionFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _code(error: ValidationError, field: str) -> str:
    return error.error_dict[field][0].code


@pytest.fixture
def staff():
    return StaffFactory()


def _set_progress(staff, **kwargs):
    defaults = {"done": True, "done_on": timezone.localdate(), "note": ""}
    return activity_progress_set(
        user=staff, organisation=staff.organisation, activity=ActivityFactory(), **{**defaults, **kwargs}
    )


def test_progress_done_without_a_date_is_refused_as_date_required(staff):
    with pytest.raises(ValidationError) as refused:
        _set_progress(staff, done_on=None)
    assert _code(refused.value, "done_on") == "date_required"


def test_progress_dated_tomorrow_is_refused_as_date_in_future(staff):
    with pytest.raises(ValidationError) as refused:
        _set_progress(staff, done_on=timezone.localdate() + datetime.timedelta(days=1))
    assert _code(refused.value, "done_on") == "date_in_future"


def test_progress_dated_today_is_recorded(staff):
    """The control: the same call with a date that is neither missing nor ahead is saved."""
    assert _set_progress(staff).done_on == timezone.localdate()


def _leave(organisation, **kwargs):
    defaults = {"effective_on": datetime.date(2026, 6, 1), "reason": "closed for repairs", "replaced_by": None}
    return organisation_leave_pilot(user=InstituteFactory(), organisation=organisation, **{**defaults, **kwargs})


def test_leaving_without_a_reason_is_refused_as_reason_required():
    with pytest.raises(ValidationError) as refused:
        _leave(OrganisationFactory(), reason="  ")
    assert _code(refused.value, "reason") == "reason_required"


def test_leaving_before_joining_is_refused_as_date_before_joining():
    with pytest.raises(ValidationError) as refused:
        _leave(OrganisationFactory(), effective_on=datetime.date(2025, 12, 31))
    assert _code(refused.value, "effective_on") == "date_before_joining"


def test_an_organisation_replacing_itself_is_refused_as_self_replacement():
    organisation = OrganisationFactory()
    with pytest.raises(ValidationError) as refused:
        _leave(organisation, replaced_by=organisation)
    assert _code(refused.value, "replaced_by") == "self_replacement"


def test_leaving_with_a_reason_a_date_and_another_replacement_is_recorded():
    """The control: the same call with every field right is recorded."""
    organisation = OrganisationFactory()
    change = _leave(organisation, replaced_by=OrganisationFactory())
    organisation.refresh_from_db()
    assert change.reason == "closed for repairs" and organisation.in_pilot_until == datetime.date(2026, 6, 1)


@pytest.mark.parametrize(("role", "field"), [(User.Role.ORGANISATION, "organisation"), (User.Role.REGION, "region")])
def test_a_scoped_account_without_its_scope_is_refused_as_scope(role, field):
    with pytest.raises(ValidationError) as refused:
        User(username="someone", role=role).clean()
    assert _code(refused.value, field) == "scope"


def test_a_scoped_account_with_its_scope_is_clean():
    """The controls: each scoped role with its organisation or region passes the same check."""
    User(username="staff", role=User.Role.ORGANISATION, organisation=OrganisationFactory()).clean()
    User(username="coordinator", role=User.Role.REGION, region=RegionFactory()).clean()
