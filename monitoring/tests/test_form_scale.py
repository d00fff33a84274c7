"""The quarterly form costs the same whatever the size of the country (issue 12, docs/performance.md)."""

import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.models import Indicator, Status, Submission
from monitoring.selectors import form_indicators
from monitoring.tests.factories import IndicatorFactory, SectionFactory, SubmissionFactory, ValueFactory

pytestmark = pytest.mark.django_db


def _hold_values(submission, indicators, offset=0):
    for indicator in indicators:
        if indicator.is_numeric:
            ValueFactory(submission=submission, indicator=indicator, number=10 + offset)
        else:
            ValueFactory(submission=submission, indicator=indicator, text=f"text {offset}")


def _other_organisations_holding_values(count, catalogue, *periods):
    for _ in range(count):
        organisation = None
        for period in periods:
            submission = SubmissionFactory(
                period=period, status=Status.ACCEPTED, **({"organisation": organisation} if organisation else {})
            )
            organisation = submission.organisation
            _hold_values(submission, catalogue.values())


def _shapes(captured) -> list[str]:
    """Each query's SQL without its literals: the same shape whatever the ids, dates and values."""
    return [re.sub(r"\d+", "?", re.sub(r"'[^']*'", "?", q["sql"])) for q in captured.captured_queries]


def _form_data(catalogue, submission, offset):
    """Every value changed from the saved one, so each save writes every row."""
    data = {"action": "save", "version": submission.version}
    for code, indicator in catalogue.items():
        data[code] = str(10 + offset) if indicator.is_numeric else f"text {offset}"
    return data


def test_the_form_runs_the_same_queries_with_3_and_30_organisations_holding_values(
    client, django_assert_num_queries, staff, period, previous_period, catalogue
):
    submission = SubmissionFactory(organisation=staff.organisation, period=period)
    _hold_values(submission, catalogue.values())
    url = reverse("submission", args=[staff.organisation.bin, period.code])
    client.force_login(staff)
    client.get(url)  # the session and the caches, as any page after the first
    _other_organisations_holding_values(3, catalogue, previous_period, period)

    with CaptureQueriesContext(connection) as get_at_3:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as post_at_3:
        saved = client.post(url, _form_data(catalogue, submission, offset=1))
    assert "saved=1" in saved["Location"]

    _other_organisations_holding_values(27, catalogue, previous_period, period)
    submission.refresh_from_db()
    with django_assert_num_queries(len(get_at_3)) as get_at_30:
        page = client.get(url)
    with django_assert_num_queries(len(post_at_3)) as post_at_30:
        saved = client.post(url, _form_data(catalogue, submission, offset=2))

    assert page.context["form"]["children_total"].value() == 11 and "saved=1" in saved["Location"]
    assert _shapes(get_at_30) == _shapes(get_at_3)
    assert _shapes(post_at_30) == _shapes(post_at_3)
    assert Submission.objects.get(pk=submission.pk).values.get(indicator__code="children_total").number == 12


def _as_before(period, submission):
    """form_indicators as it was written before issue 12: a join of every indicator to all its values."""
    query = Q(periods=period)
    if submission is not None:
        query |= Q(values__submission=submission)
    return list(
        Indicator.objects.filter(query).select_related("section").distinct().order_by("section__position", "position")
    )


def test_form_indicators_keeps_an_indicator_no_longer_asked_that_the_submission_holds_a_value_of(
    organisation, period, previous_period
):
    first, second = SectionFactory(code="first", position=1), SectionFactory(code="second", position=2)
    asked_twice = IndicatorFactory(code="asked_twice", section=second, position=1, periods=[previous_period, period])
    IndicatorFactory(code="asked", section=first, position=2, periods=[period])
    dropped = IndicatorFactory(code="dropped", section=first, position=1, periods=[previous_period])
    IndicatorFactory(code="dropped_not_held", section=first, position=3, periods=[previous_period])
    held_elsewhere = IndicatorFactory(code="held_elsewhere", section=first, position=4, periods=[previous_period])
    submission = SubmissionFactory(organisation=organisation, period=period)
    ValueFactory(submission=submission, indicator=dropped, number=4)
    ValueFactory(submission=submission, indicator=asked_twice, number=5)
    ValueFactory(submission=SubmissionFactory(period=period), indicator=held_elsewhere, number=6)

    indicators = form_indicators(period=period, submission=submission)

    assert [i.code for i in indicators] == ["dropped", "asked", "asked_twice"]
    assert indicators == _as_before(period, submission)
    assert [i.code for i in form_indicators(period=period, submission=None)] == ["asked", "asked_twice"]
