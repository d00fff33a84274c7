import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from ..bin import validate_bin
from .i18n import LocalizedNameMixin, localized
from .regions import Region


def in_pilot_on_q(day: datetime.date) -> models.Q:
    """Organisations still in the pilot on that day: `in_pilot_until` is the last day in, so a date to come counts."""
    return models.Q(in_pilot_until__isnull=True) | models.Q(in_pilot_until__gte=day)


def in_pilot_between_q(starts_on, ends_on, *, prefix: str = "") -> models.Q:
    """In the pilot for some of the days from `starts_on` to `ends_on` (dates, or F() expressions):
    joined by the last day and not gone before the first. `prefix` reaches the organisation from
    another model (e.g. "organisation__")."""
    return models.Q(**{f"{prefix}in_pilot_from__lte": ends_on}) & (
        models.Q(**{f"{prefix}in_pilot_until__isnull": True}) | models.Q(**{f"{prefix}in_pilot_until__gte": starts_on})
    )


def expected_in_q(period, *, prefix: str = "") -> models.Q:
    """Expected to hand in the period's data: in the pilot for some of the period (docs/monitoring.md)."""
    return in_pilot_between_q(period.starts_on, period.ends_on, prefix=prefix)


class OrganisationQuerySet(models.QuerySet):
    def expected_in(self, period) -> "OrganisationQuerySet":
        """Those expected to hand in the period's data: in the pilot for some of it. One that joined
        after it or left before it is not expected, so no rate passes 100 %."""
        return self.filter(expected_in_q(period))

    def in_pilot_between(self, starts_on: datetime.date, ends_on: datetime.date) -> "OrganisationQuerySet":
        """In the pilot for some of the days from `starts_on` to `ends_on` (a report's quarters)."""
        return self.filter(in_pilot_between_q(starts_on, ends_on))

    def in_pilot_on(self, day: datetime.date) -> "OrganisationQuerySet":
        """In the pilot on that day: joined by it and not gone before it."""
        return self.in_pilot_between(day, day)


class Organisation(LocalizedNameMixin, models.Model):
    """A preschool organisation of the pilot (Appendix 2), identified by its BIN."""

    class Settlement(models.TextChoices):
        URBAN = "urban", _("urban")
        RURAL = "rural", _("rural")

    class Ownership(models.TextChoices):
        STATE = "state", _("state")
        PRIVATE = "private", _("private")

    class Language(models.TextChoices):
        KAZAKH = "kk", pgettext_lazy("language of instruction", "Kazakh")
        RUSSIAN = "ru", pgettext_lazy("language of instruction", "Russian")
        MIXED = "mixed", pgettext_lazy("language of instruction", "mixed")

    bin = models.CharField(_("BIN"), max_length=12, unique=True, validators=[validate_bin])
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("region"))
    district_kk = models.CharField(_("district or city (Kazakh)"), max_length=150, blank=True)
    district_ru = models.CharField(_("district or city (Russian)"), max_length=150, blank=True)
    settlement = models.CharField(
        _("settlement type"), max_length=5, choices=Settlement.choices, default=Settlement.URBAN
    )
    ownership = models.CharField(_("ownership"), max_length=7, choices=Ownership.choices, default=Ownership.STATE)
    language = models.CharField(
        _("language of instruction"), max_length=5, choices=Language.choices, default=Language.KAZAKH
    )
    groups = models.PositiveIntegerField(_("number of groups"), default=0)
    children = models.PositiveIntegerField(_("children enrolled"), default=0)
    director = models.CharField(_("director"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    in_pilot_from = models.DateField(_("in the pilot from"))
    in_pilot_until = models.DateField(_("in the pilot until"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo record"), default=False)
    history = HistoricalRecords()

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["region__code", "name_kk", "bin"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(in_pilot_until__isnull=True)
                | models.Q(in_pilot_until__gte=models.F("in_pilot_from")),
                name="organisation_pilot_dates_ordered",
            ),
        ]
        # The few organisations not in the pilot on a day are found through these (the stages' progress
        # takes them away from what monitoring's summary holds for every organisation).
        indexes = [
            models.Index(fields=["in_pilot_from"], name="organisation_in_pilot_from"),
            models.Index(fields=["in_pilot_until"], name="organisation_in_pilot_until"),
        ]

    @property
    def district(self) -> str:
        """The district or city in the reader's language, else in the other one."""
        return localized(self, "district")

    @property
    def is_in_pilot(self) -> bool:
        """In the pilot today; a leaving date still to come takes effect only once it has passed."""
        return self.in_pilot_until is None or self.in_pilot_until >= timezone.localdate()

    @property
    def leaves_later(self) -> bool:
        """A leaving date is recorded and has not passed yet."""
        return self.in_pilot_until is not None and self.is_in_pilot


class PilotMembershipChange(models.Model):
    """Why and when an organisation joined, left or was replaced in the pilot, and who recorded it."""

    class Event(models.TextChoices):
        JOINED = "joined", _("joined the pilot")
        LEFT = "left", _("left the pilot")
        REPLACED = "replaced", _("replaced by another organisation")

    class Reason(models.TextChoices):
        """Reasons the portal gives itself, stored as codes and worded in the reader's language when shown."""

        TYPED = "", _("as typed by the person who recorded it")
        IMPORTED = "imported", _("listed in Appendix 2 (imported from a spreadsheet)")
        REPLACES = "replaces", _("takes the place of another organisation")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="membership_changes", verbose_name=_("organisation")
    )
    event = models.CharField(_("event"), max_length=10, choices=Event.choices)
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"), blank=True)
    reason_code = models.CharField(_("kind of reason"), max_length=10, choices=Reason.choices, blank=True, default="")
    replaces = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaces"),
    )
    replaced_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaced by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-effective_on", "-recorded_at"]
        verbose_name = _("change of pilot membership")
        verbose_name_plural = _("changes of pilot membership")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_event_display()} · {self.effective_on:%d.%m.%Y}"

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language: the portal's own wording for a code, the person's words as typed."""
        if self.reason_code == self.Reason.IMPORTED:
            return _("Listed in Appendix 2 (imported from a spreadsheet).")
        if self.reason_code == self.Reason.REPLACES and self.replaces is not None:
            return _("Replaces %(name)s (BIN %(bin)s): %(reason)s") % {
                "name": self.replaces.name,
                "bin": self.replaces.bin,
                "reason": self.reason,
            }
        return self.reason
