"""The last steps of clause 3 as the director and the Institute meet them: compile → approve (the PDF gets
the approval block and the Institute's signature) → send under a cover letter → the control card shows it."""

import datetime
import hashlib
import io
import subprocess

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from monitoring.models import Period
from outbox.models import Message
from outbox.services import message_deliver
from pilots.models import ClauseExecution, User
from reports.approvals import report_approve, report_send
from reports.models import Approval, CoverLetter, Narrative, Report, ReportVersion
from reports.services import report_queue
from reports.signing import verify_pdf

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _write_texts(language: str, period: str | None) -> None:
    """What the Institute writes for a report before it is compiled: the final report's conclusions and
    recommendations, or its summary of the quarter."""
    institute = User.objects.get(username="institute")
    if period is None:
        for section in (Narrative.Section.CONCLUSIONS, Narrative.Section.RECOMMENDATIONS):
            Narrative.objects.update_or_create(
                section=section,
                language=language,
                period=None,
                region=None,
                defaults={"text": f"{section.label} ({language})", "updated_by": institute},
            )
    else:
        Narrative.objects.update_or_create(
            section=Narrative.Section.SUMMARY, language=language, period=Period.objects.get(code=period), region=None,
            defaults={"text": f"The quarter {period} ({language})", "updated_by": institute},
        )  # fmt: skip


def _compile(kind="final", language="kk", period="2026-Q3", *, texts=True) -> Report:
    """A real compilation, as the Institute asks for it; with the texts it prints written first, unless texts=False."""
    institute = User.objects.get(username="institute")
    if texts:
        _write_texts(language, None if kind == "final" else period)
    report, _created = report_queue(
        user=institute,
        kind=kind,
        language=language,
        period=None if kind == "final" else Period.objects.get(code=period),
    )
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    return report


_COMPILED: dict[tuple, dict] = {}


def _compiled(kind="quarterly", language="kk", period="2026-Q3") -> Report:
    """A compiled report whose files are those of a real compilation of the same scope, made once per run:
    these tests are about what happens after compiling, and a compilation costs seconds."""
    key = (kind, language, period)
    if key not in _COMPILED:
        version = _compile(kind, language, period).latest_version
        _COMPILED[key] = {
            name: (getattr(version, name).name.rsplit("/", 1)[-1], _read(getattr(version, name)))
            for name in ("pdf", "xlsx")
        } | {"pages": version.pdf_pages}
        return version.report
    files = _COMPILED[key]
    report = Report.objects.create(
        kind=kind,
        language=language,
        period=None if kind == "final" else Period.objects.get(code=period),
        status=Report.Status.DONE,
        progress=100,
        requested_by=User.objects.get(username="institute"),
    )
    stored = {}
    for name in ("pdf", "xlsx"):
        filename, data = files[name]
        stored[name] = default_storage.save(f"reports/{report.pk}/v1/{filename}", ContentFile(data))
    ReportVersion.objects.create(
        report=report,
        number=1,
        attempt=report.attempt,
        snapshot_at=timezone.now(),
        pdf=stored["pdf"],
        pdf_sha256=hashlib.sha256(files["pdf"][1]).hexdigest(),
        pdf_size=len(files["pdf"][1]),
        pdf_pages=files["pages"],
        xlsx=stored["xlsx"],
        xlsx_sha256=hashlib.sha256(files["xlsx"][1]).hexdigest(),
        xlsx_size=len(files["xlsx"][1]),
    )
    return report


def _text(path_or_bytes) -> str:
    if isinstance(path_or_bytes, bytes):
        done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=path_or_bytes, capture_output=True, check=True)
        return " ".join(done.stdout.decode().split())
    done = subprocess.run(["pdftotext", "-layout", str(path_or_bytes), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def _first_page(path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(done.stdout.split())


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def _download(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def director(demo):
    return User.objects.get(username="director")


def _send(user, report, **overrides):
    fields = {
        "number": "01-12/345",
        "date": TODAY(),
        "addressee": "Департамент дошкольного образования",
        "signatory_name": "Д. Директор",
        "signatory_position": "Директор",
    }
    return report_send(user=user, report=report, **{**fields, **overrides})


# --- the whole path -----------------------------------------------------------------------------------


def test_a_version_compiled_before_the_conclusions_were_written_cannot_be_approved(client, director):
    report = _compile("final", "kk", texts=False)
    version = report.latest_version
    assert version.unwritten == ["conclusions", "recommendations"]
    assert "Институт өз қорытындыларын әлі жазған жоқ" in _text(version.pdf.path)
    client.force_login(director)
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert 'id="unwritten"' in page and reverse("report_approve", args=[report.pk]) not in page
    response = client.post(reverse("report_approve", args=[report.pk]), {"version": version.number}, follow=True)
    assert "compiled before these texts were written: conclusions, recommendations" in response.content.decode()
    assert not Approval.objects.filter(version__report=report).exists()
    client.force_login(User.objects.get(username="institute"))  # who writes them is shown where
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert f'href="{reverse("report_narrative")}" class="alert-link"' in page
    client.force_login(director)
    # Once they are written and the report compiled again, the new version is approved.
    _write_texts("kk", None)
    report = _compile("final", "kk")
    assert report.latest_version.unwritten == []
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert 'id="unwritten"' not in page and reverse("report_approve", args=[report.pk]) in page
    client.post(reverse("report_approve", args=[report.pk]), {"version": report.latest_version.number})
    assert Approval.objects.filter(version=report.latest_version).exists()


def test_a_quarterly_report_compiled_without_its_summary_cannot_be_approved(director):
    report = _compile("quarterly", "ru", "2026-Q2", texts=False)
    assert report.latest_version.unwritten == ["summary"]
    with pytest.raises(ValidationError) as refused:
        report_approve(user=director, report=report)
    assert refused.value.code == "unwritten"
    assert not Approval.objects.filter(version__report=report).exists()
    _write_texts("ru", "2026-Q2")
    report = _compile("quarterly", "ru", "2026-Q2")
    assert report_approve(user=director, report=report).version == report.latest_version


def test_the_directors_approval_stamps_the_title_page_and_signs_the_pdf(client, director):
    report = _compiled("final", "kk")
    version = report.latest_version
    assert "БЕКІТЕМІН" not in _first_page(version.pdf.path)  # the compiled PDF has no approval block
    client.force_login(director)
    response = client.post(reverse("report_approve", args=[report.pk]), {"version": version.number})
    assert response.status_code == 302
    approval = Approval.objects.get(version=version)
    signed = _read(approval.signed_pdf)
    page_one = _first_page(approval.signed_pdf.path)
    assert "БЕКІТЕМІН" in page_one and "Д. Директор" in page_one
    assert "Балаларды ерте дамыту институтының директоры" in page_one
    assert signed.startswith(_read(version.pdf))  # the compiled file stays the first revision
    assert hashlib.sha256(signed).hexdigest() == approval.signed_sha256
    assert approval.pdf_sha256 == version.pdf_sha256 and approval.approved_by == director
    checked = verify_pdf(signed, trusted_pems=[approval.certificate_pem])
    assert checked.signed and checked.intact and checked.valid and checked.whole_file


def test_the_demo_signature_says_it_is_a_demonstration_in_its_reason(director):
    from pyhanko.pdf_utils.reader import PdfFileReader

    approval = report_approve(user=director, report=_compiled("quarterly", "ru"))
    assert approval.demonstration
    reader = PdfFileReader(io.BytesIO(_read(approval.signed_pdf)))
    reason = str(reader.embedded_signatures[0].sig_object.get("/Reason"))
    assert "емонстрац" in reason  # «Демонстрационная подпись…»
    assert "УТВЕРЖДАЮ" in _first_page(approval.signed_pdf.path)


def test_downloads_offer_the_signed_pdf_once_approved_and_the_compiled_one_on_request(client, director):
    report = _compiled("quarterly", "kk")
    version = report.latest_version
    client.force_login(User.objects.get(username="ministry"))
    before = _download(client.get(reverse("report_pdf", args=[report.pk])))
    assert hashlib.sha256(before).hexdigest() == version.pdf_sha256
    approval = report_approve(user=director, report=report)
    after = client.get(reverse("report_pdf", args=[report.pk]))
    assert hashlib.sha256(_download(after)).hexdigest() == approval.signed_sha256
    assert f"{report.file_stem()}-v1-signed.pdf" in after["Content-Disposition"]
    compiled = _download(client.get(reverse("report_pdf", args=[report.pk]) + "?signed=0"))
    assert hashlib.sha256(compiled).hexdigest() == version.pdf_sha256


def test_the_reports_json_says_approved_signed_and_sent(client, director, institute):
    report = _compiled("quarterly", "ru")
    client.force_login(institute)
    url = reverse("report_detail", args=[report.pk])
    first = client.get(url, HTTP_ACCEPT="application/json").json()
    assert first["approved"] is None and first["signed"] is None and first["sent"] is None
    approval = report_approve(user=director, report=report)
    _send(institute, report, number="01-12/7")
    data = client.get(url, HTTP_ACCEPT="application/json").json()
    assert data["approved"]["version"] == 1 and data["approved"]["by"] == "Д. Директор"
    assert data["signed"]["sha256"] == approval.signed_sha256 and data["signed"]["demonstration"] is True
    assert data["sent"] == {"number": "01-12/7", "date": TODAY().strftime("%d.%m.%Y")}


def test_sending_writes_the_letter_records_clause_3_2_and_the_control_card_links_it(
    client, director, institute, monkeypatch
):
    from pilots import services

    recorded_through_the_service = []

    def spy(**kwargs):
        recorded_through_the_service.append(kwargs["document_number"])
        return services.clause_execution_record(**kwargs)

    monkeypatch.setattr("reports.approvals.clause_execution_record", spy)
    report = _compiled("final", "kk")
    approval = report_approve(user=director, report=report)
    client.force_login(institute)
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert 'name="number"' in page and 'name="addressee"' in page and "Мектепке дейінгі білім беру" in page
    date = TODAY().strftime("%d.%m.%Y")
    response = client.post(
        reverse("report_send", args=[report.pk]),
        {
            "number": "01-12/345",
            "date": date,
            "addressee": "Мектепке дейінгі білім беру департаменті",
            "signatory_name": "Д. Директор",
            "signatory_position": "Директор",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    letter = CoverLetter.objects.get(report=report)
    text = _text(letter.pdf.path)
    assert "01-12/345" in text
    assert f"{TODAY().year} жылғы {TODAY().day}" in text  # «2026 жылғы 2 желтоқсан»
    assert "3-тармағының 2) тармақшасы" in text
    assert approval.signed_sha256 in text.replace(" ", "") and report.latest_version.xlsx_sha256 in text.replace(
        " ", ""
    )
    execution = ClauseExecution.objects.get(clause__number="3.2", reference="final")
    assert execution.done_on == TODAY() and "01-12/345" in execution.note
    assert recorded_through_the_service == ["01-12/345"]
    card = client.get(reverse("order")).content.decode()
    assert reverse("report_letter", args=[report.pk]) in card and "01-12/345" in card
    letter_pdf = client.get(reverse("report_letter", args=[report.pk]))
    assert hashlib.sha256(_download(letter_pdf)).hexdigest() == letter.pdf_sha256
    docx = client.get(reverse("report_letter", args=[report.pk]) + "?format=docx")
    assert hashlib.sha256(_download(docx)).hexdigest() == letter.docx_sha256


def test_the_letters_docx_names_the_number_and_the_checksums(director, institute):
    import docx

    report = _compiled("quarterly", "ru")
    approval = report_approve(user=director, report=report)
    letter = _send(institute, report, number="02-05/11")
    document = docx.Document(io.BytesIO(_read(letter.docx)))
    text = " ".join(p.text for p in document.paragraphs)
    text += " ".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "02-05/11" in text and "подпункт" in text
    assert approval.signed_sha256 in text.replace(" ", "").replace("\n", "")


def test_approval_mails_the_institutes_analysts(director, institute):
    approval = report_approve(user=director, report=_compiled("quarterly", "kk"))
    keys = set(Message.objects.filter(key__startswith=f"approval:{approval.pk}:").values_list("key", flat=True))
    assert f"approval:{approval.pk}:{institute.pk}" in keys
    assert f"approval:{approval.pk}:{director.pk}" not in keys


def test_a_sent_report_is_mailed_with_its_files_when_an_address_is_set(settings, director, institute):
    settings.REPORT_SEND_EMAIL = "department@example.org"
    report = _compiled("quarterly", "kk")
    report_approve(user=director, report=report)
    mail.outbox.clear()
    letter = _send(institute, report)
    message = Message.objects.get(key=f"letter:{letter.pk}")
    message_deliver(message_id=message.pk)  # sent already after commit: a second delivery sends nothing
    assert Message.objects.get(pk=message.pk).delivered_at is not None
    (sent,) = [m for m in mail.outbox if m.to == ["department@example.org"]]
    assert letter.mailed_to == "department@example.org"
    names = [name for name, _content, _type in sent.attachments]
    assert len(names) == 3 and any(n.endswith("-letter.pdf") for n in names) and any(n.endswith(".xlsx") for n in names)


def test_without_an_address_a_sent_report_is_not_mailed(director, institute):
    report = _compiled("quarterly", "kk")
    report_approve(user=director, report=report)
    letter = _send(institute, report)
    assert letter.mailed_to == "" and not Message.objects.filter(key=f"letter:{letter.pk}").exists()
    assert CoverLetter.objects.filter(pk=letter.pk).exists()  # positive control: it was sent


# --- refusals -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["institute", "ministry", "admin"])
def test_nobody_but_the_director_may_approve(client, demo, username):
    report = _compiled("quarterly", "kk")
    client.force_login(User.objects.get(username=username))
    assert client.post(reverse("report_approve", args=[report.pk])).status_code == 403
    assert not Approval.objects.exists()
    client.force_login(User.objects.get(username="director"))
    client.post(reverse("report_approve", args=[report.pk]))
    assert Approval.objects.count() == 1  # the director, with the same request, may


def test_a_coordinator_cannot_even_see_a_national_report_to_approve(client, demo):
    report = _compiled("quarterly", "kk")
    client.force_login(User.objects.get(username="region-kz-71"))
    assert client.post(reverse("report_approve", args=[report.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        report_approve(user=User.objects.get(username="region-kz-71"), report=report)


def test_a_second_approval_of_the_same_version_is_refused(director):
    report = _compiled("quarterly", "kk")
    report_approve(user=director, report=report)
    with pytest.raises(ValidationError) as refused:
        report_approve(user=director, report=report)
    assert refused.value.code == "already_approved" and Approval.objects.count() == 1


def test_a_report_not_yet_compiled_cannot_be_approved(director, broker):
    broker.up = True  # recorded, not run: the report stays queued with no version
    report, _created = report_queue(user=User.objects.get(username="institute"), kind="final", language="kk")
    with pytest.raises(ValidationError) as refused:
        report_approve(user=director, report=report)
    assert refused.value.code == "not_compiled" and not Approval.objects.exists()


def test_a_version_other_than_the_one_the_director_read_is_not_approved(director):
    report = _compiled("quarterly", "kk")
    with pytest.raises(ValidationError) as refused:
        report_approve(user=director, report=report, seen_version=2)
    assert refused.value.code == "stale_version"
    assert report_approve(user=director, report=report, seen_version=1).version.number == 1


def test_a_correction_is_a_new_version_that_needs_its_own_approval(director, institute):
    from reports.services import report_requeue

    report = _compiled("quarterly", "kk")
    first = report_approve(user=director, report=report)
    _write_texts("kk", "2026-Q3")  # the summary the correction prints
    report_requeue(user=institute, report=report)
    report.refresh_from_db()
    assert report.latest_version.number == 2
    with pytest.raises(ValidationError) as refused:
        _send(institute, report)
    assert refused.value.code == "not_approved"
    second = report_approve(user=director, report=report)
    assert second.version.number == 2 and second.signed_sha256 != first.signed_sha256


def test_a_correction_of_a_sent_report_goes_under_a_letter_of_its_own(client, director, institute):
    from reports.services import report_requeue

    report = _compiled("quarterly", "kk")
    report_approve(user=director, report=report)
    first = _send(institute, report, number="01-12/1")
    _write_texts("kk", "2026-Q3")  # the summary the correction prints
    report_requeue(user=institute, report=report)
    report.refresh_from_db()
    client.force_login(institute)
    data = client.get(reverse("report_detail", args=[report.pk]), HTTP_ACCEPT="application/json").json()
    assert data["approved"] is None and data["sent"] is None  # version 2 is neither approved nor sent
    with pytest.raises(ValidationError) as refused:
        _send(institute, report, number="01-12/2")
    assert refused.value.code == "not_approved"
    report_approve(user=director, report=report)
    second = _send(institute, report, number="01-12/2")
    assert second.approval.version.number == 2 and first.approval.version.number == 1
    card = client.get(reverse("order")).content.decode()
    letters = reverse("report_letter", args=[report.pk])
    assert f"{letters}?version=1" in card and f"{letters}?version=2" in card
    assert f"{report.file_stem()}-v2-signed.pdf" in _text(_read(second.pdf))


def test_an_approved_version_cannot_be_deleted(director):
    report = _compiled("quarterly", "kk")
    version = report_approve(user=director, report=report).version
    with pytest.raises(ProtectedError):
        version.delete()
    assert report.versions.filter(pk=version.pk).exists()


def test_without_a_signing_key_nothing_is_approved_and_no_file_is_left(settings, director, tmp_path):
    settings.REPORT_SIGNING_P12 = ""
    settings.REPORT_DEMO_SIGNING_P12 = tmp_path / "absent.p12"
    report = _compiled("quarterly", "kk")
    with pytest.raises(ValidationError) as refused:
        report_approve(user=director, report=report)
    assert refused.value.code == "no_key" and not Approval.objects.exists()
    folder = settings.MEDIA_ROOT / "reports" / str(report.pk) / "v1"
    assert not [p for p in folder.iterdir() if "signed" in p.name]


def test_the_refusal_reaches_the_director_in_their_language(client, settings, director, tmp_path):
    settings.REPORT_SIGNING_P12 = ""
    settings.REPORT_DEMO_SIGNING_P12 = tmp_path / "absent.p12"
    User.objects.filter(pk=director.pk).update(language="ru")
    report = _compiled("quarterly", "kk")
    client.force_login(director)
    response = client.post(reverse("report_approve", args=[report.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="ru")
    page = response.content.decode()
    assert "REPORT_SIGNING_P12" in page and not Approval.objects.exists()


def test_an_expired_certificate_is_refused(settings, director, expired_p12):
    settings.REPORT_SIGNING_P12, settings.REPORT_SIGNING_PASSWORD = expired_p12
    report = _compiled("quarterly", "kk")
    with pytest.raises(ValidationError) as refused:
        report_approve(user=director, report=report)
    assert refused.value.code == "expired" and not Approval.objects.exists()


def test_an_unapproved_version_cannot_be_sent(client, institute):
    report = _compiled("quarterly", "kk")
    recorded = ClauseExecution.objects.filter(clause__number="3.1").count()
    with pytest.raises(ValidationError) as refused:
        _send(institute, report)
    assert refused.value.code == "not_approved"
    assert not CoverLetter.objects.exists()
    assert ClauseExecution.objects.filter(clause__number="3.1").count() == recorded


def test_the_director_and_the_ministry_cannot_send(client, director):
    report = _compiled("quarterly", "kk")
    report_approve(user=director, report=report)
    for username in ("director", "ministry"):
        client.force_login(User.objects.get(username=username))
        assert client.post(reverse("report_send", args=[report.pk]), {"number": "1"}).status_code == 403
    assert not CoverLetter.objects.exists()
    _send(User.objects.get(username="institute"), report)
    assert CoverLetter.objects.count() == 1  # the Institute may


def test_a_sender_the_clause_records_policy_refuses_records_nothing_and_sends_nothing(director, institute, monkeypatch):
    report = _compiled("quarterly", "kk")
    report_approve(user=director, report=report)
    recorded = ClauseExecution.objects.filter(clause__number="3.1").count()
    # The sending itself is allowed; only the order's record refuses (pilots.services.clause_execution_record).
    monkeypatch.setattr("pilots.policy.can_edit_registry", lambda user: False)
    with pytest.raises(PermissionDenied):
        _send(institute, report)
    assert ClauseExecution.objects.filter(clause__number="3.1").count() == recorded
    assert not CoverLetter.objects.exists()
    monkeypatch.undo()
    _send(institute, report)  # the control: allowed, the same sending records the clause
    assert ClauseExecution.objects.filter(clause__number="3.1").count() == recorded + 1


def test_an_outgoing_number_already_used_is_refused_on_its_field(director, institute):
    first = _compiled("quarterly", "kk", period="2026-Q2")
    second = _compiled("quarterly", "kk", period="2026-Q3")
    for report in (first, second):
        report_approve(user=director, report=report)
    _send(institute, first, number="01-12/345")
    with pytest.raises(ValidationError) as refused:
        _send(institute, second, number="01-12/345")
    assert refused.value.error_dict["number"][0].code == "number_used"
    assert not CoverLetter.objects.filter(report=second).exists()
    assert _send(institute, second, number="01-12/346").report == second


@pytest.mark.parametrize(
    ("days", "code"),
    [(1, "date_future"), (-400, "date_too_early")],
)
def test_a_letter_dated_in_the_future_or_before_the_approval_is_refused(director, institute, days, code):
    report = _compiled("quarterly", "kk")
    report_approve(user=director, report=report)
    with pytest.raises(ValidationError) as refused:
        _send(institute, report, date=TODAY() + datetime.timedelta(days=days))
    assert refused.value.error_dict["date"][0].code == code and not CoverLetter.objects.exists()
    assert _send(institute, report, date=TODAY()).date == TODAY()


def test_the_send_form_shows_the_refusal_beside_the_field_and_keeps_what_was_typed(client, director, institute):
    report = _compiled("quarterly", "kk")
    report_approve(user=director, report=report)
    client.force_login(institute)
    response = client.post(
        reverse("report_send", args=[report.pk]),
        {
            "number": "01-12/9",
            "date": "31.02.2026",
            "addressee": "Департамент",
            "signatory_name": "Д. Директор",
            "signatory_position": "Директор",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Enter a date that exists" in page and 'value="01-12/9"' in page
    date_input = next(tag for tag in page.split("<input") if 'name="date"' in tag.split(">")[0]).split(">")[0]
    assert 'aria-invalid="true"' in date_input and "autofocus" in date_input
    assert not CoverLetter.objects.exists()


def test_the_same_quarters_report_in_the_other_language_cannot_be_sent_again(director, institute):
    kazakh, russian = _compiled("quarterly", "kk"), _compiled("quarterly", "ru")
    for report in (kazakh, russian):
        report_approve(user=director, report=report)
    _send(institute, kazakh, number="1")
    recorded = ClauseExecution.objects.filter(clause__number="3.1", reference="2026-Q3").count()
    with pytest.raises(ValidationError) as refused:
        _send(institute, russian, number="2")
    assert refused.value.code == "already_sent" and recorded >= 1
    assert ClauseExecution.objects.filter(clause__number="3.1", reference="2026-Q3").count() == recorded


# --- verification --------------------------------------------------------------------------------------


def test_the_verification_page_recognises_a_signed_copy(client, director):
    report = _compiled("quarterly", "kk")
    approval = report_approve(user=director, report=report)
    client.force_login(User.objects.get(username="ministry"))
    upload = io.BytesIO(_read(approval.signed_pdf))
    upload.name = "copy.pdf"
    page = client.post(reverse("report_verify"), {"file": upload}).content.decode()
    assert "unchanged" in page and approval.signed_sha256 in page


def test_the_verification_page_reports_an_altered_copy_as_not_matching(client, director):
    report = _compiled("quarterly", "kk")
    approval = report_approve(user=director, report=report)
    signed = bytearray(_read(approval.signed_pdf))
    at = signed.index(b"/Producer") if b"/Producer" in signed else len(signed) // 3
    signed[at + 1] ^= 0x01
    client.force_login(User.objects.get(username="ministry"))
    upload = io.BytesIO(bytes(signed))
    upload.name = "altered.pdf"
    page = client.post(reverse("report_verify"), {"file": upload}).content.decode()
    assert "does not match" in page and "unchanged" not in page


def test_the_verification_page_does_not_name_a_report_the_reader_may_not_read(client, director):
    report = _compiled("quarterly", "kk")
    approval = report_approve(user=director, report=report)
    client.force_login(User.objects.get(username="region-kz-71"))
    upload = io.BytesIO(_read(approval.signed_pdf))
    upload.name = "copy.pdf"
    page = client.post(reverse("report_verify"), {"file": upload}).content.decode()
    assert "does not match" in page and reverse("report_detail", args=[report.pk]) not in page


def test_the_verification_page_refuses_garbage_without_an_error(client, demo):
    client.force_login(User.objects.get(username="ministry"))
    upload = io.BytesIO(b"not a pdf at all")
    upload.name = "x.pdf"
    response = client.post(reverse("report_verify"), {"file": upload})
    assert response.status_code == 200 and "does not match" in response.content.decode()


# --- bad input found in review ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["²", "9" * 5000, "abc"])
def test_an_odd_version_number_is_never_a_server_error(client, director, version):
    report = _compiled("quarterly", "kk")
    client.force_login(director)
    assert client.post(reverse("report_approve", args=[report.pk]), {"version": version}).status_code == 302
    assert Approval.objects.count() == 1  # an unreadable "seen version" is no version: the latest is approved
    client.force_login(User.objects.get(username="ministry"))
    assert client.get(reverse("report_letter", args=[report.pk]) + f"?version={version}").status_code == 404


def test_invisible_control_characters_are_refused_on_their_field(client, director, institute):
    report = _compiled("quarterly", "kk")
    report_approve(user=director, report=report)
    client.force_login(institute)
    body = {"number": "01-12/5", "date": TODAY().strftime("%d.%m.%Y"), "signatory_name": "Д. Директор"}
    response = client.post(reverse("report_send", args=[report.pk]), {**body, "addressee": "Департамент\x0bАдамова"})
    assert response.status_code == 400 and "control characters" in response.content.decode()
    assert not CoverLetter.objects.exists()
    client.post(reverse("report_send", args=[report.pk]), {**body, "addressee": "Департамент\nАдамова"})
    assert CoverLetter.objects.get().addressee == "Департамент\nАдамова"  # a line break is fine


def test_sending_with_only_the_number_and_the_date_takes_the_addressee_and_signatory_from_the_data(
    client, director, institute
):
    report = _compiled("quarterly", "ru")
    report_approve(user=director, report=report)
    client.force_login(institute)
    date = TODAY().strftime("%d.%m.%Y")
    response = client.post(reverse("report_send", args=[report.pk]), {"number": "01-12/6", "date": date})
    assert response.status_code == 302
    letter = CoverLetter.objects.get()
    assert "Департамент дошкольного образования" in letter.addressee and letter.signatory_name == "Д. Директор"


def test_a_number_typed_with_its_sign_is_the_same_number(director, institute):
    first, second = _compiled("quarterly", "kk", period="2026-Q2"), _compiled("quarterly", "kk", period="2026-Q3")
    for report in (first, second):
        report_approve(user=director, report=report)
    assert _send(institute, first, number="01-12/345").number == "01-12/345"
    with pytest.raises(ValidationError) as refused:
        _send(institute, second, number="№ 01-12/345")
    assert refused.value.error_dict["number"][0].code == "number_used"
    assert _send(institute, second, number="№ 01-12/346").number == "01-12/346"


def test_a_refused_sending_says_why_on_the_reports_page(client, director, institute):
    report = _compiled("quarterly", "kk")
    report_approve(user=director, report=report)
    _send(institute, report, number="01-12/7")
    client.force_login(institute)
    body = {"number": "01-12/8", "date": TODAY().strftime("%d.%m.%Y")}
    response = client.post(reverse("report_send", args=[report.pk]), body, follow=True)
    assert "This version has been sent already." in response.content.decode()
    assert CoverLetter.objects.count() == 1


def test_the_list_marks_a_correction_of_a_sent_report_as_waiting_for_approval(client, director, institute):
    from reports.services import report_requeue

    report = _compiled("quarterly", "kk")
    report_approve(user=director, report=report)
    _send(institute, report, number="01-12/9")
    client.force_login(director)
    assert "waits for your approval" not in client.get(reverse("report_list")).content.decode()
    _write_texts("kk", "2026-Q3")
    report_requeue(user=institute, report=report)
    assert "waits for your approval" in client.get(reverse("report_list")).content.decode()


def test_the_list_tells_the_ministry_a_compiled_report_is_not_approved_yet_until_it_is(client, director):
    report = _compiled("quarterly", "kk")
    client.force_login(User.objects.get(username="ministry"))
    listed = client.get(reverse("report_list")).content.decode()
    assert "not approved yet" in listed and ">approved<" not in listed
    report_approve(user=director, report=report)
    listed = client.get(reverse("report_list")).content.decode()
    assert ">approved<" in listed and "not approved yet" not in listed


def test_the_list_marks_a_version_compiled_without_its_texts_as_a_draft(client, director):
    _compile("quarterly", "kk", "2026-Q2", texts=False)
    client.force_login(director)
    listed = client.get(reverse("report_list")).content.decode()
    assert "draft: its texts are not written" in listed and "waits for your approval" not in listed


def test_the_demonstration_key_does_not_sign_where_it_is_not_allowed(settings, director):
    settings.REPORT_SIGNING_ALLOW_DEMO = False
    report = _compiled("quarterly", "kk")
    with pytest.raises(ValidationError) as refused:
        report_approve(user=director, report=report)
    assert refused.value.code == "no_key" and not Approval.objects.exists()
    settings.REPORT_SIGNING_ALLOW_DEMO = True
    assert report_approve(user=director, report=report).demonstration


def test_the_report_page_says_the_documents_cite_the_order_without_its_number_until_it_is_entered(client, director):
    from pilots.orders import order_current

    report = _compiled("quarterly", "kk")
    client.force_login(director)
    assert 'id="order-number-missing"' in client.get(reverse("report_detail", args=[report.pk])).content.decode()
    order = order_current()
    order.number = "123"
    order.save(update_fields=["number"])
    assert 'id="order-number-missing"' not in client.get(reverse("report_detail", args=[report.pk])).content.decode()
