"""The report's figures as an XLSX workbook: a sheet per part, written row by row in write-only mode."""

from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from monitoring.figures import DIMENSIONS, SKILL_LEVELS
from monitoring.models import Indicator, Period, Status, Value
from pilot_portal.xlsx_cells import cell as new_cell
from pilots.models.i18n import localized_from

from .citation import report_citation
from .snapshot import NARRATIVE_CODES, Snapshot, report_filters

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0B4F8A")
INTEGER, DECIMAL, PERCENT = "#,##0", "#,##0.00", "0.0"
SHEET_TITLE_MAX = 31  # Excel's limit


class _Sheet:
    """A write-only sheet with a styled, frozen, filterable header and set widths and number formats."""

    def __init__(self, workbook, title: str, columns: list[tuple[str, int, str | None]], preamble=()):
        """`preamble`: rows of text above the header (the summary's citation of the order)."""
        if len(title) > SHEET_TITLE_MAX:
            # Excel refuses a longer name, and a name cut short cuts a word: write a shorter translation.
            raise ValueError(f"Sheet title {title!r} is longer than {SHEET_TITLE_MAX} characters.")
        self.sheet = workbook.create_sheet(title=title)
        self.columns = columns
        self.rows = 0
        for index, (_label, width, _fmt) in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        for line in preamble:
            self.sheet.append([new_cell(self.sheet, text) for text in line])
        self.header_row = len(preamble) + 1
        self.sheet.freeze_panes = f"A{self.header_row + 1}"
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
        self.sheet.append(cells)
        self.rows += 1

    def close(self) -> None:
        last = get_column_letter(len(self.columns))
        self.sheet.auto_filter.ref = f"A{self.header_row}:{last}{self.header_row + self.rows}"


def write_xlsx(snapshot: Snapshot, target: Path, progress=lambda share: None) -> dict[str, int]:
    """Write the workbook to `target`; returns the number of data rows of each sheet."""
    with translation.override(snapshot.report.language):
        workbook = Workbook(write_only=True)
        counts = {}
        for name, writer in [
            ("summary", _summary),
            ("regions", _regions),
            ("stages", _stages),
            ("skills", _skills),
            ("organisations", _organisations),
            ("narratives", _narratives),
            ("values", _values),
        ]:
            sheet = writer(workbook, snapshot)
            sheet.close()
            counts[name] = sheet.rows
            progress(len(counts) / 7)
        workbook.save(target)
    return counts


def _summary(workbook, s: Snapshot) -> _Sheet:
    sheet = _Sheet(
        workbook,
        _("Summary"),
        [(_("Indicator"), 46, None), (_("Unit"), 10, None)] + [(p.label, 14, INTEGER) for p in s.periods],
        preamble=_citation(s),
    )
    for row in s.dashboard["totals"]:
        sheet.add([row.label, row.unit] + [row.values.get(p.code) for p in s.periods])
    return sheet


def _citation(s: Snapshot) -> list[list[str]]:
    """The order the report answers, above the summary's table: label and text, then a blank row."""
    citation = report_citation(s.order, s.report.kind)
    rows = []
    if citation is not None:
        rows += [
            [_("Order"), f"{citation.date} {citation.number} {citation.title}"],
            [pgettext("order", "Signed by"), citation.signed_by],
            [_("Clause of the order this report answers"), citation.clause],
        ]
        if citation.basis:
            rows += [[_("Basis of the order"), citation.basis]]
    if s.report.period_id:
        rows += [[_("Quarter"), s.report.period.document_label]]
    if not s.has_accepted_data:
        rows += [[_("Data"), _no_accepted_data(s)]]
    return [*rows, []] if rows else []


def _no_accepted_data(s: Snapshot) -> str:
    if s.report.period_id:
        return _(
            "No monitoring data for %(period)s have been accepted: the figures in this report are not results."
        ) % {"period": s.report.period.document_label}
    return _("No monitoring data have been accepted: the figures in this report are not results.")


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
    sheet = _Sheet(
        workbook,
        _("Narratives"),
        [
            (_("Region"), 10, None),
            (_("BIN"), 15, None),
            (_("Organisation"), 40, None),
            (_("Quarter"), 14, None),
            (_("Kind"), 24, None),
            (_("Text"), 90, None),
        ],
    )
    kinds = {i.code: i.name for i in Indicator.objects.filter(code__in=NARRATIVE_CODES)}
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
    for region, bin_, name_kk, name_ru, period, kind, text in rows.iterator(chunk_size=5000):
        name = localized_from({"kk": name_kk, "ru": name_ru})
        sheet.add([region, bin_, name, periods.get(period, period), kinds.get(kind, kind), text])
    return sheet


def _values(workbook, s: Snapshot) -> _Sheet:
    """Every accepted numeric value in long form: one row per organisation, quarter and indicator."""
    sheet = _Sheet(
        workbook,
        _("Values"),
        [
            (_("Region"), 10, None),
            (_("BIN"), 15, None),
            (_("Quarter"), 14, None),
            (_("Indicator code"), 24, None),
            (_("Indicator"), 50, None),
            (_("Unit"), 10, None),
            (_("Value"), 14, DECIMAL),
        ],
    )
    # Named once per indicator, not once per row: at national scale there are a million rows.
    described = {
        i.code: (i.name, i.unit, {6: INTEGER} if i.type == Indicator.Type.INTEGER else None)
        for i in Indicator.objects.all()
    }
    periods = _period_labels()
    rows = (
        _accepted_values(s)
        .filter(number__isnull=False)
        .values_list(
            "submission__organisation__region__code",
            "submission__organisation__bin",
            "submission__period__code",
            "indicator__code",
            "number",
        )
        .order_by(
            "submission__organisation__region__code",
            "submission__organisation__bin",
            "submission__period__code",
            "indicator__code",
        )
    )
    for region, bin_, period, code, number in rows.iterator(chunk_size=10000):
        # A count reads 12, not 12.00; decimals and percentages keep their two places.
        name, unit, formats = described.get(code, ("", "", None))
        sheet.add([region, bin_, periods.get(period, period), code, name, unit, number], formats)
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
