"""Every main page of every role, in Kazakh and in Russian, meets WCAG 2.1 AA as axe-core checks it in Chromium.

axe-core (Deque, MPL-2.0) is vendored in vendor/axe.min.js (version in its first line): CI runs without npm.
Each page is opened signed in, through the live server, with the demo loaded; axe runs the rules tagged
wcag2a, wcag2aa, wcag21a and wcag21aa on the whole document; any violation fails the test with its rule,
impact, the elements it found and the page.
"""

import os
from pathlib import Path

import pytest

from monitoring.models import Period
from pilots.models import Activity, Organisation, User
from reports.models import Report

pytestmark = pytest.mark.browser

AXE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
REPORT = Path(__file__).resolve().parents[2] / "test-artifacts" / "axe"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return result.violations.map(v => ({
        rule: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
    }));
}"""


@pytest.fixture
def demo(transactional_db, demo):
    """The demo (conftest.py), committed: the live server reads it from another thread."""


def record(who: str, path: str, problems: list[dict]) -> None:
    """One line per page checked, for the table the test run prints at its end (conftest.py): CI's log shows
    which pages were checked and what was found, not only that the tests passed."""
    REPORT.mkdir(parents=True, exist_ok=True)
    found = ", ".join(f"{v['rule']} ({v['impact']})" for v in problems) or "—"
    with (REPORT / f"{os.getpid()}.tsv").open("a", encoding="utf-8") as lines:
        lines.write(f"{who}\t{path}\t{len(problems)}\t{found}\n")


def violations(page) -> list[dict]:
    page.evaluate(AXE)
    return page.evaluate(RUN_AXE, TAGS)


def pages_of(username: str) -> list[str]:
    """The main pages each role works on, with real objects of its scope from the demo."""
    in_astana = Organisation.objects.filter(region__code="KZ-71").order_by("pk").first()
    period = Period.objects.order_by("-starts_on").filter(due_on__isnull=False).first()
    form = f"/monitoring/{in_astana.bin}/{period.code}/"
    staff = User.objects.filter(organisation=in_astana).first()
    activity = Activity.objects.order_by("stage__position", "position").first()
    report = Report.objects.order_by("pk").first()
    every_role = ["/accounts/password/"]
    return (
        every_role
        + {
            "institute": [
                "/dashboard/",
                "/dashboard/KZ-71/",
                "/monitoring/",
                "/monitoring/?show=missing",
                "/organisations/",
                "/organisations/import/",
                f"/organisations/{in_astana.bin}/",
                f"/organisations/{in_astana.bin}/leave/",
                form,
                f"{form}history/",
                "/reports/",
                *([f"/reports/{report.pk}/"] if report else []),
                "/reports/summaries/",
                f"/reports/summaries/{period.code}/",
                "/reports/conclusions/",
                "/reports/verify/",
                "/order/",
            ],
            "region-kz-71": [
                "/dashboard/KZ-71/",
                "/monitoring/",
                "/organisations/",
                f"/organisations/{in_astana.bin}/",
                form,
                f"/reports/summaries/{period.code}/KZ-71/",
                "/order/",
            ],
            "ministry": ["/dashboard/", "/dashboard/KZ-71/", "/reports/", "/order/"],
            "admin": ["/admin/", "/admin/pilots/organisation/", f"/admin/pilots/organisation/{in_astana.pk}/change/"],
            staff.username: [
                form,
                f"/organisations/{in_astana.bin}/",
                f"/organisations/{in_astana.bin}/activities/{activity.code}/",
                "/order/",
            ],
        }[username]
    )


def staff_username() -> str:
    return User.objects.filter(organisation__region__code="KZ-71").order_by("organisation__pk").first().username


def open_signed_in(browser, live_server, sign_in_by_session, username: str, language: str):
    User.objects.filter(username=username).update(language=language)
    # bypass_csp: the portal's Content-Security-Policy refuses injected scripts, as it should; axe is the test's own.
    context = browser.new_context(
        base_url=live_server.url, locale="kk-KZ" if language == "kk" else "ru-RU", bypass_csp=True
    )
    context.set_default_timeout(15_000)
    sign_in_by_session(context, username)
    return context, context.new_page()


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize("username", ["institute", "region-kz-71", "ministry", "admin", "staff"])
def test_every_main_page_meets_wcag_21_aa(browser, live_server, sign_in_by_session, demo, username, language):
    if username == "staff":
        username = staff_username()
    context, page = open_signed_in(browser, live_server, sign_in_by_session, username, language)
    found = {}
    try:
        for path in pages_of(username):
            response = page.goto(path)
            assert response.status == 200, (path, response.status)
            problems = violations(page)
            record(f"{username} · {language}", path, problems)
            if problems:
                found[path] = problems
    finally:
        context.close()
    assert found == {}, "\n".join(
        f"{path}: {v['rule']} ({v['impact']}) {v['targets']}" for path, problems in found.items() for v in problems
    )


def test_the_sign_in_page_meets_wcag_21_aa(browser, live_server, demo):
    for language in ("kk", "ru"):
        context = browser.new_context(base_url=live_server.url, bypass_csp=True)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        page.goto("/accounts/login/")
        try:
            assert violations(page) == []
        finally:
            context.close()


def test_a_low_contrast_text_is_reported(browser, live_server, sign_in_by_session, demo):
    # The control: the same check finds a violation when the page has one, and not before it is planted.
    context, page = open_signed_in(browser, live_server, sign_in_by_session, "ministry", "kk")
    try:
        page.goto("/order/")
        assert violations(page) == []
        page.evaluate(
            """() => {
                const p = document.createElement("p");
                p.id = "planted"; p.textContent = "Төмен контраст"; p.style.color = "#bbbbbb";
                p.style.background = "#ffffff";
                document.querySelector("main").appendChild(p);
            }"""
        )
        found = violations(page)
    finally:
        context.close()
    assert [(v["rule"], v["targets"]) for v in found] == [("color-contrast", ["#planted"])]


def editable_form_of_astana():
    """An organisation of Astana whose latest quarter's form its staff can still fill, and that form's path."""
    from monitoring.models import Status, Submission

    period = Period.objects.order_by("-starts_on").first()
    done = Submission.objects.filter(period=period).exclude(status__in=[Status.DRAFT, Status.RETURNED])
    organisation = (
        Organisation.objects.filter(region__code="KZ-71", staff__isnull=False)
        .exclude(submissions__in=done)
        .order_by("pk")
        .first()
    )
    return organisation, f"/monitoring/{organisation.bin}/{period.code}/"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_forms_error_summary_meets_wcag_21_aa(browser, live_server, sign_in_by_session, demo, language):
    organisation, path = editable_form_of_astana()
    staff = User.objects.filter(organisation=organisation).first()
    context, page = open_signed_in(browser, live_server, sign_in_by_session, staff.username, language)
    try:
        page.goto(path)
        page.locator("input[inputmode=numeric]").first.fill("бес")
        page.locator('button[value="save"]').click()
        page.wait_for_selector("#error-summary")
        found = violations(page)
    finally:
        context.close()
    assert found == []


def test_the_quarterly_form_is_walked_by_keyboard_from_the_skip_link_to_submit(
    browser, live_server, sign_in_by_session, demo
):
    organisation, path = editable_form_of_astana()
    staff = User.objects.filter(organisation=organisation).first()
    context, page = open_signed_in(browser, live_server, sign_in_by_session, staff.username, "kk")
    try:
        page.goto(path)
        fields = page.locator("form input:not([type=hidden]):visible, form select:visible, form textarea:visible")
        expected = set(
            fields.evaluate_all(
                "els => els.filter(e => e.closest('form').querySelector('[value=submit]')).map(e => e.name)"
            )
        )
        page.keyboard.press("Tab")
        first = page.evaluate("document.activeElement.className")
        page.keyboard.press("Enter")  # the skip link: to the main content, past the menu
        visited, reached_submit, outside_main = [], False, []
        for _ in range(400):
            page.keyboard.press("Tab")
            active = page.evaluate(
                "({name: document.activeElement.name, value: document.activeElement.value,"
                " inMain: document.activeElement.closest('main') !== null, tag: document.activeElement.tagName})"
            )
            visited.append(active["name"])
            if not active["inMain"]:
                outside_main.append(active["tag"])
            if active["name"] == "action" and active["value"] == "submit":
                reached_submit = True
                break
    finally:
        context.close()
    assert "skip-link" in first
    assert reached_submit
    assert expected and expected <= set(visited)
    assert outside_main == []  # after the skip link, the walk never went back through the menu
