from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pilots.models.i18n import LocalizedNameMixin, localized, localized_from

from .periods import Period


class Section(LocalizedNameMixin, models.Model):
    """A group of indicators on the form: coverage, staff, activity, environment, outcomes, narrative."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")


class Indicator(LocalizedNameMixin, models.Model):
    """One question of the quarterly form, as data: the Institute edits the catalogue, never the code."""

    class Type(models.TextChoices):
        INTEGER = "integer", _("whole number")
        DECIMAL = "decimal", _("decimal number")
        PERCENT = "percent", _("percent")
        BOOLEAN = "boolean", _("yes or no")
        CHOICE = "choice", _("choice from a list")
        TEXT = "text", _("text")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("sum")
        AVG = "avg", _("average")
        NONE = "none", _("not aggregated")

    class FigureRole(models.TextChoices):
        """The part an indicator plays in the dashboards' and reports' figures (monitoring.figures)."""

        NONE = "", _("none (the form and the values only)")
        KEY_TOTAL = "key_total", _("key total (headline figure)")
        ACTIVITY = "activity", _("kind of activity")
        ZONE = "zone", _("practice zone")
        SKILLS_ASSESSED = "skills_assessed", _("children assessed (diagnostics)")
        SKILL_LEVEL = "skill_level", _("skill level (diagnostics)")
        NARRATIVE = "narrative", _("narrative (quoted in the reports)")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("section"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    help_kk = models.TextField(_("help (Kazakh)"), blank=True)
    help_ru = models.TextField(_("help (Russian)"), blank=True)
    help_en = models.TextField(_("help (English)"), blank=True)
    unit_kk = models.CharField(_("unit (Kazakh)"), max_length=50, blank=True)
    unit_ru = models.CharField(_("unit (Russian)"), max_length=50, blank=True)
    unit_en = models.CharField(_("unit (English)"), max_length=50, blank=True)
    # A number and its unit agree in Russian and English, not in Kazakh: «1 группа, 2 группы, 5 групп». The unit
    # fields above are the form after 5 (and in a column's heading); these the others, where the word changes.
    unit_ru_one = models.CharField(_("unit after 1, 21, 31 … (Russian)"), max_length=50, blank=True)
    unit_ru_few = models.CharField(_("unit after 2–4, 22–24 … and fractions (Russian)"), max_length=50, blank=True)
    unit_en_one = models.CharField(_("unit after 1 (English)"), max_length=50, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    min_value = models.DecimalField(_("minimum"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=14, decimal_places=2, null=True, blank=True)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For a choice: a list of {"code": ..., "kk": ..., "ru": ..., "en": ...}.'),
    )
    required = models.BooleanField(_("required"), default=False)
    aggregation = models.CharField(_("aggregation"), max_length=4, choices=Aggregation.choices, default=Aggregation.SUM)
    figure_role = models.CharField(
        _("figure role"),
        max_length=16,
        choices=FigureRole.choices,
        default=FigureRole.NONE,
        blank=True,
        help_text=_(
            "Where the dashboards and reports show it: the key totals, the activities chart, the zones, "
            "the skills tables (children assessed and each level, in order), the reports' quoted texts."
        ),
    )
    # The skills tables, their charts and the annex head a column with it: a few words, not the question.
    short_name_kk = models.CharField(_("short name (Kazakh)"), max_length=60, blank=True)
    short_name_ru = models.CharField(_("short name (Russian)"), max_length=60, blank=True)
    short_name_en = models.CharField(_("short name (English)"), max_length=60, blank=True)
    figure_position = models.PositiveSmallIntegerField(
        _("position in its role"),
        default=0,
        help_text=_("Order among the indicators of the same role; equal positions keep the form's order."),
    )
    periods = models.ManyToManyField(Period, related_name="indicators", verbose_name=_("asked in periods"))

    class Meta:
        ordering = ["section__position", "position"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    @property
    def help(self) -> str:
        return localized(self, "help")

    @property
    def unit(self) -> str:
        return localized(self, "unit")

    def unit_for(self, number) -> str:
        """The unit as it reads after `number` in the active language: «1 группа», «3 группы», «2,5 группы»,
        «5 групп»; the plain unit where the catalogue gives no other form."""
        language = (get_language() or "kk")[:2]
        number = Decimal(number)
        if language == "ru" and self.unit_ru:
            if number != number.to_integral_value():
                return self.unit_ru_few or self.unit_ru
            whole = abs(int(number))
            if whole % 10 == 1 and whole % 100 != 11:
                return self.unit_ru_one or self.unit_ru
            if 2 <= whole % 10 <= 4 and not 12 <= whole % 100 <= 14:
                return self.unit_ru_few or self.unit_ru
            return self.unit_ru
        if language == "en" and self.unit_en and number == 1:
            return self.unit_en_one or self.unit_en
        return self.unit

    @property
    def short_name(self) -> str:
        """The column head in the figures: the short name in the reader's language, else the full name."""
        return localized(self, "short_name") or self.name

    @property
    def is_numeric(self) -> bool:
        return self.type in (self.Type.INTEGER, self.Type.DECIMAL, self.Type.PERCENT)

    # Names the form posts beside the indicators' own: an indicator may not take one of them.
    RESERVED_CODES = frozenset(
        {"action", "version", "files", "attachment", "csrfmiddlewaretoken", "decision", "comment"}
    )

    def clean(self):
        """What would break every form that asks this indicator is refused in the admin, with the reason."""
        errors = {}
        if self.code in self.RESERVED_CODES or self.code.endswith("__explanation") or self.code.startswith("reason__"):
            errors["code"] = ValidationError(
                _("This code is used by the form itself; choose another."), code="reserved"
            )
        if self.type == self.Type.CHOICE:
            valid = (
                isinstance(self.choices, list)
                and self.choices
                and all(isinstance(c, dict) and str(c.get("code") or "").strip() for c in self.choices)
            )
            if not valid:
                errors["choices"] = ValidationError(
                    _('A choice needs a list of options, each with a "code" and its names.'), code="choices"
                )
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            errors["max_value"] = ValidationError(_("The maximum is below the minimum."), code="min_max")
        if errors:
            raise ValidationError(errors)

    def choice_label(self, code: str) -> str:
        for choice in self.choices:
            if choice.get("code") == code:
                return localized_from(choice) or code
        return code


class ValidationRule(models.Model):
    """A check that submit runs, as data. Hard rules block a submission; soft rules ask for an explanation."""

    class Kind(models.TextChoices):
        SUM_EQUALS = "sum_equals", _("the listed indicators add up to the target")
        NOT_GREATER = "not_greater", _("the first indicator is not greater than the target")
        REQUIRED = "required", _("the listed indicators are required in the rule's periods")
        JUMP = "jump", _("a value far from the previous quarter's needs an explanation")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    indicators = models.JSONField(_("indicator codes"), default=list, help_text=_("Codes of the indicators checked."))
    target = models.CharField(_("target indicator code"), max_length=50, blank=True)
    factor = models.DecimalField(
        _("factor"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For a jump rule: a value more than this many times, or under its inverse, of the previous one."),
    )
    periods = models.ManyToManyField(
        Period, blank=True, related_name="rules", verbose_name=_("periods"), help_text=_("Empty: every period.")
    )
    message_kk = models.CharField(_("message (Kazakh)"), max_length=300)
    message_ru = models.CharField(_("message (Russian)"), max_length=300)
    message_en = models.CharField(_("message (English)"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")

    def __str__(self) -> str:
        return self.code

    @property
    def message(self) -> str:
        return localized(self, "message")

    def clean(self):
        """A misspelt indicator code would switch the rule off without a word: name it instead."""
        codes = self.indicators if isinstance(self.indicators, list) else []
        if not codes or not all(isinstance(c, str) for c in codes):
            raise ValidationError(
                {"indicators": ValidationError(_("List the codes of the indicators checked."), code="indicators")}
            )
        wanted = set(codes) | ({self.target} if self.target else set())
        unknown = sorted(wanted - set(Indicator.objects.filter(code__in=wanted).values_list("code", flat=True)))
        errors = {}
        if unknown:
            errors["indicators"] = ValidationError(
                _("No indicator has the code: %(codes)s."),
                code="unknown_indicator",
                params={"codes": ", ".join(unknown)},
            )
        if self.kind in (self.Kind.SUM_EQUALS, self.Kind.NOT_GREATER) and not self.target:
            errors["target"] = ValidationError(_("This kind of rule compares with a target indicator."), code="target")
        if self.kind == self.Kind.JUMP and not self.factor:
            errors["factor"] = ValidationError(_("A jump rule needs its factor, e.g. 3."), code="factor")
        if errors:
            raise ValidationError(errors)
