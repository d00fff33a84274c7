"""The report's figures as an XLSX workbook: a sheet per part, written row by row in write-only mode.

The workbook holds what a person reads; the long-form values, which are for machines and at national
scale pass Excel's row limit, go beside it as a CSV file (values_csv.py)."""

from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from monitoring.figures import DIMENSIONS, SKILL_LEVELS
from monitoring.models import Indicator, Period, Status, Value
from pilot_portal import excel_limits
from pilot_portal.xlsx_cells import cell as new_cell
from pilots.models.i18n import localized_from

from .snapshot import NARRATIVE_CODES, Snapshot, report_filters

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0B4F8A")
INTEGER, DECIMAL, PERCENT = "#,##0", "#,##0.00", "0.0"


class _Sheet:
    """A write-only sheet with a styled, frozen, filterable header and set widths and number formats."""

    def __init__(self, workbook, title: str, columns: list[tuple[str, int, str | None]]):
        excel_limits.check_sheet(title, columns=len(columns))
        self.sheet = workbook.create_sheet(title=title)
        self.title = title
        self.columns = columns
        self.rows = 0
        for index, (_label, width, _fmt) in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        header = []
        for label, _width, _fmt in columns:
            cell = new_cell(self.sheet, str(label))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        self.sheet.append(header)

    def add(self, values, formats: dict[int, str] | None = None) -> None:
        """A row; `formats` overrides a column's number format for this row (column index → format)."""
        cells = []
        for index, (value, (_label, _width, fmt)) in enumerate(zip(values, self.columns, strict=True)):
            fmt = (formats or {}).get(index, fmt)
            value = float(value) if fmt and value is not None else value
            cells.append(new_cell(self.sheet, value, number_format=fmt))
        self.rows += 1
        if self.rows >= excel_limits.MAX_ROWS:  # the header is a row too; checked before Excel's limit is passed
            excel_limits.check_sheet(self.title, columns=len(self.columns), rows=self.rows + 1)
        self.sheet.append(cells)

    def close(self) -> None:
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{self.rows + 1}"


def write_xlsx(snapshot: Snapshot, target: Path, progress=lambda share: None) -> dict[str, int]:
    """Write the workbook to `target`; returns the number of data rows of each sheet."""
    with translation.override(snapshot.report.language):
        workbook = Workbook(write_only=True)
        counts = {}
        writers = [
            ("summary", _summary),
            ("regions", _regions),
            ("stages", _stages),
            ("skills", _skills),
            ("organisations", _organisations),
            ("narratives", _narratives),
        ]
        try:
            for name, writer in writers:
                sheet = writer(workbook, snapshot)
                sheet.close()
                counts[name] = sheet.rows
                progress(len(counts) / len(writers))
        except Exception:
            _discard(workbook)
            raise
        workbook.save(target)
    return counts


def _discard(workbook) -> None:
    """Remove the sheets' temporary files of a workbook that will not be saved: openpyxl would keep them
    until the process ends, and a worker lives for days (a sheet stopped at Excel's limit is 100 MB)."""
    for sheet in workbook.worksheets:
        if not sheet.closed:
            sheet.close()
        Path(sheet._writer.out).unlink(missing_ok=True)


def _summary(workbook, s: Snapshot) -> _Sheet:
    sheet = _Sheet(
        workbook,
        _("Summary"),
        [(_("Indicator"), 46, None), (_("Unit"), 10, None)] + [(p.label, 14, INTEGER) for p in s.periods],
    )
    for row in s.dashboard["totals"]:
        sheet.add([row.label, row.unit] + [row.values.get(p.code) for p in s.periods])
    return sheet


def _regions(workbook, s: Snapshot) -> _Sheet:
    columns = [(_("Region code"), 10, None), (_("Region"), 30, None)]
    for p in s.periods:
        columns += [
            (f"{p.label}: {x}", 12, fmt)
            for x, fmt in (
                (_("expected"), INTEGER),
                (_("submitted"), INTEGER),
                (_("completeness, %"), PERCENT),
                (_("on time"), INTEGER),
                (_("timeliness, %"), PERCENT),
            )
        ]
    sheet = _Sheet(workbook, _("Regions"), columns)
    for row in s.dashboard["completeness_rows"]:
        line = [row.key, row.label]
        for p in s.periods:
            c = row.cells[p.code]
            line += [c.expected, c.submitted, c.completeness, c.on_time, c.timeliness]
        sheet.add(line)
    return sheet


def _stages(workbook, s: Snapshot) -> _Sheet:
    stages = s.dashboard["stages"]
    sheet = _Sheet(
        workbook,
        _("Stages"),
        [(_("Region"), 30, None)] + [(f"{st.position}. {st.name}, %", 18, PERCENT) for st in stages],
    )
    for row in [*s.dashboard["stage_rows"], s.dashboard["stage_total"]]:
        sheet.add([row.label] + [row.percents[st.position] for st in stages])
    return sheet


def _skills(workbook, s: Snapshot) -> _Sheet:
    levels = {"skills_high": _("high"), "skills_medium": _("medium"), "skills_low": _("low")}
    baseline, final, assessed = _("baseline"), _("final"), _("assessed")
    columns = [(_("Breakdown"), 18, None), (_("Group"), 30, None), (f"{baseline}: {assessed}", 12, INTEGER)]
    columns += [(f"{baseline}: {levels[lvl]}, %", 12, PERCENT) for lvl in SKILL_LEVELS]
    columns += [(f"{final}: {assessed}", 12, INTEGER)]
    columns += [(f"{final}: {levels[lvl]}, %", 12, PERCENT) for lvl in SKILL_LEVELS]
    sheet = _Sheet(workbook, _("Skills"), columns)
    for by, rows in s.dashboard["skills"].items():
        breakdown = str(DIMENSIONS[by][1])  # "Settlement", not the code "settlement"
        for row in rows:
            sheet.add(
                [breakdown, row.label, row.baseline.get("children_assessed")]
                + [row.baseline_shares[lvl] for lvl in SKILL_LEVELS]
                + [row.final.get("children_assessed")]
                + [row.final_shares[lvl] for lvl in SKILL_LEVELS]
            )
    return sheet


def _organisations(workbook, s: Snapshot) -> _Sheet:
    columns = (
        [
            (_("BIN"), 15, None),
            (_("Organisation"), 50, None),
            (_("Region"), 10, None),
            (_("District or city"), 22, None),
            (_("Settlement"), 10, None),
            (_("Ownership"), 12, None),
            (_("Language"), 10, None),
        ]
        + [(p.label, 12, None) for p in s.periods]
        + [(_("Children"), 10, INTEGER)]
    )
    sheet = _Sheet(workbook, _("Organisations"), columns)
    for region, rows in s.annex.items():
        for row in rows:
            o = row.organisation
            sheet.add(
                [
                    o.bin,
                    o.name,
                    region,
                    o.district,
                    o.get_settlement_display(),
                    o.get_ownership_display(),
                    o.get_language_display(),
                ]
                + [str(Status(row.statuses[p.code]).label) if p.code in row.statuses else "" for p in s.periods]
                + [row.children]
            )
    return sheet


def _narratives(workbook, s: Snapshot) -> _Sheet:
    """One row per organisation and quarter, a column per kind of text: read across, an organisation's
    achievements sit beside its difficulties; and a third of the cells of one row per text, which at
    national scale (a hundred thousand texts) is most of the workbook's writing time."""
    kinds = {i.code: i.name for i in Indicator.objects.filter(code__in=NARRATIVE_CODES)}
    sheet = _Sheet(
        workbook,
        _("Narratives"),
        [
            (_("Region"), 10, None),
            (_("BIN"), 15, None),
            (_("Organisation"), 40, None),
            (_("Quarter"), 14, None),
        ]
        + [(kinds.get(code, code), 60, None) for code in NARRATIVE_CODES],
    )
    periods = _period_labels()
    rows = (
        _accepted_values(s)
        .filter(indicator__code__in=NARRATIVE_CODES)
        .exclude(text="")
        .values_list(
            "submission__organisation__region__code",
            "submission__organisation__bin",
            "submission__organisation__name_kk",
            "submission__organisation__name_ru",
            "submission__period__code",
            "indicator__code",
            "text",
        )
        .order_by("submission__organisation__region__code", "submission__organisation__bin", "submission__period__code")
    )
    column = {code: index for index, code in enumerate(NARRATIVE_CODES, start=4)}
    line, key = None, None
    for region, bin_, name_kk, name_ru, period, kind, text in rows.iterator(chunk_size=5000):
        if (bin_, period) != key:
            if line is not None:
                sheet.add(line)
            key = (bin_, period)
            name = localized_from({"kk": name_kk, "ru": name_ru})
            line = [region, bin_, name, periods.get(period, period)] + [None] * len(NARRATIVE_CODES)
        line[column[kind]] = text
    if line is not None:
        sheet.add(line)
    return sheet


def _period_labels() -> dict[str, str]:
    """Period code → its label in the workbook's language ("4 кв. 2026"), read once."""
    return {p.code: str(p.label) for p in Period.objects.all()}


def _accepted_values(s: Snapshot):
    from monitoring import figures

    from .snapshot import _scope_user

    orgs = figures.organisations(user=_scope_user(s.report), filters=report_filters(s.report))
    return Value.objects.filter(
        submission__organisation__in=orgs, submission__status=Status.ACCEPTED, submission__period__in=s.periods
    )
