"""Signing in through a real browser lands each role on the page it starts its day on.

A signed-in person sees the portal in their account's language (Kazakh unless they chose
another), so the expected texts are taken in that language.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from pilots import reference
from pilots.tests.factories import InstituteFactory, MinistryFactory, StaffFactory

pytestmark = pytest.mark.browser

PASSWORD = "pass-2026-test"


def test_wrong_password_stays_on_the_login_page_with_an_alert(page, sign_in, screenshot):
    InstituteFactory(username="anna")

    sign_in(page, "anna", "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator('input[name="password"]')).to_be_visible()
    screenshot(page)


def test_ministry_viewer_lands_on_the_dashboard_and_opens_the_control_card(page, sign_in, screenshot):
    user = MinistryFactory(username="anna")
    order = reference.load_order()
    with translation.override(user.language):
        title = order.title
    assert title

    sign_in(page, "anna", PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Order").click()

    expect(page).to_have_url(re.compile(r"/order/$"))
    expect(page.locator("html")).to_have_attribute("lang", user.language)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_count(1)
    expect(heading).to_contain_text(title)
    expect(page.locator("header")).to_contain_text("anna")
    screenshot(page)


def test_organisation_staff_land_on_their_organisation_card(page, sign_in, screenshot):
    staff = StaffFactory(username="bota")
    organisation = staff.organisation
    with translation.override(staff.language):
        name = organisation.name
    assert name

    sign_in(page, "bota", PASSWORD)

    expect(page).to_have_url(re.compile(rf"/organisations/{organisation.bin}/$"))
    expect(page.locator("html")).to_have_attribute("lang", staff.language)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_count(1)
    expect(heading).to_contain_text(name)
    expect(page.locator("header")).to_contain_text("bota")
    screenshot(page)
