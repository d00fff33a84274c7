import subprocess

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from monitoring import figures
from monitoring.models import Period
from pilots.control_card import order_control_card, order_current
from pilots.models import ClauseExecution, Region, User
from reports.models import Report, ReportVersion
from reports.services import report_compile, report_queue
from reports.snapshot import report_filters

pytestmark = pytest.mark.django_db

KAZAKH_LETTERS = set("әғқңөұүһі")


def _pdf_text(version: ReportVersion) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", version.pdf.path, "-"], capture_output=True, text=True, check=True
    ).stdout


def _final(user, language="kk") -> Report:
    report, _created = report_queue(user=user, kind=Report.Kind.FINAL, language=language)
    report.refresh_from_db()
    return report


# --- who may do what ---------------------------------------------------------------------


def test_a_coordinator_may_not_ask_for_a_national_report(client, astana_coordinator):
    client.force_login(astana_coordinator)
    response = client.post(reverse("report_list"), {"kind": "final", "language": "kk"})
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_a_coordinator_may_not_ask_for_another_regions_report(client, astana_coordinator):
    client.force_login(astana_coordinator)
    response = client.post(
        reverse("report_list"), {"kind": "regional", "period": "2026-Q3", "region": "KZ-75", "language": "kk"}
    )
    assert response.status_code == 400  # the form offers their own region only
    assert response.context["form"].has_error("region", code="invalid_choice")
    with pytest.raises(PermissionDenied):
        report_queue(
            user=astana_coordinator,
            kind="regional",
            period=Period.objects.get(code="2026-Q3"),
            region=Region.objects.get(code="KZ-75"),
            language="kk",
        )
    assert not Report.objects.exists()


def test_a_coordinator_compiles_their_regions_report(client, astana_coordinator):
    client.force_login(astana_coordinator)
    response = client.post(
        reverse("report_list"), {"kind": "regional", "period": "2026-Q3", "region": "KZ-71", "language": "ru"}
    )
    report = Report.objects.get()
    assert response["Location"] == reverse("report_detail", args=[report.pk])
    assert report.status == Report.Status.DONE
    assert report.latest_version.pdf.name.endswith("regional-report-2026-Q3-KZ-71-ru.pdf")


def test_another_regions_file_by_id_is_404(client, demo):
    almaty = User.objects.get(username="region-kz-75")
    report, _ = report_queue(
        user=almaty,
        kind="regional",
        period=Period.objects.get(code="2026-Q3"),
        region=Region.objects.get(code="KZ-75"),
        language="kk",
    )
    client.force_login(User.objects.get(username="region-kz-71"))
    for name in ("report_detail", "report_pdf", "report_xlsx"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 404


def test_organisation_staff_cannot_open_reports(client, demo):
    client.force_login(User.objects.filter(role="organisation").first())
    assert client.get(reverse("report_list")).status_code == 403


def test_the_ministry_reads_but_does_not_compile(client, institute):
    report = _final(institute)
    client.force_login(User.objects.get(username="ministry"))
    assert client.get(reverse("report_pdf", args=[report.pk])).status_code == 200
    assert client.post(reverse("report_list"), {"kind": "final", "language": "kk"}).status_code == 403


def test_an_unknown_period_is_a_clear_error(client, institute):
    client.force_login(institute)
    response = client.post(reverse("report_list"), {"kind": "quarterly", "period": "2031-Q9", "language": "kk"})
    assert response.status_code == 400
    assert response.context["form"].has_error("period", code="invalid_choice")


def test_a_quarterly_report_needs_its_quarter(client, institute):
    client.force_login(institute)
    response = client.post(reverse("report_list"), {"kind": "quarterly", "language": "kk"})
    assert response.context["form"].has_error("period", code="period_required")


# --- the files -------------------------------------------------------------------------------


def test_the_final_pdf_is_in_kazakh_and_its_figures_equal_the_dashboards(institute):
    report = _final(institute)
    version = report.latest_version
    text = _pdf_text(version)
    assert len(set(text.lower()) & KAZAKH_LETTERS) >= 7
    fonts = subprocess.run(["pdffonts", version.pdf.path], capture_output=True, text=True, check=True).stdout
    assert "DejaVu-Sans" in fonts  # a font with every Kazakh letter, embedded
    assert 20 <= version.pdf_pages <= 200
    _rows, total = figures.completeness_by_region(
        user=institute,
        filters=report_filters(report),
        periods=figures.periods_started(today=version.snapshot_at.date()),
    )
    q3 = total.cells["2026-Q3"]
    assert f"{q3.submitted}/{q3.expected}" in text
    assert str(q3.completeness).replace(".", ",") in text
    assert version.snapshot_at.astimezone().strftime("%d.%m.%Y") in text


def test_the_xlsx_holds_a_sheet_per_part_with_the_dashboards_totals(institute):
    report = _final(institute, language="ru")
    workbook = openpyxl.load_workbook(report.latest_version.xlsx.path)
    assert (
        workbook.sheetnames == ["Сводка", "Регионы", "Этапы", "Навыки", "Организации", "Тексты", "Значения"]
        or len(workbook.sheetnames) == 7
    )
    organisations = workbook.worksheets[4]
    assert organisations.max_row == 1 + 100
    summary = {row[0]: row for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    totals = {
        r.label: r
        for r in figures.key_totals(
            user=institute,
            filters=report_filters(report),
            periods=figures.periods_started(today=report.latest_version.snapshot_at.date()),
        )
    }
    from django.utils import translation

    with translation.override("ru"):
        children = next(r for r in totals.values() if r.code == "children_total")
    assert any(row[2] == float(children.values["2026-Q1"]) for row in summary.values())


def test_downloads_carry_proper_file_names(client, institute):
    report = _final(institute)
    client.force_login(institute)
    response = client.get(reverse("report_pdf", args=[report.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="final-report-2026-kk.pdf"'
    assert reverse("report_xlsx", args=[report.pk])


def test_the_json_status_names_the_files(client, institute):
    report = _final(institute)
    client.force_login(institute)
    data = client.get(reverse("report_detail", args=[report.pk]), HTTP_ACCEPT="application/json").json()
    assert data == {
        "status": "done",
        "progress": 100,
        "step": "",
        "error": "",
        "pdf": reverse("report_pdf", args=[report.pk]),
        "xlsx": reverse("report_xlsx", args=[report.pk]),
    }


# --- faults and idempotence --------------------------------------------------------------------


def test_a_failure_leaves_the_report_failed_with_its_reason_and_no_files(institute, monkeypatch, settings):
    def broken(*args, **kwargs):
        raise ValueError("the chart could not be drawn")

    monkeypatch.setattr("reports.pdf.render_pdf", broken)
    report = _final(institute)
    assert report.status == Report.Status.FAILED
    assert "the chart could not be drawn" in report.error
    assert not report.versions.exists()
    tmp = settings.MEDIA_ROOT / "reports" / "tmp"
    assert not any(tmp.iterdir())


def test_compiling_the_same_attempt_twice_writes_one_version(institute):
    report = _final(institute)
    report_compile(report_id=report.pk, attempt=str(report.attempt))
    assert report.versions.count() == 1


def test_a_redelivered_task_after_a_dead_worker_completes_the_report(institute):
    report = _final(institute)
    report.versions.all().delete()
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, progress=40)
    report_compile(report_id=report.pk, attempt=str(report.attempt))
    report.refresh_from_db()
    assert (report.status, report.versions.count()) == (Report.Status.DONE, 1)


def test_two_clicks_on_compile_make_one_task(institute, monkeypatch):
    sent = []
    monkeypatch.setattr("reports.tasks.compile_report.delay", lambda *args: sent.append(args))
    first, created_first = report_queue(user=institute, kind="final", language="kk")
    second, created_second = report_queue(user=institute, kind="final", language="kk")
    assert first.pk == second.pk and (created_first, created_second) == (True, False)
    assert len(sent) == 1


def test_no_broker_says_so_and_keeps_the_report_queued(client, institute, monkeypatch):
    from kombu.exceptions import OperationalError

    def unreachable(*args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("reports.tasks.compile_report.delay", unreachable)
    client.force_login(institute)
    response = client.post(reverse("report_list"), {"kind": "final", "language": "kk"}, follow=True)
    assert "background worker is unreachable" in response.content.decode()
    report = Report.objects.get()
    assert report.status == Report.Status.QUEUED
    assert "cannot be reached" in report.step


def test_compiling_again_keeps_every_version(client, institute):
    report = _final(institute)
    client.force_login(institute)
    client.post(reverse("report_requeue", args=[report.pk]))
    versions = list(report.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert client.get(reverse("report_version_pdf", args=[report.pk, 1])).status_code == 200


def test_marking_a_report_sent_marks_the_orders_clause(client, institute):
    report = _final(institute)
    client.force_login(institute)
    client.post(reverse("report_mark_sent", args=[report.pk]))
    report.refresh_from_db()
    assert report.sent_by == institute
    execution = ClauseExecution.objects.get(clause__number="3.2")
    assert report.latest_version.pdf_sha256[:12] in execution.note
    from django.utils import timezone

    status = next(
        s for s in order_control_card(order=order_current(), today=timezone.localdate()) if s.clause.number == "3.2"
    )
    assert status.state == "done"


def test_the_institute_saves_the_conclusions_the_final_report_prints(client, institute):
    client.force_login(institute)
    client.post(
        reverse("report_narrative"),
        {
            "conclusions_kk": "Пилоттық жоба нәтижелі өтті.",
            "recommendations_kk": "",
            "conclusions_ru": "",
            "recommendations_ru": "",
        },
    )
    report = _final(institute)
    assert "Пилоттық жоба нәтижелі өтті." in _pdf_text(report.latest_version)


def test_a_coordinator_may_not_write_the_conclusions(client, astana_coordinator):
    client.force_login(astana_coordinator)
    assert client.get(reverse("report_narrative")).status_code == 403


def test_at_national_scale_the_pdf_annex_has_a_row_per_region_and_the_xlsx_one_per_organisation(institute, monkeypatch):
    monkeypatch.setattr("reports.snapshot.ANNEX_ROWS_IN_PDF", 50)
    report = _final(institute, language="ru")
    text = _pdf_text(report.latest_version)
    assert "100" in text and report.latest_version.pdf_pages < 45
    workbook = openpyxl.load_workbook(report.latest_version.xlsx.path)
    assert workbook.worksheets[4].max_row == 1 + 100


def test_a_russian_report_names_regions_in_russian(institute):
    report = _final(institute, language="ru")
    text = _pdf_text(report.latest_version)
    assert "город Астана" in text
    assert "Астана қаласы" not in text


def test_weasyprint_layout_steps_stay_out_of_the_log():
    import logging

    assert logging.getLogger("weasyprint").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("fontTools.subset").getEffectiveLevel() == logging.WARNING
