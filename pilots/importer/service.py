"""The list of organisations (Appendix 2) from a spreadsheet: parse and check every row, then write all or none.

Reading and checking (`organisations_parse`) never writes; `organisations_import` writes the checked rows in one
transaction; `organisations_import_file` does both and is what the command and the upload page call.
`template_workbook` builds the downloadable template whose header this module accepts.
"""

import datetime
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

import openpyxl
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.reader.excel import InvalidFileException
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from pilot_portal.numbers import parse_number
from pilot_portal.xlsx_cells import cell as new_cell
from pilot_portal.xlsx_cells import put

from . import policy
from .bin import bin_check_digit, validate_bin
from .models import Organisation, PilotMembershipChange, Region, User

MAX_IMPORT_BYTES = 10 * 1024 * 1024
# Kazakhstan has about 11,000 preschool organisations; a longer sheet is a mistake, not a list. Every row counts,
# empty ones too: a sheet of 40 million empty rows would otherwise be read to its end (issue 8).
MAX_IMPORT_ROWS = 20_000
MIB = 1024 * 1024
# An .xlsx is a zip of XML parts, and openpyxl inflates them whatever their size: an 817 KB file whose shared
# strings hold one 800 MB string took a web worker to 1.6 GB. So the zip's directory is read first (it states
# each part's packed and unpacked size; zipfile never inflates a part past its stated size, it fails the CRC
# instead) and the file is refused before any part is inflated. Measured on real-looking lists (docs/import.md):
# 11,000 organisations unpack to a sheet of 7–9 MB and shared strings of up to 4 MB, packed 10–15 times; 20,000
# rows with every text at its longest, 55 MB of sheet packed 41 times.
# A worksheet is read row by row, so its size costs time, not memory.
MAX_UNPACKED_SHEET_BYTES = 64 * MIB
# Every other part (shared strings, styles, the workbook) is read whole into memory.
MAX_UNPACKED_PART_BYTES = 16 * MIB
MAX_UNPACKED_BYTES = 128 * MIB
# A workbook has a dozen parts; images and extra sheets add a few.
MAX_PARTS = 1000
# Text repeated over and over packs hundreds of times (the bombs: 680 and 1,000); real sheets 10–41 times.
MAX_COMPRESSION_RATIO = 100
# Below this, a part can be packed as tightly as it likes: it cannot hurt.
RATIO_CHECKED_FROM_BYTES = 1 * MIB
# Appendix 2 has 13 columns; a list with notes beside it, a few more. openpyxl holds a whole row in memory before
# it yields it: one row of 2 million cells (a 6 MB file that packs only 6 times) took 1.2 GB.
MAX_IMPORT_COLUMNS = 200
# New organisations join the pilot at its start, or on the day they are imported once it has begun.
PILOT_STARTS_ON = datetime.date(2026, 1, 1)
HISTORY_REASON = "Appendix 2 import"
DATA_SHEET_TITLE = "Ұйымдар"
INSTRUCTIONS_SHEET_TITLE = "Нұсқаулық"


@dataclass(frozen=True)
class Column:
    """One column of Appendix 2: its code, the labels the template uses and what it accepts."""

    code: str
    label_kk: str
    label_ru: str
    name: Promise
    allowed: Promise
    example: str = ""
    required: bool = False
    width: int = 20
    as_text: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(
        "bin",
        "БСН",
        "БИН",
        gettext_lazy("BIN"),
        gettext_lazy("12 digits with a valid check digit; format the column as text to keep leading zeros"),
        example="",
        required=True,
        width=16,
        as_text=True,
    ),
    Column(
        "name_kk",
        "Атауы (қазақ тілінде)",
        "Наименование (на казахском языке)",
        gettext_lazy("name (Kazakh)"),
        gettext_lazy("the organisation's full name in Kazakh; give it or the Russian name"),
        example="№12 «Балапан» бөбекжай-бақшасы",
        width=45,
    ),
    Column(
        "name_ru",
        "Атауы (орыс тілінде)",
        "Наименование (на русском языке)",
        gettext_lazy("name (Russian)"),
        gettext_lazy("the organisation's full name in Russian; give it or the Kazakh name"),
        example="Ясли-сад №12 «Балапан»",
        width=45,
    ),
    Column(
        "region",
        "Өңір",
        "Регион",
        gettext_lazy("region"),
        gettext_lazy("the ISO code (KZ-71) or the region's name in Kazakh or Russian"),
        example="KZ-71",
        required=True,
        width=24,
    ),
    Column(
        "district",
        "Аудан / қала",
        "Район / город",
        gettext_lazy("district or city"),
        gettext_lazy("the district or city"),
        example="Есіл ауданы",
        width=24,
    ),
    Column(
        "settlement",
        "Елді мекен түрі",
        "Тип населённого пункта",
        gettext_lazy("settlement type"),
        gettext_lazy("urban or rural (қала / ауыл, город / село)"),
        example="қала",
        width=18,
    ),
    Column(
        "ownership",
        "Меншік нысаны",
        "Форма собственности",
        gettext_lazy("ownership"),
        gettext_lazy("state or private (мемлекеттік / жеке, государственная / частная)"),
        example="мемлекеттік",
        width=18,
    ),
    Column(
        "language",
        "Оқыту тілі",
        "Язык обучения",
        gettext_lazy("language of instruction"),
        gettext_lazy("kk, ru or mixed (қазақ / орыс / аралас, казахский / русский / смешанный)"),
        example="kk",
        width=16,
    ),
    Column(
        "groups",
        "Топтар саны",
        "Количество групп",
        gettext_lazy("number of groups"),
        gettext_lazy("a whole number, 0 or more"),
        example="6",
        width=12,
    ),
    Column(
        "children",
        "Балалар саны",
        "Количество детей",
        gettext_lazy("children enrolled"),
        gettext_lazy("a whole number, 0 or more"),
        example="140",
        width=12,
    ),
    Column(
        "director",
        "Басшы (Т.А.Ә.)",
        "Руководитель (Ф.И.О.)",
        gettext_lazy("director"),
        gettext_lazy("the director's full name"),
        example="Ахметова Гүлнар Серікқызы",
        width=30,
    ),
    Column(
        "phone",
        "Телефон",
        "Телефон",
        gettext_lazy("phone"),
        gettext_lazy("a phone number; it may start with +"),
        example="+7 717 255 00 00",
        width=20,
        as_text=True,
    ),
    Column(
        "email",
        "Электрондық пошта",
        "Электронная почта",
        gettext_lazy("e-mail"),
        gettext_lazy("a valid e-mail address"),
        example="balapan@example.kz",
        width=28,
    ),
)
COLUMNS_BY_CODE = {c.code: c for c in COLUMNS}
NAME_COLUMNS = ("name_kk", "name_ru")
TEXT_COLUMNS = ("name_kk", "name_ru", "district", "director", "phone", "email")
NUMBER_COLUMNS = ("groups", "children")
# The largest value the database's positive integer column holds everywhere.
MAX_NUMBER = 2_147_483_647


def _normal(value: str) -> str:
    """Compare words as a person would: case, repeated spaces, ё/е and a trailing full stop do not matter."""
    return " ".join(str(value).replace("\u00a0", " ").split()).casefold().replace("ё", "е").rstrip(".")


def _words(mapping: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_normal(word): value for value, words in mapping.items() for word in (value, *words)}


SETTLEMENT_WORDS = _words(
    {
        Organisation.Settlement.URBAN: ("қала", "қалалық", "город", "городской", "городская", "городское"),
        Organisation.Settlement.RURAL: ("ауыл", "ауылдық", "село", "сельский", "сельская", "сельское", "аул"),
    }
)
OWNERSHIP_WORDS = _words(
    {
        Organisation.Ownership.STATE: ("мемлекеттік", "государственная", "государственный", "государственное"),
        Organisation.Ownership.PRIVATE: ("жеке", "жеке меншік", "жекеменшік", "частная", "частный", "частное"),
    }
)
LANGUAGE_WORDS = _words(
    {
        Organisation.Language.KAZAKH: ("kazakh", "қазақ", "қазақша", "қазақ тілі", "казахский", "казахский язык"),
        Organisation.Language.RUSSIAN: ("russian", "орыс", "орысша", "орыс тілі", "русский", "русский язык"),
        Organisation.Language.MIXED: (
            "аралас",
            "смешанный",
            "смешанная",
            "смешанное",
            "kk/ru",
            "қазақ/орыс",
            "казахский/русский",
            "қазақ және орыс",
            "казахский и русский",
        ),
    }
)
CHOICE_WORDS = {"settlement": SETTLEMENT_WORDS, "ownership": OWNERSHIP_WORDS, "language": LANGUAGE_WORDS}

# Spreadsheet programs run a cell that starts with one of these as a formula (CSV/formula injection).
# Leading whitespace is trimmed before the check, so " =1+1" is caught too.
FORMULA_STARTS = ("=", "+", "-", "@")
# A phone number may start with +, as long as the rest is digits, spaces, brackets, hyphens and dots.
PHONE_WITH_PLUS = re.compile(r"^\+[0-9][0-9 ()\-.]*$")
# Officials write a lone dash for "no data"; it is read as an empty cell, not as a formula.
NO_DATA = {"-", "–", "—", "--"}
# What a file that is not a readable .xlsx makes zipfile and openpyxl raise, while opening it or (read-only mode
# parses lazily) while reading its rows; XML parse errors are SyntaxErrors.
UNREADABLE = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    OSError,
    SyntaxError,
    EOFError,
)
EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}


@dataclass(frozen=True)
class ImportProblem:
    """One error or warning: the row as Excel numbers it (None for the whole file), the column's code and letter."""

    row: int | None
    column: str
    code: str
    message: str
    letter: str = ""
    header: str = ""

    @property
    def column_name(self) -> str:
        """The column as the user sees it: its letter and its header in the file (else its name)."""
        column = COLUMNS_BY_CODE.get(self.column)
        name = self.header or (str(column.name) if column else self.column)
        return " · ".join(part for part in (self.letter, name) if part)

    def __str__(self) -> str:
        if self.row is None:
            return str(self.message)
        if self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column_name,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass(frozen=True)
class OrganisationRow:
    """One checked data row: the BIN and only the fields the row gives (an empty cell changes nothing)."""

    row: int
    bin: str
    values: dict[str, Any]


@dataclass
class ParsedFile:
    rows: list[OrganisationRow] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # column code → its header as written in the file
    warnings: list[ImportProblem] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)


@dataclass
class ImportResult:
    """What an import did, or with `dry_run` would do; when `errors` is not empty nothing was written."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    warnings: list[ImportProblem] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def file_errors(self) -> list[ImportProblem]:
        return [e for e in self.errors if e.row is None]

    @property
    def row_errors(self) -> list[ImportProblem]:
        return [e for e in self.errors if e.row is not None]


def user_can_import(*, user) -> bool:
    """The Institute and administrators load the list; everyone else only reads it."""
    return policy.can_import(user)


# Reading ------------------------------------------------------------------------------------------------------------


def _file_size(file) -> int:
    """The upload's size without reading its content."""
    size = getattr(file, "size", None)
    if size is not None:
        return size
    try:
        return os.fstat(file.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation):
        position = file.tell()
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(position)
        return size


def _file_error(code: str, message: str) -> ImportProblem:
    return ImportProblem(row=None, column="", code=code, message=message)


def _column_for_header(value) -> Column | None:
    text = _normal(value)
    for column in COLUMNS:
        if text in (column.code, _normal(column.label_kk), _normal(column.label_ru)):
            return column
    return None


def _read_header(header: tuple, parsed: ParsedFile) -> dict[int, str]:
    """Map each known column's index to its code; report unknown, repeated and missing columns."""
    by_index: dict[int, str] = {}
    seen: dict[str, int] = {}
    for index, value in enumerate(header):
        if value is None or not str(value).strip():
            continue
        letter = get_column_letter(index + 1)
        column = _column_for_header(value)
        if column is None:
            parsed.warnings.append(
                ImportProblem(
                    row=1,
                    column="",
                    letter=letter,
                    header=str(value).strip(),
                    code="unknown_column",
                    message=_("The column “%(header)s” is not one of Appendix 2's columns and is ignored.")
                    % {"header": str(value).strip()},
                )
            )
            continue
        if column.code in seen:
            parsed.errors.append(
                ImportProblem(
                    row=1,
                    column=column.code,
                    letter=letter,
                    header=str(value).strip(),
                    code="duplicate_column",
                    message=_("This column repeats column %(other)s; keep one of them.")
                    % {"other": get_column_letter(seen[column.code] + 1)},
                )
            )
            continue
        seen[column.code] = index
        by_index[index] = column.code
        parsed.headers[column.code] = " ".join(str(value).split())
    missing = [c for c in COLUMNS if c.required and c.code not in seen]
    if missing:
        parsed.errors.append(
            ImportProblem(
                row=1,
                column="",
                code="missing_column",
                message=_(
                    "The first row lacks the required columns: %(columns)s. The first row must be the header; "
                    "remove any title rows above it."
                )
                % {"columns": ", ".join(f"{c.code} ({c.label_kk} / {c.label_ru})" for c in missing)},
            )
        )
    if not any(code in seen for code in NAME_COLUMNS):
        parsed.errors.append(
            ImportProblem(
                row=1,
                column="",
                code="missing_column",
                message=_("The first row needs a name column: %(kk)s or %(ru)s.")
                % {"kk": "name_kk (Атауы (қазақ тілінде))", "ru": "name_ru (Наименование (на русском языке))"},
            )
        )
    return by_index


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


def _index_of(columns: dict[int, str], code: str) -> int:
    return next(index for index, c in columns.items() if c == code)


class _UnreadableFile(Exception):
    """The workbook opened, but a sheet's content could not be parsed."""


def _not_xlsx() -> ImportProblem:
    return _file_error(
        "not_xlsx",
        _(
            "This file is not an Excel workbook (.xlsx). Open it in Excel or LibreOffice, save it as "
            "“Excel Workbook (.xlsx)” and upload it again."
        ),
    )


def _sheet_rows(sheet):
    """The sheet's rows as values; read-only mode parses lazily, so a damaged sheet fails only here."""
    rows = sheet.iter_rows(values_only=True)
    while True:
        try:
            yield next(rows)
        except StopIteration:
            return
        except UNREADABLE as error:
            raise _UnreadableFile from error


def _unpacked_problem(file) -> ImportProblem | None:
    """Why the workbook must not be handed to openpyxl, judged from the zip's directory and a scan of each sheet
    that keeps nothing in memory; None when it may be read."""
    try:
        with zipfile.ZipFile(file) as archive:
            return _parts_problem(archive.infolist()) or _sheets_problem(archive)
    except UNREADABLE:
        return _not_xlsx()


def _sheets_problem(archive: zipfile.ZipFile) -> ImportProblem | None:
    """Every sheet, not only the first: without a <dimension> element, openpyxl reads each sheet to its end while
    it opens the workbook (to learn its size), holding an element per row, before a row is asked for."""
    for part in archive.namelist():
        if part.startswith("xl/worksheets/") and part.endswith(".xml"):
            problem = _sheet_shape_problem(archive, part)
            if problem is not None:
                return problem
    return None


def _parts_problem(parts: list[zipfile.ZipInfo]) -> ImportProblem | None:
    """Why the zip must not be inflated, judged from its directory alone."""
    unpacked = _(
        "This workbook unpacks to more than %(limit)s; an Appendix 2 list of 11,000 organisations unpacks "
        "to about 10 MB. Copy only the list into a new workbook, save it as .xlsx and upload it again."
    )
    if len(parts) > MAX_PARTS:
        return _file_error(
            "too_many_parts",
            _(
                "This workbook is made of more than %(limit)s parts (sheets, images and the like); a list needs a "
                "dozen. Copy only the list into a new workbook, save it as .xlsx and upload it again."
            )
            % {"limit": MAX_PARTS},
        )
    if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        return _file_error("unpacked_too_large", unpacked % {"limit": filesizeformat(MAX_UNPACKED_BYTES)})
    for part in parts:
        limit = MAX_UNPACKED_SHEET_BYTES if part.filename.startswith("xl/worksheets/") else MAX_UNPACKED_PART_BYTES
        if part.file_size > limit:
            return _file_error("unpacked_too_large", unpacked % {"limit": filesizeformat(limit)})
        if part.file_size > RATIO_CHECKED_FROM_BYTES and part.file_size > MAX_COMPRESSION_RATIO * part.compress_size:
            return _file_error(
                "compression_ratio",
                _(
                    "The part %(part)s of this workbook unpacks to %(ratio)s times its packed size; real lists "
                    "unpack to at most %(limit)s times theirs. The file is refused as unsafe: copy only the list "
                    "into a new workbook, save it as .xlsx and upload it again."
                )
                % {
                    "part": part.filename,
                    "ratio": part.file_size // max(part.compress_size, 1),
                    "limit": MAX_COMPRESSION_RATIO,
                },
            )
    return None


class _SheetTooLarge(Exception):
    def __init__(self, problem: ImportProblem):
        super().__init__(problem.message)
        self.problem = problem


def _too_many_rows() -> ImportProblem:
    return _file_error(
        "too_many_rows",
        _(
            "A sheet of this workbook has more than %(limit)s rows, counting empty ones; delete the rows below the "
            "list (select them, then Delete rows), or copy only the list into a new workbook, and upload it again."
        )
        % {"limit": MAX_IMPORT_ROWS},
    )


def _too_many_columns() -> ImportProblem:
    return _file_error(
        "too_many_columns",
        _(
            "A row of a sheet of this workbook goes past column %(limit)s; the list has 13 columns. Delete the "
            "columns to the right of the list, or copy only the list into a new workbook, and upload it again."
        )
        % {"limit": get_column_letter(MAX_IMPORT_COLUMNS)},
    )


def _column_number(reference: str) -> int:
    """The column of a cell reference: "C7" → 3."""
    number = 0
    for char in reference:
        if not char.isalpha():
            break
        number = number * 26 + ord(char.upper()) - ord("A") + 1
    return number


def _sheet_shape_problem(archive: zipfile.ZipFile, part: str) -> ImportProblem | None:
    """Why a sheet must not be handed to openpyxl, found by a scan that keeps nothing; None when it may be read.

    Every row counts toward MAX_IMPORT_ROWS, empty ones too, as numbered in the file (a row numbered 40,000,000
    right after the header is 40 million rows: openpyxl would yield the gap as empty rows), and no row may reach
    past MAX_IMPORT_COLUMNS. The scan stops at the first row or cell past a limit.
    """
    state = {"row": 0, "cells": 0}

    def start(name, attributes):
        tag = name.rsplit("}", 1)[-1]
        if tag == "row":
            reference = attributes.get("r")
            state["row"] = int(reference) if reference else state["row"] + 1
            state["cells"] = 0
            if state["row"] > MAX_IMPORT_ROWS + 1:
                raise _SheetTooLarge(_too_many_rows())
        elif tag == "c":
            state["cells"] += 1
            reference = attributes.get("r")
            column = _column_number(reference) if reference else state["cells"]
            if max(column, state["cells"]) > MAX_IMPORT_COLUMNS:
                raise _SheetTooLarge(_too_many_columns())

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    try:
        with archive.open(part) as source:
            parser.ParseFile(source)
    except _SheetTooLarge as refused:
        return refused.problem
    except (expat.ExpatError, *UNREADABLE):
        return _not_xlsx()
    return None


def organisations_parse(file) -> ParsedFile:
    """Read and check an Appendix 2 workbook; never writes. `file` is a binary file object or an upload."""
    parsed = ParsedFile()
    size = _file_size(file)
    if size > MAX_IMPORT_BYTES:
        parsed.errors.append(
            _file_error(
                "file_too_large",
                _("This file is larger than %(limit)s, the most a file may be.")
                % {"size": filesizeformat(size), "limit": filesizeformat(MAX_IMPORT_BYTES)},
            )
        )
        return parsed
    file.seek(0)
    problem = _unpacked_problem(file)
    if problem is not None:
        parsed.errors.append(problem)
        return parsed
    file.seek(0)
    try:
        # Formulas are read as typed (not their cached results) so that they can be refused.
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=False)
    except UNREADABLE:
        parsed.errors.append(_not_xlsx())
        return parsed
    try:
        _read_sheet(workbook, parsed)
    except _UnreadableFile:
        parsed.rows.clear()
        parsed.errors.append(_not_xlsx())
    finally:
        workbook.close()
    return parsed


def _read_sheet(workbook, parsed: ParsedFile) -> None:
    if not workbook.worksheets:
        parsed.errors.append(_file_error("empty", _("The workbook has no sheet.")))
        return
    sheet = workbook.worksheets[0]
    # Some programs write a wrong size into the file; forget it and read every cell there is.
    sheet.reset_dimensions()
    rows = _sheet_rows(sheet)
    header = next(rows, None)
    if header is None or all(_is_blank(v) for v in header):
        parsed.errors.append(_file_error("empty", _("The first sheet is empty; its first row must name the columns.")))
        return
    columns = _read_header(header, parsed)
    if parsed.errors:
        return
    regions = _region_index()
    first_row_of_bin: dict[str, int] = {}
    data_rows = 0
    for number, cells in enumerate(rows, start=2):
        if all(_is_blank(v) for v in cells):
            continue
        data_rows += 1
        row = _read_row(number, cells, columns, regions, parsed)
        if row is None:
            continue
        if row.bin in first_row_of_bin:
            parsed.errors.append(
                ImportProblem(
                    number,
                    "bin",
                    "duplicate_bin",
                    _("The BIN %(bin)s is already on row %(row)s; each organisation is listed once.")
                    % {"bin": row.bin, "row": first_row_of_bin[row.bin]},
                    get_column_letter(_index_of(columns, "bin") + 1),
                    parsed.headers["bin"],
                )
            )
            continue
        first_row_of_bin[row.bin] = number
        parsed.rows.append(row)
    if not data_rows:
        parsed.errors.append(_file_error("empty", _("The sheet has a header but no organisations below it.")))


# Writing ------------------------------------------------------------------------------------------------------------


def _in_pilot_from(today: datetime.date) -> datetime.date:
    return max(PILOT_STARTS_ON, today)


@transaction.atomic
def organisations_import(
    *,
    rows: list[OrganisationRow],
    user: User | None,
    dry_run: bool = False,
    today: datetime.date | None = None,
) -> ImportResult:
    """Create the new BINs and update the known ones, all in one transaction; with `dry_run` only count.

    `user` is None when an operator runs the command on the server. Existing organisations are read in one
    query; creating and updating are bulk writes that also write their history rows.
    """
    if user is not None and not user_can_import(user=user):
        raise PermissionDenied
    today = today or timezone.localdate()
    result = ImportResult(dry_run=dry_run)
    existing = {
        o.bin: o
        for o in Organisation.objects.select_for_update(of=("self",))
        .select_related("region")
        .filter(bin__in=[r.bin for r in rows])
    }
    to_create: list[Organisation] = []
    to_update: list[Organisation] = []
    changed_fields: set[str] = set()
    for row in rows:
        organisation = existing.get(row.bin)
        if organisation is None:
            to_create.append(Organisation(bin=row.bin, in_pilot_from=_in_pilot_from(today), **row.values))
            continue
        changed = [name for name, value in row.values.items() if getattr(organisation, name) != value]
        if "region" in changed:
            result.warnings.append(
                ImportProblem(
                    row.row,
                    "region",
                    "region_changed",
                    _("%(bin)s moves from %(old)s to %(new)s; its coordinator changes with it.")
                    % {"bin": row.bin, "old": organisation.region.code, "new": row.values["region"].code},
                )
            )
        if not organisation.is_in_pilot:
            result.warnings.append(
                ImportProblem(
                    row.row,
                    "bin",
                    "left_pilot",
                    _("%(bin)s left the pilot on %(date)s; its details are updated, but it stays out of the pilot.")
                    % {"bin": row.bin, "date": organisation.in_pilot_until.strftime("%d.%m.%Y")},
                )
            )
        if not changed:
            result.unchanged += 1
            continue
        for name in changed:
            setattr(organisation, name, row.values[name])
        changed_fields.update(changed)
        to_update.append(organisation)
    result.created, result.updated = len(to_create), len(to_update)
    if dry_run:
        return result
    if to_create:
        created = bulk_create_with_history(
            to_create, Organisation, default_user=user, default_change_reason=HISTORY_REASON
        )
        PilotMembershipChange.objects.bulk_create(
            [
                PilotMembershipChange(
                    organisation=organisation,
                    event=PilotMembershipChange.Event.JOINED,
                    effective_on=organisation.in_pilot_from,
                    reason=_("Listed in Appendix 2 (imported from a spreadsheet)."),
                    recorded_by=user,
                )
                for organisation in created
            ]
        )
    if to_update:
        bulk_update_with_history(
            to_update, Organisation, sorted(changed_fields), default_user=user, default_change_reason=HISTORY_REASON
        )
    return result


def organisations_import_file(
    *, file, user: User | None, dry_run: bool = False, today: datetime.date | None = None
) -> ImportResult:
    """Check the whole file and, only if every row is good (and not `dry_run`), write it."""
    if user is not None and not user_can_import(user=user):
        raise PermissionDenied
    parsed = organisations_parse(file)
    if parsed.errors:
        return ImportResult(dry_run=dry_run, warnings=parsed.warnings, errors=parsed.errors)
    try:
        result = organisations_import(rows=parsed.rows, user=user, dry_run=dry_run, today=today)
    except IntegrityError:
        # Someone else added one of these BINs between our read and our write; the transaction rolled back.
        return ImportResult(
            dry_run=dry_run,
            warnings=parsed.warnings,
            errors=[
                _file_error(
                    "conflict",
                    _("The list changed while the file was being imported; nothing was saved. Please try again."),
                )
            ],
        )
    result.warnings[:0] = parsed.warnings
    return result


# The template ------------------------------------------------------------------------------------------------------


def _example_bin() -> str:
    first_eleven = "05014000123"
    return first_eleven + str(bin_check_digit(first_eleven))


def template_workbook() -> bytes:
    """The downloadable Appendix 2 template: the data sheet with the kk header, and the instructions sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET_TITLE
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    border = Border(bottom=Side(style="thin", color="000000"))
    for index, column in enumerate(COLUMNS, start=1):
        cell = put(sheet.cell(row=1, column=index), column.label_kk)
        cell.font, cell.fill, cell.border = header_font, header_fill, border
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.as_text:
            # Typed BINs keep their leading zeros and phone numbers stay text.
            dimension.number_format = "@"
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"
    last_row = MAX_IMPORT_ROWS + 1
    for code, words in (
        ("settlement", "қала,ауыл"),
        ("ownership", "мемлекеттік,жеке"),
        ("language", "kk,ru,mixed"),
    ):
        # A suggestion list, not a restriction: the other accepted words stay allowed.
        validation = DataValidation(type="list", formula1=f'"{words}"', allow_blank=True, showErrorMessage=False)
        letter = get_column_letter([c.code for c in COLUMNS].index(code) + 1)
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)

    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET_TITLE)
    headings = [_("Code"), _("Label (Kazakh)"), _("Label (Russian)"), _("Required"), _("Accepted values"), _("Example")]
    instructions.append([new_cell(instructions, heading) for heading in headings])
    for cell in instructions[1]:
        cell.font, cell.fill, cell.border = header_font, header_fill, border
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for column in COLUMNS:
        if column.required:
            required = _("yes")
        elif column.code in NAME_COLUMNS:
            required = _("name_kk or name_ru")
        else:
            required = _("no")
        example = _example_bin() if column.code == "bin" else column.example
        line = [column.code, column.label_kk, column.label_ru, required, str(column.allowed), example]
        instructions.append([new_cell(instructions, value) for value in line])
    for row in instructions.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.number_format = "@"
    for letter, width in zip("ABCDEF", (12, 30, 34, 18, 60, 30), strict=True):
        instructions.column_dimensions[letter].width = width
    instructions.freeze_panes = "A2"
    notes_row = len(COLUMNS) + 3
    for offset, note in enumerate(
        (
            _("Fill in the first sheet, one organisation per row, below the header; do not rename the header."),
            _("The file is checked as a whole: if any row is wrong, nothing is saved and every wrong row is listed."),
            _("A BIN already in the portal updates that organisation; an empty cell leaves its value as it is."),
            _(
                "Do not type formulas: a cell that starts with =, +, - or @ is refused "
                "(a phone number may start with +)."
            ),
        )
    ):
        put(instructions.cell(row=notes_row + offset, column=1), note)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
