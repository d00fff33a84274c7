from decimal import Decimal

import pytest

from monitoring.models import ValidationRule
from monitoring.tests.factories import RuleFactory
from monitoring.validation import check_submission, rules_for

pytestmark = pytest.mark.django_db


def _check(catalogue, period, values, previous=None, explanations=None):
    return check_submission(
        indicators=list(catalogue.values()),
        values=values,
        explanations=explanations or {},
        previous=previous or {},
        rules=rules_for(period),
    )


def _numbers(**kwargs):
    return {k: Decimal(v) for k, v in kwargs.items()}


def test_a_missing_required_value_blocks_submit(catalogue, period):
    outcome = _check(catalogue, period, _numbers(children_age4=1))
    assert outcome.errors["children_total"] == ["This value is required to submit."]


def test_age_groups_that_do_not_add_up_mark_all_three_fields(catalogue, period):
    outcome = _check(catalogue, period, _numbers(children_total=50, children_age4=20, children_age5=31))
    for code in ("children_total", "children_age4", "children_age5"):
        assert outcome.errors[code] == ["Age groups must add up to the children."]


def test_age_groups_that_add_up_pass(catalogue, period):
    assert _check(catalogue, period, _numbers(children_total=50, children_age4=20, children_age5=30)).ok


def test_more_trained_than_involved_teachers_is_refused(catalogue, period):
    outcome = _check(catalogue, period, _numbers(children_total=1, teachers_involved=3, teachers_trained=4))
    assert "teachers_trained" in outcome.errors


def test_a_rule_limited_to_other_periods_does_not_apply(catalogue, period, previous_period):
    rule = RuleFactory(kind=ValidationRule.Kind.REQUIRED, indicators=["teachers_involved"])
    rule.periods.set([previous_period])
    assert _check(catalogue, period, _numbers(children_total=5)).ok


def test_required_in_period_rule_applies_in_its_period(catalogue, period):
    rule = RuleFactory(kind=ValidationRule.Kind.REQUIRED, indicators=["teachers_involved"], message_en="Needed in Q4.")
    rule.periods.set([period])
    assert _check(catalogue, period, _numbers(children_total=5)).errors["teachers_involved"] == ["Needed in Q4."]


def test_a_jump_of_more_than_three_times_asks_for_an_explanation_without_blocking_as_an_error(catalogue, period):
    RuleFactory(kind=ValidationRule.Kind.JUMP, indicators=["children_total"], factor=3, message_en="Explain.")
    outcome = _check(catalogue, period, _numbers(children_total=400), previous=_numbers(children_total=100))
    assert outcome.errors == {}
    assert outcome.explanations_needed == {"children_total": "Explain."}


def test_a_fall_under_a_third_asks_for_an_explanation_too(catalogue, period):
    RuleFactory(kind=ValidationRule.Kind.JUMP, indicators=["children_total"], factor=3)
    outcome = _check(catalogue, period, _numbers(children_total=30), previous=_numbers(children_total=100))
    assert "children_total" in outcome.explanations_needed


def test_an_explained_jump_passes(catalogue, period):
    RuleFactory(kind=ValidationRule.Kind.JUMP, indicators=["children_total"], factor=3)
    outcome = _check(
        catalogue,
        period,
        _numbers(children_total=400),
        previous=_numbers(children_total=100),
        explanations={"children_total": "Екі жаңа топ ашылды"},
    )
    assert outcome.ok


def test_an_inactive_rule_is_not_applied(catalogue, period):
    ValidationRule.objects.update(active=False)
    assert _check(catalogue, period, _numbers(children_total=50, children_age4=1, children_age5=1)).ok
