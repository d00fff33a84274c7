"""Reading an upload: the size and shape limits checked before openpyxl inflates anything, the header, the rows."""

import io
import os
import zipfile
from xml.parsers import expat

import openpyxl
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.reader.excel import InvalidFileException
from openpyxl.utils import get_column_letter

from .cells import _is_blank, _read_row, _region_index
from .columns import COLUMNS, NAME_COLUMNS, Column, _normal
from .results import ImportProblem, ParsedFile, _file_error

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


def _column_for_header(value) -> Column | None:
    text = _normal(value)
    for column in COLUMNS:
        if text in (column.code, *column.aliases, _normal(column.label_kk), _normal(column.label_ru)):
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
