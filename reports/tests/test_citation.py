"""How reports cite the order (issue 9, item 1), name quarters (item 4), and what they say when a
quarter has no accepted data or the command is asked without one.

Tests whose names end in `_catalogue` assert Kazakh and Russian words that come from the
translation catalogue: they pass once the catalogues with this change are compiled."""

import datetime
import io
import subprocess

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from monitoring.control_card import order_control_card
from monitoring.models import Period, Status, Submission
from pilots.models import Order, Region, User
from pilots.orders import order_current
from reports.management.commands.compile_report import operator_language
from reports.models import Report
from reports.services import report_queue
from reports.snapshot import take_snapshot
from reports.xlsx import SHEET_TITLE_MAX, write_xlsx

pytestmark = pytest.mark.django_db

KINDS = ["final", "quarterly", "regional"]
LANGUAGES = ["kk", "ru"]

# The sub-clause each kind answers, word for word as the issue gives it (kk, ru).
SUB_CLAUSES = {
    ("final", "kk"): "бұйрықтың 3-тармағының 2) тармақшасына сәйкес",
    ("final", "ru"): "во исполнение подпункта 2) пункта 3 приказа",
    ("quarterly", "kk"): "бұйрықтың 3-тармағының 1) тармақшасына сәйкес",
    ("quarterly", "ru"): "во исполнение подпункта 1) пункта 3 приказа",
    ("regional", "kk"): "бұйрықтың 4-тармағына сәйкес",
    ("regional", "ru"): "во исполнение пункта 4 приказа",
}


def _words(text: str) -> str:
    """Layout line breaks, padding and no-break spaces folded into single spaces."""
    return " ".join(text.split())


def _compile(kind: str, language: str, period: str = "2026-Q3") -> Report:
    institute = User.objects.get(username="institute")
    report, _created = report_queue(
        user=institute,
        kind=kind,
        language=language,
        period=None if kind == "final" else Period.objects.get(code=period),
        region=Region.objects.get(code="KZ-71") if kind == "regional" else None,
    )
    report.refresh_from_db()
    return report


def _pages(report: Report) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", report.latest_version.pdf.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    return [_words(page) for page in text.split("\f") if page.strip()]


def _summary_rows(report: Report) -> list[tuple]:
    workbook = openpyxl.load_workbook(report.latest_version.xlsx.path, read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


# --- the order's fields --------------------------------------------------------------------


def test_an_order_without_a_number_is_cited_with_the_placeholder():
    assert _words(Order(number="").number_label) == "№ ___"


def test_an_order_with_a_number_is_cited_with_it():
    assert _words(Order(number=" 512 ").number_label) == "№ 512"


def test_the_registry_loads_the_issuers_office_and_the_basis(demo):
    order = order_current()
    assert order.issuer_kk == "Қазақстан Республикасы Оқу-ағарту министрінің міндетін атқарушы"
    assert order.issuer_ru == "исполняющий обязанности Министра просвещения Республики Казахстан"
    assert "1.5-тармағы" in order.basis_kk and "15 тамыздағы" in order.basis_kk
    assert "пункт 1.5" in order.basis_ru


# --- the PDF -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_the_title_page_cites_the_issuer_the_number_and_the_title(demo, kind, language):
    order = order_current()
    first = _pages(_compile(kind, language))[0]
    issuer = getattr(order, f"issuer_{language}")
    assert f"{issuer} {order.signatory}" in first
    assert "№ ___" in first
    with translation.override(language):
        assert _words(order.title_in_quotes) in first


@pytest.mark.parametrize("kind", KINDS)
def test_every_page_after_the_first_is_headed_by_the_order_with_its_issuer_and_number(demo, kind):
    order = order_current()
    pages = _pages(_compile(kind, "ru"))
    assert len(pages) > 3
    for page in pages[1:]:
        assert "№ ___" in page
        assert f"{order.issuer_ru} {order.signatory}" in page
        # The order's date in the official form, as on the title page, not in figures.
        assert "от 24 ноября 2025 года" in page and "24.11.2025" not in page


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_the_title_page_names_the_sub_clause_the_report_answers_catalogue(demo, kind, language):
    first = _pages(_compile(kind, language))[0]
    assert SUB_CLAUSES[kind, language] in first
    others = [phrase for (k, lang), phrase in SUB_CLAUSES.items() if lang == language and k != kind]
    assert not any(phrase in first for phrase in others)


def test_the_final_reports_title_page_states_the_orders_basis(demo):
    first = _pages(_compile("final", "kk"))[0]
    assert _words(order_current().basis_kk) in first


def test_a_quarterly_reports_title_page_leaves_the_basis_to_the_final_report(demo):
    first = _pages(_compile("quarterly", "kk"))[0]
    assert "1.5-тармағы" not in first
    assert "№ ___" in first  # the citation itself is there


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_title_page_names_the_quarter_and_astana_time_in_official_form_catalogue(demo, language):
    first = _pages(_compile("quarterly", language))[0]
    if language == "kk":
        assert "2026 жылғы III тоқсан" in first
        assert "Астана уақытымен" in first
    else:
        assert "III квартал 2026 года" in first
        assert "по времени Астаны (UTC+5)" in first
    assert "3 кв. 2026" not in first


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_annexs_status_words_are_never_cut(demo, language):
    text = "\n".join(
        subprocess.run(
            ["pdftotext", "-layout", _compile("final", language).latest_version.pdf.path, "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\f")
    )
    with translation.override(language):
        words = [str(status.label) for status in Status]
        assert str(Status.ACCEPTED.label) in text

    def is_stub(token):
        return any(word.endswith(token) and word != token for word in words)

    stub_lines = [line for line in text.splitlines() if line.split() and all(map(is_stub, line.split()))]
    assert stub_lines == []


def test_a_quarter_without_accepted_data_says_so_on_its_title_page(demo):
    Submission.objects.filter(period__code="2026-Q3", status=Status.ACCEPTED).update(status=Status.SUBMITTED)
    report = _compile("quarterly", "kk")
    quarter = Period.objects.get(code="2026-Q3")
    with translation.override("kk"):
        from django.utils.translation import gettext

        expected = gettext(
            "No monitoring data for %(period)s have been accepted: the figures in this report are not results."
        ) % {"period": quarter.document_label}
    assert _words(expected) in _pages(report)[0]
    assert any(expected in (row[1] or "") for row in _summary_rows(report) if len(row) > 1)


def test_a_quarter_with_accepted_data_does_not_say_it_has_none(demo):
    report = _compile("quarterly", "kk")
    quarter = Period.objects.get(code="2026-Q3")
    with translation.override("kk"):
        from django.utils.translation import gettext

        claim = gettext(
            "No monitoring data for %(period)s have been accepted: the figures in this report are not results."
        ) % {"period": quarter.document_label}
    assert _words(claim) not in _pages(report)[0]
    assert "№ ___" in _pages(report)[0]


# --- the XLSX ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_summary_sheet_cites_the_order_above_its_table(demo, kind):
    order = order_current()
    rows = _summary_rows(_compile(kind, "ru"))
    cells = [_words(str(value)) for row in rows[:8] for value in row if value]
    assert f"{order.issuer_ru} {order.signatory}" in cells
    with translation.override("ru"):
        title = _words(order.title_in_quotes)
    assert any("№ ___" in cell and title in cell for cell in cells)
    with translation.override("ru"):
        from reports.citation import CLAUSES

        assert str(CLAUSES[kind]) in cells
        from django.utils.translation import gettext

        header = gettext("Indicator")
    header_row = next(i for i, row in enumerate(rows) if row and row[0] == header)
    assert header_row > 3  # the citation comes first, the table after it


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_sheet_title_is_its_whole_translation_within_excels_limit(demo, language, tmp_path):
    from django.utils.translation import gettext

    report = _compile("final", "kk")
    report.language = language  # in memory only: the workbook is written in each portal language
    snapshot = take_snapshot(report)
    write_xlsx(snapshot, tmp_path / "book.xlsx")
    titles = openpyxl.load_workbook(tmp_path / "book.xlsx", read_only=True).sheetnames
    sources = ["Summary", "Regions", "Stages", "Skills", "Organisations", "Narratives", "Outside the cohort"]
    with translation.override(language):
        whole = {gettext(source) for source in sources}
        assert gettext("Summary") in titles
        # The quarterly and regional reports' sheet of their summary, which a final report has not.
        assert len(gettext("Summary of the quarter")) <= SHEET_TITLE_MAX
    assert all(len(title) <= SHEET_TITLE_MAX for title in titles)
    assert set(titles) <= whole


# --- the control card ----------------------------------------------------------------------


def test_the_control_card_cites_the_issuer_the_number_and_the_basis(client, demo):
    client.force_login(User.objects.get(username="institute"))
    page = client.get(reverse("order")).content.decode()
    order = order_current()
    assert f"{order.issuer_en} {order.signatory}" in page
    assert "№\u00a0___" in page
    assert escape(order.basis_en[1:]) in page  # printed with a capital first letter


def test_clause_3_1s_deadline_is_the_day_its_last_quarterly_report_is_due(demo, institute):
    today = datetime.date(2026, 12, 2)
    status = next(
        s for s in order_control_card(order=order_current(), today=today, user=institute) if s.clause.number == "3.1"
    )
    last_due = max(p.report_due_on for p in Period.objects.all())
    assert last_due == datetime.date(2026, 12, 10)  # Q4 ends on 20.11
    assert (status.starts_on, status.due_on) == (datetime.date(2026, 1, 1), last_due)
    assert status.days_left == (last_due - today).days
    with translation.override("en"):
        summary = next(
            s.summary
            for s in order_control_card(order=order_current(), today=today, user=institute)
            if s.clause.number == "3.1"
        )
    assert "10.12.2026" in summary


def test_the_control_card_prints_clause_3_1s_span_to_its_last_due_date(client, demo):
    client.force_login(User.objects.get(username="institute"))
    page = client.get(reverse("order")).content.decode()
    assert "01.01.2026–10.12.2026" in page
    assert "10.01.2027" not in page


# --- the command ---------------------------------------------------------------------------


def test_a_regional_report_without_a_quarter_covers_the_latest_quarter_that_has_ended(demo):
    out = io.StringIO()
    call_command("compile_report", "--kind", "regional", "--region", "KZ-71", stdout=out)
    latest = Period.objects.filter(ends_on__lt=datetime.date.today()).order_by("-ends_on").first()
    report = Report.objects.get(kind="regional")
    assert report.period == latest
    assert latest.code in out.getvalue()


def test_without_an_ended_quarter_the_command_names_the_missing_option(demo):
    Period.objects.update(ends_on=datetime.date(2099, 12, 31))
    with pytest.raises(CommandError, match="--period"):
        call_command("compile_report", "--kind", "regional", "--region", "KZ-71", stdout=io.StringIO())
    assert not Report.objects.exists()


def test_the_operators_language_is_the_shells(monkeypatch, settings):
    settings.LANGUAGE_CODE = "kk"
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    assert operator_language() == "ru"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert operator_language() == "kk"  # the portal's default


# --- the quarter's name --------------------------------------------------------------------


def test_a_quarter_is_named_for_documents_in_english():
    with translation.override("en"):
        assert Period(year=2026, quarter=3).document_label == "Q3 2026"


@pytest.mark.parametrize(("language", "name"), [("kk", "2026 жылғы III тоқсан"), ("ru", "III квартал 2026 года")])
def test_a_quarter_is_named_for_documents_in_official_form_catalogue(language, name):
    with translation.override(language):
        assert Period(year=2026, quarter=3).document_label == name
