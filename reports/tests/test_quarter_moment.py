"""A quarterly or regional report as of its own quarter, and the summary of the quarter it prints."""

import datetime
import subprocess

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from monitoring import figures
from monitoring.figures import FigureFilters
from monitoring.models import Period
from monitoring.tests.factories import PeriodFactory
from pilots.models import Region, User
from pilots.tests.factories import (
    ActivityFactory,
    ActivityProgressFactory,
    CoordinatorFactory,
    InstituteFactory,
    MinistryFactory,
    OrganisationFactory,
    RegionFactory,
    StageFactory,
)
from reports.forms import SUMMARY_MAX_CHARS
from reports.models import Narrative, Report
from reports.selectors import summaries
from reports.services import report_queue, summary_save, summary_stamp
from reports.snapshot import take_snapshot

pytestmark = pytest.mark.django_db

Q3_END = datetime.date(2026, 9, 30)


@pytest.fixture
def quarters():
    q3 = PeriodFactory()  # 2026-Q3, 01.07–30.09
    q4 = PeriodFactory(
        code="2026-Q4",
        quarter=4,
        starts_on=datetime.date(2026, 10, 1),
        ends_on=datetime.date(2026, 11, 20),
        due_on=datetime.date(2026, 11, 25),
        review_due_on=datetime.date(2026, 11, 30),
    )
    return q3, q4


@pytest.fixture
def astana():
    return RegionFactory(code="KZ-71", name_en="Astana")


@pytest.fixture
def stage_of_two():
    stage = StageFactory(position=1)
    return stage, ActivityFactory(stage=stage), ActivityFactory(stage=stage)


def _astana_percent(as_of=None) -> float | None:
    _stages, rows, _total = figures.stage_progress_by_region(
        user=InstituteFactory(), filters=FigureFilters(), as_of=as_of
    )
    return {r.key: r.percents[1] for r in rows}.get("KZ-71")


# --- stage progress as of the quarter's end ---------------------------------------------------------------------


def test_stage_progress_as_of_a_quarters_end_counts_what_was_done_by_then_and_not_after(astana, stage_of_two):
    _stage, in_q3, in_q4 = stage_of_two
    organisation = OrganisationFactory(region=astana)
    ActivityProgressFactory(organisation=organisation, activity=in_q3, done_on=datetime.date(2026, 9, 15))
    ActivityProgressFactory(organisation=organisation, activity=in_q4, done_on=datetime.date(2026, 10, 10))
    assert _astana_percent(Q3_END) == 50.0
    assert _astana_percent() == 100.0  # the dashboards: as of today


def test_stage_progress_as_of_a_quarters_end_leaves_out_organisations_that_joined_later(astana, stage_of_two):
    _stage, first, _second = stage_of_two
    early = OrganisationFactory(region=astana)
    OrganisationFactory(region=astana, in_pilot_from=datetime.date(2026, 10, 5))
    ActivityProgressFactory(organisation=early, activity=first, done_on=datetime.date(2026, 9, 1))
    assert _astana_percent(Q3_END) == 50.0  # 1 of 2 activities × 1 organisation
    assert _astana_percent() == 25.0  # 1 of 2 × 2 once the newcomer is in


def test_an_unticked_activity_no_longer_counts_for_its_quarter(astana, stage_of_two):
    _stage, first, second = stage_of_two
    organisation = OrganisationFactory(region=astana)
    ActivityProgressFactory(organisation=organisation, activity=first, done_on=datetime.date(2026, 8, 1))
    unticked = ActivityProgressFactory(organisation=organisation, activity=second, done_on=datetime.date(2026, 8, 2))
    assert _astana_percent(Q3_END) == 100.0
    unticked.done, unticked.done_on = False, None
    unticked.save()
    assert _astana_percent(Q3_END) == 50.0


def _snapshot(kind, period, region=None, language="ru"):
    report = Report(
        kind=kind, period=period, region=region, language=language, requested_by=InstituteFactory(language="en")
    )
    return take_snapshot(report)


def test_a_q3_reports_stage_progress_excludes_an_activity_done_in_q4(quarters, astana, stage_of_two):
    q3, _q4 = quarters
    _stage, in_q3, in_q4 = stage_of_two
    organisation = OrganisationFactory(region=astana)
    ActivityProgressFactory(organisation=organisation, activity=in_q4, done_on=datetime.date(2026, 10, 10))
    before = _snapshot(Report.Kind.QUARTERLY, q3).dashboard
    assert before["stage_total"].percents[1] == 0.0
    ActivityProgressFactory(organisation=organisation, activity=in_q3, done_on=datetime.date(2026, 9, 15))
    after = _snapshot(Report.Kind.QUARTERLY, q3).dashboard
    assert after["stage_total"].percents[1] == 50.0
    assert after["stages_as_of"] == Q3_END


def test_a_regional_q3_reports_national_stage_figure_is_as_of_q3_too(quarters, astana, stage_of_two):
    q3, _q4 = quarters
    _stage, in_q3, in_q4 = stage_of_two
    organisation = OrganisationFactory(region=astana)
    ActivityProgressFactory(organisation=organisation, activity=in_q3, done_on=datetime.date(2026, 9, 15))
    ActivityProgressFactory(organisation=organisation, activity=in_q4, done_on=datetime.date(2026, 10, 10))
    data = _snapshot(Report.Kind.REGIONAL, q3, region=astana).dashboard
    assert data["stage_total"].percents[1] == data["national_stages"].percents[1] == 50.0


def test_a_q3_reports_annex_leaves_out_an_organisation_that_joined_in_q4(quarters, astana):
    q3, _q4 = quarters
    there = OrganisationFactory(region=astana)
    newcomer = OrganisationFactory(region=astana, in_pilot_from=datetime.date(2026, 10, 5))
    quarterly = _snapshot(Report.Kind.QUARTERLY, q3)
    assert [row.organisation for row in quarterly.annex["KZ-71"]] == [there]
    assert quarterly.organisation_count == 1
    final = _snapshot(Report.Kind.FINAL, None)
    assert {row.organisation for row in final.annex["KZ-71"]} == {there, newcomer}


# --- who writes a summary -------------------------------------------------------------------------------------------


def _region_url(period_code, region_code):
    return reverse("report_region_summary", args=[period_code, region_code])


def _body(kk="", ru="", seen=""):
    return {"text_kk": kk, "text_ru": ru, "seen": seen}


def test_a_coordinator_of_another_region_gets_404_writing_a_regions_summary(client, quarters, astana):
    client.force_login(CoordinatorFactory(region=RegionFactory(code="KZ-75")))
    assert client.get(_region_url("2026-Q3", "KZ-71")).status_code == 404
    assert client.post(_region_url("2026-Q3", "KZ-71"), _body(kk="Біздің облыс")).status_code == 404
    assert not Narrative.objects.exists()
    client.force_login(CoordinatorFactory(region=astana))  # the positive control: the region's own coordinator
    assert client.get(_region_url("2026-Q3", "KZ-71")).status_code == 200


def test_a_coordinator_may_not_write_the_institutes_summary(client, quarters, astana):
    client.force_login(CoordinatorFactory(region=astana))
    url = reverse("report_quarter_summary", args=["2026-Q3"])
    assert client.post(url, _body(kk="Ұлттық қорытынды")).status_code == 403
    assert not Narrative.objects.exists()
    client.force_login(InstituteFactory())  # the positive control: the Institute writes the same summary
    assert client.post(url, _body(kk="Ұлттық қорытынды")).status_code == 302
    assert Narrative.objects.get(language="kk").text == "Ұлттық қорытынды"


@pytest.mark.parametrize("factory", [InstituteFactory, MinistryFactory], ids=["institute", "ministry"])
def test_only_the_regions_coordinator_writes_its_summary(client, quarters, astana, factory):
    client.force_login(factory())
    assert client.post(_region_url("2026-Q3", "KZ-71"), _body(kk="Облыс қорытындысы")).status_code == 403
    assert not Narrative.objects.exists()
    client.force_login(CoordinatorFactory(region=astana))  # the positive control: the region's coordinator
    assert client.post(_region_url("2026-Q3", "KZ-71"), _body(kk="Облыс қорытындысы")).status_code == 302
    assert Narrative.objects.get(language="kk").text == "Облыс қорытындысы"


def test_the_ministry_may_not_write_the_institutes_summary(quarters):
    with pytest.raises(PermissionDenied):
        summary_save(user=MinistryFactory(), period=quarters[0], region=None, texts={"kk": "x"}, seen="")


def test_a_coordinator_writes_their_regions_summary(client, quarters, astana):
    coordinator = CoordinatorFactory(region=astana)
    client.force_login(coordinator)
    response = client.post(_region_url("2026-Q3", "KZ-71"), _body(kk="Облыста 5 ұйым", ru="В области 5 организаций"))
    assert response.status_code == 302
    saved = {n.language: n for n in summaries(period=quarters[0], region=astana)}
    assert (saved["kk"].text, saved["ru"].text) == ("Облыста 5 ұйым", "В области 5 организаций")
    assert saved["kk"].updated_by == coordinator
    assert saved["kk"].history.count() == 1


def test_the_institute_writes_the_quarters_summary(client, quarters):
    client.force_login(InstituteFactory())
    url = reverse("report_quarter_summary", args=["2026-Q3"])
    assert client.post(url, _body(ru="Квартал прошёл по плану")).status_code == 302
    assert summaries(period=quarters[0]).get(language="ru").text == "Квартал прошёл по плану"
    assert client.get(url).content.decode().count("Квартал прошёл по плану") == 1


@pytest.mark.parametrize("code", ["2031-Q1", "2026-Q5"])
def test_a_quarter_not_begun_or_unknown_is_404(client, quarters, code):
    PeriodFactory(
        code="2031-Q1",
        year=2031,
        quarter=1,
        starts_on=datetime.date(2031, 1, 1),
        ends_on=datetime.date(2031, 3, 31),
        due_on=datetime.date(2031, 4, 5),
        review_due_on=datetime.date(2031, 4, 10),
    )
    client.force_login(InstituteFactory())
    assert client.get(reverse("report_quarter_summary", args=[code])).status_code == 404
    assert client.get(reverse("report_quarter_summary", args=["2026-Q3"])).status_code == 200  # a begun one is there


def test_a_summary_too_long_is_refused_and_the_typed_text_stays_on_the_page(client, quarters):
    client.force_login(InstituteFactory())
    url = reverse("report_quarter_summary", args=["2026-Q3"])
    typed = "Ұзын мәтін " * (SUMMARY_MAX_CHARS // 10)
    response = client.post(url, _body(kk=typed.strip(), ru="Короткий текст"))
    assert response.status_code == 400
    page = response.content.decode()
    assert typed.strip() in page and "Короткий текст" in page
    assert not Narrative.objects.exists()
    shorter = client.post(url, _body(kk=typed[:100].strip(), ru="Короткий текст"))  # positive control
    assert shorter.status_code == 302


def test_a_summary_saved_meanwhile_is_not_overwritten_and_the_typed_text_stays(client, quarters):
    q3 = quarters[0]
    first, second = InstituteFactory(), InstituteFactory()
    summary_save(user=first, period=q3, region=None, texts={"kk": "Бірінші нұсқа", "ru": ""}, seen="")
    stale = ""  # the second writer opened the page before the first saved
    client.force_login(second)
    url = reverse("report_quarter_summary", args=["2026-Q3"])
    response = client.post(url, _body(kk="Екінші нұсқа", seen=stale))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors().as_data()[0].code == "stale"
    page = response.content.decode()
    assert "Екінші нұсқа" in page and "Бірінші нұсқа" in page
    assert summaries(period=q3).get(language="kk").text == "Бірінші нұсқа"
    # Saving again from that page goes through: it now carries the stamp of what it showed.
    again = client.post(url, _body(kk="Екінші нұсқа", seen=response.context["form"].data["seen"]))
    assert again.status_code == 302
    assert summaries(period=q3).get(language="kk").text == "Екінші нұсқа"


def test_the_stale_check_names_its_code(quarters):
    q3 = quarters[0]
    user = InstituteFactory()
    summary_save(user=user, period=q3, region=None, texts={"kk": "а"}, seen="")
    with pytest.raises(ValidationError) as error:
        summary_save(user=user, period=q3, region=None, texts={"kk": "б"}, seen="")
    assert error.value.code == "stale"
    summary_save(user=user, period=q3, region=None, texts={"kk": "б"}, seen=summary_stamp(summaries(period=q3)))


def test_the_summaries_page_lists_each_begun_quarter_with_a_link_to_write_it(client, quarters, astana):
    client.force_login(CoordinatorFactory(region=astana))
    page = client.get(reverse("report_summaries")).content.decode()
    assert _region_url("2026-Q3", "KZ-71") in page and _region_url("2026-Q4", "KZ-71") in page
    client.force_login(MinistryFactory())
    assert client.get(reverse("report_summaries")).status_code == 403


def test_the_final_reports_conclusions_page_ignores_the_summaries(client, quarters):
    institute = InstituteFactory()
    summary_save(user=institute, period=quarters[0], region=None, texts={"kk": "Тоқсан қорытындысы"}, seen="")
    client.force_login(institute)
    page = client.get(reverse("report_narrative")).content.decode()
    assert "Тоқсан қорытындысы" not in page
    assert client.get(reverse("report_quarter_summary", args=["2026-Q3"])).status_code == 200


# --- the summary in the PDF and the XLSX (the demo, compiled) --------------------------------------------------------


def _pdf_words(report: Report) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", report.latest_version.pdf.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def _compiled(user, kind, language, region=None) -> Report:
    report, _created = report_queue(
        user=user, kind=kind, period=Period.objects.get(code="2026-Q3"), region=region, language=language
    )
    report.refresh_from_db()
    return report


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def test_the_quarterly_report_prints_the_institutes_summary_in_its_language(institute):
    q3 = Period.objects.get(code="2026-Q3")
    texts = {"kk": "Үшінші тоқсанда жұмыс жоспар бойынша жүрді.", "ru": "В третьем квартале работа шла по плану."}
    summary_save(user=institute, period=q3, region=None, texts=texts, seen="")
    report = _compiled(institute, Report.Kind.QUARTERLY, "ru")
    words = _pdf_words(report)
    assert texts["ru"] in words and texts["kk"] not in words
    assert "30.09.2026" in words  # section 2: stage progress as of the quarter's end
    workbook = openpyxl.load_workbook(report.latest_version.xlsx.path, read_only=True)
    summary = workbook.worksheets[-1]
    first = next(summary.iter_rows(min_row=2, max_row=2, values_only=True))
    with translation.override("ru"):
        assert first[1] == str(q3.document_label) and first[3] == texts["ru"]


def test_a_quarterly_report_without_a_summary_says_it_is_not_written(institute):
    words = _pdf_words(_compiled(institute, Report.Kind.QUARTERLY, "kk"))
    assert _in("kk", "The Institute has not written its summary of this quarter yet.") in words


def test_the_regional_report_prints_its_coordinators_summary_with_their_name(astana_coordinator):
    astana_coordinator.first_name, astana_coordinator.last_name = "Айгүл", "Сейтқали"
    astana_coordinator.save()
    region = Region.objects.get(code="KZ-71")
    summary_save(
        user=astana_coordinator,
        period=Period.objects.get(code="2026-Q3"),
        region=region,
        texts={"kk": "Астанада барлық ұйым есеп тапсырды.", "ru": ""},
        seen="",
    )
    words = _pdf_words(_compiled(astana_coordinator, Report.Kind.REGIONAL, "kk", region=region))
    assert "Астанада барлық ұйым есеп тапсырды." in words
    assert "Айгүл Сейтқали" in words
    other = User.objects.get(username="region-kz-75")
    almaty = _compiled(other, Report.Kind.REGIONAL, "kk", region=Region.objects.get(code="KZ-75"))
    almaty_words = _pdf_words(almaty)
    assert "Астанада барлық ұйым есеп тапсырды." not in almaty_words
    assert _in("kk", "The regional coordinator has not written the summary of this quarter yet.") in almaty_words


def test_a_writer_who_changed_one_language_keeps_the_other_writers_text_in_the_other(client, quarters):
    q3 = quarters[0]
    first, second = InstituteFactory(), InstituteFactory()
    summary_save(user=first, period=q3, region=None, texts={"kk": "Бастапқы", "ru": "Исходный"}, seen="")
    client.force_login(second)
    url = reverse("report_quarter_summary", args=["2026-Q3"])
    opened = client.get(url).context["form"].initial  # the second writer opens the page
    summary_save(  # meanwhile the first changes the Russian
        user=first, period=q3, region=None, texts={"ru": "Новый текст"}, seen=summary_stamp(summaries(period=q3))
    )
    body = {**opened, "text_kk": "Екінші жазушының мәтіні"}  # the second changed the Kazakh only
    response = client.post(url, body)
    assert response.status_code == 302
    assert summaries(period=q3).get(language="kk").text == "Екінші жазушының мәтіні"
    assert summaries(period=q3).get(language="ru").text == "Новый текст"


def test_a_writer_who_changed_the_language_saved_meanwhile_is_stopped_and_sees_both(client, quarters):
    q3 = quarters[0]
    first, second = InstituteFactory(), InstituteFactory()
    summary_save(user=first, period=q3, region=None, texts={"kk": "Бастапқы", "ru": "Исходный"}, seen="")
    client.force_login(second)
    url = reverse("report_quarter_summary", args=["2026-Q3"])
    opened = client.get(url).context["form"].initial
    summary_save(
        user=first, period=q3, region=None, texts={"ru": "Новый текст"}, seen=summary_stamp(summaries(period=q3))
    )
    response = client.post(url, {**opened, "text_kk": "Қазақша", "text_ru": "Мой вариант"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.data["text_ru"] == "Мой вариант" and form.data["text_kk"] == "Қазақша"
    assert summaries(period=q3).get(language="ru").text == "Новый текст"
    again = client.post(url, form.data)  # positive control: from that page the save goes through
    assert again.status_code == 302
    assert summaries(period=q3).get(language="ru").text == "Мой вариант"
