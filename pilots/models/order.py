from django.db import models
from django.utils.translation import gettext_lazy as _

from .i18n import localized

NUMBER_PLACEHOLDER = "___"


class Order(models.Model):
    """The ministerial order that sets up the pilot."""

    number = models.CharField(_("number"), max_length=50, blank=True)
    signed_on = models.DateField(_("signed on"))
    title_kk = models.CharField(_("title (Kazakh)"), max_length=500)
    title_ru = models.CharField(_("title (Russian)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    project_name_kk = models.CharField(_("pilot name (Kazakh)"), max_length=300)
    project_name_ru = models.CharField(_("pilot name (Russian)"), max_length=300)
    project_name_en = models.CharField(_("pilot name (English)"), max_length=300, blank=True)
    # The office is cited beside the signatory's name: an acting minister signed this order.
    issuer_kk = models.CharField(_("issuer's office (Kazakh)"), max_length=300, blank=True)
    issuer_ru = models.CharField(_("issuer's office (Russian)"), max_length=300, blank=True)
    issuer_en = models.CharField(_("issuer's office (English)"), max_length=300, blank=True)
    signatory = models.CharField(_("signatory"), max_length=200)
    basis_kk = models.TextField(_("basis (Kazakh)"), blank=True, help_text=_("What the order implements."))
    basis_ru = models.TextField(_("basis (Russian)"), blank=True, help_text=_("What the order implements."))
    basis_en = models.TextField(_("basis (English)"), blank=True, help_text=_("What the order implements."))
    pilot_starts_on = models.DateField(_("pilot starts on"))
    pilot_ends_on = models.DateField(_("pilot ends on"))
    final_report_due_on = models.DateField(_("analytical report due on"))
    planned_organisations = models.PositiveIntegerField(_("organisations planned"), default=100)

    class Meta:
        ordering = ["-signed_on"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def project_name(self) -> str:
        return localized(self, "project_name")

    @property
    def issuer(self) -> str:
        return localized(self, "issuer")

    @property
    def basis(self) -> str:
        return localized(self, "basis")

    @property
    def title_in_quotes(self) -> str:
        """The title in «», the quotes inside it (it quotes the pilot's name) turned into „“."""
        return "«" + self.title.replace("«", "„").replace("»", "“") + "»"

    @property
    def number_label(self) -> str:
        """«№ 123», or «№ ___» while the number is unknown: a citation never silently drops it."""
        # A no-break space: the sign never ends a line apart from its number.
        return f"№\u00a0{self.number.strip() or NUMBER_PLACEHOLDER}"


class Clause(models.Model):
    """A numbered obligation of the order, with its responsible body and deadline."""

    class Kind(models.TextChoices):
        # The kind decides how the control card computes the clause's live status.
        PILOT = "pilot", _("Running the pilot")
        ALGORITHM = "algorithm", _("Implementation algorithm")
        ORGANISATION_LIST = "organisation_list", _("List of organisations")
        MONITORING = "monitoring", _("Quarterly monitoring")
        FINAL_REPORT = "final_report", _("Analytical report")
        REGIONS = "regions", _("Implementation in the regions")
        NOTIFICATION = "notification", _("Bringing the order to the executors")
        CONTROL = "control", _("Control over execution")
        ENTRY_INTO_FORCE = "entry_into_force", _("Entry into force")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="clauses", verbose_name=_("order"))
    number = models.CharField(_("number"), max_length=10)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    text_kk = models.TextField(_("text (Kazakh)"))
    text_ru = models.TextField(_("text (Russian)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    responsible_kk = models.CharField(_("responsible (Kazakh)"), max_length=300, blank=True)
    responsible_ru = models.CharField(_("responsible (Russian)"), max_length=300, blank=True)
    responsible_en = models.CharField(_("responsible (English)"), max_length=300, blank=True)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    deadline_note_kk = models.CharField(_("deadline note (Kazakh)"), max_length=200, blank=True)
    deadline_note_ru = models.CharField(_("deadline note (Russian)"), max_length=200, blank=True)
    deadline_note_en = models.CharField(_("deadline note (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["order", "position"]
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="clause_number_unique_in_order")]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"

    @property
    def text(self) -> str:
        return localized(self, "text")

    @property
    def responsible(self) -> str:
        return localized(self, "responsible")

    @property
    def deadline_note(self) -> str:
        return localized(self, "deadline_note")


class ClauseExecution(models.Model):
    """A recorded act of executing a clause: a quarterly report sent, the order brought to the regions."""

    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="executions", verbose_name=_("clause"))
    done_on = models.DateField(_("done on"))
    note = models.TextField(_("note"))
    # What was executed, for clauses done more than once: a quarter's code ("2026-Q3") for a
    # quarterly report, "final" for the analytical report; empty for a record typed in the admin.
    reference = models.CharField(
        _("reference"),
        max_length=20,
        blank=True,
        help_text=_('For clause 3.1 the quarter\'s code, e.g. 2026-Q3; for clause 3.2 "final". Empty otherwise.'),
    )
    # The outgoing letter that did it, for a report sent from the portal: the card links the letter by it.
    document_number = models.CharField(_("outgoing number"), max_length=50, blank=True)
    recorded_by = models.ForeignKey(
        "pilots.User", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["clause", "done_on"]
        verbose_name = _("execution of a clause")
        verbose_name_plural = _("executions of clauses")

    def __str__(self) -> str:
        return f"{self.clause.number} · {self.done_on:%d.%m.%Y}"

    @property
    def recorded_by_name(self) -> str:
        """Who recorded it, as people read a name; empty for records loaded without a recorder."""
        if self.recorded_by is None:
            return ""
        return self.recorded_by.person
