from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from pilot_portal.numbers import DecimalNumberField, WholeNumberField
from pilots.models.i18n import localized_from

from .models import Indicator

MAX_NUMBER = Decimal("99999999999999")  # what the database column holds; a person never needs more


def _plain(value: Decimal) -> Decimal:
    """100.00 as 100: the bound is quoted in the error message a person reads."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _bounds(indicator: Indicator) -> dict:
    bounds = {}
    if indicator.min_value is not None:
        bounds["min_value"] = _plain(indicator.min_value)
    bounds["max_value"] = _plain(indicator.max_value) if indicator.max_value is not None else MAX_NUMBER
    return bounds


def indicator_field(indicator: Indicator) -> forms.Field:
    """The form field for one indicator; every field is optional here, required values are checked on submit."""
    common = {"label": indicator.name, "required": False, "help_text": indicator.help}
    kind = indicator.type
    if kind == Indicator.Type.INTEGER:
        bounds = {k: int(v) for k, v in _bounds(indicator).items()}
        return WholeNumberField(
            localize=True, widget=forms.TextInput(attrs={"inputmode": "numeric"}), **bounds, **common
        )
    if kind in (Indicator.Type.DECIMAL, Indicator.Type.PERCENT):
        bounds = _bounds(indicator)
        if kind == Indicator.Type.PERCENT:
            bounds = {
                "min_value": max(bounds.get("min_value", Decimal(0)), Decimal(0)),
                "max_value": min(bounds["max_value"], Decimal(100)),
            }
        return DecimalNumberField(
            localize=True,
            max_digits=16,
            decimal_places=2,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            **bounds,
            **common,
        )
    if kind == Indicator.Type.BOOLEAN:
        return forms.TypedChoiceField(
            choices=[("", "—"), ("yes", _("yes")), ("no", _("no"))],
            coerce=lambda v: v == "yes",
            empty_value=None,
            **common,
        )
    if kind == Indicator.Type.CHOICE:
        choices = [("", "—")] + [(c["code"], localized_from(c)) for c in indicator.choices]
        return forms.ChoiceField(choices=choices, **common)
    return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), strip=True, **common)


def initial_for(indicator: Indicator, value):
    if indicator.type == Indicator.Type.BOOLEAN and value is not None:
        return "yes" if value else "no"
    return value


class SubmissionForm(forms.Form):
    """The quarterly form, built from the catalogue: one field per indicator, named by its code."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, indicators: list[Indicator], values: dict, explanations: dict, version: int, **kwargs):
        initial = {i.code: initial_for(i, values.get(i.code)) for i in indicators}
        initial.update({f"{code}__explanation": text for code, text in explanations.items()})
        initial["version"] = version
        super().__init__(*args, initial=initial, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[indicator.code] = indicator_field(indicator)
            if indicator.is_numeric:
                self.fields[f"{indicator.code}__explanation"] = forms.CharField(
                    label=_("Explanation"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
                )

    def values(self) -> dict:
        """The typed values, by indicator code (None or "" for empty)."""
        return {i.code: self.cleaned_data.get(i.code) for i in self.indicators}

    def explanations(self) -> dict[str, str]:
        return {
            i.code: self.cleaned_data.get(f"{i.code}__explanation", "")
            for i in self.indicators
            if self.cleaned_data.get(f"{i.code}__explanation")
        }


class ReviewForm(forms.Form):
    # The version the reviewer saw: a decision never applies to values that changed since.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("return", _("Return for correction"))])
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, indicators: list[Indicator] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[f"reason__{indicator.code}"] = forms.CharField(
                label=indicator.name, required=False, max_length=2000
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", forms.ValidationError(_("Say what must be corrected."), code="comment_required"))
        return cleaned

    def field_reasons(self) -> dict[str, str]:
        return {
            i.code: self.cleaned_data[f"reason__{i.code}"].strip()
            for i in self.indicators
            if (self.cleaned_data.get(f"reason__{i.code}") or "").strip()
        }
