"""The Content-Security-Policy, as Chromium applies it: the portal's own files run, nothing inline does."""

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def bare_page(browser, live_server, transactional_db):
    """A page without the `page` fixture's check, which would fail this test for the refusal it provokes."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.console_texts = []
    page.on("console", lambda message: page.console_texts.append(message.text))
    yield page
    context.close()


def test_a_script_written_into_a_page_does_not_run_but_the_portals_own_scripts_do(bare_page):
    bare_page.goto("/accounts/login/")
    bare_page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.injected = true;"; document.body.appendChild(s); }"""
    )
    assert bare_page.evaluate("() => window.injected") is None
    assert any("Content Security Policy" in text for text in bare_page.console_texts)
    # The vendored Bootstrap bundle, from static/, has run.
    assert bare_page.evaluate("() => typeof window.bootstrap") == "object"


def test_a_style_attribute_written_into_a_page_is_ignored_but_the_portals_stylesheet_applies(bare_page):
    bare_page.goto("/accounts/login/")
    colour = bare_page.evaluate(
        """() => { const p = document.createElement("p"); p.setAttribute("style", "color: rgb(255, 0, 0)");
                   document.querySelector("main").appendChild(p); return getComputedStyle(p).color; }"""
    )
    assert colour != "rgb(255, 0, 0)"
    # portal.css paints the navigation bar the portal's blue (#0b4f8a).
    assert (
        bare_page.evaluate("() => getComputedStyle(document.querySelector('.portal-navbar')).backgroundColor")
        == "rgb(11, 79, 138)"
    )
