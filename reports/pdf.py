"""The report as a PDF, from a Django template, with WeasyPrint."""

from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML

from monitoring.figures import skills_total
from monitoring.models import Indicator

from . import svg
from .citation import report_citation
from .models import Report
from .snapshot import NARRATIVES_PER_REGION, NATIONAL, Snapshot


@dataclass
class Chart:
    svg: str
    caption: str


@dataclass
class ChartPart:
    """One chart as the report prints it: its caption (naming its part when a chart is split) and
    what svg.layout draws, so the PDF's SVG and the DOCX's PNG are the same chart."""

    caption: str
    options: dict


def _captioned(caption: str, labels: list[str], series: list[tuple[str, list]], **options) -> list[ChartPart]:
    """One ChartPart per part; a split chart's captions say which part each is."""
    parts = svg.split(labels, series)
    if len(parts) == 1:
        return [ChartPart(caption, {"labels": labels, "series": series, **options})]
    return [
        ChartPart(
            _("%(caption)s (part %(part)d of %(parts)d)") % {"caption": caption, "part": n, "parts": len(parts)},
            {"labels": part_labels, "series": part_series, **options},
        )
        for n, (part_labels, part_series) in enumerate(parts, start=1)
    ]


def chart_parts(snapshot: Snapshot) -> dict[str, list[ChartPart]]:
    """The report's charts by where they stand (completeness, stages, skills, activities)."""
    data = snapshot.dashboard
    charts = {}
    rows = data["completeness_rows"]
    period = data["period"]
    if rows and period:
        caption = _("Completeness and timeliness by region, %(period)s, %%") % {"period": period.document_label}
        charts["completeness"] = _captioned(
            caption,
            labels=[r.label for r in rows],
            series=[
                (_("completeness, %"), [r.cells[period.code].completeness for r in rows]),
                (_("timeliness, %"), [r.cells[period.code].timeliness for r in rows]),
            ],
            max_value=100,
            unit="%",
        )
    if data["stage_rows"]:
        caption = _("Share of the algorithm's activities done, by region and stage, in per cent")
        charts["stages"] = _captioned(
            caption,
            labels=[r.label for r in data["stage_rows"]],
            series=[
                (f"{s.position}. {s.name}", [r.percents[s.position] for r in data["stage_rows"]])
                for s in data["stages"]
            ],
            max_value=100,
            unit="%",
        )
    skills = data["skills"].get("region") or []
    if skills:
        charts["skills"] = _skills_chart(skills, data["skill_scale"].levels, with_final=data["final"] is not None)
    # Every kind of activity the catalogue names (Indicator.figure_role), as the dashboard's chart has.
    totals = [t for t in data["totals"] if t.figure_role == Indicator.FigureRole.ACTIVITY]
    if totals and snapshot.periods:
        caption = _("Activities held by kind and quarter (accepted data)")
        charts["activities"] = _captioned(
            caption,
            labels=[t.label for t in totals],
            # A quarter under review is named so beside its bars, whose height is partial, not a fall.
            series=[
                (_period_series_name(p, data["bases"].get(p.code)), [t.values.get(p.code) for t in totals])
                for p in snapshot.periods
            ],
        )
    return charts


def _charts(snapshot: Snapshot) -> dict[str, list[Chart]]:
    return {
        key: [Chart(mark_safe(svg.bar_chart(title=part.caption, **part.options)), part.caption) for part in parts]
        for key, parts in chart_parts(snapshot).items()
    }


def _period_series_name(period, base) -> str:
    if base is None or not base.review_open:
        return str(period.label)
    return f"{period.label} ({_('review in progress')})"


def _skills_chart(skills: list, levels, *, with_final: bool) -> list[ChartPart]:
    """The extremes of the catalogue's levels (the first and the last), at baseline and, once it came, final."""
    baseline, final = _("baseline"), _("final")
    series = []
    for level in dict.fromkeys([levels[0], levels[-1]]) if levels else []:
        series.append((f"{baseline}: {level.short_name}", [r.baseline_shares[level.code] for r in skills]))
        if with_final:
            series.append((f"{final}: {level.short_name}", [r.final_shares[level.code] for r in skills]))
    caption = _("Children at the high and the low level of labour skills by region, in per cent of those assessed")
    return _captioned(caption, labels=[r.label for r in skills], series=series, max_value=100, unit="%")


def _order_texts(snapshot: Snapshot) -> dict:
    """The order's citation for the title page, and the running header's text as a CSS string.

    The header is set from CSS rather than from an element, which would print it a second time on
    the title page under the citation."""
    citation = report_citation(snapshot.order, snapshot.report.kind)
    if citation is None:
        return {"citation": None, "order_ref_css": '""'}
    return {"citation": citation, "order_ref_css": mark_safe(_css_string(citation.header))}


def _css_string(text: str) -> str:
    """A quoted CSS string; anything but letters, digits and plain punctuation is escaped, so no
    text can close the string or the <style> element."""
    safe = " .,;:()·«»„“-–№_"
    return '"' + "".join(c if c.isalnum() or c in safe else f"\\{ord(c):x} " for c in text) + '"'


def _region_columns(snapshot: Snapshot) -> list[list[tuple[str, str]]]:
    """The by-region indicator tables' columns as (key, heading) chunks.

    Ten regions to a table keeps them inside a landscape page; a regional report has one table,
    portrait, its region beside the national figure."""
    if snapshot.report.region_id:
        region = snapshot.report.region
        return [[(region.code, region.name), (NATIONAL, _("National"))]]
    return _chunks(list(snapshot.region_labels.items()), 10)


def _total_rows(snapshot: Snapshot) -> dict:
    """The row under each region table: all regions nationally; in a regional report, whose one
    region row is its own total, the national figure to compare it with."""
    data = snapshot.dashboard
    if snapshot.report.region_id:
        return {"stage_total": data["national_stages"], "completeness_total": data["national_completeness"]}
    return {"stage_total": data["stage_total"], "completeness_total": data["completeness_total"]}


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# A region's annex table keeps its first rows with its heading and its last rows together, so a
# page never ends on a heading with a stub of a row or two nor begins with the last row alone. A
# region that fits on a page is kept whole.
LEAD_ROWS, TAIL_ROWS, WHOLE_ROWS = 4, 2, 20


def _annex_region(rows: list) -> tuple[bool, list[tuple[object, str]]]:
    """(keep whole, [(row, css class)]): which rows may not be parted from the next or the previous."""
    classes = []
    for index in range(len(rows)):
        if index < LEAD_ROWS - 1:
            classes.append("keep-next")
        elif index > len(rows) - TAIL_ROWS:
            classes.append("keep-previous")
        else:
            classes.append("")
    return len(rows) <= WHOLE_ROWS, list(zip(rows, classes, strict=True))


def _key_figures(snapshot: Snapshot) -> list[tuple[str, object]]:
    """(label, value) of the headline boxes: the final report's from each organisation's latest accepted
    quarter, any other report's from its own quarter."""
    data = snapshot.dashboard
    rows = [r for r in data["totals"] if r.figure_role == Indicator.FigureRole.KEY_TOTAL]
    if snapshot.latest is not None:
        return [(r.label, snapshot.latest.values.get(r.code)) for r in rows]
    period = data["period"]
    return [(r.label, r.values.get(period.code)) for r in rows] if period else []


def report_html(snapshot: Snapshot, charts: dict[str, list[Chart]]) -> str:
    """The report as the PDF's HTML, in the active language; `charts` stand where each chart does
    (the PDF's SVG, or the DOCX's place-holders for its PNG)."""
    report = snapshot.report
    levels = snapshot.dashboard["skill_scale"].levels
    context = {
        "s": snapshot,
        # The moment this version is written, beside the moment its data were read.
        "compiled_at": timezone.now(),
        "report": report,
        "d": snapshot.dashboard,
        "charts": charts,
        "is_final": report.kind == Report.Kind.FINAL,
        "skill_levels": levels,
        # The skills table's columns, for its "no diagnostics" row: the group, the organisations, then for
        # each moment the children assessed and each level, and the change at each level once the final came.
        "skill_columns": 2 + len(levels) + 1 + ((len(levels) + 1 + len(levels)) if snapshot.dashboard["final"] else 0),
        "kind_names": {kind.code: kind.name for kind in snapshot.narrative_kinds},
        "indicator_period": snapshot.dashboard["period"],
        "region_chunks": _region_columns(snapshot),
        **_total_rows(snapshot),
        "quotes_per_region": NARRATIVES_PER_REGION,
        **_order_texts(snapshot),
        "annex_regions": [(region, rows, *_annex_region(rows)) for region, rows in snapshot.annex.items()],
        "key_figures": _key_figures(snapshot),
        # A regional report's one region row is its own total; the national row stands under it.
        "skills_total": skills_total(
            snapshot.dashboard["skills"].get("region") or [], _("All regions"), scale=snapshot.dashboard["skill_scale"]
        ),
        "national_skills": snapshot.dashboard.get("national_skills"),
    }
    return render_to_string("reports/pdf/report.html", context)


def render_pdf(snapshot: Snapshot, target: Path) -> int:
    """Write the PDF to `target`; returns its page count."""
    with translation.override(snapshot.report.language):
        html = report_html(snapshot, _charts(snapshot))
    document = HTML(string=html, base_url=str(target.parent)).render()
    document.write_pdf(target)
    return len(document.pages)
