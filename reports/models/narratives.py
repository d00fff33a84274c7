from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Narrative(models.Model):
    """Text written for a report, per language: the Institute's conclusions and recommendations for the
    final report, its summary of a quarter for the quarterly report, and a regional coordinator's summary
    of their region's quarter for the regional report (clause 4 makes the regional departments answerable)."""

    class Section(models.TextChoices):
        CONCLUSIONS = "conclusions", _("Conclusions")
        RECOMMENDATIONS = "recommendations", _("Recommendations")
        SUMMARY = "summary", _("Summary of the quarter")

    section = models.CharField(_("section"), max_length=20, choices=Section.choices)
    language = models.CharField(_("language"), max_length=2, choices=[("kk", _("Kazakh")), ("ru", _("Russian"))])
    # A summary's quarter, and for a coordinator's summary its region; the final report's texts have neither.
    period = models.ForeignKey(
        "monitoring.Period",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quarter"),
    )
    region = models.ForeignKey(
        "pilots.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    text = models.TextField(_("text"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("updated by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("narrative section")
        verbose_name_plural = _("narrative sections")
        # NULL never equals NULL in a unique index, so each shape of row has its own partial one.
        constraints = [
            models.UniqueConstraint(
                fields=["section", "language"],
                condition=Q(period__isnull=True, region__isnull=True),
                name="one_narrative_per_language",
            ),
            models.UniqueConstraint(
                fields=["section", "language", "period"],
                condition=Q(period__isnull=False, region__isnull=True),
                name="one_quarter_summary_per_language",
            ),
            models.UniqueConstraint(
                fields=["section", "language", "period", "region"],
                condition=Q(region__isnull=False),
                name="one_region_summary_per_language",
            ),
            models.CheckConstraint(
                condition=Q(section="summary", period__isnull=False)
                | (~Q(section="summary") & Q(period__isnull=True, region__isnull=True)),
                name="summary_has_a_quarter_final_texts_none",
            ),
        ]

    def __str__(self) -> str:
        where = " · ".join(str(x) for x in (self.period, self.region) if x is not None)
        return f"{self.get_section_display()} ({self.language}){' · ' + where if where else ''}"
