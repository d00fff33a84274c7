"""Each domain rule once: who is expected in a quarter, what is handed in, what the figures count."""

import datetime

import pytest

from monitoring.models import Status, Submission, Value
from monitoring.selectors import organisations_missing
from monitoring.tests.factories import IndicatorFactory, PeriodFactory, SubmissionFactory, ValueFactory
from pilots.models import Organisation
from pilots.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def q3():
    return PeriodFactory()  # 2026-Q3, 01.07–30.09


def expected(q3) -> set:
    return set(Organisation.objects.expected_in(q3))


def test_an_organisation_in_the_pilot_since_before_the_quarter_is_expected(q3):
    member = OrganisationFactory(in_pilot_from=datetime.date(2026, 1, 1))
    assert expected(q3) == {member}


def test_an_organisation_that_joins_the_pilot_after_the_quarter_is_not_expected(q3):
    member = OrganisationFactory(in_pilot_from=datetime.date(2026, 1, 1))
    OrganisationFactory(in_pilot_from=datetime.date(2026, 10, 1))
    assert expected(q3) == {member}


def test_an_organisation_that_joins_on_the_quarters_last_day_is_expected(q3):
    joined = OrganisationFactory(in_pilot_from=datetime.date(2026, 9, 30))
    assert expected(q3) == {joined}


def test_an_organisation_that_left_before_the_quarter_is_not_expected(q3):
    member = OrganisationFactory(in_pilot_from=datetime.date(2026, 1, 1))
    OrganisationFactory(in_pilot_from=datetime.date(2026, 1, 1), in_pilot_until=datetime.date(2026, 6, 30))
    assert expected(q3) == {member}


def test_an_organisation_that_leaves_during_the_quarter_is_expected_in_it(q3):
    leaving = OrganisationFactory(in_pilot_from=datetime.date(2026, 1, 1), in_pilot_until=datetime.date(2026, 7, 1))
    assert expected(q3) == {leaving}


def test_in_pilot_on_a_day_needs_to_have_joined_by_it():
    member = OrganisationFactory(in_pilot_from=datetime.date(2026, 1, 1))
    OrganisationFactory(in_pilot_from=datetime.date(2026, 10, 1))
    assert set(Organisation.objects.in_pilot_on(datetime.date(2026, 9, 30))) == {member}


def test_in_pilot_on_a_day_leaves_out_one_gone_before_it():
    member = OrganisationFactory(in_pilot_from=datetime.date(2026, 1, 1))
    OrganisationFactory(in_pilot_from=datetime.date(2026, 1, 1), in_pilot_until=datetime.date(2026, 9, 29))
    assert set(Organisation.objects.in_pilot_on(datetime.date(2026, 9, 30))) == {member}


@pytest.mark.parametrize(
    ("status", "handed_in"),
    [(Status.SUBMITTED, True), (Status.ACCEPTED, True), (Status.DRAFT, False), (Status.RETURNED, False)],
)
def test_handed_in_is_submitted_or_accepted(q3, status, handed_in):
    submission = SubmissionFactory(period=q3, status=status)
    assert (submission in Submission.objects.handed_in()) is handed_in


@pytest.mark.parametrize(
    ("status", "counted"),
    [(Status.ACCEPTED, True), (Status.SUBMITTED, False), (Status.DRAFT, False), (Status.RETURNED, False)],
)
def test_the_figures_count_accepted_submissions_only(q3, status, counted):
    submission = SubmissionFactory(period=q3, status=status)
    assert (submission in Submission.objects.counted()) is counted


@pytest.mark.parametrize(("status", "counted"), [(Status.ACCEPTED, True), (Status.SUBMITTED, False)])
def test_the_figures_count_the_values_of_accepted_submissions_only(q3, status, counted):
    value = ValueFactory(submission=SubmissionFactory(period=q3, status=status), indicator=IndicatorFactory())
    assert (value in Value.objects.counted()) is counted


@pytest.mark.parametrize(
    ("status", "missing"),
    [(None, True), (Status.DRAFT, True), (Status.RETURNED, True), (Status.SUBMITTED, False), (Status.ACCEPTED, False)],
)
def test_missing_is_expected_and_not_handed_in(q3, status, missing):
    organisation = OrganisationFactory()
    if status is not None:
        SubmissionFactory(organisation=organisation, period=q3, status=status)
    result = organisations_missing(organisations=Organisation.objects.all(), period=q3)
    assert (organisation in result) is missing


def test_an_organisation_that_joins_later_is_not_missing(q3):
    member = OrganisationFactory(in_pilot_from=datetime.date(2026, 1, 1))
    OrganisationFactory(in_pilot_from=datetime.date(2026, 10, 1))
    assert list(organisations_missing(organisations=Organisation.objects.all(), period=q3)) == [member]


def test_missing_stays_within_the_scope_given(q3):
    inside = OrganisationFactory()
    OrganisationFactory()
    scope = Organisation.objects.filter(pk=inside.pk)
    assert list(organisations_missing(organisations=scope, period=q3)) == [inside]
