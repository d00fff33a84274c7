"""The quarterly monitoring path walked in a real browser, as the people who use it would.

Staff fill and submit the form, the regional coordinator returns it with a comment, staff correct
it and submit again, the coordinator sees what changed and accepts, and the form is then read-only.
Each person works in their own browser (a fresh context, signed in through the login form); after
the setup with factories everything goes through the pages. Screenshots land in test-artifacts/.
"""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from pilots.tests.factories import CoordinatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-2026-test"  # what pilots.tests.factories.UserFactory sets
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # as the root conftest's `screenshot`


@pytest.fixture
def coordinator(region):
    """The region's coordinator, reading the portal in English (the shared fixture's reads Russian)."""
    return CoordinatorFactory(username="coordinator-kz-71", region=region, email="region@example.org", language="en")


@pytest.fixture
def form_url(organisation, period):
    return f"/monitoring/{organisation.bin}/{period.code}/"


@pytest.fixture
def open_as(browser, live_server, sign_in, request):
    """Opens a fresh browser (no cookies, no localStorage) for a person and signs them in through the form.

    Any alert() the page raises is recorded on `page.dialogs` (and dismissed), so a test can assert
    that no typed text was ever run as script. If the test fails, the last page opened is kept as a
    screenshot, as the `page` fixture does for its own page. Anything the Content-Security-Policy
    refused on any of the pages fails the test, as with the `page` fixture.
    """
    contexts, pages, refused = [], [], []

    def open_page(user):
        context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []

        def on_dialog(dialog):
            page.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
        sign_in(page, user.username, PASSWORD)
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        pages.append(page)
        return page

    yield open_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and pages:
        ARTIFACTS.mkdir(exist_ok=True)
        pages[-1].screenshot(path=ARTIFACTS / f"FAILED-{request.node.name}.png", full_page=True)
    for context in contexts:
        context.close()
    assert refused == [], "a page did something its Content-Security-Policy refuses"


def badge(page):
    """The status badge beside the page's heading."""
    return page.locator("main h1 + .badge")


def submit_button(page):
    return page.get_by_role("button", name="Submit for review")


def record_decision(page, decision: str, comment: str = "", reasons: dict[str, str] | None = None) -> None:
    review = page.locator("section").filter(has=page.get_by_role("heading", name="Review"))
    review.get_by_label(decision, exact=True).check()
    if comment:
        review.get_by_label("Comment (required when returning)").fill(comment)
    if reasons:
        review.locator("summary", has_text="Reasons by field").click()
        for code, text in reasons.items():
            field = review.locator(f'input[name="reason__{code}"]')
            expect(field).to_be_visible()
            field.fill(text)
    with page.expect_navigation():
        review.get_by_role("button", name="Record the decision").click()


def test_submission_goes_through_return_and_acceptance(
    open_as, screenshot, staff, coordinator, organisation, period, catalogue, good_values, form_url
):
    # 1. Staff fill the empty form and submit it.
    staff_page = open_as(staff)
    staff_page.goto(form_url)
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Monitoring for Q4 2026")
    expect(badge(staff_page)).to_have_text("not started")  # nothing saved yet
    for code, value in good_values.items():
        staff_page.locator(f'[name="{code}"]').fill(value)
    screenshot(staff_page, "-1-staff-filled")
    with staff_page.expect_navigation():
        submit_button(staff_page).click()

    expect(staff_page.get_by_role("status").filter(has_text="Submitted for review")).to_be_visible()
    expect(badge(staff_page)).to_have_text("submitted")
    expect(staff_page.locator('[name="children_total"]')).to_have_count(0)  # waiting for review: read-only
    screenshot(staff_page, "-2-staff-submitted")
    assert [m.to for m in mail.outbox] == [[coordinator.email]]

    # 2. The coordinator returns it, with a comment and a reason on one field.
    coordinator_page = open_as(coordinator)
    coordinator_page.goto(form_url)
    expect(badge(coordinator_page)).to_have_text("submitted")
    record_decision(
        coordinator_page,
        "Return for correction",
        comment="Please check the age groups against the register.",
        reasons={"children_age4": "The register lists 25 four-year-olds."},
    )
    expect(coordinator_page.get_by_role("status").filter(has_text="Returned for correction")).to_be_visible()
    expect(badge(coordinator_page)).to_have_text("returned")
    expect(coordinator_page.get_by_role("heading", name="Review")).to_have_count(0)
    screenshot(coordinator_page, "-3-coordinator-returned")
    assert mail.outbox[-1].to == [staff.email]

    # 3. Staff, signed in anew, read the comment, correct the age groups and submit again.
    staff_page = open_as(staff)
    staff_page.goto(form_url)
    expect(badge(staff_page)).to_have_text("returned")
    returned = staff_page.get_by_role("alert").filter(has_text="Returned for correction")
    expect(returned).to_contain_text("Please check the age groups against the register.")
    expect(returned).to_contain_text("Age 4: The register lists 25 four-year-olds.")
    expect(staff_page.locator('[name="children_age4"]')).to_have_value("20")
    screenshot(staff_page, "-4-staff-sees-return")
    returned.get_by_role("link", name="Age 4").click()
    expect(staff_page.locator('[name="children_age4"]')).to_be_focused()  # the reason leads to the field
    staff_page.locator('[name="children_age4"]').fill("25")
    staff_page.locator('[name="children_age5"]').fill("25")
    with staff_page.expect_navigation():
        submit_button(staff_page).click()
    expect(staff_page.get_by_role("status").filter(has_text="Submitted for review")).to_be_visible()
    expect(badge(staff_page)).to_have_text("submitted")
    screenshot(staff_page, "-5-staff-resubmitted")

    # 4. The coordinator sees exactly what changed since the return, and accepts.
    coordinator_page = open_as(coordinator)
    coordinator_page.goto(form_url)
    expect(badge(coordinator_page)).to_have_text("submitted")
    summary = coordinator_page.get_by_role("status").filter(has_text="values changed since the submission was returned")
    expect(summary).to_have_text("2 values changed since the submission was returned; they are marked below.")
    changed = coordinator_page.locator(".changed-row")
    expect(changed).to_have_count(2)
    expect(changed.nth(0)).to_contain_text("Age 4")
    expect(changed.nth(0)).to_contain_text("changed; at the return it was: 20")
    expect(changed.nth(0)).to_contain_text("25")
    expect(changed.nth(1)).to_contain_text("Age 5")
    expect(changed.nth(1)).to_contain_text("changed; at the return it was: 30")
    unchanged = coordinator_page.locator(".indicator-row").filter(has_text="Children")
    expect(unchanged).not_to_have_class(re.compile("changed-row"))
    screenshot(coordinator_page, "-6-coordinator-sees-changes")
    record_decision(coordinator_page, "Accept")
    expect(coordinator_page.get_by_role("status").filter(has_text="Accepted")).to_be_visible()
    expect(badge(coordinator_page)).to_have_text("accepted")
    screenshot(coordinator_page, "-7-coordinator-accepted")

    # 5. Staff find the accepted form read-only, with their values shown as text.
    staff_page = open_as(staff)
    staff_page.goto(form_url)
    expect(badge(staff_page)).to_have_text("accepted")
    expect(staff_page.get_by_role("button", name="Save draft")).to_have_count(0)
    expect(submit_button(staff_page)).to_have_count(0)
    for code in good_values:
        expect(staff_page.locator(f'[name="{code}"]')).to_have_count(0)
    expect(staff_page.locator(".indicator-row").filter(has_text="Age 4")).to_contain_text("25")
    expect(staff_page.locator("main")).to_contain_text(good_values["achievements"])  # shown as text, never run
    timeline = staff_page.locator("section").filter(has=staff_page.get_by_role("heading", name="History"))
    expect(timeline.locator("li.list-group-item")).to_have_count(4)
    screenshot(staff_page, "-8-staff-read-only")
    assert staff_page.dialogs == [] and coordinator_page.dialogs == []


def _kept_in_browser(page, value: str) -> None:
    """Waits until draft-keeper.js (which writes after a short pause in typing) has stored `value`."""
    page.wait_for_function(
        """value => Object.keys(localStorage).some(key => key.startsWith("pilot-draft:")
                 && JSON.parse(localStorage.getItem(key)).values.children_total === value)""",
        arg=value,
    )


def test_values_typed_but_not_saved_can_be_restored_after_a_reload(open_as, screenshot, staff, catalogue, form_url):
    staff_page = open_as(staff)
    staff_page.goto(form_url)
    total = staff_page.locator('[name="children_total"]')
    expect(staff_page.locator("#draft-restore")).to_be_hidden()
    total.fill("42")
    _kept_in_browser(staff_page, "42")

    staff_page.reload()  # as after a lost connection: the server never had the value
    expect(total).to_have_value("")
    restore = staff_page.locator("#draft-restore")
    expect(restore).to_be_visible()
    expect(restore).to_contain_text("This browser kept values you typed that were not saved.")
    screenshot(staff_page, "-1-offered")
    restore.get_by_role("button", name="Restore them").click()
    expect(total).to_have_value("42")
    expect(restore).to_contain_text("Restored, not saved yet")
    expect(restore.get_by_role("button")).to_have_count(0)
    screenshot(staff_page, "-2-restored")

    # Once the server has the values, the browser's copy is dropped and nothing is offered again.
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="Save draft").click()
    expect(staff_page.get_by_role("status").filter(has_text="Draft saved.")).to_be_visible()
    expect(total).to_have_value("42")
    staff_page.goto(form_url)
    expect(total).to_have_value("42")
    expect(staff_page.locator("#draft-restore")).to_be_hidden()
    assert staff_page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('pilot-draft:'))") == []


def test_values_typed_after_a_save_survive_a_reload(open_as, screenshot, staff, catalogue, form_url):
    """The page a save leads to must not clear the browser's copy again when it is reloaded."""
    staff_page = open_as(staff)
    staff_page.goto(form_url)
    total = staff_page.locator('[name="children_total"]')
    total.fill("50")
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="Save draft").click()
    expect(staff_page.get_by_role("status").filter(has_text="Draft saved.")).to_be_visible()

    total.fill("51")  # typed after the save, on the page the save led to (…/?saved=1)
    _kept_in_browser(staff_page, "51")
    staff_page.reload()
    expect(total).to_have_value("50")
    expect(staff_page.locator("#draft-restore")).to_be_visible()
    staff_page.get_by_role("button", name="Restore them").click()
    expect(total).to_have_value("51")
    screenshot(staff_page, "-restored")
