"""The page selectors (monitoring/pages.py): what the submission page shows, read without a request."""

import pytest
from django.urls import reverse

from monitoring.forms import SubmissionForm
from monitoring.pages import submission_page
from monitoring.selectors import form_indicators, submission_get, submission_values
from monitoring.tests.factories import SubmissionFactory
from pilots.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

# What the page ran before it was read through submission_page (measured: 17 with 3 organisations and with 30).
MAX_QUERIES = 17


def _url(organisation, period, suffix=""):
    return reverse("submission" + suffix, args=[organisation.bin, period.code])


def _page(user, organisation, period, today):
    context = submission_get(user=user, bin=organisation.bin, period_code=period.code)
    values, explanations = submission_values(submission=context.submission)
    form = SubmissionForm(
        indicators=form_indicators(period=period, submission=context.submission),
        values=values,
        explanations=explanations,
        version=context.submission.version if context.submission else 0,
    )
    return submission_page(user=user, context=context, form=form, today=today)


def _submit_and_return(client, staff, coordinator, period, good_values, reasons):
    client.force_login(staff)
    client.post(_url(staff.organisation, period), {**good_values, "action": "submit", "version": 0})
    client.force_login(coordinator)
    client.post(
        _url(staff.organisation, period, "_review"),
        {"version": 1, "decision": "return", "comment": "Балалар санын тексеріңіз", **reasons},
    )


def test_an_organisation_users_page_of_a_returned_submission_carries_the_reviewers_comments(
    client, staff, coordinator, period, catalogue, good_values, today
):
    _submit_and_return(client, staff, coordinator, period, good_values, {"reason__children_total": "50 емес, 52"})

    page = _page(staff, staff.organisation, period, today)

    assert page.status == "returned"
    assert page.field_reasons == {"children_total": "50 емес, 52"}
    assert page.timeline[-1].comment == "Балалар санын тексеріңіз"
    assert page.can_edit is True


def test_the_reviewer_sees_review_and_the_organisation_edit_on_a_submitted_form(
    client, staff, coordinator, period, catalogue, good_values, today
):
    client.force_login(staff)
    client.post(_url(staff.organisation, period), {**good_values, "action": "submit", "version": 0})

    reviewer = _page(coordinator, staff.organisation, period, today)
    own = _page(staff, staff.organisation, period, today)

    assert (reviewer.can_review, reviewer.can_edit) == (True, False)
    assert (own.can_review, own.can_edit) == (False, False)


@pytest.mark.parametrize("n", [3, 30])
def test_the_submission_page_runs_a_bounded_number_of_queries_however_many_organisations_exist(
    client, staff, coordinator, period, catalogue, good_values, django_assert_max_num_queries, n
):
    for organisation in OrganisationFactory.create_batch(n, region=staff.organisation.region):
        SubmissionFactory(organisation=organisation, period=period, status="submitted")
    _submit_and_return(client, staff, coordinator, period, good_values, {"reason__children_total": "52"})
    client.force_login(staff)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(_url(staff.organisation, period))
    assert response.status_code == 200
    assert "Балалар санын тексеріңіз" in response.content.decode()
