"""The headers every response carries: Content-Security-Policy, Permissions-Policy, no-store when signed in."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from pilots.tests.factories import InstituteFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR, "templates")
# WeasyPrint's input: never sent to a browser, so no policy applies to it.
# Rendered by WeasyPrint into files, never served as pages.
NOT_SERVED = {TEMPLATES / "reports" / "pdf", TEMPLATES / "reports" / "letter"}

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
REFUSED = {
    "inline script": INLINE_SCRIPT,
    "event handler": EVENT_HANDLER,
    "javascript: URL": JAVASCRIPT_URL,
    "style attribute": STYLE_ATTRIBUTE,
    "style element": STYLE_ELEMENT,
}


def _policy(response) -> dict[str, str]:
    return {
        part.split(None, 1)[0]: part.split(None, 1)[1] if " " in part.strip() else ""
        for part in (p.strip() for p in response["Content-Security-Policy"].split(";"))
        if part
    }


def _refused(text: str) -> list[str]:
    return [name for name, pattern in REFUSED.items() if pattern.search(text)]


def test_the_template_check_finds_each_thing_the_policy_refuses():
    assert _refused("<script>alert(1)</script>") == ["inline script"]
    assert _refused('<button onclick="go()">') == ["event handler"]
    assert _refused('<a href="javascript:go()">') == ["javascript: URL"]
    assert _refused('<p style="color: red">') == ["style attribute"]
    assert _refused("<style>p { color: red }</style>") == ["style element"]
    assert _refused('<script src="/static/js/a.js"></script><p class="x" data-onclick="1">') == []


def test_no_served_template_holds_what_the_policy_refuses():
    found = {}
    for path in TEMPLATES.rglob("*.html"):
        if any(folder in path.parents for folder in NOT_SERVED):
            continue
        if refused := _refused(path.read_text(encoding="utf-8")):
            found[str(path.relative_to(TEMPLATES))] = refused
    assert found == {}
    assert (TEMPLATES / "base.html").exists()


def test_a_page_runs_only_the_portals_own_scripts_and_styles(client):
    policy = _policy(client.get(reverse("login")))
    assert policy["script-src"] == "'self'"
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["style-src"].startswith("'self'")
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"


def test_a_page_denies_camera_microphone_geolocation_payment_and_usb(client):
    header = client.get(reverse("login"))["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in header


def test_a_page_is_never_stored_once_signed_in_but_the_same_address_before_may_be(client):
    anonymous = client.get(reverse("order"))
    assert anonymous.status_code == 302  # to the sign-in page
    assert "no-store" not in anonymous.get("Cache-Control", "")
    client.force_login(InstituteFactory())
    signed_in = client.get(reverse("order"))
    assert signed_in.status_code == 200
    assert "no-store" in signed_in["Cache-Control"]


def test_a_download_to_a_signed_in_person_is_never_stored(client):
    client.force_login(InstituteFactory())
    response = client.get(reverse("organisation_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in response["Cache-Control"]


def test_static_files_stay_cacheable_for_a_signed_in_person(client, settings):
    # WhiteNoise reads these when the test client builds its middleware, on the first request.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_MAX_AGE = 3600
    client.force_login(InstituteFactory())
    page = client.get(reverse("order"))
    assert "no-store" in page["Cache-Control"]
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert "max-age=3600" in response["Cache-Control"]
