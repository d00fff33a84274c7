import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

# A quarter as documents name it (DESIGN: «2026 жылғы III тоқсан», «III квартал 2026 года»): a
# phrase per quarter, since each language puts the numeral, in Roman figures, in its own place.
DOCUMENT_LABELS = {
    1: pgettext_lazy("quarter in documents", "Q1 %(year)d"),
    2: pgettext_lazy("quarter in documents", "Q2 %(year)d"),
    3: pgettext_lazy("quarter in documents", "Q3 %(year)d"),
    4: pgettext_lazy("quarter in documents", "Q4 %(year)d"),
}


class Period(models.Model):
    """A reporting quarter: when its form opens, when organisations and regions are due, whether it is locked."""

    code = models.CharField(_("code"), max_length=7, unique=True, help_text=_("For example 2026-Q1"))
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(q, str(q)) for q in range(1, 5)])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    due_on = models.DateField(_("due for organisations"))
    review_due_on = models.DateField(_("review due for regions"))
    locked = models.BooleanField(_("locked"), default=False)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("locked by"),
    )
    # Who locked or unlocked a quarter, and when, stays on record (monitoring.services.period_lock).
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "quarter"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="one_period_per_quarter"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="period_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _("Q%(quarter)d %(year)d") % {"quarter": self.quarter, "year": self.year}

    @property
    def document_label(self) -> str:
        """The quarter in a report's titles and running text: "Q3 2026", «2026 жылғы III тоқсан»."""
        return str(DOCUMENT_LABELS[self.quarter]) % {"year": self.year}

    @property
    def report_due_on(self) -> datetime.date:
        """The Institute's quarterly report to the Department: the 10th of the month after the quarter ends."""
        first_next = (self.ends_on.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        return first_next.replace(day=10)

    def is_open(self, today: datetime.date) -> bool:
        """A form may be filled from the period's start until the Institute locks it."""
        return today >= self.starts_on and not self.locked

    def is_late(self, day: datetime.date) -> bool:
        """The due date is inclusive: a submission on that day is on time."""
        return day > self.due_on

    def days_to_due(self, today: datetime.date) -> int:
        """Positive while there is time left, negative once late."""
        return (self.due_on - today).days
