from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pilot_portal.uploads import stored_file_name
from pilots.models import Organisation

from .catalogue import Indicator
from .periods import Period


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    ACCEPTED = "accepted", _("accepted")


# What counts as "submitted" for completeness (docs/monitoring.md): the organisation has handed
# the data in and it has not been sent back.
SUBMITTED_STATUSES = (Status.SUBMITTED, Status.ACCEPTED)
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
# What the figures count (docs/monitoring.md): accepted data only; a submission waiting for review is not.
COUNTED_STATUSES = (Status.ACCEPTED,)


class SubmissionQuerySet(models.QuerySet):
    def handed_in(self) -> "SubmissionQuerySet":
        """Handed in and not sent back (SUBMITTED_STATUSES): what completeness counts."""
        return self.filter(status__in=SUBMITTED_STATUSES)

    def counted(self) -> "SubmissionQuerySet":
        """Those whose values the figures count: accepted (COUNTED_STATUSES)."""
        return self.filter(status__in=COUNTED_STATUSES)


class ValueQuerySet(models.QuerySet):
    def counted(self) -> "ValueQuerySet":
        """Values of submissions the figures count (SubmissionQuerySet.counted)."""
        return self.filter(submission__status__in=COUNTED_STATUSES)


class Submission(models.Model):
    """One organisation's monitoring data for one period, and where it stands in review."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("organisation")
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("period"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Raised by every save; a save that carries an older version came from a stale page and is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    return_comment = models.TextField(_("comment on return"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    history = HistoricalRecords()

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["period", "organisation__region__code", "organisation__name_kk"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "period"], name="one_submission_per_period"),
        ]
        # The review queue's tabs: a quarter's submissions of one status (562 waiting of 10,651 at 11,000).
        indexes = [models.Index(fields=["period", "status"], name="submission_period_status")]

    def __str__(self) -> str:
        return f"{self.organisation.bin} · {self.period.code}"

    @property
    def counts_in_figures(self) -> bool:
        """Its values are in the figures (SubmissionQuerySet.counted), as this instance holds its status."""
        return self.status in COUNTED_STATUSES


class Value(models.Model):
    """One indicator's value in a submission: a number or a text, and an explanation a soft rule asked for."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="values", verbose_name=_("submission")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("indicator")
    )
    number = models.DecimalField(_("number"), max_digits=16, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    history = HistoricalRecords()

    objects = ValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("value")
        verbose_name_plural = _("values")
        constraints = [models.UniqueConstraint(fields=["submission", "indicator"], name="one_value_per_indicator")]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.number if self.number is not None else self.text}"


class Transition(models.Model):
    """A step of a submission through review: who, when, from which status to which, and why."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("submission")
    )
    from_status = models.CharField(_("status before"), max_length=10, choices=Status.choices)
    to_status = models.CharField(_("status after"), max_length=10, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    # The values at this moment, so a resubmission can show what changed since the return.
    values_snapshot = models.JSONField(_("values at this moment"), default=dict)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self) -> str:
        # The admin's inline shows this: the statuses in the reader's language, not their codes.
        return f"{self.submission} {self.get_from_status_display()} → {self.get_to_status_display()}"


class FieldComment(models.Model):
    """The reviewer's reason on one field of a returned submission."""

    transition = models.ForeignKey(
        Transition, on_delete=models.CASCADE, related_name="field_comments", verbose_name=_("transition")
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    comment = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("comment on a field")
        verbose_name_plural = _("comments on fields")

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.comment[:40]}"


def attachment_path(instance, filename: str) -> str:
    # Under MEDIA_ROOT, which no web server serves; the download view checks scope first. The person's own
    # name may not fit the file system, so the disk gets a short one; `original_name` keeps theirs.
    folder = f"evidence/submissions/{instance.submission.organisation.bin}/{instance.submission.period.code}"
    return f"{folder}/{stored_file_name(filename)}"


class Attachment(models.Model):
    """An evidence file attached to a submission."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("submission")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("type"), max_length=10)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # Attaching and removing stay on record (who, when, which file) after the row itself is gone.
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class ReminderLog(models.Model):
    """One reminder sent: the unique key makes a second firing of the same beat send nothing."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self) -> str:
        return self.key
