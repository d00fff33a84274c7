"""The downloadable Appendix 2 template workbook, built from the columns this package accepts."""

import io

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pilot_portal.xlsx_cells import cell as new_cell
from pilot_portal.xlsx_cells import put

from ..bin import valid_bin_from
from .columns import COLUMNS, NAME_COLUMNS
from .reading import MAX_IMPORT_ROWS

DATA_SHEET_TITLE = "Ұйымдар"
INSTRUCTIONS_SHEET_TITLE = "Нұсқаулық"

# The template ------------------------------------------------------------------------------------------------------


def _example_bin() -> str:
    return valid_bin_from("05014000123")


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
