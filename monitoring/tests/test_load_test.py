"""scripts/load_test.py: its staff post what the browser posts, and its check finds an acknowledged save that the
database does not hold."""

import pytest
from django.test import Client

from monitoring.models import Submission, Value
from scripts import load_test
from scripts.form_fields import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def form(staff, organisation, period, catalogue, good_values):
    """The staff's client, with CSRF checked as for a browser, and the form's URL, saved once (version 1)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    url = f"/monitoring/{organisation.bin}/{period.code}/"
    data = {**page_fields(client, url), **good_values, "action": "save"}
    assert "saved=1" in client.post(url, data)["Location"]
    return client, url


def page_fields(client, url) -> dict:
    return parse(client.get(url).content.decode(), form_id="submission-form").fields


def save(client, url, data: dict) -> dict:
    """Post the fields as the load does; the record it logs when the answer says saved."""
    response = client.post(url, {**data, "action": "save"})
    assert "saved=1" in response["Location"]
    return record(url, data)


def record(url, data: dict) -> dict:
    _, _, bin_, period, _ = url.split("/")
    token = data["achievements"]
    fields = {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"}
    return {"kind": "save", "username": "staff", "bin": bin_, "period": period, "version": int(data["version"]),
            "token": token, "data": fields}  # fmt: skip


def test_the_fields_the_load_reads_from_the_page_save_as_the_browser_saves_them(form, good_values):
    client, url = form
    data = page_fields(client, url)
    assert data["version"] == "1"  # the stale-save check's field, as the page holds it
    assert data["achievements"] == good_values["achievements"]  # a text round-trips through the page's escaping
    data["teachers_trained"] = "3"
    save(client, url, data)
    submission = Submission.objects.get()
    assert submission.version == 2
    assert Value.objects.get(submission=submission, indicator__code="teachers_trained").number == 3
    assert Value.objects.get(submission=submission, indicator__code="children_total").number == 50


def test_the_check_finds_every_acknowledged_save_in_the_database(form):
    client, url = form
    first = save(client, url, {**page_fields(client, url), "achievements": "load 1"})
    second = save(client, url, {**page_fields(client, url), "teachers_trained": "3", "achievements": "load 2"})
    result = load_test.findings([first, second])
    assert result["acknowledged"] == {"save": 2}
    assert result["lost"] == []


def test_the_check_reports_an_acknowledged_save_the_database_does_not_hold(form):
    client, url = form
    stored = save(client, url, {**page_fields(client, url), "achievements": "load 1"})
    # Answered as saved, but never written (as a save rolled back after its answer would be).
    dropped = record(url, {**page_fields(client, url), "teachers_trained": "4", "achievements": "load 2"})
    result = load_test.findings([stored, dropped])
    assert len(result["lost"]) == 1
    assert result["lost"][0].startswith("save of ")
    assert "(version 2, " in result["lost"][0]  # the dropped one; the stored save (version 1) is not listed
    assert "not in the values' history" in result["lost"][0]
    assert "teachers_trained: sent (Decimal('4')" in result["lost"][0]
