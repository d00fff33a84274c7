"""The monitoring admin's numeric fields read a number as the portal's own forms do (pilot_portal/numbers.py)."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation

from monitoring.models import Indicator, Value
from pilots.models import User
from pilots.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _field(model, name):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    return admin.site._registry[model].get_form(request).base_fields[name]


def test_an_indicators_bound_in_the_admin_takes_a_decimal_comma_and_refuses_an_exponent():
    field = _field(Indicator, "max_value")
    assert str(field.clean("22,5")) == "22.5"
    with pytest.raises(ValidationError) as refused:
        field.clean("1e2")
    assert refused.value.code == "exponent"


@pytest.mark.parametrize(
    ("language", "shown"), [("kk", 'value="1\xa0234,50"'), ("ru", 'value="1\xa0234,50"'), ("en", 'value="1\xa0234.50"')]
)
def test_an_indicators_bound_shows_in_the_admin_with_the_languages_decimal_mark(language, shown):
    field = _field(Indicator, "max_value")
    with translation.override(language):
        html = field.widget.render("max_value", field.prepare_value(Decimal("1234.50")))
    assert shown in html
    assert 'value="1234.50"' not in html


def test_a_value_of_a_submission_reads_in_the_admin_as_on_the_page():
    field = _field(Value, "number")
    assert str(field.clean("1 234,5")) == "1234.5"
    assert str(field.clean("1234.5")) == "1234.5"
