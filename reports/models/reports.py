import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.models import Period
from pilots.models import Region

from .narratives import Narrative


class ReportQuerySet(models.QuerySet):
    def stale(self, *, now: datetime.datetime | None = None) -> "ReportQuerySet":
        """Compilations whose worker stopped: running, with no heartbeat for longer than the hard time
        limit. A live compilation cannot be that old (the worker kills it at the limit), so none of
        these is still being written."""
        cutoff = (now or timezone.now()) - datetime.timedelta(seconds=settings.REPORT_HARD_TIME_LIMIT)
        return self.filter(models.Q(heartbeat_at__lt=cutoff) | models.Q(heartbeat_at__isnull=True), status="running")


class Report(models.Model):
    """A report someone asked for: its kind, scope and language, and where its compilation stands."""

    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", _("quarterly report to the Department")
        REGIONAL = "regional", _("regional report")
        FINAL = "final", _("final analytical report")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("compiling")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    class Language(models.TextChoices):
        KAZAKH = "kk", _("Kazakh")
        RUSSIAN = "ru", _("Russian")

    class Source(models.TextChoices):
        PAGE = "page", _("the portal")
        COMMAND = "command", _("the command line")
        SCHEDULE = "schedule", _("the schedule")

    # Stored as codes and shown in the reader's language: a Kazakh reader of a report queued by a
    # Russian speaker must not find Russian words on the page.
    STEPS = {
        "reading": _("Reading the data"),
        "pdf": _("Writing the PDF"),
        "xlsx": _("Writing the XLSX"),
        "docx": _("Writing the DOCX"),
        "values": _("Writing the values"),
        "storing": _("Storing the files"),
        "dispatching": _("Sending to the background worker"),
        "no_broker": _(
            "The background worker cannot be reached; the report waits in the queue and is sent to it as soon as "
            "it answers."
        ),
        "restarted": _("The compilation stopped without finishing; it was sent to the background worker again."),
    }
    # Reasons of failure the portal itself gives, stored as codes for the same reason as the steps.
    STOPPED = "stopped"
    TIME_LIMIT = "time_limit"
    STORAGE = "storage"
    REASONS = {
        STOPPED: _(
            "The compilation stopped without finishing each time it was started (attempts: %(attempts)d): "
            "the background worker stopped or ran out of time. Compile it again once the worker runs."
        ),
        TIME_LIMIT: _("The compilation took longer than allowed and was stopped."),
        STORAGE: _(
            "The report was compiled, but the file store did not accept its files, so no version was recorded. "
            "Compile it again once the file store answers."
        ),
    }

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("period")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("region")
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    error = models.TextField(_("reason of failure"), blank=True)
    # Identifies one compilation: a redelivered task with the same token resumes it, never doubles it.
    attempt = models.UUIDField(_("attempt"), default=uuid.uuid4)
    # Written with each step of a running compilation; an old one means its worker is gone.
    heartbeat_at = models.DateTimeField(_("last sign of progress"), null=True, blank=True)
    # Restarts by the beat after the worker stopped, since someone last asked; bounded (services).
    stale_restarts = models.PositiveSmallIntegerField(_("restarted after its worker stopped"), default=0)
    source = models.CharField(_("requested from"), max_length=8, choices=Source.choices, default=Source.PAGE)
    # Empty for the drafts the schedule compiles by itself and for the command line.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # kind:period:region:language; at most one compilation of the same report is queued or running.
    scope_key = models.CharField(_("scope"), max_length=60, editable=False)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent to the Department at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked as sent by"),
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["scope_key"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_compilation_per_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period or ''} {self.region or ''} ({self.language})"

    def save(self, *args, **kwargs):
        self.scope_key = self.make_scope_key(self.kind, self.period, self.region, self.language)
        super().save(*args, **kwargs)

    @staticmethod
    def make_scope_key(kind, period, region, language) -> str:
        return f"{kind}:{period.code if period else '-'}:{region.code if region else '-'}:{language}"

    @property
    def step_label(self) -> str:
        if self.waits_for_a_worker:
            return str(self.STEPS["no_broker"])
        return str(self.STEPS.get(self.step, self.step))

    @property
    def error_label(self) -> str:
        """The reason of failure in the reader's language when the portal gave it; else as recorded."""
        reason = self.REASONS.get(self.error)
        if reason is None:
            return self.error
        return str(reason) % {"attempts": self.stale_restarts + 1}

    @property
    def is_stale(self) -> bool:
        """Running, but its worker stopped: nobody will finish it unless it is started again."""
        return self.status == self.Status.RUNNING and type(self).objects.stale().filter(pk=self.pk).exists()

    @property
    def dispatch_key(self) -> str:
        """The outbox message that hands this attempt's compilation to the worker."""
        return f"reports.compile_report:{self.pk}:{self.attempt}"

    @property
    def waits_for_a_worker(self) -> bool:
        """Queued, and no broker took it yet: the outbox sends it as soon as one answers."""
        from outbox.selectors import message_waits

        return self.status == self.Status.QUEUED and message_waits(key=self.dispatch_key)

    @property
    def latest_version(self):
        return self.versions.order_by("-number").first()

    def file_stem(self) -> str:
        """The download name without extension, e.g. final-report-2026-kk, quarterly-report-2026-Q3-ru."""
        parts = [f"{self.kind}-report"]
        if self.kind == self.Kind.FINAL:
            parts.append("2026")
        if self.period_id:
            parts.append(self.period.code)
        if self.region_id:
            parts.append(self.region.code)
        parts.append(self.language)
        return "-".join(parts)


def report_path(instance, filename: str) -> str:
    # Under MEDIA_ROOT, which no web server serves; downloads go through a view that checks scope.
    return f"reports/{instance.report_id}/v{instance.number}/{filename}"


class ReportVersion(models.Model):
    """One compiled version of a report; never changed once written."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions", verbose_name=_("report"))
    number = models.PositiveIntegerField(_("version"))
    attempt = models.UUIDField(_("attempt"))
    snapshot_at = models.DateTimeField(_("data as of"))
    compiled_at = models.DateTimeField(_("compiled at"), auto_now_add=True)
    pdf = models.FileField(_("PDF"), upload_to=report_path, max_length=300)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64)
    pdf_size = models.PositiveBigIntegerField(_("PDF size"))
    pdf_pages = models.PositiveIntegerField(_("PDF pages"), default=0)
    xlsx = models.FileField(_("XLSX"), upload_to=report_path, max_length=300)
    xlsx_sha256 = models.CharField(_("XLSX SHA-256"), max_length=64)
    xlsx_size = models.PositiveBigIntegerField(_("XLSX size"))
    # Every accepted value in long form, zipped CSV beside the workbook; empty in versions compiled before it.
    values_csv = models.FileField(_("values (CSV)"), upload_to=report_path, max_length=300, blank=True)
    values_csv_sha256 = models.CharField(_("values (CSV) SHA-256"), max_length=64, blank=True)
    values_csv_size = models.PositiveBigIntegerField(_("values (CSV) size"), default=0)
    values_csv_rows = models.PositiveIntegerField(_("values (CSV) rows"), default=0)
    # The working copy for editing in Word; empty in versions compiled before it.
    docx = models.FileField(_("DOCX"), upload_to=report_path, max_length=300, blank=True)
    docx_sha256 = models.CharField(_("DOCX SHA-256"), max_length=64, blank=True)
    docx_size = models.PositiveBigIntegerField(_("DOCX size"), default=0)
    seconds = models.FloatField(_("compile time, s"), default=0)
    # The texts the Institute (or a coordinator) writes for the report that were still empty when it was compiled
    # ("conclusions", "recommendations", "summary"): the document prints "not written yet" in their place, and
    # such a version cannot be approved.
    unwritten = models.JSONField(_("texts not written when compiled"), default=list, blank=True)

    class Meta:
        ordering = ["report", "-number"]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_number_unique"),
            # A redelivered task finds its own version instead of writing a second one.
            models.UniqueConstraint(fields=["report", "attempt"], name="report_version_per_attempt"),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"

    @property
    def unwritten_labels(self) -> list[str]:
        """The unwritten texts by their names in the active language («Conclusions», …)."""
        return [str(Narrative.Section(code).label).lower() for code in self.unwritten]

    def delete(self, *args, **kwargs):
        # An approved version is an official document: a correction is a new version, never a deletion.
        if Approval.objects.filter(version_id=self.pk).exists():
            raise ProtectedError(_("An approved version cannot be deleted."), {self})
        return super().delete(*args, **kwargs)

    @property
    def approval_or_none(self):
        try:
            return self.approval
        except Approval.DoesNotExist:
            return None


def approval_path(instance, filename: str) -> str:
    return f"reports/{instance.version.report_id}/v{instance.version.number}/{filename}"


class Approval(models.Model):
    """The director's approval of one compiled version, and the PDF signed with the Institute's key.

    Written once, with its signed file in place: there is no approval without its signature."""

    version = models.OneToOneField(
        ReportVersion, on_delete=models.PROTECT, related_name="approval", verbose_name=_("report version")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved at"))
    # What the approval block prints, as it was on the day: a later change of name or post does not
    # rewrite a signed document.
    approver_name = models.CharField(_("approver's name"), max_length=200)
    approver_position = models.CharField(_("approver's position"), max_length=300)
    # The compiled (unsigned) PDF the director approved, by its checksum.
    pdf_sha256 = models.CharField(_("approved PDF SHA-256"), max_length=64)
    signed_pdf = models.FileField(_("signed PDF"), upload_to=approval_path, max_length=300)
    signed_sha256 = models.CharField(_("signed PDF SHA-256"), max_length=64, unique=True)
    signed_size = models.PositiveBigIntegerField(_("signed PDF size"))
    # The certificate that signed, kept so that a copy can be checked after the key is replaced.
    certificate_pem = models.TextField(_("signing certificate (PEM)"))
    certificate_subject = models.CharField(_("signed by (certificate)"), max_length=500)
    certificate_serial = models.CharField(_("certificate serial number"), max_length=100)
    demonstration = models.BooleanField(_("demonstration signature"), default=False)

    class Meta:
        ordering = ["-approved_at"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"{self.version} · {self.approved_at:%d.%m.%Y}"


def letter_path(instance, filename: str) -> str:
    return f"letters/{instance.report_id}/{filename}"


class CoverLetter(models.Model):
    """The sending of an approved version to the Department: the outgoing letter and its record."""

    # A correction sent after the first version is a second letter of the same report.
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="letters", verbose_name=_("report"))
    approval = models.OneToOneField(
        Approval, on_delete=models.PROTECT, related_name="letter", verbose_name=_("approval")
    )
    # The Institute's outgoing register: one number, one letter.
    number = models.CharField(_("outgoing number"), max_length=50, unique=True)
    date = models.DateField(_("outgoing date"))
    addressee = models.TextField(_("addressee"))
    signatory_name = models.CharField(_("signatory's name"), max_length=200)
    signatory_position = models.CharField(_("signatory's position"), max_length=300)
    pdf = models.FileField(_("letter (PDF)"), upload_to=letter_path, max_length=300)
    pdf_sha256 = models.CharField(_("letter (PDF) SHA-256"), max_length=64)
    docx = models.FileField(_("letter (DOCX)"), upload_to=letter_path, max_length=300)
    docx_sha256 = models.CharField(_("letter (DOCX) SHA-256"), max_length=64)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    mailed_to = models.CharField(_("mailed to"), max_length=254, blank=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("cover letter")
        verbose_name_plural = _("cover letters")

    def __str__(self) -> str:
        return f"№ {self.number} · {self.date:%d.%m.%Y}"
