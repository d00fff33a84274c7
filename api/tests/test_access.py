"""Who may call the API, and with what: the forbidden paths first, each with its positive control."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.tokens import token_create
from pilots.tests.factories import InstituteFactory, OrganisationFactory, RegionFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _get(client, url, token=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(url, params, **headers)


@pytest.fixture
def token():
    _row, raw = token_create(user=InstituteFactory(), name="BI")
    return raw


def test_no_token_is_401_with_a_json_error_and_a_token_is_200(client, token):
    url = reverse("api-regions-list")
    refused = _get(client, url)
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/json"
    assert "detail" in refused.json()
    assert refused["WWW-Authenticate"] == 'Bearer realm="api"'
    assert _get(client, url, token).status_code == 200  # the positive control


def test_a_wrong_token_is_401(client, token):
    assert _get(client, reverse("api-regions-list"), token[:-2] + "xx").status_code == 401
    assert _get(client, reverse("api-regions-list"), "not-even-ours").status_code == 401
    assert _get(client, reverse("api-regions-list"), token).status_code == 200


def test_a_revoked_token_is_401(client, token):
    ApiToken.objects.update(revoked_at=timezone.now())
    assert _get(client, reverse("api-regions-list"), token).status_code == 401


def test_a_token_of_a_deactivated_user_is_401(client, token):
    ApiToken.objects.get().user.__class__.objects.update(is_active=False)
    assert _get(client, reverse("api-regions-list"), token).status_code == 401


def test_the_token_is_stored_only_as_its_hash(token):
    row = ApiToken.objects.get()
    assert token not in (row.key_hash, row.prefix, row.name)
    assert token.startswith(row.prefix)  # the control: the stored beginning is the token's


def test_a_write_is_405(client, token):
    url = reverse("api-organisations-list")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for method in (client.post, client.put, client.patch, client.delete):
        assert method(url, {}, content_type="application/json", **headers).status_code == 405
    assert client.get(url, **headers).status_code == 200


def test_a_session_reads_the_api_as_the_pages(client):
    region = RegionFactory(code="KZ-71")
    OrganisationFactory(region=region)
    client.force_login(StaffFactory(organisation=OrganisationFactory(region=region)))
    rows = client.get(reverse("api-organisations-list")).json()["results"]
    assert len(rows) == 1  # organisation staff see their own organisation only


def test_each_use_of_a_token_is_recorded(client, token):
    assert ApiToken.objects.get().last_used_at is None
    _get(client, reverse("api-periods-list"), token)
    assert ApiToken.objects.get().last_used_at is not None


def test_create_api_token_prints_a_token_that_works(client, capsys):
    InstituteFactory(username="analyst")
    call_command("create_api_token", "analyst")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("pp_")
    assert _get(client, reverse("api-periods-list"), raw).status_code == 200


def test_the_token_page_shows_a_new_token_once_and_revokes_it(client):
    user = InstituteFactory()
    client.force_login(user)
    page = client.post(reverse("api_tokens"), {"name": "Power BI"}).content.decode()
    raw = ApiToken.objects.get(user=user)
    shown = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert shown.startswith(raw.prefix)
    assert shown not in client.get(reverse("api_tokens")).content.decode()  # shown once
    assert _get(client, reverse("api-periods-list"), shown).status_code == 200
    client.post(reverse("api_token_revoke", args=[raw.pk]))
    client.logout()
    assert _get(client, reverse("api-periods-list"), shown).status_code == 401


def test_nobody_revokes_another_users_token(client, token):
    row = ApiToken.objects.get()
    client.force_login(InstituteFactory())
    assert client.post(reverse("api_token_revoke", args=[row.pk])).status_code == 404
    assert ApiToken.objects.get().revoked_at is None
    client.force_login(row.user)  # the control: its owner can
    assert client.post(reverse("api_token_revoke", args=[row.pk])).status_code == 302
    assert ApiToken.objects.get().revoked_at is not None


def test_a_token_past_its_rate_is_429_until_the_window_passes(client, token, monkeypatch):
    from django.core.cache import cache

    from api.throttling import TokenRateThrottle

    cache.clear()
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/min"})
    url = reverse("api-periods-list")
    assert [_get(client, url, token).status_code for _ in range(3)] == [200, 200, 429]
    _row, other = token_create(user=InstituteFactory(), name="another")
    assert _get(client, url, other).status_code == 200  # counted per token: another token is not held back


def test_the_docs_page_names_every_operation_in_the_readers_language(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(reverse("api_docs")).content.decode()
    schema = client.get(reverse("api_schema")).json()
    for path in schema["paths"]:
        assert f"GET {path}" in page
    assert "Допустимые значения" in page and "Каталог показателей с правилами проверки" in page
