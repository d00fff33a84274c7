import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

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
    assert "_auth_user_id" in client.session  # the positive control: the GET left the person signed in
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


def _sign_in_as(client, username, password, address="203.0.113.5"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_that_account_from_that_address_but_not_another_account(client):
    InstituteFactory(username="anna")
    InstituteFactory(username="boris")
    for _ in range(5):
        _sign_in_as(client, "anna", "wrong")
    locked = _sign_in_as(client, "anna", "pass-2026-test")
    assert locked.status_code == 429
    assert "for this username from your network address" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    other = _sign_in_as(client, "boris", "pass-2026-test")
    assert other.status_code == 302
    assert "_auth_user_id" in client.session


def test_wrong_passwords_spread_over_ten_accounts_lock_the_address_for_every_account(client, settings):
    assert settings.PORTAL_ADDRESS_FAILURE_LIMIT == 30
    names = [f"teacher{n}" for n in range(10)]
    for name in [*names, "newcomer"]:
        InstituteFactory(username=name)
    for _ in range(3):  # 30 in all, never more than 3 for one account: no account's own lock closes
        for name in names:
            _sign_in_as(client, name, "wrong")
    for name in [*names, "newcomer"]:
        response = _sign_in_as(client, name, "pass-2026-test")
        assert response.status_code == 429, name
        assert "signing in from this address is paused for every account" in response.content.decode()
        assert "_auth_user_id" not in client.session
    elsewhere = _sign_in_as(client, "teacher0", "pass-2026-test", address="198.51.100.7")
    assert elsewhere.status_code == 302
    assert "_auth_user_id" in client.session


def test_one_failure_short_of_the_address_limit_locks_no_account(client):
    names = [f"teacher{n}" for n in range(10)]
    for name in names:
        InstituteFactory(username=name)
    for round_ in range(3):
        for name in names[: 9 if round_ == 2 else 10]:  # 29 failures
            _sign_in_as(client, name, "wrong")
    response = _sign_in_as(client, "teacher9", "pass-2026-test")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_the_address_limit_comes_from_the_setting(client, settings):
    settings.PORTAL_ADDRESS_FAILURE_LIMIT = 8
    for name in ("anna", "boris", "vera", "gulnar"):
        InstituteFactory(username=name)
    for name in ("anna", "boris", "vera", "gulnar"):
        _sign_in_as(client, name, "wrong")
    assert _sign_in_as(client, "anna", "pass-2026-test").status_code == 302  # 4 of 8: open
    client.post(reverse("logout"))
    for name in ("anna", "boris", "vera", "gulnar", "anna"):
        _sign_in_as(client, name, "wrong")
    # 3 left by the others before the sign-in (anna's own were cleared by it), then 5 more: 8.
    assert _sign_in_as(client, "boris", "pass-2026-test").status_code == 429


def test_signing_in_to_one_account_does_not_clear_the_addresss_failures_on_others(client):
    names = [f"teacher{n}" for n in range(10)]
    for name in [*names, "guesser"]:
        InstituteFactory(username=name)
    for round_ in range(3):
        for name in names[: 9 if round_ == 2 else 10]:  # 29 failures
            _sign_in_as(client, name, "wrong")
    # Someone holding one valid account signs in with it between guesses...
    assert _sign_in_as(client, "guesser", "pass-2026-test").status_code == 302
    client.post(reverse("logout"))
    # ...and the next guess is still the 30th.
    _sign_in_as(client, "teacher9", "wrong")
    assert _sign_in_as(client, "teacher9", "pass-2026-test").status_code == 429


def test_signing_in_clears_that_accounts_own_failures(client):
    InstituteFactory(username="anna")
    for _ in range(4):
        _sign_in_as(client, "anna", "wrong")
    assert _sign_in_as(client, "anna", "pass-2026-test").status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        _sign_in_as(client, "anna", "wrong")
    assert _sign_in_as(client, "anna", "pass-2026-test").status_code == 302


def test_the_account_lock_page_says_when_it_lifts(client):
    InstituteFactory(username="anna")
    for _ in range(5):
        _sign_in_as(client, "anna", "wrong")
    response = _sign_in_as(client, "anna", "pass-2026-test")
    # Trying while locked counts too, so the lock lifts 15 minutes after this last attempt.
    last = AccessAttempt.objects.get(username="anna").attempt_time
    lifts = timezone.localtime(last + datetime.timedelta(minutes=15))
    assert f"You can try again after {lifts:%H:%M}." in response.content.decode()


def test_the_address_lock_lifts_when_enough_of_its_failures_are_older_than_the_cool_off(client):
    names = [f"teacher{n}" for n in range(10)]
    for name in names:
        InstituteFactory(username=name)
    for _ in range(3):
        for name in names:
            _sign_in_as(client, name, "wrong")
    now = timezone.now().replace(microsecond=0)
    older, newer = now - datetime.timedelta(minutes=10), now - datetime.timedelta(minutes=2)
    AccessAttempt.objects.filter(username__in=names[:5]).update(attempt_time=older)  # 15 failures
    AccessAttempt.objects.filter(username__in=names[5:]).update(attempt_time=newer)  # 15 failures
    response = _sign_in_as(client, "teacher5", "pass-2026-test")
    assert response.status_code == 429
    # The newest 16 (15 plus this attempt) stay until the older 15 leave the 15-minute window.
    lifts = timezone.localtime(older + datetime.timedelta(minutes=15))
    assert f"You can try again after {lifts:%H:%M}." in response.content.decode()
