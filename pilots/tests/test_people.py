"""Pages and mail name people, not accounts: a name and position where the account has them, the account's
name only as a fallback."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from pilots.services import organisation_leave_pilot
from pilots.tests.factories import InstituteFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_an_account_with_a_name_and_position_is_named_by_them():
    analyst = InstituteFactory(username="inst-7", first_name="Айжан", last_name="Мұратова", position="әдіскер")
    assert analyst.person == "Айжан Мұратова, әдіскер"
    assert analyst.display_name == "Айжан Мұратова"


def test_an_account_without_a_name_is_named_by_its_account_name():
    assert InstituteFactory(username="inst-8", position="әдіскер").person == "inst-8"


def test_the_membership_history_names_who_recorded_the_change(client):
    analyst = InstituteFactory(first_name="Айжан", last_name="Мұратова", position="әдіскер")
    organisation = OrganisationFactory(in_pilot_from=datetime.date(2026, 1, 1))
    organisation_leave_pilot(
        user=analyst, organisation=organisation, effective_on=datetime.date(2026, 6, 30), reason="Жабылды"
    )
    client.force_login(analyst)
    page = client.get(reverse("organisation_detail", args=[organisation.bin])).content.decode()
    assert "Айжан Мұратова, әдіскер" in page
    assert analyst.username not in page.split("<main", 1)[-1]


def test_a_mail_greets_the_person_by_name_and_an_unnamed_account_by_its_account_name():
    named = InstituteFactory(first_name="Айжан", last_name="Мұратова")
    unnamed = InstituteFactory(username="region-kz-10")
    context = {"period": None, "organisation": None, "due": None, "url": ""}
    assert "Айжан Мұратова" in render_to_string("monitoring/mail/reminder_body.txt", {**context, "user": named})
    assert "region-kz-10" in render_to_string("monitoring/mail/reminder_body.txt", {**context, "user": unnamed})
