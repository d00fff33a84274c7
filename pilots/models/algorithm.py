from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pilot_portal.uploads import stored_file_name

from .i18n import LocalizedNameMixin
from .organisations import Organisation


class Stage(LocalizedNameMixin, models.Model):
    """A stage of the implementation algorithm (Appendix 1): preparatory, main, final."""

    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["position"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")


class Activity(LocalizedNameMixin, models.Model):
    """One thing each organisation does within a stage, ticked off when done."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="activities", verbose_name=_("stage"))
    code = models.SlugField(_("code"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)

    class Meta:
        ordering = ["stage__position", "position"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")


def evidence_path(instance, filename: str) -> str:
    # Kept under MEDIA_ROOT, which is never served directly; the view checks scope first. The person's own
    # name may not fit the file system, so the disk gets a short one; `evidence_name` keeps theirs.
    return f"evidence/activities/{instance.organisation.bin}/{instance.activity.code}/{stored_file_name(filename)}"


class ActivityProgress(models.Model):
    """An organisation's progress on one activity of the algorithm."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="activity_progress", verbose_name=_("organisation")
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="progress", verbose_name=_("activity")
    )
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("date done"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, max_length=300, blank=True)
    evidence_name = models.CharField(_("evidence file name"), max_length=255, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("updated by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity progress")
        verbose_name_plural = _("activity progress")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "activity"], name="one_progress_per_activity"),
        ]
        # A day's progress takes away the ticks dated after it, found through this (usually none).
        indexes = [models.Index(fields=["done_on"], name="progress_done_on")]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.activity}"

    @property
    def evidence_display_name(self) -> str:
        """The evidence's name as its sender gave it; files stored before names were kept show the stored one."""
        if not self.evidence:
            return ""
        return self.evidence_name or self.evidence.name.rsplit("/", 1)[-1]
