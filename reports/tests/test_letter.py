"""The cover letter (issue 10, item 3): what it says in the report's language, as PDF and as DOCX, and what
the sending form is prefilled with from the data.

Tests whose names end in `_catalogue` assert Kazakh and Russian words that come from the translation
catalogue: they pass once the catalogues with this change are compiled."""

import datetime
import hashlib
import io
import subprocess

import docx
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation

from monitoring.models import Period
from pilots.models import Clause, User
from pilots.reference import load_order, load_regions
from pilots.tests.factories import InstituteFactory, UserFactory
from reports.letter import (
    default_addressee,
    default_signatory,
    initials_and_surname,
    letter_content,
    render_letter_docx,
    render_letter_pdf,
)
from reports.models import Approval, Report, ReportVersion

pytestmark = pytest.mark.django_db

NUMBER = "01-12/345"
DATE = datetime.date(2026, 12, 7)
OFFICIAL_DATE = {"kk": "2026 жылғы 7 желтоқсан", "ru": "7 декабря 2026 года"}
SUB_CLAUSE = {
    ("final", "kk"): "бұйрықтың 3-тармағының 2) тармақшасына сәйкес",
    ("final", "ru"): "Во исполнение подпункта 2) пункта 3 приказа",
    ("quarterly", "kk"): "бұйрықтың 3-тармағының 1) тармақшасына сәйкес",
    ("quarterly", "ru"): "Во исполнение подпункта 1) пункта 3 приказа",
}
TITLE = {
    "kk": "«„Ерте жастан еңбекке және кәсіпке баулу“ пилоттық жобасын өткізу туралы»",
    "ru": "«О проведении пилотного проекта „Приобщение к труду и профессиям с раннего возраста“»",
}
ADDRESSEE = {
    "kk": "Қазақстан Республикасы Оқу-ағарту министрлігінің Мектепке дейінгі білім беру департаменті",
    "ru": "Департамент дошкольного образования Министерства просвещения Республики Казахстан",
}
CASES = [(kind, language) for kind in ("final", "quarterly") for language in ("kk", "ru")]


def _words(text: str) -> str:
    """Line breaks, padding and no-break spaces folded into single spaces."""
    return " ".join(text.split())


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _approved(kind: str, language: str) -> Approval:
    """A report with one compiled version, approved and signed, its files small stand-ins in MEDIA_ROOT."""
    load_order()
    load_regions()
    period = None
    if kind != "final":
        period, _created = Period.objects.get_or_create(
            code="2026-Q3",
            defaults={
                "year": 2026,
                "quarter": 3,
                "starts_on": datetime.date(2026, 7, 1),
                "ends_on": datetime.date(2026, 9, 30),
                "due_on": datetime.date(2026, 10, 5),
                "review_due_on": datetime.date(2026, 10, 10),
            },
        )
    report = Report.objects.create(kind=kind, period=period, language=language, status=Report.Status.DONE)
    pdf, xlsx = f"%PDF compiled {kind}".encode(), f"PK xlsx {language}".encode()
    signed = f"%PDF signed {kind} {language}".encode()
    version = ReportVersion(
        report=report,
        number=1,
        attempt=report.attempt,
        snapshot_at=timezone.now(),
        pdf_sha256=_sha(pdf),
        pdf_size=len(pdf),
        pdf_pages=42,
        xlsx_sha256=_sha(xlsx),
        xlsx_size=1_234_567,
    )
    version.pdf.save(f"{report.file_stem()}.pdf", ContentFile(pdf), save=False)
    version.xlsx.save(f"{report.file_stem()}.xlsx", ContentFile(xlsx), save=False)
    version.save()
    approval = Approval(
        version=version,
        approved_by=UserFactory(role=User.Role.DIRECTOR),
        approved_at=timezone.make_aware(datetime.datetime(2026, 12, 4, 11, 0)),
        approver_name="Ә. Қ. Нұрғалиева",
        approver_position="Директор" if language == "ru" else "Директоры",
        pdf_sha256=version.pdf_sha256,
        signed_sha256=_sha(signed),
        signed_size=len(signed),
        certificate_pem="-----BEGIN CERTIFICATE-----",
        certificate_subject="CN=Test",
        certificate_serial="1",
    )
    # Stored by name, as the approval service stores it (the field's upload_to expects a version, not an approval).
    approval.signed_pdf.name = default_storage.save(
        f"reports/{report.pk}/v1/{report.file_stem()}-signed-{_sha(signed)[:16]}.pdf", ContentFile(signed)
    )
    approval.save()
    return approval


def _content(approval: Approval, **overrides):
    report = approval.version.report
    arguments = {
        "report": report,
        "approval": approval,
        "number": NUMBER,
        "date": DATE,
        "addressee": default_addressee(report.language),
        "signatory_name": "Ә. Қ. Нұрғалиева",
        "signatory_position": "Балаларды ерте дамыту институтының директоры",
        "executor": "Г. Смағұлова",
        **overrides,
    }
    return letter_content(**arguments)


def _pdf_text(data: bytes, tmp_path, *, layout: bool = True) -> str:
    """The PDF's text; without the layout, side-by-side blocks (the letterhead's halves) come one after the other."""
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    options = ["-layout"] if layout else []
    return subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _docx_text(data: bytes) -> str:
    """The paragraphs, then every table cell's, then the footer's, as python-docx reads them."""
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    parts += [p.text for p in document.sections[0].footer.paragraphs]
    return "\n".join(parts)


def _expected(approval: Approval, kind: str, language: str) -> list[str]:
    version = approval.version
    return [
        f"№ {NUMBER}",
        OFFICIAL_DATE[language],
        SUB_CLAUSE[(kind, language)],
        TITLE[language],
        approval.signed_sha256,
        version.xlsx_sha256,
        f"{version.report.file_stem()}-v{version.number}-signed.pdf",
        f"{version.report.file_stem()}-v{version.number}.xlsx",
    ]


# --- the letter's words, in both files --------------------------------------------------------------


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_the_pdf_names_the_number_date_sub_clause_title_and_every_checksum_catalogue(kind, language, tmp_path):
    approval = _approved(kind, language)
    text = _words(_pdf_text(render_letter_pdf(_content(approval)), tmp_path))
    for expected in _expected(approval, kind, language):
        assert _words(expected) in text, expected


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_the_docx_names_the_number_date_sub_clause_title_and_every_checksum_catalogue(kind, language):
    approval = _approved(kind, language)
    text = _words(_docx_text(render_letter_docx(_content(approval))))
    for expected in _expected(approval, kind, language):
        assert _words(expected) in text, expected


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_quarterly_letter_names_its_quarter_and_the_final_one_names_none_catalogue(language):
    quarter = {"kk": "2026 жылғы III тоқсан", "ru": "III квартал 2026 года"}[language]
    quarterly = _content(_approved("quarterly", language))
    assert quarter in quarterly.paragraphs[0]
    final = _content(_approved("final", language))
    assert quarter not in final.paragraphs[0] and "тоқсан" not in final.paragraphs[0]
    assert "№\u00a0" in final.paragraphs[0]  # the positive control: the final's first paragraph cites its order


@pytest.mark.parametrize(("language", "signed_by"), [("kk", "ЭЦҚ"), ("ru", "ЭЦП")])
def test_the_letter_says_the_pdf_is_signed_and_who_approved_it_on_which_day_catalogue(language, signed_by):
    content = _content(_approved("final", language))
    body = " ".join(content.paragraphs)
    assert signed_by in body
    assert "Ә. Қ. Нұрғалиева" in body
    assert {"kk": "2026 жылғы 4 желтоқсан", "ru": "4 декабря 2026 года"}[language] in body


def test_the_attachments_give_the_signed_pdfs_pages_and_exact_sizes_catalogue():
    approval = _approved("final", "ru")
    pdf, xlsx = _content(approval).attachments
    assert approval.signed_size == 20
    assert pdf.details == "42 страницы, 20 байт"
    assert xlsx.details == "1\u00a0234\u00a0567 байт"


def test_a_demonstration_signature_is_said_to_be_one():
    approval = _approved("final", "kk")
    with translation.override("kk"):
        notice = translation.gettext("Demonstration signature: a test certificate, without legal force.")
    assert notice not in _content(approval).paragraphs
    Approval.objects.filter(pk=approval.pk).update(demonstration=True)
    approval.refresh_from_db()
    assert notice in _content(approval).paragraphs


def test_the_letter_is_written_in_the_reports_language_whoever_sends_it_catalogue(tmp_path):
    sender = InstituteFactory(language="ru")
    kazakh = _approved("final", "kk")
    with translation.override(sender.language):
        content = _content(kazakh)
    text = _words(_pdf_text(render_letter_pdf(content), tmp_path))
    assert "Есепті жолдау туралы" in text and "Қосымша:" in text
    assert "О направлении отчёта" not in text and "Приложение:" not in text
    russian_approval = _approved("final", "ru")  # the control: a Russian report sent by a Kazakh speaker
    with translation.override("kk"):
        control = _words(_pdf_text(render_letter_pdf(_content(russian_approval)), tmp_path))
    assert "О направлении отчёта" in control and "Приложение:" in control
    assert "Есепті жолдау туралы" not in control


def test_the_letterhead_names_the_institute_in_both_languages_whatever_the_letters_catalogue(tmp_path):
    for language in ("kk", "ru"):
        content = _content(_approved("final", language))
        text = _words(_pdf_text(render_letter_pdf(content), tmp_path, layout=False))
        assert "«БАЛАЛАРДЫ ЕРТЕ ДАМЫТУ ИНСТИТУТЫ»" in text
        assert "«ИНСТИТУТ РАННЕГО РАЗВИТИЯ ДЕТЕЙ»" in text


def test_a_number_typed_with_its_sign_is_printed_with_one_sign():
    content = _content(_approved("final", "kk"), number=f"№ {NUMBER}")
    assert content.number == f"№\u00a0{NUMBER}"


def test_the_executor_stands_at_the_foot_only_when_given_catalogue(tmp_path):
    approval = _approved("final", "ru")
    assert "Исполнитель: Г. Смағұлова" in _words(_pdf_text(render_letter_pdf(_content(approval)), tmp_path))
    without = _content(approval, executor="")
    assert without.executor == ""
    assert "Исполнитель" not in _words(_pdf_text(render_letter_pdf(without), tmp_path))


# --- prefilled from the data --------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_addressee_is_the_department_the_orders_clause_5_names_with_its_head_catalogue(language):
    load_order()
    assert default_addressee(language) == f"{ADDRESSEE[language]}\nМ.Е. Адамова"


def test_the_addressee_follows_the_clause_as_the_institute_edits_it_catalogue():
    load_order()
    Clause.objects.filter(kind=Clause.Kind.NOTIFICATION).update(
        responsible_ru="Департамент дошкольного образования (А.Б. Новикова)"
    )
    assert default_addressee("ru").splitlines()[1] == "А.Б. Новикова"


def test_without_the_clause_the_addressee_is_the_department_without_a_person_catalogue():
    load_order()
    Clause.objects.filter(kind=Clause.Kind.NOTIFICATION).delete()
    assert default_addressee("kk") == ADDRESSEE["kk"]


def test_the_signatory_is_the_active_director_by_initials_and_surname_catalogue():
    UserFactory(role=User.Role.DIRECTOR, first_name="Әлия Қайратқызы", last_name="Нұрғалиева")
    assert default_signatory("kk") == ("Ә. Қ. Нұрғалиева", "Балаларды ерте дамыту институтының директоры")
    assert default_signatory("ru") == ("Ә. Қ. Нұрғалиева", "Директор Института раннего развития детей")


def test_without_an_active_director_the_signatory_is_empty():
    UserFactory(role=User.Role.DIRECTOR, first_name="Әлия", last_name="Нұрғалиева", is_active=False)
    UserFactory(role=User.Role.INSTITUTE, first_name="Гүлнар", last_name="Смағұлова")
    assert default_signatory("kk") == ("", "")
    UserFactory(role=User.Role.DIRECTOR, first_name="Әлия", last_name="Нұрғалиева")  # the control
    assert default_signatory("kk")[0] == "Ә. Нұрғалиева"


@pytest.mark.parametrize(
    ("first", "last", "printed"),
    [("Әлия Қайратқызы", "Нұрғалиева", "Ә. Қ. Нұрғалиева"), ("", "Нұрғалиева", "Нұрғалиева"), ("Әлия", "", "")],
)
def test_a_name_is_printed_as_initials_and_surname(first, last, printed):
    assert initials_and_surname(first, last) == printed


def test_the_orders_number_stays_bound_to_its_sign():
    first = _content(_approved("final", "ru")).paragraphs[0]
    assert "№\u00a0___" in first
    assert "№ ___" not in first
