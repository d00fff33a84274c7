"""The one reading of a number a person typed, for every numeric field and the import's text cells.

The portal renders 1234567.5 as "1 234 567,5" (kk, ru) or "1 234 567.5" (en), the gaps being no-break
spaces (pilot_portal/formats/), so what a page shows must read back unchanged, and a spelling accepted
in one field is accepted in every other. Python's own int() and Decimal() read far more ("١٢", "1_000",
"1e2"), which a person never means, so they see only text this module has already checked.
"""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# A space between thousands: the ordinary one people type, the no-break space Django renders
# (THOUSAND_SEPARATOR) and the narrow no-break space some systems copy out of their tables.
GROUP_SEPARATORS = " \u00a0\u202f"
DECIMAL_MARKS = ",."
_ASCII_DIGITS = frozenset("0123456789")
_DIGITS = re.compile(r"[0-9]*")
# Grouping is checked, not only tolerated: "12 5" is more likely two numbers or a typo than 125.
_GROUPED = re.compile(r"[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+")
_EXPONENT = re.compile(r"-?[0-9 \u00a0\u202f.,]*[0-9][eE][+-]?[0-9]+")


def parse_number(text: str, *, whole: bool) -> int | Decimal | None:
    """Read a number as a person types it: int when `whole`, else Decimal; None for an empty text.

    Accepted: ASCII digits; a leading "-" (the field's bounds decide whether a negative is allowed);
    a space, no-break space or narrow no-break space between groups of three digits ("1 250 000"),
    never elsewhere; one decimal mark, comma or dot, when not `whole` ("22,5" = "22.5" = 22.5; trailing
    zeros are kept, so "1,000" is 1.000 and a field with two decimal places refuses it rather than read 1).

    Refused with ValidationError, by code: "non_ascii_digits" ("١٢", "１２"), "underscore" ("1_000"),
    "exponent" ("1e2"), "several_decimal_marks" ("1,000,000", "1.2,5"), "not_whole_number" (a decimal mark
    when `whole`), "misplaced_separator" ("12 5", "1 0000", "1,5 5"), "invalid" (letters, units, signs, or
    no digit at all).
    """
    text = text.strip()
    if not text:
        return None
    if any(char.isdigit() and char not in _ASCII_DIGITS for char in text):
        raise ValidationError(_("Type the number with the digits 0–9."), code="non_ascii_digits")
    if "_" in text:
        raise ValidationError(_("Separate thousands with a space, not with “_”."), code="underscore")
    if _EXPONENT.fullmatch(text):
        raise ValidationError(_("Write the number out in full, without an exponent (such as 1e2)."), code="exponent")
    if any(char.isalpha() for char in text):
        raise ValidationError(_("Type only the number, without letters or units."), code="invalid")
    sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
    marks = [char for char in body if char in DECIMAL_MARKS]
    if len(marks) > 1:
        raise ValidationError(
            _("Use one decimal mark, a comma or a dot, and separate thousands with a space."),
            code="several_decimal_marks",
        )
    if marks and whole:
        raise ValidationError(
            _("Give a whole number, without a decimal part; separate thousands with a space."), code="not_whole_number"
        )
    integer, _mark, fraction = body.partition(marks[0]) if marks else (body, "", "")
    if not body.startswith(tuple(GROUP_SEPARATORS)) and any(char in GROUP_SEPARATORS for char in integer + fraction):
        if any(char in GROUP_SEPARATORS for char in fraction) or not _GROUPED.fullmatch(integer):
            raise ValidationError(
                _("Separate thousands with a space in groups of three digits, as in 1 250 000."),
                code="misplaced_separator",
            )
        integer = "".join(char for char in integer if char not in GROUP_SEPARATORS)
    if not (_DIGITS.fullmatch(integer) and _DIGITS.fullmatch(fraction) and (integer or fraction)):
        raise ValidationError(_("Enter a whole number.") if whole else _("Enter a number."), code="invalid")
    value = Decimal(f"{sign}{integer or '0'}.{fraction}" if marks else f"{sign}{integer}")
    if value.is_zero():
        value = abs(value)  # "-0" is 0, not a negative zero that prints with its sign
    return int(value) if whole else value


class WholeNumberField(forms.IntegerField):
    """A whole number, read by parse_number like every numeric field (Django's own reading takes "١٢" and "1_000")."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        return parse_number(str(value), whole=True)


class DecimalNumberField(forms.DecimalField):
    """A number with a decimal part, read by parse_number like every numeric field (Django's takes "1e2")."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        return parse_number(str(value), whole=False)


# For a ModelAdmin's formfield_overrides: the admin's numeric fields (an indicator's bounds, an
# organisation's groups and children, a submission's values) read numbers as the portal's own forms do,
# typed as text (a browser's number input refuses the space between thousands that the pages show), and
# show them as the pages do: "100,00" in kk and ru, not the "100.00" a person would have to retype.
ADMIN_NUMBER_FIELDS = {
    models.IntegerField: {
        "form_class": WholeNumberField,
        "widget": forms.TextInput(attrs={"inputmode": "numeric"}),
        "localize": True,
    },
    models.DecimalField: {
        "form_class": DecimalNumberField,
        "widget": forms.TextInput(attrs={"inputmode": "decimal"}),
        "localize": True,
    },
}
