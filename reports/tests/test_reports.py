import datetime
import shutil
import subprocess
from dataclasses import dataclass

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from monitoring import figures
from monitoring.models import Period
from pilots.models import Region, User
from pilots.orders import order_current
from reports.citation import report_citation
from reports.models import Report, ReportVersion
from reports.services import BrokerUnavailable, report_compile, report_queue
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


@dataclass(frozen=True)
class CompiledFinal:
    pdf_path: str
    xlsx_path: str
    text: str


@pytest.fixture(scope="session")
def standard_final(tmp_path_factory):
    """The final report of the demo as the Institute asks for it, compiled once per language for the
    whole run: the demo's data are the same in every test, and a compilation costs seconds. Tests
    that only read what the report says use it; tests about compiling compile their own."""
    cache: dict[str, CompiledFinal] = {}
    folder = tmp_path_factory.mktemp("standard-final")

    def get(institute, language="kk") -> CompiledFinal:
        if language not in cache:
            version = _final(institute, language=language).latest_version
            pdf, xlsx = folder / f"final-{language}.pdf", folder / f"final-{language}.xlsx"
            shutil.copyfile(version.pdf.path, pdf)
            shutil.copyfile(version.xlsx.path, xlsx)
            cache[language] = CompiledFinal(str(pdf), str(xlsx), _pdf_text(version))
        return cache[language]

    return get


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
    for name in ("report_detail", "report_pdf", "report_xlsx", "report_values"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 404
    client.force_login(almaty)  # the positive control: its own coordinator gets every file
    for name in ("report_detail", "report_pdf", "report_xlsx", "report_values"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 200


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
    assert workbook.sheetnames == [
        "Сводка",
        "Регионы",
        "Этапы",
        "Навыки",
        "Организации",
        "Текстовые ответы",
        "Вне когорты",
    ]
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
        "stale": False,
        "pdf": reverse("report_pdf", args=[report.pk]),
        "xlsx": reverse("report_xlsx", args=[report.pk]),
        "docx": reverse("report_docx", args=[report.pk]),
        "values": reverse("report_values", args=[report.pk]),
        "approved": None,
        "signed": None,
        "sent": None,
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
    assert settings.REPORT_WORK_DIR.is_dir()  # the compilation did work there
    assert not any(settings.REPORT_WORK_DIR.iterdir())
    assert not (settings.MEDIA_ROOT / "reports").exists()


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


def test_two_clicks_on_compile_make_one_task(institute, broker):
    first, created_first = report_queue(user=institute, kind="final", language="kk")
    second, created_second = report_queue(user=institute, kind="final", language="kk")
    assert first.pk == second.pk and (created_first, created_second) == (True, False)
    assert broker.sent == [("reports.tasks.compile_report", [first.pk, str(first.attempt)])]


def test_no_broker_says_so_and_keeps_the_report_queued(client, institute, broker):
    broker.up = False
    client.force_login(institute)
    response = client.post(reverse("report_list"), {"kind": "final", "language": "kk"}, follow=True)
    assert "background worker is unreachable" in response.content.decode()
    report = Report.objects.get()
    assert report.status == Report.Status.QUEUED
    assert "cannot be reached" in report.step_label and "as soon as it answers" in report.step_label
    assert broker.sent == []


def _fifteen_seconds_later():
    """After a refused hand-over the outbox's sweep leaves that message a little before it tries again."""
    from datetime import timedelta

    from django.utils import timezone

    from outbox.models import Message

    Message.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_report_queued_while_no_broker_answers_is_sent_by_the_outbox_sweep_once_one_does(institute, broker):
    from outbox.services import messages_sweep

    broker.up = False
    with pytest.raises(BrokerUnavailable):
        report_queue(user=institute, kind="final", language="kk")
    report = Report.objects.get()
    assert report.waits_for_a_worker and broker.sent == []

    broker.up = True
    _fifteen_seconds_later()
    assert messages_sweep() == 1
    assert messages_sweep() == 0
    assert broker.sent == [("reports.tasks.compile_report", [report.pk, str(report.attempt)])]
    report = Report.objects.get()
    assert not report.waits_for_a_worker and "cannot be reached" not in report.step_label


def test_asking_again_once_the_broker_is_back_sends_the_waiting_report(institute, broker):
    broker.up = False
    with pytest.raises(BrokerUnavailable):
        report_queue(user=institute, kind="final", language="kk")
    broker.up = True
    again, created = report_queue(user=institute, kind="final", language="kk")
    report_queue(user=institute, kind="final", language="kk")  # a third ask finds it sent already
    assert created is False and broker.sent == [("reports.tasks.compile_report", [again.pk, str(again.attempt)])]
    assert not again.__class__.objects.get(pk=again.pk).waits_for_a_worker


def test_compiling_again_keeps_every_version(client, institute):
    report = _final(institute)
    client.force_login(institute)
    client.post(reverse("report_requeue", args=[report.pk]))
    versions = list(report.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert client.get(reverse("report_version_pdf", args=[report.pk, 1])).status_code == 200


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


# --- what the reader sees ------------------------------------------------------------------------


def _quarterly(user, period="2026-Q3", language="ru") -> Report:
    report, _created = report_queue(
        user=user, kind=Report.Kind.QUARTERLY, period=Period.objects.get(code=period), language=language
    )
    report.refresh_from_db()
    return report


def _regional(user, language="kk") -> Report:
    report, _created = report_queue(
        user=user,
        kind=Report.Kind.REGIONAL,
        period=Period.objects.get(code="2026-Q3"),
        region=Region.objects.get(code="KZ-71"),
        language=language,
    )
    report.refresh_from_db()
    return report


def _words(text: str) -> str:
    """The PDF's text with its layout's line breaks and padding folded into single spaces."""
    return " ".join(text.split())


def _in(language: str, message: str, **values) -> str:
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override(language):
        return gettext(message) % values if values else gettext(message)


def test_a_q3_report_shows_no_q4_data(institute):
    text = _pdf_text(_quarterly(institute).latest_version)
    q4 = Period.objects.get(code="2026-Q4")
    from django.utils import translation

    with translation.override("ru"):
        assert str(q4.label) not in text and str(q4.document_label) not in text
        q1 = Period.objects.get(code="2026-Q1")
        assert str(q1.label) in text and str(q1.document_label) in text  # the baseline stands


def test_the_national_dashboard_still_sets_q1_against_q4(institute):
    from monitoring.dashboards import dashboard_data
    from monitoring.figures import FigureFilters

    data = dashboard_data(user=institute, filters=FigureFilters(period="2026-Q3"))
    assert (data["baseline"].code, data["final"].code) == ("2026-Q1", "2026-Q4")


def test_a_requested_report_is_not_marked_draft(institute, standard_final):
    text = _words(standard_final(institute).text)
    assert "Департаментке әлі жіберілмеген" not in text
    assert _in("kk", "Draft compiled by the schedule") not in text


def test_a_scheduled_draft_says_it_was_compiled_by_the_schedule(demo):
    report, _created = report_queue(user=None, kind=Report.Kind.FINAL, language="kk", source=Report.Source.SCHEDULE)
    report.refresh_from_db()
    assert _in("kk", "Draft compiled by the schedule") in _words(_pdf_text(report.latest_version))


def test_a_report_from_the_command_line_is_not_called_a_scheduled_draft(demo):
    report, _created = report_queue(user=None, kind=Report.Kind.FINAL, language="kk", source=Report.Source.COMMAND)
    report.refresh_from_db()
    assert _in("kk", "Draft compiled by the schedule") not in _words(_pdf_text(report.latest_version))


@pytest.mark.uncached_layout
def test_the_title_page_names_when_the_version_was_compiled(institute):
    version = _final(institute).latest_version
    from django.utils import formats, timezone, translation

    with translation.override("kk"):
        data_as_of = formats.date_format(timezone.localtime(version.snapshot_at), "SHORT_DATETIME_FORMAT")
    assert data_as_of in _pdf_text(version).split("\f")[0]


def test_the_order_is_cited_with_its_date_in_words_and_its_title_in_quotes(institute, standard_final):
    order = order_current()
    first_page = _words(standard_final(institute).text.split("\f")[0])
    date = _in("kk", "of %(day)d November %(year)d", day=order.signed_on.day, year=order.signed_on.year)
    title = order.title_kk.replace("«", "„").replace("»", "“")  # quotes inside quotes
    assert f"{date} № ___ «{title}»" in first_page


def test_the_order_reference_line_is_not_repeated_on_the_title_page(institute, standard_final):
    pages = standard_final(institute).text.split("\f")
    order = order_current()
    with translation.override("kk"):
        # The whole running header: its date, number and title also stand in the title page's own sentence.
        header = _words(report_citation(order, Report.Kind.FINAL).header)
    assert header not in _words(pages[0])
    assert header in _words(pages[2])  # the running header of later pages


def test_the_pdf_title_is_capitalised(institute, standard_final):
    pdf = standard_final(institute, language="ru").pdf_path
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    title = next(line for line in info.splitlines() if line.startswith("Title:")).split(":", 1)[1].strip()
    assert title.startswith("Итоговый")


def test_every_chart_has_a_numbered_caption(institute, standard_final):
    text = standard_final(institute).text
    figure = _in("kk", "Figure")
    assert all(f"{figure} {n}." in text for n in range(1, 6))


def test_narratives_cite_the_quarters_label_not_its_code(institute, standard_final):
    text = standard_final(institute, language="ru").text
    assert "2026-Q4" not in text and "2026-Q3" not in text
    # Positive control: quotes are printed, each cited "… · <the quarter's label>".
    with translation.override("ru"):
        labels = [str(period.document_label) for period in Period.objects.filter(code__in=["2026-Q3", "2026-Q4"])]
    assert any(f"· {label}" in _words(text) for label in labels), labels


def test_identical_texts_are_quoted_once_naming_their_organisations(institute):
    from monitoring.models import Value

    texts = Value.objects.filter(
        indicator__code="achievements", submission__organisation__region__code="KZ-71", submission__status="accepted"
    ).exclude(text="")
    texts.update(text="Еңбек бұрышы жабдықталды, балалар өз бетінше жұмыс істейді.")
    report = _regional(institute)
    text = _words(_pdf_text(report.latest_version))
    assert text.count("Еңбек бұрышы жабдықталды") == 1


def test_the_narratives_quota_is_stated_before_the_quotes(institute, standard_final):
    from django.utils import translation
    from django.utils.translation import ngettext

    with translation.override("kk"):
        note = ngettext(
            "At most %(n)s different text per region and kind is quoted; a text several organisations "
            "wrote alike is quoted once, naming them. The XLSX file holds every text.",
            "At most %(n)s different texts per region and kind are quoted; a text several organisations "
            "wrote alike is quoted once, naming them. The XLSX file holds every text.",
            6,
        ) % {"n": 6}
        achievements = translation.gettext("Achievements")
    text = _words(standard_final(institute).text)
    narratives = text.index(note[:30])
    assert narratives < text.index(achievements, narratives)


def test_a_regional_report_compares_its_region_with_the_national_figure(institute):
    text = _words(_pdf_text(_regional(institute).latest_version))
    assert _in("kk", "All regions") not in text
    assert _in("kk", "This region") not in text  # its one region row is its total
    assert text.count(_in("kk", "National")) >= 3  # stages, completeness, indicators


def test_a_regional_report_does_not_count_regions(institute):
    key_figures = _words(_pdf_text(_regional(institute).latest_version).split("\f")[2])
    assert f"1 {_in('kk', 'regions')}" not in key_figures


# --- the workbook reads in words ---------------------------------------------------------------


def _sheet_rows(compiled: CompiledFinal, index: int) -> list[tuple]:
    workbook = openpyxl.load_workbook(compiled.xlsx_path)
    return list(workbook.worksheets[index].iter_rows(values_only=True))


def test_the_skills_sheet_names_each_breakdown(institute, standard_final):
    breakdowns = {row[0] for row in _sheet_rows(standard_final(institute, language="ru"), 3)[1:]}
    assert breakdowns and not breakdowns & {"region", "settlement", "ownership", "language"}
    assert "Регион" in breakdowns


def test_the_narratives_sheet_names_kinds_and_quarters_in_words(institute, standard_final):
    from monitoring.models import Indicator

    header, *rows = _sheet_rows(standard_final(institute, language="ru"), 5)
    names = dict(Indicator.objects.values_list("code", "name_ru"))
    assert list(header[4:]) == [names[code] for code in ("achievements", "difficulties", "proposals", "best_practice")]
    assert rows and not {row[3] for row in rows} & {"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"}


def test_the_narratives_sheet_has_one_row_per_organisation_and_quarter_with_every_text(institute, standard_final):
    from monitoring.models import Status, Value

    _header, *rows = _sheet_rows(standard_final(institute, language="ru"), 5)
    texts = Value.objects.filter(
        submission__status=Status.ACCEPTED,
        indicator__code__in=("achievements", "difficulties", "proposals", "best_practice"),
        text__gt="",
    ).values_list("submission__organisation__bin", "submission__period", "text")
    assert len({(row[1], row[3]) for row in rows}) == len(rows)
    assert sorted(text for row in rows for text in row[4:] if text) == sorted(text for *_key, text in texts)


def test_the_russian_narratives_sheet_names_organisations_in_russian(institute, standard_final):
    from pilots.models import Organisation

    rows = _sheet_rows(standard_final(institute, language="ru"), 5)[1:]
    names = dict(Organisation.objects.values_list("bin", "name_ru"))
    assert all(row[2] == names[row[1]] for row in rows if names[row[1]])


def test_a_quarter_under_review_prints_no_change_in_the_report(institute, standard_final):
    """The demo's Q4 waits for review: its like-for-like changes, computed as if it were closed, are
    not printed; Q2's, a closed quarter, are (the positive control)."""
    import dataclasses

    text = _words(standard_final(institute).text)
    filters = report_filters(_final(institute))
    periods = figures.periods_started(today=datetime.date(2026, 12, 2))
    bases = figures.period_bases(user=institute, filters=filters, periods=periods)
    assert bases["2026-Q4"].review_open and not bases["2026-Q2"].review_open
    closed = {code: dataclasses.replace(b, review_open=False) for code, b in bases.items()}
    would_be = figures.key_totals(user=institute, filters=filters, periods=periods, bases=closed)
    printed = figures.key_totals(user=institute, filters=filters, periods=periods, bases=bases)

    def signed(value):
        return f"{'+' if value > 0 else ''}{int(value)}"

    q4 = [
        signed(r.changes["2026-Q4"])
        for r in would_be
        if r.changes["2026-Q4"] and 100 <= abs(r.changes["2026-Q4"]) < 1000
    ]
    q2 = [
        signed(r.changes["2026-Q2"])
        for r in printed
        if r.changes["2026-Q2"] and 100 <= abs(r.changes["2026-Q2"]) < 1000
    ]
    assert q4 and q2
    assert not [c for c in q4 if c in text.split()]
    assert all(c in text.split() for c in q2)
