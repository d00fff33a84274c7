"""Every role against every resource: the status it gets, and rows only from the organisations its pages show.

The expected scope is read from the pages' own selector (organisation_scope), so the table cannot drift from
what the pages show; and the national roles' full view is the positive control that the rows are there."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from api.tokens import token_create
from monitoring.models import Indicator, Status, Value
from monitoring.tests.factories import IndicatorFactory, PeriodFactory, SubmissionFactory
from pilots.models import User
from pilots.selectors import organisation_scope
from pilots.tests.factories import ActivityFactory, OrganisationFactory, RegionFactory, StageFactory, UserFactory
from reports.models import Report
from reports.selectors import report_scope

pytestmark = pytest.mark.django_db

RESOURCES = [
    "regions",
    "organisations",
    "periods",
    "indicators",
    "submissions",
    "values",
    "completeness",
    "stages",
    "reports",
]
# The key that names a row's organisation, or its region, per resource; None: rows not tied to either.
ORGANISATION_KEY = {"organisations": "bin", "submissions": "organisation", "values": "organisation"}
REGION_KEY = {"regions": "code", "completeness": "region", "stages": "region"}
FIGURES = {"completeness", "stages"}


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
    children = IndicatorFactory(code="children_total", periods=[q1], type=Indicator.Type.INTEGER)
    organisations = [OrganisationFactory(region=r) for r in (astana, astana, almaty)]
    for organisation in organisations:
        submission = SubmissionFactory(organisation=organisation, period=q1, status=Status.ACCEPTED)
        Value.objects.create(submission=submission, indicator=children, number=Decimal(10))
    ActivityFactory(stage=StageFactory(position=1))
    Report.objects.create(kind=Report.Kind.QUARTERLY, period=q1, language="kk")
    Report.objects.create(kind=Report.Kind.REGIONAL, period=q1, region=astana, language="kk")
    Report.objects.create(kind=Report.Kind.REGIONAL, period=q1, region=almaty, language="kk")
    return {"astana": astana, "organisations": organisations}


def _user(role, country):
    extra = {}
    if role == User.Role.ORGANISATION:
        extra["organisation"] = country["organisations"][0]
    if role == User.Role.REGION:
        extra["region"] = country["astana"]
    return UserFactory(role=role, **extra)


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("role", User.Role.values)
def test_each_role_reads_each_resource_as_its_pages(client, country, role, resource):
    user = _user(role, country)
    _token, raw = token_create(user=user, name="t")
    response = client.get(reverse(f"api-{resource}-list"), HTTP_AUTHORIZATION=f"Bearer {raw}")
    if resource in FIGURES and role == User.Role.ORGANISATION:
        assert response.status_code == 403  # organisation staff have no dashboard
        return
    assert response.status_code == 200
    rows = response.json()["results"]
    in_scope = organisation_scope(user=user)
    if resource in ORGANISATION_KEY:
        assert {r[ORGANISATION_KEY[resource]] for r in rows} == set(in_scope.values_list("bin", flat=True))
    elif resource in REGION_KEY:
        assert {r[REGION_KEY[resource]] for r in rows} == set(in_scope.values_list("region__code", flat=True))
    elif resource == "reports":
        assert {r["id"] for r in rows} == set(report_scope(user=user).values_list("pk", flat=True))
        if role not in (User.Role.ORGANISATION, User.Role.REGION):
            assert len(rows) == 3  # the positive control: a national reader has them all
    else:
        assert rows  # periods and the catalogue are the same for everyone
