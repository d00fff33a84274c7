"""A table as an XLSX download: styled and frozen header, filters, number formats, widths, one sheet per table.

Every table the portal offers as a workbook (a dashboard's tables in monitoring/exports.py, the lists in
their own apps' `exports` modules) is written here, in openpyxl's write-only mode, to a temporary file that
is streamed from disk: a list of 11,000 organisations never sits whole in memory, and the rows may come
straight from a queryset's iterator."""

import datetime
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import excel_limits
from .xlsx_cells import cell as new_cell

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0B4F8A")
# Dates as the portal writes them (dd.mm.yyyy), whatever the reader's locale.
DATE, DATETIME = "dd.mm.yyyy", "dd.mm.yyyy hh:mm"
# Rows read from the database per round trip while a list is written: memory stays flat, queries stay few.
CHUNK = 500


@dataclass(frozen=True)
class Sheet:
    """One table: its title, its columns as (label, width, number format or None), and its rows."""

    title: str
    headers: list
    rows: Iterable


class Formatted(list):
    """A row whose cells override their column's number format (column index → format)."""

    def __init__(self, values, formats: dict[int, str]):
        super().__init__(values)
        self.formats = formats


def sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet name and cuts it at 31.
    return "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title))[:31].strip()


def write_workbook(sheets: Iterable[Sheet], *, title: str, description: str = ""):
    """The tables as an XLSX file on disk, rewound for reading; the document says what it holds."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = str(title)
    workbook.properties.description = description
    for table in sheets:
        _write_sheet(workbook, table)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 -- handed to FileResponse, which closes it
    workbook.save(handle)
    handle.seek(0)
    return handle


def _write_sheet(workbook, table: Sheet) -> None:
    headers = table.headers
    sheet = workbook.create_sheet(title=sheet_title(table.title))
    excel_limits.check_sheet(sheet.title, columns=len(headers))
    for index, (_label, width, _fmt) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B2"
    header_cells = []
    for label, _width, _fmt in headers:
        cell = new_cell(sheet, str(label))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header_cells.append(cell)
    sheet.append(header_cells)
    count = append_rows(sheet, headers, table.rows)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"


def append_rows(sheet, headers, rows: Iterable[list]) -> int:
    count = 0
    for line in rows:
        cells = []
        formats = getattr(line, "formats", {})
        for index, (value, (_label, _width, fmt)) in enumerate(zip(line, headers, strict=True)):
            fmt = formats.get(index, fmt)
            # A word ("yes") may stand in a numeric column, on the rows that say what the figures stand on;
            # a date keeps its type under a date's format.
            value = float(value) if fmt and isinstance(value, int | float | Decimal) else value
            cells.append(new_cell(sheet, value, number_format=fmt))
        count += 1
        if count >= excel_limits.MAX_ROWS:  # the header is a row too
            excel_limits.check_sheet(sheet.title, columns=len(headers), rows=count + 1)
        sheet.append(cells)
    return count


def local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """A stored moment as the wall-clock time in Astana (a cell holds no time zone)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def download(handle, stem: str) -> FileResponse:
    """The workbook as an attachment named for what it holds and the day it was written."""
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    return FileResponse(handle, as_attachment=True, filename=f"{stem}-{stamp}.xlsx")
