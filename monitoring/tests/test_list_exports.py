"""The review queue and a submission's audit history download as XLSX, scoped as their pages are."""

import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from monitoring.models import Status, Submission
from monitoring.tests.factories import SubmissionFactory
from pilots.tests.factories import InstituteFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _queue_export(client, user, **params):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(reverse("monitoring_queue_export"), params)


def test_staff_cannot_download_the_review_queue(client, staff, coordinator, period):
    assert _queue_export(client, staff, period=period.code).status_code == 403
    assert _queue_export(client, coordinator, period=period.code).status_code == 200  # the positive control


def test_the_queue_export_lists_the_tab_shown_for_the_coordinators_region_only(client, coordinator, period, region):
    ours = SubmissionFactory(
        organisation=OrganisationFactory(region=region, name_en="Ours"), period=period, status=Status.SUBMITTED
    )
    SubmissionFactory(
        organisation=OrganisationFactory(region=RegionFactory(code="KZ-75"), name_en="Theirs"),
        period=period,
        status=Status.SUBMITTED,
    )
    SubmissionFactory(organisation=OrganisationFactory(region=region), period=period, status=Status.RETURNED)
    sheet = _workbook(_queue_export(client, coordinator, period=period.code, show="submitted")).active
    rows = _rows(sheet)
    assert rows[0][:4] == ["Organisation", "BIN", "Region", "Status"]
    assert [row[1] for row in rows[1:]] == [ours.organisation.bin]  # not the other region's, not the returned one


def test_every_row_of_a_long_tab_is_in_the_export_not_a_page_of_them(client, period, region):
    for _ in range(53):  # the page shows 50
        OrganisationFactory(region=region)
    sheet = _workbook(_queue_export(client, InstituteFactory(), period=period.code, show="missing")).active
    assert sheet.max_row == 1 + 53
    assert _rows(sheet)[0] == ["Organisation", "BIN", "Region", "Director", "Phone", "E-mail"]


def test_a_submissions_moment_is_a_date_in_astana_time_that_a_spreadsheet_sorts(client, period, organisation):
    SubmissionFactory(
        organisation=organisation,
        period=period,
        status=Status.ACCEPTED,
        submitted_at=datetime.datetime(2026, 11, 30, 19, 30, tzinfo=datetime.UTC),  # 1 December in Astana
    )
    sheet = _workbook(_queue_export(client, InstituteFactory(), period=period.code, show="accepted")).active
    header, row = _rows(sheet)
    submitted = row[header.index("Submitted on")]
    assert submitted == datetime.datetime(2026, 12, 1, 0, 30)
    assert sheet.cell(row=2, column=header.index("Submitted on") + 1).number_format == "dd.mm.yyyy hh:mm"
    assert row[header.index("Status")] == "accepted"


def _history_export(client, user, submission):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse(
        "submission_history_export",
        kwargs={"bin": submission.organisation.bin, "period": submission.period.code},
    )
    return client.get(url)


def test_a_coordinator_cannot_download_a_submissions_history(client, coordinator, period, organisation):
    submission = SubmissionFactory(organisation=organisation, period=period)
    assert _history_export(client, coordinator, submission).status_code == 403
    assert _history_export(client, InstituteFactory(), submission).status_code == 200  # the positive control


def test_the_history_export_holds_each_change_with_who_made_it(client, staff, catalogue, period):
    staff.first_name, staff.last_name, staff.position = "Гүлнар", "Ахметова", "әдіскер"
    staff.save()
    url = reverse("submission", args=[staff.organisation.bin, period.code])
    client.force_login(staff)
    client.post(url, {"action": "save", "version": 0, "children_total": "40"})
    client.post(url, {"action": "save", "version": 1, "children_total": "42"})
    submission = Submission.objects.get(organisation=staff.organisation, period=period)
    workbook = _workbook(_history_export(client, InstituteFactory(), submission))
    changes = _rows(workbook.worksheets[0])
    assert changes[0] == ["When", "Who", "Indicator code", "Indicator", "Before", "After"]
    assert [row[2:] for row in changes[1:]] == [
        ["children_total", "Children", "40", "42"],
        ["children_total", "Children", None, "40"],  # an empty cell: no value before
    ]
    assert changes[1][1] == "Гүлнар Ахметова, әдіскер" == staff.person
    assert workbook.worksheets[1].title == "Files"
