from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Narrative(models.Model):
    """The Institute's own text for the final report: conclusions and recommendations, per language."""

    class Section(models.TextChoices):
        CONCLUSIONS = "conclusions", _("Conclusions")
        RECOMMENDATIONS = "recommendations", _("Recommendations")

    section = models.CharField(_("section"), max_length=20, choices=Section.choices)
    language = models.CharField(_("language"), max_length=2, choices=[("kk", _("Kazakh")), ("ru", _("Russian"))])
    text = models.TextField(_("text"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("updated by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("narrative section")
        verbose_name_plural = _("narrative sections")
        constraints = [models.UniqueConstraint(fields=["section", "language"], name="one_narrative_per_language")]

    def __str__(self) -> str:
        return f"{self.get_section_display()} ({self.language})"
