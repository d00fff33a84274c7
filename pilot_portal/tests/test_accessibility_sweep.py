"""axe-core on every page the demo crawl visits, for each role, in Kazakh and in Russian (issue 13, item 5).

The pages are the crawl's own (test_crawl.get_crawl): every GET that answered 200 with HTML for a role. One URL
per URL pattern and role is opened (the crawl tries several arguments per pattern; the same template answers
them all), signed in as that role through a session made by the test client, in Chromium through the live
server, once with the user's language set to Kazakh and once to Russian. A critical or serious violation fails
the test; every page's findings, of any impact, go to the table the test run prints at its end (conftest.py).

About 300 page views, several minutes: not part of `make test` (pytest.ini deselects the marker), run by CI as
a step of its own (`.ci/run`, step j):

    .venv/bin/pytest -m axe_sweep pilot_portal/tests/test_accessibility_sweep.py
"""

import pytest
from django.conf import settings
from django.test import Client

from pilots.models import User

from .test_accessibility import AXE, RUN_AXE, TAGS, record
from .test_crawl import (  # noqa: F401  (the crawl's fixtures, so that this module sees its demo and its visits)
    _fast_and_isolated,
    _quiet_refusals,
    crawl_media,
    demo,
    get_crawl,
)

pytestmark = [pytest.mark.browser, pytest.mark.axe_sweep]

BLOCKING = {"critical", "serious"}


def _pages_by_role(crawl) -> dict[str, list[str]]:
    """Each role's pages: the first URL of each pattern that answered it 200 with HTML, in the crawl's order."""
    pages: dict[str, dict[str, str]] = {}
    for visit in crawl.visits:
        if visit.variant == "html" and visit.status == 200:
            pages.setdefault(visit.role, {}).setdefault(visit.target.pattern.route, visit.target.url)
    return {role: list(urls.values()) for role, urls in pages.items()}


def _context(browser, live_server, user: User | None, language: str):
    context = browser.new_context(
        base_url=live_server.url, locale="kk-KZ" if language == "kk" else "ru-RU", bypass_csp=True
    )
    context.set_default_timeout(20_000)
    if user is not None:
        User.objects.filter(pk=user.pk).update(language=language)
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    else:
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    return context


def test_every_page_the_crawl_visits_has_no_serious_accessibility_violation(
    browser, live_server, transactional_db, request
):
    """One test for both languages: the demo is the crawl module's, and a transactional test empties the
    database when it ends."""
    crawl_demo, crawl = request.getfixturevalue("demo"), request.getfixturevalue("get_crawl")
    pages = _pages_by_role(crawl)
    assert sum(len(urls) for urls in pages.values()) > 100, pages  # the crawl's pages, not an empty list
    blocking, checked = [], 0
    for language in ("kk", "ru"):
        for role, urls in pages.items():
            context = _context(browser, live_server, crawl_demo.users[role], language)
            page = context.new_page()
            try:
                for url in urls:
                    # Only pages: the crawl's 200s also hold downloads (files, workbooks) and JSON (/healthz/).
                    head = context.request.get(url, max_redirects=0)
                    if not head.headers.get("content-type", "").startswith("text/html"):
                        continue
                    response = page.goto(url)
                    if response is None or response.status != 200:
                        blocking.append(f"{role} {url}: answered {response.status if response else 'nothing'}")
                        continue
                    page.evaluate(AXE)
                    problems = page.evaluate(RUN_AXE, TAGS)
                    record(f"{role} · {language}", url, problems)
                    checked += 1
                    blocking += [
                        f"{role} · {language} {url}: {p['rule']} ({p['impact']}) {p['targets']}"
                        for p in problems
                        if p["impact"] in BLOCKING
                    ]
            finally:
                context.close()
    # The HTML pages of every role, in both languages (the rest of the crawl's 200s are files and JSON).
    assert checked > 120, checked
    assert blocking == [], "\n".join(blocking)
