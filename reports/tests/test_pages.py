"""The page selectors (reports/pages.py): what the report list and a report's page show, read without a request."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from monitoring.tests.factories import PeriodFactory
from pilots.tests.factories import CoordinatorFactory, InstituteFactory, OrganisationFactory, RegionFactory
from reports.models import Report
from reports.pages import report_detail_page, report_list_page

pytestmark = pytest.mark.django_db

# What the pages ran before they were read through the page selectors
# (measured: 8 and 7, with 3 organisations and with 30).
MAX_LIST_QUERIES = 8
MAX_DETAIL_QUERIES = 7


@pytest.fixture
def period():
    return PeriodFactory()


def _regional(region, period):
    return Report.objects.create(
        kind=Report.Kind.REGIONAL, period=period, region=region, language="kk", status=Report.Status.DONE
    )


def test_a_coordinators_report_list_offers_only_their_regions_reports(period):
    own, other = RegionFactory(), RegionFactory()
    own_report, other_report = _regional(own, period), _regional(other, period)
    coordinator = CoordinatorFactory(region=own)

    page = report_list_page(user=coordinator, params=QueryDict())

    assert list(page.page.object_list) == [own_report]
    # The other region's report is there to be listed: the Institute's page offers it.
    assert other_report in report_list_page(user=InstituteFactory(), params=QueryDict()).page.object_list


def test_a_regional_reports_page_links_its_coordinator_to_the_summary_they_write(period):
    region = RegionFactory()
    report = _regional(region, period)

    coordinator_page = report_detail_page(user=CoordinatorFactory(region=region), report=report)
    institute_page = report_detail_page(user=InstituteFactory(), report=report)

    assert coordinator_page.summary_url == reverse("report_region_summary", args=[period.code, region.code])
    assert institute_page.summary_url == ""


@pytest.mark.parametrize("n", [3, 30])
def test_the_report_list_runs_a_bounded_number_of_queries_however_many_organisations_exist(
    client, period, django_assert_max_num_queries, n
):
    region = RegionFactory()
    OrganisationFactory.create_batch(n, region=region)
    report = _regional(region, period)
    client.force_login(CoordinatorFactory(region=region))
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = client.get(reverse("report_list"))
    assert reverse("report_detail", args=[report.pk]) in response.content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_a_reports_page_runs_a_bounded_number_of_queries_however_many_organisations_exist(
    client, period, django_assert_max_num_queries, n
):
    region = RegionFactory()
    OrganisationFactory.create_batch(n, region=region)
    report = _regional(region, period)
    client.force_login(CoordinatorFactory(region=region))
    with django_assert_max_num_queries(MAX_DETAIL_QUERIES):
        response = client.get(reverse("report_detail", args=[report.pk]))
    assert reverse("report_region_summary", args=[period.code, region.code]) in response.content.decode()
