"""Excel's limits on a sheet, checked while a workbook is written.

Excel refuses to open a sheet longer than 1,048,576 rows or wider than 16,384 columns (it offers to
"repair" the file and drops what lies beyond), and a sheet name longer than 31 characters. openpyxl
writes such a workbook without a word, so every writer (reports/xlsx.py, monitoring/exports.py) asks
here first and fails with the reason instead of handing out a file its reader cannot open."""

from django.utils.translation import gettext as _

MAX_ROWS = 1_048_576  # the header row included
MAX_COLUMNS = 16_384
MAX_TITLE = 31


class ExcelLimitExceeded(ValueError):
    """A sheet would pass one of Excel's limits; the message names the sheet and the limit."""


def check_sheet(title: str, *, columns: int, rows: int = 0) -> None:
    """Raise ExcelLimitExceeded when a sheet so named, with so many columns and rows (header row
    included), would not open in Excel."""
    if len(title) > MAX_TITLE:
        raise ExcelLimitExceeded(
            _("The sheet name «%(title)s» has %(length)d characters; Excel allows at most %(limit)d.")
            % {"title": title, "length": len(title), "limit": MAX_TITLE}
        )
    if columns > MAX_COLUMNS:
        raise ExcelLimitExceeded(
            _("The sheet «%(title)s» would have %(count)d columns; Excel opens at most %(limit)d.")
            % {"title": title, "count": columns, "limit": MAX_COLUMNS}
        )
    if rows > MAX_ROWS:
        raise ExcelLimitExceeded(
            _("The sheet «%(title)s» would have more than %(limit)d rows, which Excel cannot open.")
            % {"title": title, "limit": MAX_ROWS}
        )
