"""The report's figures as an XLSX workbook: a sheet per part, written row by row in write-only mode.

The workbook holds what a person reads; the long-form values, which are for machines and at national
scale pass Excel's row limit, go beside it as a CSV file (values_csv.py)."""

from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from monitoring.figures import DIMENSIONS
from monitoring.models import Period, Status, Value
from pilot_portal import excel_limits
from pilot_portal.xlsx_cells import INTEGER, PERCENT, number_format
from pilot_portal.xlsx_cells import cell as new_cell
from pilots.models.i18n import localized_from

from .citation import report_citation
from .snapshot import Snapshot, report_filters

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0B4F8A")
SHEET_TITLE_MAX = excel_limits.MAX_TITLE


class _Sheet:
    """A write-only sheet with a styled, frozen, filterable header and set widths and number formats."""

    def __init__(self, workbook, title: str, columns: list[tuple[str, int, str | None]], preamble=()):
        """`preamble`: rows of text above the header (the summary's citation of the order)."""
        # Excel refuses a longer name, and a name cut short cuts a word: a shorter translation is written instead.
        excel_limits.check_sheet(title, columns=len(columns))
        self.sheet = workbook.create_sheet(title=title)
        self.title = title
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
            # A word ("yes") may stand in a numeric column, on the rows that say what the figures stand on.
            value = float(value) if fmt and value is not None and not isinstance(value, str) else value
            cells.append(new_cell(self.sheet, value, number_format=fmt))
        self.rows += 1
        if self.header_row + self.rows >= excel_limits.MAX_ROWS:  # the rows above count too
            excel_limits.check_sheet(self.title, columns=len(self.columns), rows=self.header_row + self.rows)
        self.sheet.append(cells)

    def close(self) -> None:
        last = get_column_letter(len(self.columns))
        self.sheet.auto_filter.ref = f"A{self.header_row}:{last}{self.header_row + self.rows}"


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
            ("cohort", _cohort),
        ]
        if snapshot.report.kind != snapshot.report.Kind.FINAL:
            writers += [("summary_of_quarter", _quarter_summary)]
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
    sheet = _Sheet(workbook, _("Summary"), _summary_columns(s), preamble=_citation(s))
    for line, formats in _summary_rows(s):
        sheet.add(line, formats)
    return sheet


def _summary_columns(s: Snapshot) -> list:
    """Each quarter's value and its change (like for like); the final report adds the latest accepted quarter."""
    change = _("change")
    columns = [(_("Indicator"), 46, None), (_("Unit"), 10, None)]
    for p in s.periods:
        columns += [(p.label, 14, INTEGER), (f"{p.label}: {change}", 14, INTEGER)]
    if s.latest is not None:
        columns += [(_("Each organisation's latest accepted quarter"), 18, INTEGER)]
    return columns


def _summary_rows(s: Snapshot):
    """First what the figures stand on (a row each, per quarter), then the figures."""
    bases, latest = s.dashboard["bases"], s.latest

    def base(label, value, last=None):
        line = [label, ""]
        for p in s.periods:
            line += [value(bases[p.code]), None]
        return line + ([last] if latest is not None else []), None

    yield base(_("Organisations expected"), lambda b: b.expected, s.organisation_count)
    yield base(_("Organisations with accepted data"), lambda b: b.accepted, latest.organisations if latest else None)
    yield base(_("Submissions awaiting review"), lambda b: b.awaiting_review)
    yield base(_("Review in progress (no change is computed)"), lambda b: _("yes") if b.review_open else _("no"))
    yield base(
        _("Base of the change: organisations with accepted data in this and the previous quarter"),
        lambda b: None if b.review_open else b.in_both,
    )
    for row in s.dashboard["totals"]:
        line = [row.label, row.unit]
        for p in s.periods:
            line += [row.values.get(p.code), row.changes.get(p.code)]
        if latest is not None:
            line.append(latest.values.get(row.code) if row.code != "organisations_reporting" else None)
        # Each figure in its indicator's format (a percent as a percent), the same as in the dashboard's export.
        yield line, {index: number_format(row.type) for index in range(2, len(line))}


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
    levels = s.dashboard["skill_scale"].levels
    baseline, final, assessed = _("baseline"), _("final"), _("assessed")
    change, cohort = _("change, percentage points"), _("organisations in the cohort")
    columns = [(_("Breakdown"), 18, None), (_("Group"), 30, None), (cohort, 12, INTEGER)]
    for moment in (baseline, final):
        columns += [(f"{moment}: {assessed}", 12, INTEGER)]
        columns += [(f"{moment}: {level.short_name}", 12, INTEGER) for level in levels]
        columns += [(f"{moment}: {level.short_name}, %", 12, PERCENT) for level in levels]
    columns += [(f"{change}: {level.short_name}", 14, PERCENT) for level in levels]
    sheet = _Sheet(workbook, _("Skills"), columns)
    for by, rows in s.dashboard["skills"].items():
        breakdown = str(DIMENSIONS[by][1])  # "Settlement", not the code "settlement"
        for row in rows:
            cells = row.cells
            sheet.add(
                [breakdown, row.label, row.organisations]
                + [row.baseline_assessed]
                + [c.baseline for c in cells]
                + [c.baseline_share if row.baseline else None for c in cells]
                + [row.final_assessed]
                + [c.final for c in cells]
                + [c.final_share if row.final else None for c in cells]
                + [c.change for c in cells]
            )
    return sheet


def _cohort(workbook, s: Snapshot) -> _Sheet:
    """The organisations outside the baseline-against-final comparison, and which diagnostics each lacks."""
    sheet = _Sheet(
        workbook,
        _("Outside the cohort"),
        [
            (_("BIN"), 15, None),
            (_("Organisation"), 50, None),
            (_("Region"), 10, None),
            (_("Settlement"), 10, None),
            (_("Ownership"), 12, None),
            (_("Language"), 10, None),
            (_("Missing"), 20, None),
        ],
    )
    for o, has_baseline, has_final in s.cohort_missing:
        missing = (
            _("baseline and final")
            if not has_baseline and not has_final
            else _("final")
            if not has_final
            else _("baseline")
        )
        sheet.add(
            [
                o.bin,
                o.name,
                o.region.code,
                o.get_settlement_display(),
                o.get_ownership_display(),
                o.get_language_display(),
                missing,
            ]
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
        + [(s.annex_count.short_name if s.annex_count else "", 10, INTEGER)]
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
    codes = [kind.code for kind in s.narrative_kinds]
    sheet = _Sheet(
        workbook,
        _("Narratives"),
        [
            (_("Region"), 10, None),
            (_("BIN"), 15, None),
            (_("Organisation"), 40, None),
            (_("Quarter"), 14, None),
        ]
        + [(kind.name, 60, None) for kind in s.narrative_kinds],
    )
    periods = _period_labels()
    rows = (
        _accepted_values(s)
        .filter(indicator__code__in=codes)
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
    column = {code: index for index, code in enumerate(codes, start=4)}
    line, key = None, None
    for region, bin_, name_kk, name_ru, period, kind, text in rows.iterator(chunk_size=5000):
        if (bin_, period) != key:
            if line is not None:
                sheet.add(line)
            key = (bin_, period)
            name = localized_from({"kk": name_kk, "ru": name_ru})
            line = [region, bin_, name, periods.get(period, period)] + [None] * len(codes)
        line[column[kind]] = text
    if line is not None:
        sheet.add(line)
    return sheet


def _quarter_summary(workbook, s: Snapshot) -> _Sheet:
    """The report's own summary of its quarter (the Institute's, or the regional coordinator's), on a
    sheet of its own: the narratives sheet has a column per kind of organisations' text."""
    report, n = s.report, s.summary
    written = n is not None and n.text
    if report.region_id:
        author = n.updated_by.display_name if written and n.updated_by else ""
        missing = _("The regional coordinator has not written the summary of this quarter yet.")
    else:
        author = _("Institute of Early Childhood Development")
        missing = _("The Institute has not written its summary of this quarter yet.")
    sheet = _Sheet(
        workbook,
        _("Summary of the quarter"),
        [(_("Region"), 10, None), (_("Quarter"), 14, None), (_("Author"), 40, None), (_("Text"), 100, None)],
    )
    region = report.region.code if report.region_id else ""
    sheet.add([region, str(report.period.document_label), author, n.text if written else missing])
    return sheet


def _period_labels() -> dict[str, str]:
    """Period code → its label in the workbook's language ("4 кв. 2026"), read once."""
    return {p.code: str(p.label) for p in Period.objects.all()}


def _accepted_values(s: Snapshot):
    from monitoring import figures

    from .snapshot import _scope_user

    orgs = figures.organisations(user=_scope_user(s.report), filters=report_filters(s.report))
    return Value.objects.counted().filter(submission__organisation__in=orgs, submission__period__in=s.periods)
