"""The Kazakh business identification number (BIN/БСН): 12 digits, the last a check digit."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_FIRST_WEIGHTS = tuple(range(1, 12))
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def bin_check_digit(first_eleven: str) -> int | None:
    """The check digit for 11 digits, or None when no digit is valid (such numbers are not issued)."""
    digits = [int(c) for c in first_eleven]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def validate_bin(value: str) -> None:
    """Raise ValidationError unless `value` is 12 digits with a valid check digit."""
    value = value or ""
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("A BIN is exactly 12 digits."), code="bin_format")
    if bin_check_digit(value[:11]) != int(value[11]):
        raise ValidationError(_("The BIN's check digit is wrong; please check the number."), code="bin_checksum")


def is_valid_bin(value: str) -> bool:
    try:
        validate_bin(value)
    except ValidationError:
        return False
    return True


def valid_bin_from(first_eleven: str) -> str:
    """The first valid BIN at or after these eleven digits, counting up: the demo, the national-scale seed, the
    import template's example and the tests make their BINs with it (about one prefix in eleven has no check
    digit, and is skipped)."""
    number = int(first_eleven)
    while True:
        candidate = f"{number:011d}"
        check = bin_check_digit(candidate)
        if check is not None:
            return candidate + str(check)
        number += 1
