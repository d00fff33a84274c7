import pytest
from django.conf import settings
from django.urls import reverse

from pilots.tests.factories import InstituteFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_organisations():
    region = RegionFactory(code="KZ-71")
    # Ordered one way by their Kazakh names and the other way by their Russian names.
    OrganisationFactory(region=region, name_kk="«Ақбота» бөбекжай-бақшасы", name_ru="Ясли-сад «Акбота»")
    OrganisationFactory(region=region, name_kk="«Шаттық» бөбекжай-бақшасы", name_ru="Детский сад «Шаттык»")


def test_the_kazakh_list_is_sorted_by_the_kazakh_name(client, two_organisations):
    client.force_login(InstituteFactory(language="kk"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    page = client.get(reverse("organisation_list")).content.decode()
    assert page.index("«Ақбота» бөбекжай-бақшасы") < page.index("«Шаттық» бөбекжай-бақшасы")


def test_the_russian_list_is_sorted_by_the_russian_name(client, two_organisations):
    client.force_login(InstituteFactory(language="ru"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(reverse("organisation_list")).content.decode()
    assert page.index("Детский сад «Шаттык»") < page.index("Ясли-сад «Акбота»")


def test_an_organisation_without_a_russian_name_sorts_by_its_kazakh_one_in_russian(client):
    region = RegionFactory(code="KZ-71")
    OrganisationFactory(region=region, name_kk="Ясмин балабақшасы", name_ru="")
    OrganisationFactory(region=region, name_kk="Әлем балабақшасы", name_ru="Детский сад «Алем»")
    client.force_login(InstituteFactory(language="ru"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(reverse("organisation_list")).content.decode()
    assert page.index("Детский сад «Алем»") < page.index("Ясмин балабақшасы")


def _list_in(client, language: str) -> str:
    client.force_login(InstituteFactory(language=language))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("organisation_list")).content.decode()


def test_the_russian_list_names_the_district_in_russian_and_the_kazakh_list_in_kazakh(client):
    OrganisationFactory(region=RegionFactory(code="KZ-71"), district_kk="Есіл ауданы", district_ru="район Есиль")
    russian, kazakh = _list_in(client, "ru"), _list_in(client, "kk")
    assert "район Есиль" in russian and "Есіл ауданы" not in russian
    assert "Есіл ауданы" in kazakh and "район Есиль" not in kazakh


def test_a_district_given_only_in_kazakh_shows_in_kazakh_on_the_russian_list(client):
    OrganisationFactory(region=RegionFactory(code="KZ-71"), district_kk="Есіл ауданы", district_ru="")
    assert "Есіл ауданы" in _list_in(client, "ru")
