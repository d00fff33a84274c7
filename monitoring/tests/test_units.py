"""A number and its unit agree, as a person writes them: «1 группа, 3 группы, 5 групп» in Russian, «1 child, 3
children» in English; Kazakh keeps one form after every number («3 топ»)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from monitoring.models import Indicator, Status, Submission, Value
from monitoring.tests.factories import IndicatorFactory
from pilots.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups():
    return IndicatorFactory(
        unit_kk="топ",
        unit_ru="групп",
        unit_ru_one="группа",
        unit_ru_few="группы",
        unit_en="groups",
        unit_en_one="group",
    )


def _units(indicator, language, numbers):
    with translation.override(language):
        return [indicator.unit_for(number) for number in numbers]


def test_a_russian_unit_takes_the_form_its_number_asks_for(groups):
    numbers = [1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 0, Decimal("2.5")]
    expected = ["группа", "группы", "группы", "групп", "групп", "групп", "групп", "группа", "группы", "групп",
                "группа", "групп", "групп", "группы"]  # fmt: skip
    assert _units(groups, "ru", numbers) == expected


def test_an_english_unit_is_singular_after_one_only(groups):
    assert _units(groups, "en", [1, 2, 0]) == ["group", "groups", "groups"]


def test_a_kazakh_unit_keeps_one_form_after_every_number(groups):
    assert _units(groups, "kk", [1, 3, 5]) == ["топ", "топ", "топ"]


def test_a_unit_without_its_other_forms_is_written_as_the_catalogue_gives_it():
    people = IndicatorFactory(unit_ru="чел.", unit_en="people")
    assert _units(people, "ru", [1, 3, 5]) == ["чел.", "чел.", "чел."]


def test_the_catalogue_gives_its_russian_units_their_forms(demo):
    pilot_groups = Indicator.objects.get(code="pilot_groups")
    assert _units(pilot_groups, "ru", [1, 3, 5]) == ["группа", "группы", "групп"]


def test_a_reviewer_reads_each_number_with_its_unit_in_the_form_it_asks_for(client, demo):
    submission = Submission.objects.filter(status=Status.ACCEPTED, organisation__region__code="KZ-71").first()
    Value.objects.filter(submission=submission, indicator__code="pilot_groups").update(number=3)
    Value.objects.filter(submission=submission, indicator__code="children_total").update(number=25)
    coordinator = User.objects.get(username="region-kz-71")
    coordinator.language = "ru"
    coordinator.save(update_fields=["language"])
    client.force_login(coordinator)
    url = reverse("submission", args=[submission.organisation.bin, submission.period.code])
    page = client.get(url).content.decode()
    assert "3\u00a0группы" in page and "25\u00a0детей" in page
    assert "3 групп<" not in page and "3\u00a0групп<" not in page
