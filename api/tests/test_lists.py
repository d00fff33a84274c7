"""Lists: the cursor, the filters and what they refuse, the values as CSV, and queries that do not grow."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.tokens import token_create
from monitoring.models import Indicator, Status, Value
from monitoring.tests.factories import IndicatorFactory, PeriodFactory, SubmissionFactory
from pilots.models import Organisation
from pilots.tests.factories import InstituteFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth():
    _token, raw = token_create(user=InstituteFactory(), name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_list_is_read_page_by_page_by_its_next_address(client, auth):
    region = RegionFactory(code="KZ-71")
    made = {o.bin for o in OrganisationFactory.create_batch(5, region=region)}
    response = client.get(reverse("api-organisations-list"), {"page_size": 2}, **auth).json()
    seen = [r["bin"] for r in response["results"]]
    while response["next"]:
        response = client.get(response["next"], **auth).json()
        seen += [r["bin"] for r in response["results"]]
    assert len(seen) == 5 and set(seen) == made
    assert response["next"] is None


def test_a_tampered_cursor_is_400_naming_it(client, auth):
    OrganisationFactory.create_batch(3, region=RegionFactory(code="KZ-71"))
    first = client.get(reverse("api-organisations-list"), {"page_size": 1}, **auth).json()
    assert client.get(first["next"], **auth).status_code == 200  # the control: the cursor as given works
    response = client.get(reverse("api-organisations-list"), {"page_size": 1, "cursor": "bm90LWEtY3Vyc29y"}, **auth)
    assert response.status_code == 400
    assert "cursor" in response.json()


@pytest.mark.parametrize(
    "name, param, bad",
    [
        ("api-organisations-list", "ownership", "martian"),
        ("api-organisations-list", "region", "KZ-99"),
        ("api-organisations-list", "in_pilot_on", "01.01.2026"),
        ("api-values-list", "period", "2026-Q9"),
        ("api-values-list", "indicator", "no_such_code"),
        ("api-submissions-list", "status", "lost"),
        ("api-organisations-list", "page_size", "0"),
        ("api-values-list", "format", "xml"),
        ("api-organisations-list", "format", "xml"),
    ],
)
def test_an_unknown_filter_value_is_400_naming_the_parameter(client, auth, name, param, bad):
    RegionFactory(code="KZ-71")
    response = client.get(reverse(name), {param: bad}, **auth)
    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_a_filter_narrows_the_list(client, auth):
    region = RegionFactory(code="KZ-71")
    private = OrganisationFactory(region=region, ownership=Organisation.Ownership.PRIVATE)
    OrganisationFactory(region=region, ownership=Organisation.Ownership.STATE)
    rows = client.get(reverse("api-organisations-list"), {"ownership": "private"}, **auth).json()["results"]
    assert [r["bin"] for r in rows] == [private.bin]


@pytest.fixture
def values():
    period = PeriodFactory(code="2026-Q4", quarter=4)
    other = PeriodFactory(code="2026-Q3", quarter=3)
    children = IndicatorFactory(
        code="children_total", periods=[period], type=Indicator.Type.INTEGER, unit_kk="адам", unit_ru="чел."
    )
    note = IndicatorFactory(code="difficulties", periods=[period], type=Indicator.Type.TEXT, unit_kk="", unit_ru="")
    organisation = OrganisationFactory(region=RegionFactory(code="KZ-71"))
    submission = SubmissionFactory(organisation=organisation, period=period, status=Status.ACCEPTED)
    Value.objects.create(submission=submission, indicator=children, number=42)
    Value.objects.create(submission=submission, indicator=note, text="=SUM(A1:A9), «жабдық»")
    earlier = SubmissionFactory(organisation=organisation, period=other, status=Status.ACCEPTED)
    Value.objects.create(submission=earlier, indicator=children, number=7)
    return organisation


def test_the_values_of_a_period_stream_as_csv_with_a_header_of_codes(client, auth, values):
    response = client.get(reverse("api-values-list"), {"period": "2026-Q4", "format": "csv"}, **auth)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0] == ["organisation", "region", "period", "indicator", "value", "unit_kk", "unit_ru", "status"]
    assert sorted(rows[1:]) == [
        [values.bin, "KZ-71", "2026-Q4", "children_total", "42", "адам", "чел.", "accepted"],
        [values.bin, "KZ-71", "2026-Q4", "difficulties", "'=SUM(A1:A9), «жабдық»", "", "", "accepted"],
    ]  # the other period's 7 is not in it; a text that a spreadsheet would run as a formula is quoted


def test_a_csv_without_a_period_holds_every_period(client, auth, values):
    response = client.get(reverse("api-values-list"), {"format": "csv"}, **auth)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().removeprefix("\ufeff"))))
    assert sorted(row[2] for row in rows[1:]) == ["2026-Q3", "2026-Q4", "2026-Q4"]


def test_an_error_asked_as_csv_answers_in_json(client, auth, values):
    response = client.get(reverse("api-values-list"), {"format": "csv", "period": "2026-Q9"}, **auth)
    assert response.status_code == 400
    assert response.json() == {"period": [response.json()["period"][0]]}
    assert "2026-Q9" in response.json()["period"][0]


def test_the_values_list_gives_numbers_as_numbers_and_texts_as_texts(client, auth, values):
    rows = client.get(reverse("api-values-list"), {"period": "2026-Q4"}, **auth).json()["results"]
    assert sorted((r["indicator"], r["value"]) for r in rows) == [
        ("children_total", 42),
        ("difficulties", "=SUM(A1:A9), «жабдық»"),
    ]


@pytest.mark.parametrize("name", ["api-organisations-list", "api-submissions-list", "api-values-list"])
def test_a_pages_queries_do_not_grow_with_the_rows(client, auth, name):
    period = PeriodFactory(code="2026-Q4")
    indicator = IndicatorFactory(code="children_total", periods=[period], type=Indicator.Type.INTEGER)

    def add(n):
        for organisation in OrganisationFactory.create_batch(n, region=RegionFactory()):
            submission = SubmissionFactory(organisation=organisation, period=period, status=Status.ACCEPTED)
            Value.objects.create(submission=submission, indicator=indicator, number=1)

    add(2)
    client.get(reverse(name), **auth)
    with CaptureQueriesContext(connection) as few:
        small = client.get(reverse(name), **auth).json()["results"]
    add(30)
    with CaptureQueriesContext(connection) as many:
        large = client.get(reverse(name), **auth).json()["results"]
    assert (len(small), len(large)) == (2, 32)  # the control: the second page did read the new rows
    assert len(many) == len(few)
