"""Both dashboards open in Chromium for every role that may see them, with their charts drawn."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, demo):
    """The demo (conftest.py), committed: the live server reads it from another thread."""


def _open(page, sign_in_by_session, username, path):
    page.context.clear_cookies()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_by_session(page.context, username)
    page.goto(path)
    return errors


@pytest.mark.parametrize(
    ("username", "path", "heading"),
    [
        ("institute", "/dashboard/", "National dashboard"),
        ("ministry", "/dashboard/", "National dashboard"),
        ("institute", "/dashboard/KZ-71/", "Dashboard: Astana"),
        ("ministry", "/dashboard/KZ-71/", "Dashboard: Astana"),
        ("region-kz-71", "/dashboard/KZ-71/", "Dashboard: Astana"),
    ],
    ids=["institute-national", "ministry-national", "institute-astana", "ministry-astana", "coordinator-astana"],
)
def test_a_dashboard_opens_with_its_tables_and_charts(
    page, sign_in_by_session, screenshot, demo, username, path, heading
):
    page.set_viewport_size({"width": 1366, "height": 768})
    errors = _open(page, sign_in_by_session, username, path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("heading", name="Completeness and timeliness")).to_be_visible()
    drawn = page.locator("canvas[data-chart]").evaluate_all(
        "canvases => canvases.filter(c => c.closest('.chart-box') && !c.closest('.chart-box').hidden)"
        ".map(c => c.width > 0 && window.Chart.getChart(c) !== undefined)"
    )
    assert drawn and all(drawn)
    assert errors == []
    screenshot(page)


def test_another_regions_dashboard_looks_to_a_coordinator_like_a_region_that_does_not_exist(
    page, sign_in_by_session, demo
):
    _open(page, sign_in_by_session, "region-kz-71", "/dashboard/KZ-75/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.goto("/dashboard/KZ-71/")  # the control: the coordinator's own region opens
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Page not found")
