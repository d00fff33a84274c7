"""Writes of the last steps of clause 3: the director approves a compiled version, which signs it with
the Institute's key; the Institute sends it under a cover letter (DESIGN, «From compiled to sent»).

Each step writes its files first and its record last, in one transaction: a record never points at a
file that is not whole, and a failure leaves no record (a file written for a step that failed is
removed)."""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from monitoring.templatetags.monitoring_tags import official_date
from outbox.services import mail_enqueue
from pilot_portal.stored_files import storage_guard
from pilots import policy
from pilots.models import Clause, ClauseExecution, User
from pilots.services import clause_execution_record

from .models import Approval, CoverLetter, Report, ReportVersion
from .selectors import report_can_approve, report_can_send


def bare_number(number: str) -> str:
    """The register number as stored and printed: without a «№» the sender typed, spaces folded."""
    return " ".join(number.strip().lstrip("№").split())


log = logging.getLogger(__name__)


def person_name(user: User) -> str:
    """A name as documents print it under a signature: «А. Б. Surname», else the full name, else the login."""
    from .letter import initials_and_surname

    return initials_and_surname(user.first_name, user.last_name) or user.get_full_name() or user.get_username()


def director_position() -> str:
    """The director's post in the active language, as the approval block and the letter print it."""
    return _("Director of the Institute of Early Childhood Development")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_whole(field) -> bytes:
    with storage_guard(), field.open("rb") as handle:
        return handle.read()


def _save_new(name: str, data: bytes) -> str:
    """Store bytes under a name of their own (its checksum is in it); returns the stored name. A storage
    that cannot be reached refuses the step with a message, before anything is recorded."""
    with storage_guard():
        return default_storage.save(name, ContentFile(data))


def _discard(*names: str) -> None:
    for name in names:
        if name:
            try:
                default_storage.delete(name)
            except OSError:  # the failure being reported matters more than a file left behind
                log.warning("Could not remove %s after a failed step", name)


# --- Approval -------------------------------------------------------------------------------------


def report_approve(*, user: User, report: Report, seen_version: int | None = None) -> Approval:
    """The director approves the latest compiled version: the approval block goes on its title page, the
    PDF is signed with the Institute's key, and the approval is recorded with both checksums.

    Refused, with nothing written, when the user is not the director, when there is no compiled
    version or a new one is being compiled, when the version shown to the director is no longer the
    latest, when it is approved already, when its file changed on disk, or when the key cannot sign."""
    from .signing import ApprovalBlock, load_signing_key, sign_approved_pdf

    if not report_can_approve(user=user, report=report):
        raise PermissionDenied
    version = _approvable_version(report, seen_version)
    key = load_signing_key()  # a missing, expired or locked key is refused before anything is written
    try:
        compiled = _read_whole(version.pdf)
    except FileNotFoundError:
        raise ValidationError(
            _("The compiled PDF is missing from the storage; compile the report again."), code="pdf_missing"
        ) from None
    if _sha256(compiled) != version.pdf_sha256:
        raise ValidationError(
            _("The compiled PDF is not the file that was compiled (its SHA-256 differs); compile the report again."),
            code="pdf_changed",
        )
    now = timezone.now()
    today = timezone.localdate(now)
    with translation.override(report.language):
        name, position = person_name(user), director_position()
        block = ApprovalBlock(
            heading=pgettext("approval block", "I APPROVE"),
            position=position,
            name=name,
            date=official_date(today),
            language=report.language,
        )
        reason = _("Approved: %(report)s, version %(number)d.") % {
            "report": _report_title(report),
            "number": version.number,
        }
        if key.demonstration:
            reason += " " + _("Demonstration signature: a test certificate, without legal force.")
        location = _("Astana")
    try:
        signed = sign_approved_pdf(compiled, block=block, key=key, reason=reason, location=location)
    except ValueError as error:
        log.error("Report %s v%s could not be signed: %s", report.pk, version.number, error)
        raise ValidationError(
            _("The PDF could not be signed (%(reason)s); nothing was approved. Tell the portal's administrator.")
            % {"reason": error},
            code="not_signed",
        ) from None
    signed_sha = _sha256(signed)
    stored = _save_new(
        f"reports/{report.pk}/v{version.number}/{report.file_stem()}-signed-{signed_sha[:16]}.pdf", signed
    )
    try:
        with transaction.atomic():
            locked = Report.objects.select_for_update().get(pk=report.pk)
            if _approvable_version(locked, seen_version).pk != version.pk:
                raise ValidationError(
                    _("A new version was compiled while this one was being signed; read it, then approve it."),
                    code="stale_version",
                )
            approval = Approval.objects.create(
                version=version,
                approved_by=user,
                approved_at=now,
                approver_name=name,
                approver_position=position,
                pdf_sha256=version.pdf_sha256,
                signed_pdf=stored,
                signed_sha256=signed_sha,
                signed_size=len(signed),
                certificate_pem=key.certificate_pem,
                certificate_subject=key.subject[:500],
                certificate_serial=key.serial[:100],
                demonstration=key.demonstration,
            )
            _mail_analysts(approval)
    except IntegrityError:
        _discard(stored)
        raise ValidationError(_("This version has been approved already."), code="already_approved") from None
    except BaseException:
        _discard(stored)
        raise
    return approval


def _approvable_version(report: Report, seen_version: int | None) -> ReportVersion:
    version = report.versions.order_by("-number").first()
    if version is None:
        raise ValidationError(
            _("Only a compiled report can be approved: this one has no version yet."), code="not_compiled"
        )
    if report.status in (Report.Status.QUEUED, Report.Status.RUNNING):
        raise ValidationError(
            _("A new version of this report is being compiled; approve it once it is ready."), code="compiling"
        )
    if seen_version is not None and seen_version != version.number:
        raise ValidationError(
            _(
                "Version %(seen)d is no longer the latest: version %(latest)d was compiled since. "
                "Read it, then approve it."
            )
            % {"seen": seen_version, "latest": version.number},
            code="stale_version",
        )
    if Approval.objects.filter(version=version).exists():
        raise ValidationError(_("This version has been approved already."), code="already_approved")
    if version.unwritten:
        raise ValidationError(unwritten_message(version), code="unwritten")
    return version


def unwritten_message(version: ReportVersion) -> str:
    """Why a version compiled with texts still unwritten cannot be approved, and what to do, in the active
    language."""
    return _(
        "Version %(number)d was compiled before these texts were written: %(texts)s. In their place it says they "
        "are not written yet, and a document like that cannot be signed. Write them, compile the report again, "
        "then approve the new version."
    ) % {"number": version.number, "texts": ", ".join(version.unwritten_labels)}


def _report_title(report: Report) -> str:
    """The report's name in the active language: kind, quarter, region."""
    parts = [str(Report.Kind(report.kind).label)]
    if report.period_id:
        parts.append(report.period.document_label)
    if report.region_id:
        parts.append(report.region.name)
    return ", ".join(parts)


def _mail_analysts(approval: Approval) -> None:
    """Tell the Institute's analysts, each in their language, that a version was approved and signed."""
    version = approval.version
    report = version.report
    url = settings.SITE_URL + reverse("report_detail", args=[report.pk])
    analysts = policy.institute_analysts().filter(is_active=True).exclude(email="")
    for analyst in analysts:
        with translation.override(analyst.language):
            context = {
                "approval": approval,
                "version": version,
                "title": _report_title(report),
                "url": url,
                "sendable": report.kind in (Report.Kind.QUARTERLY, Report.Kind.FINAL),
            }
            subject = render_to_string("reports/mail/approved_subject.txt", context).strip()
            body = render_to_string("reports/mail/approved_body.txt", context)
        mail_enqueue(
            key=f"approval:{approval.pk}:{analyst.pk}",
            subject=subject,
            body=body,
            recipients=[analyst.email],
            language=analyst.language,
        )


# --- Sending --------------------------------------------------------------------------------------


def report_send(
    *,
    user: User,
    report: Report,
    number: str,
    date: datetime.date,
    addressee: str,
    signatory_name: str,
    signatory_position: str,
) -> CoverLetter:
    """The Institute sends the approved, signed latest version under a cover letter with an outgoing
    number and date; the order's clause 3.1 (a quarter) or 3.2 (the final report) records it."""
    from .letter import letter_content, render_letter_docx, render_letter_pdf

    if not report_can_send(user=user, report=report):
        raise PermissionDenied
    number = bare_number(number or "")
    addressee, signatory_name = addressee.strip(), signatory_name.strip()
    signatory_position = signatory_position.strip()
    approval = _sendable(report, number=number, date=date)
    content = letter_content(
        report=report,
        approval=approval,
        number=number,
        date=date,
        addressee=addressee,
        signatory_name=signatory_name,
        signatory_position=signatory_position,
        executor=person_name(user),
    )
    pdf, docx = render_letter_pdf(content), render_letter_docx(content)
    pdf_sha, docx_sha = _sha256(pdf), _sha256(docx)
    stem = f"letters/{report.pk}/{report.file_stem()}-letter"
    stored_pdf = stored_docx = ""
    try:
        stored_pdf = _save_new(f"{stem}-{pdf_sha[:16]}.pdf", pdf)
        stored_docx = _save_new(f"{stem}-{docx_sha[:16]}.docx", docx)
        with transaction.atomic():
            # Every report of this kind and quarter is locked, so that the Kazakh and the Russian one
            # cannot both be sent at the same moment: one report per quarter goes to the Department.
            list(Report.objects.select_for_update().filter(kind=report.kind, period=report.period).order_by("pk"))
            if _sendable(report, number=number, date=date).pk != approval.pk:
                raise ValidationError(
                    _("A newer version was approved while the letter was being written; send that one."),
                    code="stale_version",
                )
            mailed_to = settings.REPORT_SEND_EMAIL
            letter = CoverLetter.objects.create(
                report=report,
                approval=approval,
                number=number,
                date=date,
                addressee=addressee,
                signatory_name=signatory_name,
                signatory_position=signatory_position,
                pdf=stored_pdf,
                pdf_sha256=pdf_sha,
                docx=stored_docx,
                docx_sha256=docx_sha,
                sent_by=user,
                mailed_to=mailed_to,
            )
            Report.objects.filter(pk=report.pk).update(sent_at=timezone.now(), sent_by=user)
            _record_clause(report, letter, user)
            if mailed_to:
                _mail_letter(letter)
    except IntegrityError:
        _discard(stored_pdf, stored_docx)
        if CoverLetter.objects.filter(number=number).exists():
            raise ValidationError(
                {"number": ValidationError(_number_used_message(number), code="number_used")}
            ) from None
        raise ValidationError(_("This version has been sent already."), code="already_sent") from None
    except BaseException:
        _discard(stored_pdf, stored_docx)
        raise
    return letter


def _number_used_message(number: str) -> str:
    used = CoverLetter.objects.filter(number=number).first()
    if used is None:
        return _("The outgoing number %(number)s is already used for another letter.") % {"number": number}
    return _("The outgoing number %(number)s is already used for the letter of %(date)s.") % {
        "number": number,
        "date": formats.date_format(used.date, "SHORT_DATE_FORMAT"),
    }


def _sendable(report: Report, *, number: str, date: datetime.date) -> Approval:
    version = report.versions.order_by("-number").select_related("approval").first()
    approval = version.approval_or_none if version is not None else None
    if approval is None:
        raise ValidationError(
            _("Only an approved and signed version can be sent: the director has not approved the latest version."),
            code="not_approved",
        )
    if CoverLetter.objects.filter(approval=approval).exists():
        raise ValidationError(_("This version has been sent already."), code="already_sent")
    # A corrected version of a report already sent goes under its own letter; the same quarter's
    # report in the other language does not go at all.
    earlier = (
        CoverLetter.objects.filter(report__kind=report.kind, report__period=report.period)
        .exclude(report=report)
        .first()
    )
    if earlier is not None:
        raise ValidationError(
            _("The report for this quarter was already sent to the Department with letter № %(number)s of %(date)s.")
            % {"number": earlier.number, "date": formats.date_format(earlier.date, "SHORT_DATE_FORMAT")},
            code="already_sent",
        )
    errors = {}
    if not number:
        errors["number"] = ValidationError(_("Enter the outgoing number."), code="required")
    elif CoverLetter.objects.filter(number=number).exists():
        errors["number"] = ValidationError(_number_used_message(number), code="number_used")
    today = timezone.localdate()
    approved_on = timezone.localdate(approval.approved_at)
    if date > today:
        errors["date"] = ValidationError(
            _("The letter's date cannot be in the future (today is %(today)s).")
            % {"today": formats.date_format(today, "SHORT_DATE_FORMAT")},
            code="date_future",
        )
    elif date < approved_on:
        errors["date"] = ValidationError(
            _("The letter's date cannot be before the report was compiled and approved (%(date)s).")
            % {"date": formats.date_format(approved_on, "SHORT_DATE_FORMAT")},
            code="date_too_early",
        )
    if errors:
        raise ValidationError(errors)
    return approval


def _record_clause(report: Report, letter: CoverLetter, user: User) -> ClauseExecution:
    kind = Clause.Kind.FINAL_REPORT if report.kind == Report.Kind.FINAL else Clause.Kind.MONITORING
    clause = Clause.objects.filter(kind=kind).order_by("-order__signed_on").first()
    if clause is None:
        raise ValidationError(_("The order's clause for this report is not in the portal."), code="no_clause")
    version = letter.approval.version
    # The control card words the record in its reader's language; the note keeps what identifies the letter.
    note = f"№ {letter.number} · {report.file_stem()} v{version.number} · SHA-256 {letter.approval.signed_sha256[:12]}…"
    # Through the one write path of clause executions: its checks (who, a date not ahead) hold here too.
    return clause_execution_record(
        user=user,
        clause=clause,
        done_on=letter.date,
        note=note,
        reference=report.period.code if report.period_id else "final",
        document_number=letter.number,
    )


def _mail_letter(letter: CoverLetter) -> None:
    """The letter, the signed PDF and the workbook to the address the environment names."""
    from .letter import signed_pdf_name, xlsx_name

    report = letter.report
    version = letter.approval.version
    with translation.override(report.language):
        subject = _("Letter № %(number)s of %(date)s: %(report)s") % {
            "number": letter.number,
            "date": formats.date_format(letter.date, "SHORT_DATE_FORMAT"),
            "report": _report_title(report),
        }
        body = render_to_string("reports/mail/letter_body.txt", {"letter": letter, "title": _report_title(report)})
    stem = report.file_stem()
    attachments = [
        {"name": letter.pdf.name, "filename": f"{stem}-v{version.number}-letter.pdf", "mimetype": "application/pdf"},
        {"name": letter.approval.signed_pdf.name, "filename": signed_pdf_name(version), "mimetype": "application/pdf"},
        {
            "name": version.xlsx.name,
            "filename": xlsx_name(version),
            "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        },
    ]
    mail_enqueue(
        key=f"letter:{letter.pk}",
        subject=subject,
        body=body,
        recipients=[letter.mailed_to],
        language=report.language,
        attachments=attachments,
    )
