import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from pilots.reference import load_regions
from pilots.tests.factories import InstituteFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def _catalogues():
    return sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"))


def _choose(client, lang):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang


def test_sign_in_page_in_kazakh_contains_kazakh_letters(client):
    _choose(client, "kk")
    page = client.get(reverse("login")).content.decode()
    body = page.split("<main", 1)[1]
    assert KAZAKH_LETTERS & set(body)
    assert "Sign in" not in body


def test_sign_in_page_in_russian_is_in_russian(client):
    _choose(client, "ru")
    page = client.get(reverse("login")).content.decode()
    assert "Войти" in page


def test_kazakh_is_the_default_whatever_the_browser_asks(settings, client):
    settings.LANGUAGE_CODE = "kk"
    assert client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en").headers["Content-Language"] == "kk"


def test_a_signed_in_users_saved_language_applies_without_a_cookie(client):
    client.force_login(InstituteFactory(language="ru"))
    assert client.get(reverse("order")).headers["Content-Language"] == "ru"


def test_wrong_password_message_is_in_kazakh(client):
    InstituteFactory(username="anna")
    _choose(client, "kk")
    response = client.post(reverse("login"), {"username": "anna", "password": "wrong"})
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Please enter" not in errors
    assert KAZAKH_LETTERS & set(errors)


def test_language_switch_is_remembered_on_the_account_and_in_a_cookie(client):
    user = InstituteFactory()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/order/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    user.refresh_from_db()
    assert user.language == "ru"
    assert client.get(reverse("order")).headers["Content-Language"] == "ru"


def test_dates_are_written_dd_mm_yyyy_in_every_language():
    import datetime

    from django.utils import formats

    for lang in ("kk", "ru", "en"):
        with translation.override(lang):
            assert formats.date_format(datetime.date(2026, 12, 7), "SHORT_DATE_FORMAT") == "07.12.2026"
            assert formats.date_format(datetime.date(2026, 12, 7)) == "07.12.2026"


def test_region_names_follow_the_active_language_with_a_fallback():
    regions = load_regions()
    astana = regions["KZ-71"]
    with translation.override("kk"):
        assert astana.name == "Астана қаласы"
    with translation.override("ru"):
        assert astana.name == "город Астана"
    organisation = OrganisationFactory(region=astana, name_kk="«Балапан»", name_ru="", name_en="")
    with translation.override("ru"):
        assert organisation.name == "«Балапан»"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_message_is_left_untranslated(lang):
    po = Path(settings.BASE_DIR, "locale", lang, "LC_MESSAGES", "django.po")
    assert po.exists(), f"no {lang} catalogue"
    entries = po.read_text(encoding="utf-8").split("\n\n")[1:]
    empty = []
    for entry in entries:
        if "#, fuzzy" in entry or entry.lstrip().startswith("#~"):
            empty.append(entry)
            continue
        for match in re.finditer(r'msgstr(?:\[\d\])? ((?:"(?:[^"\\]|\\.)*"\s*)+)', entry):
            if not "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))).strip():
                empty.append(entry)
    assert empty == [], f"{len(empty)} untranslated in {lang}: {empty[:3]}"


def test_every_catalogue_is_compiled():
    for po in _catalogues():
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} missing: run make messages"
