import re
import shutil
import subprocess
from dataclasses import dataclass

import docx
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from monitoring.models import Period, Status, Value
from pilots.models import Organisation, Region, User
from reports import services
from reports.models import Report

pytestmark = pytest.mark.django_db

WORKING_COPY = "Working copy for editing. The original is the PDF signed by the Institute."
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KINDS = [(kind, language) for kind in ("final", "quarterly", "regional") for language in ("kk", "ru")]


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def _compile(user, kind: str, language: str) -> Report:
    period = None if kind == "final" else Period.objects.get(code="2026-Q3")
    region = Region.objects.get(code="KZ-71") if kind == "regional" else None
    report, _created = services.report_queue(user=user, kind=kind, language=language, period=period, region=region)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    return report


@dataclass(frozen=True)
class Compiled:
    docx_path: str
    pdf_text: str
    contents: list[str]  # the PDF's table of contents: each section's heading, in order


def _contents(pdf_path: str, language: str) -> list[str]:
    """The headings the PDF's contents page lists, without their leaders and page numbers."""
    page = subprocess.run(
        ["pdftotext", "-layout", "-f", "2", "-l", "2", pdf_path, "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = [line.strip() for line in page.splitlines()]
    start = lines.index(_in(language, "Contents")) + 1
    headings, pending = [], ""
    for line in lines[start:]:
        if not line:
            if headings:
                break
            continue
        pending = f"{pending} {line}".strip()
        if re.search(r"\d+$", pending):  # a heading too long for one line goes on under it
            headings.append(re.sub(r"[\s.]*\d+$", "", pending))
            pending = ""
    return headings


@pytest.fixture(scope="session")
def compiled(tmp_path_factory):
    """Each kind and language compiled once for the run; the demo's data are the same in every test."""
    cache: dict[tuple[str, str], Compiled] = {}
    folder = tmp_path_factory.mktemp("docx")

    def get(user, kind: str, language: str) -> Compiled:
        if (kind, language) not in cache:
            version = _compile(user, kind, language).latest_version
            target = folder / f"{kind}-{language}.docx"
            shutil.copyfile(version.docx.path, target)
            text = subprocess.run(
                ["pdftotext", "-layout", version.pdf.path, "-"], capture_output=True, text=True, check=True
            ).stdout
            cache[(kind, language)] = Compiled(str(target), text, _contents(version.pdf.path, language))
        return cache[(kind, language)]

    return get


def _paragraphs(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


@pytest.mark.parametrize(("kind", "language"), KINDS)
def test_the_docx_has_the_pdfs_sections_as_heading_1_in_order(institute, compiled, kind, language):
    report = compiled(institute, kind, language)
    headings = _paragraphs(docx.Document(report.docx_path), "Heading 1")
    assert len(report.contents) >= 8  # the PDF's contents were read
    assert headings == report.contents


@pytest.mark.parametrize(("kind", "language"), KINDS)
def test_the_first_page_says_it_is_a_working_copy_above_the_title(institute, compiled, kind, language):
    document = docx.Document(compiled(institute, kind, language).docx_path)
    texts = [p.text for p in document.paragraphs]
    titles = [n for n, p in enumerate(document.paragraphs) if p.style.name == "Title"]
    assert texts[0] == _in(language, WORKING_COPY)
    assert titles and titles[0] > 0


@pytest.mark.parametrize(("kind", "language"), KINDS)
def test_the_docx_has_a_contents_field_and_spell_checks_in_the_reports_language(institute, compiled, kind, language):
    document = docx.Document(compiled(institute, kind, language).docx_path)
    xml = document.element.xml
    assert 'TOC \\o "1-3" \\h \\z \\u' in xml
    expected = {"kk": "kk-KZ", "ru": "ru-RU"}[language]
    normal = document.styles["Normal"].element.rPr
    assert normal.find(docx.oxml.ns.qn("w:lang")).get(docx.oxml.ns.qn("w:val")) == expected
    assert document.core_properties.language == expected


@pytest.mark.parametrize(("kind", "language"), KINDS)
def test_each_chart_of_the_pdf_is_a_picture_in_the_docx(institute, compiled, kind, language):
    report = compiled(institute, kind, language)
    figure = _in(language, "Figure")
    in_pdf = len(re.findall(rf"{figure} \d+\.", report.pdf_text))
    document = docx.Document(report.docx_path)
    captions = _paragraphs(document, "Caption")
    assert in_pdf >= 1  # the demo's reports have charts
    assert len(document.inline_shapes) == in_pdf
    assert [c.split(". ", 1)[0] for c in captions] == [f"{figure} {n}" for n in range(1, in_pdf + 1)]


def _annex_row(document, bin_: str) -> tuple[list[str], list[str], bool]:
    """(header cells, the row of the organisation with this BIN, whether the header repeats on each page)."""
    for table in document.tables:
        header = [c.text for c in table.rows[0].cells]
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            if bin_ in cells:
                repeats = table.rows[0]._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None
                return header, cells, repeats
    raise AssertionError(f"no row of {bin_}")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_annex_table_has_its_headers_and_an_organisations_children_as_the_data_hold_them(
    institute, compiled, language
):
    document = docx.Document(compiled(institute, "final", language).docx_path)
    organisation = Organisation.objects.filter(region__code="KZ-71").order_by("name_kk", "bin").first()
    latest = (
        Value.objects.filter(
            submission__organisation=organisation,
            submission__status=Status.ACCEPTED,
            indicator__code="children_total",
        )
        .order_by("-submission__period__starts_on")
        .first()
    )
    header, row, repeats = _annex_row(document, organisation.bin)
    assert header[:2] == [_in(language, "Organisation"), _in(language, "BIN")]
    # The last column is named by the catalogue's short name of the count it prints (children_total).
    assert latest is not None and header[-1] == getattr(latest.indicator, f"short_name_{language}")
    assert row[0] == (organisation.name_ru if language == "ru" else organisation.name_kk)
    assert latest is not None and row[-1] == f"{int(latest.number)}"  # the demo's groups stay under 1 000
    assert repeats


def test_the_steps_go_forward_with_the_docx_after_the_xlsx(institute, monkeypatch):
    seen = []
    original = services.Progress.__call__

    def record(self, percent, step):
        seen.append((percent, step))
        original(self, percent, step)

    monkeypatch.setattr(services.Progress, "__call__", record)
    version = _compile(institute, "final", "kk").latest_version
    steps = [step for _percent, step in seen]
    assert steps.index("docx") > steps.index("xlsx")
    assert [p for p, _step in seen] == sorted(p for p, _step in seen)
    assert version.docx.name.endswith("final-report-2026-kk.docx")
    assert version.docx_size > 0 and len(version.docx_sha256) == 64


def test_a_reader_downloads_the_docx_as_a_word_document(client, institute):
    report = _compile(institute, "final", "kk")
    client.force_login(User.objects.get(username="ministry"))
    response = client.get(reverse("report_docx", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="final-report-2026-kk.docx"'
    versioned = client.get(reverse("report_version_docx", args=[report.pk, 1]))
    assert versioned["Content-Disposition"] == 'attachment; filename="final-report-2026-kk-v1.docx"'


def test_another_regions_coordinator_gets_404_for_the_docx(client, demo):
    almaty = User.objects.get(username="region-kz-75")
    period, region = Period.objects.get(code="2026-Q3"), Region.objects.get(code="KZ-75")
    report, _created = services.report_queue(user=almaty, kind="regional", period=period, region=region, language="kk")
    client.force_login(User.objects.get(username="region-kz-71"))
    assert client.get(reverse("report_docx", args=[report.pk])).status_code == 404
    client.force_login(almaty)  # the positive control: its own coordinator gets it
    assert client.get(reverse("report_docx", args=[report.pk])).status_code == 200


def test_a_version_compiled_without_a_docx_is_404_for_it(client, institute):
    report = _compile(institute, "final", "kk")
    report.versions.update(docx="")  # as every version compiled before the DOCX was
    client.force_login(institute)
    assert client.get(reverse("report_version_docx", args=[report.pk, 1])).status_code == 404
    assert client.get(reverse("report_version_pdf", args=[report.pk, 1])).status_code == 200
    data = client.get(reverse("report_detail", args=[report.pk]), HTTP_ACCEPT="application/json").json()
    assert data["docx"] is None and data["xlsx"]
