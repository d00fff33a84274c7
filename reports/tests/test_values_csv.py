"""The long-form values beside the workbook (a zipped CSV file), and Excel's limits on every sheet."""

import csv
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from monitoring.models import Indicator, Period, Status, Value
from pilot_portal import excel_limits, xlsx_table
from pilot_portal.excel_limits import ExcelLimitExceeded, check_sheet
from pilots.models import Region
from reports.models import Report
from reports.services import report_queue

pytestmark = pytest.mark.django_db

CODES = ["region", "bin", "period", "indicator", "indicator_name", "unit", "value"]


def _compiled(user, **arguments) -> Report:
    report, _created = report_queue(user=user, **{"kind": Report.Kind.FINAL, "language": "kk", **arguments})
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    return report


def _csv(report: Report) -> tuple[str, list[list[str]]]:
    """The CSV's text as stored (BOM included) and its rows, read the way a program reads it."""
    with zipfile.ZipFile(report.latest_version.values_csv.path) as archive:
        assert archive.testzip() is None
        (member,) = archive.namelist()
        assert member == f"{report.file_stem()}-values.csv"
        snapshot_day = timezone.localtime(report.latest_version.snapshot_at).timetuple()[:3]
        assert archive.getinfo(member).date_time[:3] == snapshot_day
        raw = archive.read(member).decode("utf-8")
    return raw, list(csv.reader(io.StringIO(raw.removeprefix("\ufeff"))))


def test_the_csv_rows_are_the_accepted_numeric_values(institute):
    report = _compiled(institute)
    _raw, (_header, *rows) = _csv(report)
    accepted = Value.objects.filter(submission__status=Status.ACCEPTED, number__isnull=False)
    expected = {
        (bin_, period, code, Decimal(number))
        for bin_, period, code, number in accepted.values_list(
            "submission__organisation__bin", "submission__period__code", "indicator__code", "number"
        )
    }
    assert len(rows) == len(expected) == report.latest_version.values_csv_rows
    assert {(r[1], r[2], r[3], Decimal(r[6])) for r in rows} == expected
    assert [r[:3] for r in rows] == sorted(r[:3] for r in rows)  # by region, organisation, quarter


def test_the_csv_is_utf8_with_a_bom_and_one_header_row_of_labels_and_codes(institute):
    raw, (header, first, *_rest) = _csv(_compiled(institute, language="ru"))
    assert raw.startswith("\ufeff")
    assert [cell.rsplit(" (", 1)[1].rstrip(")") for cell in header] == CODES
    with translation.override("ru"):
        assert header[1] == f"{translation.gettext('BIN')} (bin)"
    assert first[1].isdigit()  # the second row is already data


def test_the_csv_names_each_indicator_in_the_reports_language_and_counts_without_decimals(institute):
    _raw, (_header, *rows) = _csv(_compiled(institute, language="ru"))
    children = next(row for row in rows if row[3] == "children_total")
    attendance = next(row for row in rows if row[3] == "attendance_percent")
    indicator = Indicator.objects.get(code="children_total")
    assert (children[4], children[5]) == (indicator.name_ru, indicator.unit_ru)
    assert children[6].isdigit()
    assert "." in attendance[6] and "," not in attendance[6]


def test_an_indicator_name_that_looks_like_a_formula_is_text_in_the_csv(institute):
    Indicator.objects.filter(code="children_total").update(name_kk="=1+1")
    _raw, (_header, *rows) = _csv(_compiled(institute))
    names = {row[3]: row[4] for row in rows}
    assert names["children_total"] == "'=1+1"
    assert not names["children_age4"].startswith("'")  # the control: an ordinary name is as typed


def test_a_regional_csv_holds_only_its_regions_values(institute):
    report = _compiled(
        institute,
        kind=Report.Kind.REGIONAL,
        period=Period.objects.get(code="2026-Q3"),
        region=Region.objects.get(code="KZ-71"),
    )
    _raw, (_header, *rows) = _csv(report)
    assert rows and {row[0] for row in rows} == {"KZ-71"}
    assert {row[2] for row in rows} <= {"2026-Q1", "2026-Q2", "2026-Q3"}


def test_the_values_download_is_the_zip_named_after_the_report(client, institute):
    report = _compiled(institute)
    client.force_login(institute)
    response = client.get(reverse("report_values", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="final-report-2026-kk-values.zip"'
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).testzip() is None


def test_a_version_compiled_before_the_csv_offers_no_csv(client, institute):
    report = _compiled(institute)
    report.versions.update(values_csv="")
    client.force_login(institute)
    assert client.get(reverse("report_values", args=[report.pk])).status_code == 404
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert reverse("report_version_pdf", args=[report.pk, 1]) in page  # the control: the version is listed
    assert reverse("report_version_values", args=[report.pk, 1]) not in page


def test_the_report_page_offers_the_csv(client, institute):
    report = _compiled(institute)
    client.force_login(institute)
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert reverse("report_version_values", args=[report.pk, 1]) in page
    assert report.latest_version.values_csv_sha256 in page
    listing = client.get(reverse("report_list")).content.decode()
    assert reverse("report_values", args=[report.pk]) in listing


def test_the_workbook_has_no_values_sheet_and_every_sheet_within_excels_limits(institute):
    workbook = openpyxl.load_workbook(_compiled(institute, language="ru").latest_version.xlsx.path)
    with translation.override("ru"):
        values, organisations = translation.gettext("Values"), translation.gettext("Organisations")
    assert organisations in workbook.sheetnames and values not in workbook.sheetnames
    for sheet in workbook.worksheets:
        assert len(sheet.title) <= excel_limits.MAX_TITLE
        assert sheet.max_row <= excel_limits.MAX_ROWS and sheet.max_column <= excel_limits.MAX_COLUMNS


# --- Excel's limits ------------------------------------------------------------------------------


def test_a_sheet_past_excels_rows_fails_the_compilation_with_its_reason(institute, monkeypatch):
    monkeypatch.setattr(excel_limits, "MAX_ROWS", 50)  # the sheet of organisations has 1 + 100 rows
    report, _created = report_queue(user=institute, kind=Report.Kind.FINAL, language="ru")
    report.refresh_from_db()
    with translation.override("ru"):
        organisations = translation.gettext("Organisations")
    assert report.status == Report.Status.FAILED
    assert f"«{organisations}»" in report.error and "50" in report.error
    assert not report.versions.exists()


def test_the_limits_allow_what_excel_opens_and_refuse_one_more():
    check_sheet("x" * 31, columns=16_384, rows=1_048_576)  # the control: Excel's own maxima pass
    for title, columns, rows in [("x" * 32, 1, 1), ("x", 16_385, 1), ("x", 1, 1_048_577)]:
        with pytest.raises(ExcelLimitExceeded):
            check_sheet(title, columns=columns, rows=rows)


def test_a_table_export_past_excels_rows_is_refused(monkeypatch):
    monkeypatch.setattr(excel_limits, "MAX_ROWS", 3)
    headers = [("A", 10, None)]
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("t")
    assert xlsx_table.append_rows(sheet, headers, [[1], [2]]) == 2  # the control: within the limit
    with pytest.raises(ExcelLimitExceeded):
        xlsx_table.append_rows(sheet, headers, [[1], [2], [3]])
    workbook.save(io.BytesIO())
