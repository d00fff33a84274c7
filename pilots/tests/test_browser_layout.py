"""The top menu and the list of organisations at 1366 px, the width of the offices' laptops."""

import pytest

from pilots.tests.factories import InstituteFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.browser

PASSWORD = "pass-2026-test"


def _relative_luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(foreground, background):
    light, dark = sorted((_relative_luminance(foreground), _relative_luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_institutes_menu_fits_one_line_with_sign_out_inside_the_page_at_1366_px(page, sign_in, screenshot, lang):
    InstituteFactory(username="anna", language=lang, is_staff=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, "anna", PASSWORD)
    page.goto("/order/")
    layout = page.evaluate(
        """() => {
          const box = e => e.getBoundingClientRect();
          const container = document.querySelector('.portal-navbar .container-xl');
          const style = getComputedStyle(container);
          const links = [...document.querySelectorAll('.portal-navbar .nav-link')].map(box);
          const signOut = document.querySelector('header form[action$="/logout/"] button');
          return {
            right: box(container).right - parseFloat(style.paddingRight),
            tops: [...new Set(links.map(r => Math.round(r.top)))],
            linksRight: Math.max(...links.map(r => r.right)),
            signOutRight: box(signOut).right,
            pageWidth: document.documentElement.scrollWidth,
          };
        }"""
    )
    screenshot(page, f"-{lang}")
    assert len(layout["tops"]) == 1, "the menu wraps"
    assert layout["linksRight"] <= layout["right"] + 0.5
    assert layout["signOutRight"] <= layout["right"] + 0.5
    assert layout["pageWidth"] <= 1366


def test_inactive_menu_links_meet_wcag_aa_contrast(page, sign_in):
    InstituteFactory(username="anna", language="kk")
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, "anna", PASSWORD)
    page.goto("/order/")
    colours = page.evaluate(
        """() => {
          const link = document.querySelector('.portal-navbar .nav-link:not(.active)');
          const parse = c => c.match(/[\\d.]+/g).map(Number);
          return {fg: parse(getComputedStyle(link).color),
                  bg: parse(getComputedStyle(document.querySelector('.portal-navbar')).backgroundColor)};
        }"""
    )
    alpha = colours["fg"][3] if len(colours["fg"]) == 4 else 1
    shown = [alpha * f + (1 - alpha) * b for f, b in zip(colours["fg"][:3], colours["bg"][:3], strict=True)]
    assert _contrast(shown, colours["bg"][:3]) >= 4.5


def test_the_russian_list_of_organisations_fits_the_page_at_1366_px(page, sign_in, screenshot):
    region = RegionFactory(code="KZ-10", name_ru="область Абай")
    for n in range(5):
        OrganisationFactory(
            region=region,
            name_ru=f"Частный детский сад «Айгөлек-{n}» (демо)",
            district_kk="Семей қаласы",
            children=144,
        )
    InstituteFactory(username="anna", language="ru")
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, "anna", PASSWORD)
    page.goto("/organisations/")
    widths = page.evaluate(
        """() => {
          const main = document.querySelector('main');
          const style = getComputedStyle(main);
          return {table: document.querySelector('main table').getBoundingClientRect().width,
                  room: main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)};
        }"""
    )
    screenshot(page)
    assert widths["table"] <= widths["room"] + 0.5
