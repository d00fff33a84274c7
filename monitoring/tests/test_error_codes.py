"""A return or a reopening without a word is refused with the code comment_required on the comment field, at the
service itself and not only through the form that repeats the rule; with a word, the same call goes through."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from monitoring.models import Status, Submission
from monitoring.selectors import submission_get
from monitoring.services import submission_accept, submission_reopen, submission_return
from pilots.tests.factories import InstituteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(client, staff, period, catalogue, good_values):
    client.force_login(staff)
    response = client.post(
        reverse("submission", args=[staff.organisation.bin, period.code]),
        {**good_values, "action": "submit", "version": 0},
    )
    assert response.status_code == 302
    return Submission.objects.get()


def _context(user, submission):
    return submission_get(user=user, bin=submission.organisation.bin, period_code=submission.period.code)


def _return(coordinator, submission, comment):
    return submission_return(
        user=coordinator,
        context=_context(coordinator, submission),
        version=submission.version,
        comment=comment,
        field_reasons={},
        indicators=[],
    )


def test_a_return_without_a_comment_is_refused_as_comment_required(coordinator, submitted):
    with pytest.raises(ValidationError) as refused:
        _return(coordinator, submitted, "   ")
    assert refused.value.error_dict["comment"][0].code == "comment_required"
    assert Submission.objects.get().status == Status.SUBMITTED


def test_a_return_with_a_comment_goes_through(coordinator, submitted):
    _return(coordinator, submitted, "The age groups do not add up.")
    assert Submission.objects.get().status == Status.RETURNED


@pytest.fixture
def accepted(coordinator, submitted):
    submission_accept(user=coordinator, context=_context(coordinator, submitted), version=submitted.version)
    return Submission.objects.get()


def test_a_reopening_without_a_comment_is_refused_as_comment_required(accepted):
    institute = InstituteFactory()
    with pytest.raises(ValidationError) as refused:
        submission_reopen(user=institute, context=_context(institute, accepted), comment="")
    assert refused.value.error_dict["comment"][0].code == "comment_required"
    assert Submission.objects.get().status == Status.ACCEPTED


def test_a_reopening_with_a_comment_goes_through(accepted):
    institute = InstituteFactory()
    submission_reopen(user=institute, context=_context(institute, accepted), comment="A figure is wrong.")
    assert Submission.objects.get().status == Status.DRAFT
