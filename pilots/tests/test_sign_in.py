import pytest
from django.urls import reverse

from pilots.tests.factories import CoordinatorFactory, InstituteFactory, MinistryFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _sign_in(client, password):
    return client.post(reverse("login"), {"username": "anna", "password": password})


def test_a_wrong_password_keeps_the_user_on_the_sign_in_page_with_a_message(client):
    InstituteFactory(username="anna")
    response = _sign_in(client, "wrong")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_many_wrong_passwords_lock_the_username_even_for_the_right_one(client):
    InstituteFactory(username="anna")
    for _ in range(5):
        _sign_in(client, "wrong")
    response = _sign_in(client, "pass-2026-test")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_right_password_signs_in_and_goes_to_the_roles_home(client):
    InstituteFactory(username="anna")
    response = _sign_in(client, "pass-2026-test")
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("monitoring_queue")


def test_the_ministry_viewer_starts_on_the_national_dashboard(client):
    client.force_login(MinistryFactory())
    assert client.get(reverse("home"))["Location"] == reverse("national_dashboard")


def test_a_coordinator_starts_on_the_review_queue(client):
    client.force_login(CoordinatorFactory())
    assert client.get(reverse("home"))["Location"] == reverse("monitoring_queue")


def test_staff_land_on_their_organisations_card(client):
    staff = StaffFactory()
    client.force_login(staff)
    assert client.get(reverse("home"))["Location"] == reverse("organisation_detail", args=[staff.organisation.bin])


def test_password_change_requires_the_old_password(client):
    user = InstituteFactory(username="anna")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "Жаңа-құпия-2026", "new_password2": "Жаңа-құпия-2026"},
    )
    assert response.context["form"].has_error("old_password", code="password_incorrect")
    user.refresh_from_db()
    assert user.check_password("pass-2026-test")


def test_password_change_with_the_old_password_works(client):
    user = InstituteFactory(username="anna")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pass-2026-test", "new_password1": "Жаңа-құпия-2026", "new_password2": "Жаңа-құпия-2026"},
    )
    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("Жаңа-құпия-2026")


def test_sign_out_is_a_post(client):
    client.force_login(InstituteFactory())
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_a_language_cookie_left_by_someone_else_leaves_the_account_as_it_was(client, settings):
    anna = InstituteFactory(username="anna", language="kk")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"  # the previous person's choice on this computer
    _sign_in(client, "pass-2026-test")
    anna.refresh_from_db()
    assert anna.language == "kk"


def test_the_language_chosen_on_the_sign_in_page_is_saved_to_the_account(client, settings):
    anna = InstituteFactory(username="anna", language="kk")
    client.post(reverse("set_language"), {"language": "ru", "next": reverse("login")})
    _sign_in(client, "pass-2026-test")
    anna.refresh_from_db()
    assert anna.language == "ru"
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]  # another machine: only the account remembers
    assert client.get(reverse("order")).headers["Content-Language"] == "ru"


def _sign_in_from(client, password, forwarded_for):
    return client.post(reverse("login"), {"username": "anna", "password": password}, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_without_a_proxy_a_forged_forwarded_address_does_not_dodge_the_lock(client, settings):
    settings.PORTAL_PROXY_COUNT = 0
    InstituteFactory(username="anna")
    for n in range(5):
        _sign_in_from(client, "wrong", f"203.0.113.{n}")
    response = _sign_in_from(client, "pass-2026-test", "198.51.100.7")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_behind_a_proxy_a_client_cannot_dodge_the_lock_by_forging_the_forwarded_header(client, settings):
    settings.PORTAL_PROXY_COUNT = 1
    InstituteFactory(username="anna")
    for n in range(5):
        # The client sends its own X-Forwarded-For; nginx appends the address it really came from.
        _sign_in_from(client, "wrong", f"10.0.0.{n}, 203.0.113.5")
    response = _sign_in_from(client, "pass-2026-test", "10.9.9.9, 203.0.113.5")
    assert response.status_code == 429


def test_behind_a_proxy_one_clients_failures_do_not_lock_the_others_out(client, settings):
    settings.PORTAL_PROXY_COUNT = 1
    InstituteFactory(username="anna")
    for _ in range(5):
        _sign_in_from(client, "wrong", "203.0.113.5")
    response = _sign_in_from(client, "pass-2026-test", "198.51.100.7")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
