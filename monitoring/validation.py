"""The rules a submission must pass on submit, read from the catalogue (ValidationRule rows).

Hard rules block a submission and name the fields they concern; a soft rule (a jump against the
previous quarter) only asks for an explanation beside the value."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from .models import Indicator, Period, ValidationRule


@dataclass
class RuleOutcome:
    errors: dict[str, list[str]] = field(default_factory=dict)  # indicator code → messages; "" for the form
    explanations_needed: dict[str, str] = field(default_factory=dict)  # indicator code → message

    def add_error(self, code: str, message: str) -> None:
        self.errors.setdefault(code, []).append(message)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.explanations_needed


def _is_empty(value) -> bool:
    return value is None or value == ""


def rules_for(period: Period) -> list[ValidationRule]:
    """Active rules that apply in the period: those with no periods, and those naming it."""
    return [
        rule
        for rule in ValidationRule.objects.filter(active=True).prefetch_related("periods")
        if not rule.periods.all() or any(p.pk == period.pk for p in rule.periods.all())
    ]


def required_codes(*, indicators: list[Indicator], rules: list[ValidationRule]) -> set[str]:
    """Codes required to submit: required indicators, and those a `required` rule names in this period."""
    asked = {i.code for i in indicators}
    codes = {i.code for i in indicators if i.required}
    for rule in rules:
        if rule.kind == ValidationRule.Kind.REQUIRED:
            codes |= asked & set(rule.indicators)
    return codes


def check_submission(
    *,
    indicators: list[Indicator],
    values: dict,
    explanations: dict[str, str],
    previous: dict[str, Decimal],
    rules: list[ValidationRule],
) -> RuleOutcome:
    """Every required value present and every rule met; `values` maps codes to Decimal, bool, or text."""
    outcome = RuleOutcome()
    asked = {i.code: i for i in indicators}
    for indicator in indicators:
        if indicator.required and _is_empty(values.get(indicator.code)):
            outcome.add_error(indicator.code, _("This value is required to submit."))
    for rule in rules:
        codes = [c for c in rule.indicators if c in asked]
        if rule.kind == ValidationRule.Kind.REQUIRED:
            for code in codes:
                if _is_empty(values.get(code)) and code not in outcome.errors:
                    outcome.add_error(code, rule.message)
        elif rule.kind in (ValidationRule.Kind.SUM_EQUALS, ValidationRule.Kind.NOT_GREATER):
            target = values.get(rule.target)
            parts = [values.get(c) for c in codes]
            if rule.target not in asked or _is_empty(target) or not codes or any(_is_empty(p) for p in parts):
                continue  # a missing value is reported by the required checks, not twice
            total = sum(parts, Decimal(0))
            broken = total != target if rule.kind == ValidationRule.Kind.SUM_EQUALS else total > target
            if broken:
                for code in [*codes, rule.target]:
                    outcome.add_error(code, rule.message)
        elif rule.kind == ValidationRule.Kind.JUMP:
            factor = rule.factor or Decimal(3)
            for code in codes:
                now, before = values.get(code), previous.get(code)
                if _is_empty(now) or before in (None, Decimal(0)) or code in outcome.errors:
                    continue
                if (now > before * factor or now < before / factor) and not (explanations.get(code) or "").strip():
                    outcome.explanations_needed[code] = rule.message
    return outcome
