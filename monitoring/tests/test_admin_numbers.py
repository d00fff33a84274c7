"""The monitoring admin's numeric fields read a number as the portal's own forms do (pilot_portal/numbers.py)."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from monitoring.models import Indicator
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
