"""Each resource reads what the user's pages show: out of scope is absent; the positive control beside it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from api.tokens import token_create
from monitoring.models import Indicator, Status, Value
from monitoring.tests.factories import IndicatorFactory, PeriodFactory, SubmissionFactory
from pilots.tests.factories import (
    CoordinatorFactory,
    InstituteFactory,
    MinistryFactory,
    OrganisationFactory,
    RegionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def country():
    q1 = PeriodFactory(
        code="2026-Q1",
        quarter=1,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 3, 31),
        due_on=datetime.date(2026, 4, 5),
        review_due_on=datetime.date(2026, 4, 10),
    )
    astana, almaty = RegionFactory(code="KZ-71"), RegionFactory(code="KZ-75")
    ours, theirs = OrganisationFactory(region=astana), OrganisationFactory(region=almaty)
    children = IndicatorFactory(code="children_total", periods=[q1], type=Indicator.Type.INTEGER)
    for organisation, n in ((ours, 40), (theirs, 60)):
        submission = SubmissionFactory(organisation=organisation, period=q1, status=Status.ACCEPTED)
        Value.objects.create(submission=submission, indicator=children, number=Decimal(n))
    return {"q1": q1, "astana": astana, "ours": ours, "theirs": theirs}


def _rows(client, user, name, **params):
    _token, raw = token_create(user=user, name="t")
    response = client.get(reverse(name), params, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize(
    "name, key",
    [
        ("api-organisations-list", "bin"),
        ("api-submissions-list", "organisation"),
        ("api-values-list", "organisation"),
    ],
)
def test_a_coordinator_reads_their_regions_rows_only(client, country, name, key):
    rows = _rows(client, CoordinatorFactory(region=country["astana"]), name)
    assert country["theirs"].bin not in {r[key] for r in rows}
    assert country["ours"].bin in {r[key] for r in rows}  # the positive control


@pytest.mark.parametrize(
    "name, key",
    [
        ("api-organisations-list", "bin"),
        ("api-submissions-list", "organisation"),
        ("api-values-list", "organisation"),
    ],
)
def test_organisation_staff_read_their_own_organisation_only(client, country, name, key):
    rows = _rows(client, StaffFactory(organisation=country["ours"]), name)
    assert {r[key] for r in rows} == {country["ours"].bin}


@pytest.mark.parametrize("user_factory", [InstituteFactory, MinistryFactory])
def test_national_readers_read_every_region(client, country, user_factory):
    rows = _rows(client, user_factory(), "api-values-list")
    assert {r["organisation"] for r in rows} == {country["ours"].bin, country["theirs"].bin}
    assert {r["value"] for r in rows} == {40, 60}


def test_a_coordinator_sees_only_their_region_among_the_regions(client, country):
    rows = _rows(client, CoordinatorFactory(region=country["astana"]), "api-regions-list")
    assert [r["code"] for r in rows] == ["KZ-71"]


@pytest.mark.parametrize("name", ["api-completeness-list", "api-stages-list"])
def test_organisation_staff_read_no_regional_figures(client, country, name):
    _token, raw = token_create(user=StaffFactory(organisation=country["ours"]), name="t")
    assert client.get(reverse(name), HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403
    _token, raw = token_create(user=CoordinatorFactory(region=country["astana"]), name="t")
    assert client.get(reverse(name), HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200  # the control


def test_completeness_is_the_dashboards_for_the_coordinators_region(client, country):
    rows = _rows(client, CoordinatorFactory(region=country["astana"]), "api-completeness-list")
    assert rows == [
        {
            "region": "KZ-71",
            "period": "2026-Q1",
            "expected": 1,
            "submitted": 1,
            "on_time": 1,
            "late": 0,
            "completeness": 100.0,
            "timeliness": 100.0,
        }
    ]


def test_a_coordinator_reads_no_national_report(client, country):
    from reports.models import Report

    national = Report.objects.create(kind=Report.Kind.QUARTERLY, period=country["q1"], language="kk")
    regional = Report.objects.create(
        kind=Report.Kind.REGIONAL, period=country["q1"], region=country["astana"], language="kk"
    )
    ids = {r["id"] for r in _rows(client, CoordinatorFactory(region=country["astana"]), "api-reports-list")}
    assert national.pk not in ids
    assert regional.pk in ids  # the positive control


def test_a_region_outside_the_coordinators_scope_is_not_found(client, country):
    _token, raw = token_create(user=CoordinatorFactory(region=country["astana"]), name="t")
    url = reverse("api-organisations-list")
    assert client.get(url, {"region": "KZ-75"}, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 404
    own = client.get(url, {"region": "KZ-71"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert own.status_code == 200 and [r["bin"] for r in own.json()["results"]] == [country["ours"].bin]
