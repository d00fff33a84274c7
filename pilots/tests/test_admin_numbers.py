"""The admin's numeric fields read a number as the portal's own forms do (pilot_portal/numbers.py)."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from pilots.models import Organisation, User
from pilots.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _field(model, name):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    return admin.site._registry[model].get_form(request).base_fields[name]


def test_an_organisations_groups_in_the_admin_refuse_what_python_alone_would_read():
    field = _field(Organisation, "groups")
    for typed, code in (("1_000", "underscore"), ("１２", "non_ascii_digits"), ("1e2", "exponent")):
        with pytest.raises(ValidationError) as refused:
            field.clean(typed)
        assert refused.value.code == code


def test_an_organisations_children_in_the_admin_take_the_space_between_thousands_the_pages_show():
    assert _field(Organisation, "children").clean("1\u00a0250") == 1250
