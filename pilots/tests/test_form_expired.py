"""A form sent with a stale or missing CSRF token: a page in the person's language, not Django's English one."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from pilots.tests.factories import InstituteFactory

pytestmark = pytest.mark.django_db


def _client(lang: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def test_a_sign_in_without_the_forms_token_is_refused_with_the_form_expired_page():
    client = _client("en")
    response = client.post(reverse("login"), {"username": "anna", "password": "pass-2026-test"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "The form has expired" in page
    assert "Reload the page" in page
    assert "CSRF verification failed" not in page


def test_a_sign_in_with_the_forms_token_is_not_refused():
    InstituteFactory(username="anna")
    client = _client("en")
    client.get(reverse("login"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        reverse("login"), {"username": "anna", "password": "pass-2026-test", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_the_form_expired_page_speaks_kazakh():
    response = _client("kk").post(reverse("login"), {"username": "anna", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Пішіннің мерзімі өтті" in page
    assert "Бетті жаңартып" in page
    assert "The form has expired" not in page


def test_the_form_expired_page_speaks_russian():
    response = _client("ru").post(reverse("login"), {"username": "anna", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Срок действия формы истёк" in page
    assert "Обновите страницу" in page
    assert "The form has expired" not in page


def test_a_signed_in_person_whose_form_expired_is_offered_the_form_again_and_the_home_page():
    client = _client("en")
    client.force_login(InstituteFactory())
    form_page = "http://testserver" + reverse("report_narrative")
    response = client.post(reverse("report_narrative"), {}, HTTP_REFERER=form_page)
    assert response.status_code == 403
    page = response.content.decode()
    assert f'href="{form_page}"' in page
    assert f'href="{reverse("home")}"' in page


def test_the_form_expired_page_never_links_back_to_another_site():
    client = _client("en")
    response = client.post(reverse("login"), {}, HTTP_REFERER="https://evil.example/phish")
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()
    assert f'href="{reverse("login")}"' in response.content.decode()
