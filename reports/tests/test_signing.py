"""The Institute's key, the approval block on the title page, the PAdES signature and its check."""

import datetime as dt
import html
import os
import re
import subprocess
import sys
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.exceptions import ValidationError
from django.test import override_settings
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from weasyprint import HTML

from reports import signing
from reports.signing import ApprovalBlock, load_signing_key, sign_approved_pdf, verify_pdf
from reports.tests.signing_keys import PASSPHRASE, SUBJECT, KeyFile, certificate_for

BLOCK = ApprovalBlock(
    heading="БЕКІТЕМІН",
    position="Балаларды ерте дамыту институтының директоры",
    name="Ә. Қ. Нұрғалиева",
    date="2026 жылғы 3 желтоқсан",
    language="kk",
)
REASON = "Есепті бекіту"
LOCATION = "Астана"


def _load(test_key: KeyFile, passphrase: str = PASSPHRASE, **others):
    with override_settings(REPORT_SIGNING_P12=str(test_key.path), REPORT_SIGNING_PASSWORD=passphrase, **others):
        return load_signing_key()


@pytest.fixture(scope="session")
def unsigned() -> bytes:
    """A one-page A4 PDF whose text stays clear of the block's space, as a report's title page does."""
    html = (
        "<style>@page { size: A4; margin: 22mm 18mm 20mm 22mm }</style>"
        "<div style='height: 42mm'></div><h1 style='text-align: center'>Талдамалық есеп</h1>"
    )
    return HTML(string=html).write_pdf()


@pytest.fixture(scope="session")
def signed(keys, unsigned) -> bytes:
    return sign_approved_pdf(unsigned, block=BLOCK, key=_load(keys["valid"]), reason=REASON, location=LOCATION)


def _page_one_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def _validate(pdf: bytes, certificate: x509.Certificate):
    signature = PdfFileReader(BytesIO(pdf)).embedded_signatures[0]
    trusted = signing._asn1_certificate(certificate)
    return signature, validate_pdf_signature(signature, signer_validation_context=ValidationContext([trusted]))


def _words(pdf: bytes) -> dict[str, tuple[float, float, float, float]]:
    """Each word of page 1 and its box in mm from the page's top left corner (the last, for a repeated word)."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    mm = 25.4 / 72
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return {html.unescape(word): tuple(float(v) * mm for v in box) for *box, word in re.findall(pattern, xhtml)}


# report.html's title page: A4, margins 22 mm at the top and 18 mm at the right, the space 75 × 32 mm.
BLOCK_SPACE = (210 - 18 - signing.BLOCK_WIDTH_MM, 22, 210 - 18, 22 + signing.BLOCK_HEIGHT_MM)


def _inside_block_space(box) -> bool:
    left, top, right, bottom = BLOCK_SPACE
    return box[0] >= left - 0.5 and box[1] >= top - 0.5 and box[2] <= right + 0.5 and box[3] <= bottom + 0.5


def _touches_block_space(box) -> bool:
    left, top, right, bottom = BLOCK_SPACE
    return box[0] < right and box[2] > left and box[1] < bottom and box[3] > top


# The key


def test_configured_key_loads_with_its_certificate(keys):
    key = _load(keys["valid"])

    certificate = keys["valid"].certificate
    assert key.subject == f"{SUBJECT} / Директор"
    assert key.serial == format(certificate.serial_number, "x")
    assert key.not_after == certificate.not_valid_after_utc
    assert x509.load_pem_x509_certificate(key.certificate_pem.encode()) == certificate
    assert key.demonstration is False


def test_expired_key_is_refused_with_its_date(keys):
    with pytest.raises(ValidationError) as refused:
        _load(keys["expired"])

    assert refused.value.code == "expired"
    assert "09.03.2025" in refused.value.messages[0]


def test_key_not_yet_valid_is_refused_with_its_date(keys):
    with pytest.raises(ValidationError) as refused:
        _load(keys["future"])

    assert refused.value.code == "not_yet_valid"
    assert "17.05.2030" in refused.value.messages[0]


def test_wrong_passphrase_is_a_bad_key_and_the_message_never_repeats_a_passphrase(keys):
    wrong = "not-the-passphrase-42"
    with pytest.raises(ValidationError) as refused:
        _load(keys["valid"], passphrase=wrong)

    assert refused.value.code == "bad_key"
    message = refused.value.messages[0]
    assert "cannot be opened: wrong passphrase or not a PKCS#12 file" in message
    assert str(keys["valid"].path) in message
    assert wrong not in message
    assert PASSPHRASE not in message


def test_file_that_is_not_pkcs12_is_a_bad_key(keys):
    with pytest.raises(ValidationError) as refused:
        _load(keys["not_pkcs12"])

    assert refused.value.code == "bad_key"


def test_pkcs12_with_only_a_certificate_has_no_private_key(keys):
    with pytest.raises(ValidationError) as refused:
        _load(keys["certificate_only"])

    assert refused.value.code == "no_private_key"


def test_configured_file_that_does_not_exist_is_no_key(tmp_path):
    with (
        override_settings(REPORT_SIGNING_P12=str(tmp_path / "missing.p12")),
        pytest.raises(ValidationError) as refused,
    ):
        load_signing_key()

    assert refused.value.code == "no_key"
    assert "missing.p12" in refused.value.messages[0]


def test_nothing_configured_and_no_demonstration_key_is_no_key(settings, tmp_path):
    settings.REPORT_DEMO_SIGNING_P12 = tmp_path / "demo-signing.p12"

    with pytest.raises(ValidationError) as refused:
        load_signing_key()

    assert refused.value.code == "no_key"
    assert "REPORT_SIGNING_P12" in refused.value.messages[0]


# The demonstration key


def test_ensure_demo_key_makes_the_key_once(settings, tmp_path):
    settings.REPORT_DEMO_SIGNING_P12 = path = tmp_path / "var" / "demo-signing.p12"

    assert signing.ensure_demo_key() == path
    first = path.read_bytes(), path.stat().st_mtime_ns
    assert signing.ensure_demo_key() is None

    assert (path.read_bytes(), path.stat().st_mtime_ns) == first
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["demo-signing.p12"]


def test_demonstration_key_says_so(settings, tmp_path):
    settings.REPORT_DEMO_SIGNING_P12 = tmp_path / "demo-signing.p12"
    signing.ensure_demo_key()

    key = load_signing_key()

    assert key.demonstration is True
    assert "Демонстрациялық" in key.subject
    assert key.not_after - key.not_before > dt.timedelta(days=700)


def test_ensure_demo_key_leaves_demo_alone_when_the_institutes_key_is_configured(settings, tmp_path, keys):
    settings.REPORT_DEMO_SIGNING_P12 = demo = tmp_path / "demo-signing.p12"
    settings.REPORT_SIGNING_P12 = str(keys["valid"].path)

    assert signing.ensure_demo_key() is None
    assert not demo.exists()
    settings.REPORT_SIGNING_P12 = ""
    assert signing.ensure_demo_key() == demo


def _demo_key_ending_in(path: Path, days: int) -> None:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    certificate = certificate_for(
        private_key, not_before=now - dt.timedelta(days=700), not_after=now + dt.timedelta(days=days)
    )
    encryption = serialization.BestAvailableEncryption(signing.DEMO_PASSPHRASE.encode())
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"demo", private_key, certificate, None, encryption))


def test_ensure_demo_key_renews_a_demo_key_that_ends_within_thirty_days(settings, tmp_path):
    settings.REPORT_DEMO_SIGNING_P12 = ending = tmp_path / "ending.p12"
    _demo_key_ending_in(ending, days=10)
    assert signing.ensure_demo_key() == ending
    assert load_signing_key().not_after > dt.datetime.now(dt.UTC) + dt.timedelta(days=700)

    settings.REPORT_DEMO_SIGNING_P12 = lasting = tmp_path / "lasting.p12"
    _demo_key_ending_in(lasting, days=60)
    before = lasting.read_bytes()
    assert signing.ensure_demo_key() is None
    assert lasting.read_bytes() == before


def test_load_demo_makes_the_demonstration_key(db, settings, tmp_path, monkeypatch):
    from django.core.management import call_command

    # Only the key is under test here: the demo's data, which take seconds, are left out.
    command = "programme.management.commands.load_demo"
    monkeypatch.setattr(f"{command}.load_demo", lambda today: {"regions": 0, "organisations": 0, "users_created": 0})
    monkeypatch.setattr(f"{command}.load_catalogue", lambda: None)
    monkeypatch.setattr(f"{command}.load_demo_submissions", lambda today: 0)
    settings.REPORT_DEMO_SIGNING_P12 = path = tmp_path / "demo-signing.p12"
    output = StringIO()
    call_command("load_demo", "--force", stdout=output)

    assert path.exists()
    assert f"demonstration signing certificate was created at {path}" in output.getvalue()
    again = StringIO()
    call_command("load_demo", "--force", stdout=again)
    assert "Demo data ready" in again.getvalue()
    assert "signing certificate" not in again.getvalue()


# Signing


def test_signature_is_intact_and_trusted_by_pyhanko_and_covers_the_whole_file(keys, signed):
    signature, status = _validate(signed, keys["valid"].certificate)

    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert status.md_algorithm == "sha256"
    assert signature.field_name == signing.SIGNATURE_FIELD
    assert signature.sig_object["/Reason"] == REASON
    assert signature.sig_object["/Location"] == LOCATION


def test_a_signature_is_made_with_the_key_opened_once_and_pyhanko_trusts_it(keys, unsigned, monkeypatch):
    """pyHanko would parse the key again for each signature (cryptography checking its primes each time)."""
    from pyhanko.sign.signers import pdf_cms

    parses = []
    parse = pdf_cms.serialization.load_der_private_key
    monkeypatch.setattr(
        pdf_cms.serialization, "load_der_private_key", lambda *a, **k: parses.append(1) or parse(*a, **k)
    )
    key = _load(keys["valid"])

    pdf = sign_approved_pdf(unsigned, block=BLOCK, key=key, reason=REASON, location=LOCATION)

    _signature, status = _validate(pdf, keys["valid"].certificate)
    assert status.intact and status.valid and status.trusted
    assert parses == []
    # The control: pyHanko's own way of signing, given the same key, parses it.
    signing.signers.SimpleSigner.sign_raw(key.signer, b"data", "sha256")
    assert parses == [1]


def test_signature_is_not_trusted_against_another_certificate(keys, signed):
    _signature, status = _validate(signed, keys["impostor"].certificate)

    assert status.intact and not status.trusted


def test_approval_block_is_text_on_page_one(unsigned, signed):
    before, after = _page_one_text(unsigned), _page_one_text(signed)

    assert "Талдамалық есеп" in before
    for words in ("БЕКІТЕМІН", "институтының", "директоры", "Ә. Қ. Нұрғалиева", "2026 жылғы 3 желтоқсан"):
        assert words not in before
        assert words in after
    assert "Талдамалық есеп" in after


def test_signed_file_begins_with_the_compiled_file_byte_for_byte(unsigned, signed):
    assert len(signed) > len(unsigned)
    assert signed[: len(unsigned)] == unsigned


def test_block_lies_in_the_top_right_space_clear_of_the_pages_text(unsigned, signed):
    before, after = _words(unsigned), _words(signed)

    assert _inside_block_space(after["БЕКІТЕМІН"])
    assert not _inside_block_space(after["Талдамалық"])
    assert "БЕКІТЕМІН" not in before


def test_demonstration_key_refuses_a_reason_that_does_not_say_demonstration(settings, tmp_path, unsigned):
    settings.REPORT_DEMO_SIGNING_P12 = tmp_path / "demo-signing.p12"
    signing.ensure_demo_key()
    key = load_signing_key()

    with pytest.raises(ValueError, match="demonstration"):
        sign_approved_pdf(unsigned, block=BLOCK, key=key, reason=REASON, location=LOCATION)
    demo = sign_approved_pdf(
        unsigned, block=BLOCK, key=key, reason=f"{REASON} (демонстрациялық қолтаңба)", location=LOCATION
    )
    assert "Демонстрациялық қолтаңба" in _page_one_text(demo)  # the block speaks the report's language (kk)


def test_institutes_key_prints_no_demonstration_line(signed):
    assert "БЕКІТЕМІН" in _page_one_text(signed)
    assert "Демонстрациялық" not in _page_one_text(signed)


def test_position_too_long_for_the_space_is_refused(keys, unsigned):
    key = _load(keys["valid"])
    long_block = ApprovalBlock("БЕКІТЕМІН", "директор " * 60, "Ә. Қ. Нұрғалиева", "2026 жылғы 3 желтоқсан", "kk")

    with pytest.raises(ValueError, match="taller"):
        sign_approved_pdf(unsigned, block=long_block, key=key, reason=REASON, location=LOCATION)
    assert sign_approved_pdf(unsigned, block=BLOCK, key=key, reason=REASON, location=LOCATION)


# Verification


def test_verify_signed_file_is_valid_and_whole(keys, signed):
    result = verify_pdf(signed, trusted_pems=[keys["valid"].pem])

    assert result.signed and result.intact and result.valid and result.whole_file
    assert result.problem == ""
    assert result.signer == f"{SUBJECT} / Директор"
    assert abs(result.signed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(hours=1)
    assert len(result.sha256) == 64


def test_verify_one_byte_changed_is_not_intact(keys, signed):
    changed = bytearray(signed)
    changed[len(signed) // 3] ^= 0x01

    assert verify_pdf(signed, trusted_pems=[keys["valid"].pem]).valid
    result = verify_pdf(bytes(changed), trusted_pems=[keys["valid"].pem])
    assert not result.intact and not result.valid
    assert result.problem


def _with_annotation(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    page_ref, _resources = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    note = writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Text"),
                pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in (50, 50, 70, 70)),
                pdf_name("/Contents"): generic.TextStringObject("added later"),
            }
        )
    )
    annotations = page.raw_get("/Annots") if "/Annots" in page else None
    if isinstance(annotations, generic.IndirectObject):
        annotations.get_object().append(note)
        writer.mark_update(annotations)
    else:
        page[pdf_name("/Annots")] = generic.ArrayObject([*(annotations or []), note])
        writer.mark_update(page_ref)
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def test_verify_something_added_after_signing_is_not_the_whole_file(keys, signed):
    added = _with_annotation(signed)

    assert verify_pdf(signed, trusted_pems=[keys["valid"].pem]).whole_file
    result = verify_pdf(added, trusted_pems=[keys["valid"].pem])
    assert added.startswith(signed)
    assert result.intact and not result.whole_file
    assert result.problem == "Something was added to the PDF after it was signed."


def test_verify_file_signed_by_another_key_with_the_same_subject_is_not_valid(keys, unsigned):
    impostor = sign_approved_pdf(unsigned, block=BLOCK, key=_load(keys["impostor"]), reason=REASON, location=LOCATION)

    assert verify_pdf(impostor, trusted_pems=[keys["impostor"].pem]).valid
    result = verify_pdf(impostor, trusted_pems=[keys["valid"].pem])
    assert result.intact and not result.valid
    assert result.problem == "The PDF was signed by an unknown certificate, not by this portal's."


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("empty", "This file is not a PDF."),
        ("random", "This file is not a PDF."),
        ("truncated", None),
        ("unsigned", "The PDF is not signed."),
        ("header only", None),
    ],
)
def test_verify_never_raises_on_what_is_not_a_signed_pdf(keys, unsigned, signed, name, expected):
    data = {
        "empty": b"",
        "random": os.urandom(4096),
        "truncated": signed[: len(signed) // 2],
        "unsigned": unsigned,
        "header only": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    }[name]

    result = verify_pdf(data, trusted_pems=[keys["valid"].pem, "not a certificate"])

    assert not result.valid and not result.whole_file
    assert result.problem
    if expected:
        assert result.problem == expected
    assert verify_pdf(signed, trusted_pems=[keys["valid"].pem, "not a certificate"]).problem == ""


# pyHanko's own command line, as docs/signing.md tells an operator to use it


def test_pyhanko_command_line_finds_the_signature_intact_and_trusted(keys, signed, tmp_path):
    command = Path(sys.executable).parent / "pyhanko"
    if not command.exists():
        reason = f"{command} is missing: pip install -r requirements.txt (pyhanko-cli)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    (tmp_path / "institute.pem").write_text(keys["valid"].pem)
    (tmp_path / "impostor.pem").write_text(keys["impostor"].pem)
    (tmp_path / "signed.pdf").write_bytes(signed)

    def validate(pem: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [command, "sign", "validate", "--trust-replace", "--trust", pem, "signed.pdf"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )

    trusted, untrusted = validate("institute.pem"), validate("impostor.pem")
    assert trusted.returncode == 0
    assert re.search(r"^InstituteApproval:[0-9a-f]{64}:INTACT:TRUSTED,UNTOUCHED$", trusted.stdout, re.M)
    assert untrusted.returncode != 0
    assert ":INTACT:UNTRUSTED" in untrusted.stdout


# The compiled reports' title pages


@pytest.mark.django_db
# The final report's title page is the fullest (the order's basis); the regional one adds its quarter
# and region. Each compilation takes seconds, so these two stand for all kinds and both languages.
@pytest.mark.parametrize(("kind", "language"), [("final", "ru"), ("regional", "kk")])
def test_title_page_keeps_the_block_space_free_and_the_block_fills_it(demo, keys, kind, language):
    from monitoring.models import Period
    from pilots.models import Region, User
    from reports.services import report_queue

    report, _created = report_queue(
        user=User.objects.get(username="institute"),
        kind=kind,
        language=language,
        period=None if kind == "final" else Period.objects.get(code="2026-Q3"),
        region=Region.objects.get(code="KZ-71") if kind == "regional" else None,
    )
    report.refresh_from_db()
    compiled = Path(report.latest_version.pdf.path).read_bytes()
    heading = {"kk": "БЕКІТЕМІН", "ru": "УТВЕРЖДАЮ"}[language]
    block = ApprovalBlock(heading, BLOCK.position, BLOCK.name, BLOCK.date, language)

    stamped = sign_approved_pdf(compiled, block=block, key=_load(keys["valid"]), reason=REASON, location=LOCATION)

    title_page = _words(compiled)
    assert len(title_page) > 20
    # The title page's last lines are still on it: the kept space pushed nothing onto a second page.
    assert "UTC+5" in _page_one_text(compiled)
    assert [word for word, box in title_page.items() if _touches_block_space(box)] == []
    after = _words(stamped)
    assert _inside_block_space(after[heading])
    assert _inside_block_space(after["Нұрғалиева"])
    assert _page_count(stamped) == _page_count(compiled)


def _page_count(pdf: bytes) -> int:
    return len(PdfFileReader(BytesIO(pdf)).root["/Pages"].get_object()["/Kids"])
