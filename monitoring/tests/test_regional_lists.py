"""A regional dashboard's lists (organisations by quarter, whom to call) show a page at a time; the XLSX all."""

import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.models import Status
from monitoring.tests.factories import PeriodFactory, SubmissionFactory
from pilots.tests.factories import InstituteFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def q1():
    return PeriodFactory(
        code="2026-Q1",
        quarter=1,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 3, 31),
        due_on=datetime.date(2026, 4, 5),
        review_due_on=datetime.date(2026, 4, 10),
    )


@pytest.fixture
def astana():
    return RegionFactory(code="KZ-71", name_en="Astana")


def _dashboard(client, **params):
    client.force_login(InstituteFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(reverse("regional_dashboard", args=["KZ-71"]), {"period": "2026-Q1", **params})


def _names(organisations):
    return sorted(o.name for o in organisations)


def test_the_organisations_by_quarter_show_25_a_page_and_every_one_across_the_pages(client, q1, astana):
    organisations = OrganisationFactory.create_batch(27, region=astana)
    first, second = _dashboard(client), _dashboard(client, orgs=2)
    shown = [row.organisation for row in first.context["matrix_page"].object_list]
    shown += [row.organisation for row in second.context["matrix_page"].object_list]
    assert len(first.context["matrix_page"].object_list) == 25
    assert _names(shown) == _names(organisations)
    assert "1–25 of 27; all of them in the XLSX" in first.content.decode()


def test_a_region_of_a_few_organisations_shows_them_on_one_page_without_page_links(client, q1, astana):
    OrganisationFactory.create_batch(3, region=astana)
    response = _dashboard(client)
    assert len(response.context["matrix_page"].object_list) == 3
    assert "all of them in the XLSX" not in response.content.decode()


def test_whom_to_call_pages_through_the_missing_then_the_late(client, q1, astana):
    missing = OrganisationFactory.create_batch(24, region=astana)
    late = [
        SubmissionFactory(organisation=o, period=q1, status=Status.ACCEPTED, is_late=True).organisation
        for o in OrganisationFactory.create_batch(3, region=astana)
    ]
    OrganisationFactory(region=astana, name_en="On time")  # handed in on time: nobody calls it
    SubmissionFactory(organisation=astana.organisations.get(name_en="On time"), period=q1, status=Status.ACCEPTED)
    first, second = _dashboard(client), _dashboard(client, call=2)
    rows = [*first.context["call_page"].object_list, *second.context["call_page"].object_list]
    assert [row.late is None for row in rows] == [True] * 24 + [False] * 3  # the missing first, then the late
    assert _names(row.organisation for row in rows) == _names(missing + late)
    assert first.context["call_page"].paginator.count == 27


def test_the_whom_to_call_export_lists_every_organisation_not_a_page(client, q1, astana):
    OrganisationFactory.create_batch(27, region=astana)
    client.force_login(InstituteFactory())
    response = client.get(reverse("regional_export", args=["KZ-71", "not-handed-in"]), {"period": "2026-Q1"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 1 + 27


def test_the_regional_dashboards_queries_do_not_grow_with_its_organisations(client, q1, astana):
    OrganisationFactory.create_batch(3, region=astana)
    _dashboard(client)
    with CaptureQueriesContext(connection) as few:
        _dashboard(client)
    OrganisationFactory.create_batch(40, region=astana)
    with CaptureQueriesContext(connection) as many:
        response = _dashboard(client)
    assert response.context["matrix_page"].paginator.count == 43  # the control: the page counted the new ones
    assert len(many) == len(few)
