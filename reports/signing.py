"""The Institute's signing key, the approval block on a report's title page, its PAdES signature, and
the check of a signed file.

The key is a PKCS#12 file named by REPORT_SIGNING_P12 (its passphrase in REPORT_SIGNING_PASSWORD).
Without it, a self-signed demonstration key (REPORT_DEMO_SIGNING_P12, made by `load_demo`) signs, and
its signatures say so. See docs/signing.md.
"""

import datetime as dt
import functools
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash
from weasyprint import HTML

logger = logging.getLogger(__name__)

# The demonstration key protects nothing: anyone may read this passphrase, as anyone may read the
# certificate's name, which says it is a demonstration.
DEMO_PASSPHRASE = "demo-signing-not-secret"
# Together, as subject_label prints them, they say whose key it is and that it is a demonstration;
# each is at most 64 bytes of UTF-8, the limit cryptography holds X.509's names to.
DEMO_ORGANISATION = "Балаларды ерте дамыту институты"
DEMO_COMMON_NAME = "Демонстрациялық кілт / демо-ключ"
DEMO_VALID_DAYS = 730
# A demonstration key this close to its end is made anew, so a demo never stops signing mid-pilot.
DEMO_RENEW_DAYS = 30
DEMO_KEY_BITS = 3072

SIGNATURE_FIELD = "InstituteApproval"
# The title page keeps this box free at its top right (report.html, .approval-space); the block is
# laid out at this width and must be no taller.
BLOCK_WIDTH_MM = 75
BLOCK_HEIGHT_MM = 32
# A long position is tried at smaller sizes before the block is refused; strings, so that no
# template localises "9.5" into "9,5", which CSS would not read.
BLOCK_FONT_SIZES_PT = ("9.5", "8.5", "7.5")
_PX_PER_MM = 96 / 25.4
# The block's name among the title page's resources: WeasyPrint's own names are short and lowercase.
_BLOCK_RESOURCE = "/InstituteApprovalBlock"
# A demonstration signature's reason must say so, in any of the report's languages.
DEMONSTRATION_MARKS = ("demonstration", "демонстрац")


class OpenedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner with the key it signs with opened once.

    SimpleSigner parses its key anew for every signature, twice per signed file (the size of the
    signature is estimated by signing once), and cryptography checks an RSA key's primes on each parse:
    about 0.1 s each for the demonstration key's 3,072 bits. The key here was checked when its PKCS#12
    file was opened. Mechanisms other than RSA PKCS#1 v1.5 (the one the portal signs with) go to pyHanko."""

    def __init__(self, *, opened_key, **kwargs):
        super().__init__(**kwargs)
        self._opened_key = opened_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        try:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:  # a mechanism asn1crypto cannot name: pyHanko's own path reads it
            mechanism = None
        if mechanism != "rsassa_pkcs1v15" or not isinstance(self._opened_key, rsa.RSAPrivateKey):
            return super().sign_raw(data, digest_algorithm)
        return self._opened_key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


@dataclass(frozen=True)
class SigningKey:
    signer: signers.SimpleSigner
    certificate_pem: str
    subject: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    demonstration: bool


@dataclass(frozen=True)
class ApprovalBlock:
    """What the block prints, already in the report's language."""

    heading: str
    position: str
    name: str
    date: str
    language: str


@dataclass(frozen=True)
class Verification:
    sha256: str
    signed: bool
    intact: bool
    valid: bool
    whole_file: bool
    signer: str
    signed_at: dt.datetime | None
    problem: str

    @property
    def ok(self) -> bool:
        return self.valid and self.whole_file


def subject_label(certificate: x509.Certificate) -> str:
    """The certificate's organisation and common name, as a person reads them."""
    parts = []
    for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
        for attribute in certificate.subject.get_attributes_for_oid(oid):
            value = str(attribute.value).strip()
            if value and value not in parts:
                parts.append(value)
    return " / ".join(parts) or certificate.subject.rfc4514_string()


def _date(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y")


def load_signing_key(*, now: dt.datetime | None = None) -> SigningKey:
    """The Institute's key (REPORT_SIGNING_P12), else the demonstration key if it exists and is allowed
    (REPORT_SIGNING_ALLOW_DEMO, on with DEBUG).

    Raises ValidationError with code no_key, bad_key, no_private_key, expired or not_yet_valid;
    each message says what to fix. The passphrase is never logged nor repeated."""
    now = now or timezone.now()
    configured = str(settings.REPORT_SIGNING_P12 or "")
    if configured:
        path, passphrase, demonstration = Path(configured), settings.REPORT_SIGNING_PASSWORD, False
    else:
        path, passphrase, demonstration = Path(settings.REPORT_DEMO_SIGNING_P12), DEMO_PASSPHRASE, True
        # A production server where load_demo once ran must not sign with the demonstration key unasked.
        if not settings.REPORT_SIGNING_ALLOW_DEMO or not path.exists():
            raise ValidationError(
                _(
                    "No signing key is configured: set REPORT_SIGNING_P12 to the Institute's PKCS#12 file "
                    "(and REPORT_SIGNING_PASSWORD), or run load_demo for a demonstration key."
                ),
                code="no_key",
            )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(
            _("The signing key file %(path)s (REPORT_SIGNING_P12) does not exist.") % {"path": path},
            code="no_key",
        ) from None
    except OSError:
        raise ValidationError(
            _("The signing key file %(path)s (REPORT_SIGNING_P12) cannot be read by the portal.") % {"path": path},
            code="no_key",
        ) from None
    private_key, certificate, extra = _open_pkcs12(data, passphrase, path)
    if private_key is None or certificate is None or not _key_matches(private_key, certificate):
        raise ValidationError(
            _("The signing key file %(path)s holds no private key with its certificate.") % {"path": path},
            code="no_private_key",
        )
    if certificate.not_valid_after_utc < now:
        raise ValidationError(
            _("The signing certificate expired on %(date)s: put the Institute's new key in REPORT_SIGNING_P12.")
            % {"date": _date(certificate.not_valid_after_utc)},
            code="expired",
        )
    if certificate.not_valid_before_utc > now:
        raise ValidationError(
            _("The signing certificate is valid only from %(date)s.")
            % {"date": _date(certificate.not_valid_before_utc)},
            code="not_yet_valid",
        )
    signer = OpenedKeySigner(
        opened_key=private_key,
        signing_key=_asn1_private_key(private_key),
        signing_cert=_asn1_certificate(certificate),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_certificate(c) for c in extra]),
    )
    return SigningKey(
        signer=signer,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        subject=subject_label(certificate),
        serial=format(certificate.serial_number, "x"),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        demonstration=demonstration,
    )


def _open_pkcs12(data: bytes, passphrase: str, path: Path):
    try:
        return _opened_pkcs12(data, passphrase)
    # cryptography says ValueError for a wrong passphrase or a file it cannot parse, TypeError for a
    # passphrase given to an unencrypted file, and may say others for a key type it does not know.
    except Exception:  # noqa: BLE001
        raise ValidationError(
            _(
                "The signing key file %(path)s cannot be opened: wrong passphrase or not a PKCS#12 file. "
                "Check REPORT_SIGNING_PASSWORD; a GOST key cannot be used, the key must be RSA."
            )
            % {"path": path},
            code="bad_key",
        ) from None


# Opening a PKCS#12 file derives its key from the passphrase and checks the RSA key's primes: about
# 0.1 s, once per approval. The same bytes with the same passphrase open to the same key; a file put in
# its place holds other bytes.
@functools.lru_cache(maxsize=4)
def _opened_pkcs12(data: bytes, passphrase: str):
    return pkcs12.load_key_and_certificates(data, passphrase.encode() if passphrase else None)


def _key_matches(private_key, certificate: x509.Certificate) -> bool:
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    try:
        return private_key.public_key().public_bytes(*spki) == certificate.public_key().public_bytes(*spki)
    except (AttributeError, ValueError, TypeError):
        return False


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _asn1_private_key(private_key):
    from asn1crypto import keys

    return keys.PrivateKeyInfo.load(
        private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def make_demo_key(path: Path) -> None:
    """Write a self-signed demonstration key to `path` (PKCS#12, DEMO_PASSPHRASE, mode 0600)."""
    path = Path(path)
    key = rsa.generate_private_key(public_exponent=65537, key_size=DEMO_KEY_BITS)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_COMMON_NAME),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=DEMO_VALID_DAYS))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"demo-signing",
        key,
        certificate,
        None,
        serialization.BestAvailableEncryption(DEMO_PASSPHRASE.encode()),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside its place and renamed over it, so a reader never finds half a key.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".demo-signing-", suffix=".tmp")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def ensure_demo_key() -> Path | None:
    """Make the demonstration key when no real key is configured and the demo one is missing,
    unreadable or ends within DEMO_RENEW_DAYS; returns its path when it was made, None otherwise."""
    if settings.REPORT_SIGNING_P12:
        return None
    path = Path(settings.REPORT_DEMO_SIGNING_P12)
    soon = timezone.now() + dt.timedelta(days=DEMO_RENEW_DAYS)
    try:
        load_signing_key(now=soon)
    except ValidationError:
        make_demo_key(path)
        return path
    return None


def _is_demonstration_reason(reason: str) -> bool:
    lowered = reason.lower()
    return any(mark in lowered for mark in DEMONSTRATION_MARKS)


def sign_approved_pdf(pdf: bytes, *, block: ApprovalBlock, key: SigningKey, reason: str, location: str) -> bytes:
    """The compiled PDF with the approval block on its title page and the Institute's PAdES signature.

    Two incremental updates follow the compiled file, which stays byte for byte at the start: the
    first lays the block (real text) over the space the title page keeps for it, the second signs.
    A demonstration key's `reason` must say "demonstration" (in the report's language: the stem
    «демонстрац» serves kk and ru); otherwise ValueError, so a caller cannot pass a demo signature
    off as the Institute's. ValueError too when the block is too long for its space."""
    if key.demonstration and not _is_demonstration_reason(reason):
        raise ValueError("A demonstration key signs only with a reason that says it is a demonstration.")
    stamped = _stamp_block(pdf, _render_block(block, demonstration=key.demonstration))
    writer = IncrementalPdfFileWriter(BytesIO(stamped))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    output = signers.sign_pdf(writer, meta, signer=key.signer)
    return output.getvalue()


def _render_block(block: ApprovalBlock, *, demonstration: bool) -> bytes:
    for size in BLOCK_FONT_SIZES_PT:
        with translation.override(block.language):
            html = render_to_string(
                "reports/pdf/approval_block.html",
                {"block": block, "demonstration": demonstration, "width_mm": str(BLOCK_WIDTH_MM), "font_pt": size},
            )
        document = HTML(string=html).render()
        if len(document.pages) == 1 and _block_height_mm(document) <= BLOCK_HEIGHT_MM:
            return document.write_pdf()
    raise ValueError(
        f"The approval block is taller than its {BLOCK_HEIGHT_MM} mm at every font size; shorten the position."
    )


def _block_height_mm(document) -> float:
    for box in document.pages[0]._page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and element.get("class") == "approval":
            return box.margin_height() / _PX_PER_MM
    raise ValueError("The approval block's template has no element of class approval.")


def _stamp_block(pdf: bytes, block_pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    form = writer.import_page_as_xobject(PdfFileReader(BytesIO(block_pdf)))
    # Both pages are A4 with the origin at a corner, so the form is drawn where it was laid out. The
    # title page's own drawing is wrapped in q…Q so whatever state it leaves does not move the block.
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"q")), prepend=True)
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"Q")))
    writer.add_stream_to_page(
        0,
        writer.add_object(generic.StreamObject(stream_data=f"q 1 0 0 1 0 0 cm {_BLOCK_RESOURCE} Do Q".encode())),
        generic.DictionaryObject({pdf_name("/XObject"): generic.DictionaryObject({pdf_name(_BLOCK_RESOURCE): form})}),
    )
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def verify_pdf(data: bytes, *, trusted_pems: list[str]) -> Verification:
    """Is `data` a PDF signed by one of `trusted_pems`, unchanged since? Never raises.

    The certificate is judged as it stood when the file says it was signed, so a file signed with a
    key since expired or replaced still verifies against that key's certificate. No network."""
    digest = hashlib.sha256(data).hexdigest()

    def result(problem: str, **found) -> Verification:
        values = {
            "signed": False,
            "intact": False,
            "valid": False,
            "whole_file": False,
            "signer": "",
            "signed_at": None,
        }
        return Verification(sha256=digest, problem=problem, **{**values, **found})

    if b"%PDF-" not in data[:1024]:
        return result(_("This file is not a PDF."))
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception:  # noqa: BLE001 -- a damaged file may fail anywhere in the parser
        return result(_("The PDF is damaged and cannot be read."))
    if not signatures:
        return result(_("The PDF is not signed."))
    signature = signatures[-1]
    try:
        signed_at = signature.self_reported_timestamp
        context = ValidationContext(
            trust_roots=_certificates(trusted_pems),
            allow_fetching=False,
            moment=signed_at or timezone.now(),
        )
        status = validate_pdf_signature(signature, signer_validation_context=context)
    except Exception:  # noqa: BLE001 -- a damaged signature may fail anywhere in the validator
        return result(_("The signature is damaged and cannot be checked."), signed=True)
    found = {
        "signed": True,
        "intact": bool(status.intact),
        "valid": bool(status.intact and status.valid and status.trusted),
        "whole_file": status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        "signer": _signer_label(status.signing_cert),
        "signed_at": status.signer_reported_dt or signed_at,
    }
    if not status.intact:
        problem = _("The PDF was changed after it was signed.")
    elif not status.valid:
        problem = _("The signature is damaged and cannot be checked.")
    elif not status.trusted:
        problem = _("The PDF was signed by an unknown certificate, not by this portal's.")
    elif not found["whole_file"]:
        problem = _("Something was added to the PDF after it was signed.")
    else:
        problem = ""
    return result(problem, **found)


def _certificates(pems: list[str]) -> list[asn1_x509.Certificate]:
    certificates = []
    for pem in pems:
        try:
            certificates.append(_asn1_certificate(x509.load_pem_x509_certificate(pem.encode())))
        except ValueError:
            logger.warning("A trusted signing certificate could not be read and is left out.")
    return certificates


def _signer_label(certificate: asn1_x509.Certificate | None) -> str:
    if certificate is None:
        return ""
    try:
        return subject_label(x509.load_der_x509_certificate(certificate.dump()))
    except ValueError:
        return certificate.subject.human_friendly
