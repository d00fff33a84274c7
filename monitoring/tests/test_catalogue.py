"""The catalogue as the Institute edits it in the admin: what would break the forms is refused there."""

import pytest
from django.core.exceptions import ValidationError

from monitoring.models import Indicator, ValidationRule
from monitoring.reference import load_catalogue
from monitoring.tests.factories import IndicatorFactory, RuleFactory

pytestmark = pytest.mark.django_db


def _codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def test_a_rule_naming_an_unknown_indicator_is_refused_with_the_code():
    IndicatorFactory(code="children_total")
    rule = RuleFactory.build(
        kind=ValidationRule.Kind.NOT_GREATER, indicators=["childern_total"], target="children_total"
    )
    with pytest.raises(ValidationError) as refused:
        rule.clean()
    assert _codes(refused.value) == {"indicators": ["unknown_indicator"]}
    assert "childern_total" in refused.value.message_dict["indicators"][0]


def test_a_comparison_rule_without_a_target_is_refused():
    IndicatorFactory(code="teachers_trained")
    rule = RuleFactory.build(kind=ValidationRule.Kind.NOT_GREATER, indicators=["teachers_trained"], target="")
    with pytest.raises(ValidationError) as refused:
        rule.clean()
    assert _codes(refused.value) == {"target": ["target"]}


def test_a_choice_indicator_whose_options_lack_codes_is_refused():
    indicator = IndicatorFactory.build(code="support", type=Indicator.Type.CHOICE, choices=[{"kk": "тұрақты"}])
    with pytest.raises(ValidationError) as refused:
        indicator.clean()
    assert _codes(refused.value) == {"choices": ["choices"]}


def test_an_indicator_may_not_take_a_name_the_form_posts_itself():
    with pytest.raises(ValidationError) as refused:
        IndicatorFactory.build(code="version").clean()
    assert _codes(refused.value) == {"code": ["reserved"]}


def test_the_shipped_catalogue_passes_every_check():
    load_catalogue()
    for indicator in Indicator.objects.all():
        indicator.clean()
    for rule in ValidationRule.objects.all():
        rule.clean()
