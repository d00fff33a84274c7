"""One cell, then one row, checked: text, numbers, choices, regions and BINs, each refused with a code."""

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from pilot_portal.numbers import parse_number

from ..bin import validate_bin
from ..models import Organisation, Region
from .columns import CHOICE_WORDS, COLUMNS_BY_CODE, NAME_COLUMNS, NUMBER_COLUMNS, _normal
from .results import ImportProblem, OrganisationRow, ParsedFile

# The largest value the database's positive integer column holds everywhere.
MAX_NUMBER = 2_147_483_647

# Spreadsheet programs run a cell that starts with one of these as a formula (CSV/formula injection).
# Leading whitespace is trimmed before the check, so " =1+1" is caught too.
FORMULA_STARTS = ("=", "+", "-", "@")
# A phone number may start with +, as long as the rest is digits, spaces, brackets, hyphens and dots.
PHONE_WITH_PLUS = re.compile(r"^\+[0-9][0-9 ()\-.]*$")
# Officials write a lone dash for "no data"; it is read as an empty cell, not as a formula.
NO_DATA = {"-", "–", "—", "--"}

EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and (not value.strip() or value.strip() in NO_DATA))


class _CellError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    return " ".join(str(value).replace("\u00a0", " ").split())


def _check_formula(code: str, text: str) -> None:
    if text in EXCEL_ERRORS:
        raise _CellError(
            "cell_error", _("The cell shows the spreadsheet error %(value)s; type the value itself.") % {"value": text}
        )
    if code == "phone" and PHONE_WITH_PLUS.match(text):
        return
    if text.startswith(FORMULA_STARTS):
        raise _CellError(
            "formula",
            _(
                "The cell starts with “%(char)s”, which spreadsheets run as a formula; type the value itself, "
                "without a leading =, +, - or @."
            )
            % {"char": text[0]},
        )


def _clean_bin(value, warnings: list[str]) -> str:
    """12 digits; a number cell lost its leading zeros, so they are put back (the check digit then guards it)."""
    if isinstance(value, bool):
        raise _CellError("bin_format", _("A BIN is exactly 12 digits."))
    if isinstance(value, float):
        if not value.is_integer():
            raise _CellError("bin_format", _("A BIN is exactly 12 digits."))
        value = int(value)
    if isinstance(value, int):
        if not 0 < value < 10**12:
            raise _CellError("bin_format", _("A BIN is exactly 12 digits."))
        text = f"{value:012d}"
        if len(str(value)) < 12:
            warnings.append(
                _(
                    "The BIN was stored as a number and lost its leading zeros; it was read as %(bin)s. "
                    "Format the column as text to be sure."
                )
                % {"bin": text}
            )
    else:
        text = "".join(str(value).split())
        _check_formula("bin", text)
    try:
        validate_bin(text)
    except ValidationError as error:
        raise _CellError(error.code, " ".join(str(m) for m in error.messages)) from None
    return text


def _clean_number(value) -> int:
    message = _("Give a whole number, 0 or more.")
    if isinstance(value, bool):
        raise _CellError("not_whole_number", message)
    if isinstance(value, float):
        if not value.is_integer():
            raise _CellError("not_whole_number", message)
        value = int(value)
    if not isinstance(value, int):
        text = str(value).strip()
        if text.startswith("="):
            _check_formula("groups", text)
        try:
            value = parse_number(text, whole=True)
        except ValidationError as error:
            # A spelling with a reason of its own says it; anything else gets the column's own rule.
            if error.code == "invalid":
                raise _CellError("not_whole_number", message) from None
            raise _CellError(error.code, " ".join(error.messages)) from None
    if value is None or value < 0:
        raise _CellError("not_whole_number", message)
    if value > MAX_NUMBER:
        raise _CellError("number_too_large", _("The number is too large."))
    return value


def _clean_choice(code: str, value) -> str:
    text = _as_text(value)
    _check_formula(code, text)
    choice = CHOICE_WORDS[code].get(_normal(text))
    if choice is None:
        raise _CellError(
            "unknown_value",
            _("“%(value)s” is not an accepted value; use %(allowed)s.")
            % {"value": text, "allowed": COLUMNS_BY_CODE[code].allowed},
        )
    return choice


def _clean_text(code: str, value) -> str:
    text = _as_text(value)
    _check_formula(code, text)
    limit = Organisation._meta.get_field(code).max_length
    if limit and len(text) > limit:
        raise _CellError(
            "too_long",
            _("The text is %(length)s characters long; at most %(limit)s fit.") % {"length": len(text), "limit": limit},
        )
    if code == "email":
        try:
            validate_email(text)
        except ValidationError:
            raise _CellError("email", _("“%(value)s” is not a valid e-mail address.") % {"value": text}) from None
    return text


def _region_index() -> dict[str, Region]:
    index = {}
    for region in Region.objects.all():
        for key in (region.code, region.name_kk, region.name_ru, region.name_en):
            if key:
                index.setdefault(_normal(key), region)
    return index


def _clean_region(value, regions: dict[str, Region]) -> Region:
    text = _as_text(value)
    _check_formula("region", text)
    region = regions.get(_normal(text))
    if region is None:
        raise _CellError(
            "unknown_region",
            _(
                "Unknown region “%(value)s”; give the ISO code (for example KZ-71) or the region's name "
                "in Kazakh or Russian."
            )
            % {"value": text},
        )
    return region


def _read_row(number: int, cells: tuple, columns: dict[int, str], regions, parsed: ParsedFile):
    """Check one data row; every bad cell becomes an error, a good row an OrganisationRow."""
    values: dict[str, Any] = {}
    letters: dict[str, str] = {}
    bad: set[str] = set()
    bin_value = None
    for index, code in columns.items():
        letter = letters[code] = get_column_letter(index + 1)
        raw = cells[index] if index < len(cells) else None
        if _is_blank(raw):
            continue
        notes: list[str] = []
        try:
            if code == "bin":
                bin_value = _clean_bin(raw, notes)
            elif code == "region":
                values["region"] = _clean_region(raw, regions)
            elif code in NUMBER_COLUMNS:
                values[code] = _clean_number(raw)
            elif code in CHOICE_WORDS:
                values[code] = _clean_choice(code, raw)
            else:
                values[code] = _clean_text(code, raw)
        except _CellError as error:
            bad.add(code)
            parsed.errors.append(ImportProblem(number, code, error.code, error.message, letter, parsed.headers[code]))
        for note in notes:
            parsed.warnings.append(ImportProblem(number, code, "bin_from_number", note, letter, parsed.headers[code]))
    if bin_value is None and "bin" not in bad:
        parsed.errors.append(
            ImportProblem(
                number, "bin", "bin_required", _("The BIN is required."), letters["bin"], parsed.headers["bin"]
            )
        )
        bad.add("bin")
    if "region" not in values and "region" not in bad:
        parsed.errors.append(
            ImportProblem(
                number,
                "region",
                "region_required",
                _("The region is required."),
                letters["region"],
                parsed.headers["region"],
            )
        )
        bad.add("region")
    if not any(code in values or code in bad for code in NAME_COLUMNS):
        name_code = next(c for c in NAME_COLUMNS if c in letters)
        parsed.errors.append(
            ImportProblem(
                number,
                name_code,
                "name_required",
                _("Give the name in Kazakh or in Russian."),
                letters[name_code],
                parsed.headers[name_code],
            )
        )
        bad.add(name_code)
    if bad:
        return None
    return OrganisationRow(row=number, bin=bin_value, values=values)
