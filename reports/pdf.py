"""The report as a PDF, from a Django template, with WeasyPrint."""

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML

from monitoring.figures import SKILL_LEVELS

from . import svg
from .models import Report
from .snapshot import Snapshot


def _charts(snapshot: Snapshot) -> dict[str, str]:
    data = snapshot.dashboard
    charts = {}
    rows = data["completeness_rows"]
    period = data["period"]
    if rows and period:
        charts["completeness"] = svg.bar_chart(
            labels=[r.label for r in rows],
            series=[
                (_("completeness, %"), [r.cells[period.code].completeness for r in rows]),
                (_("timeliness, %"), [r.cells[period.code].timeliness for r in rows]),
            ],
            max_value=100,
        )
    if data["stage_rows"]:
        charts["stages"] = svg.bar_chart(
            labels=[r.label for r in data["stage_rows"]],
            series=[
                (f"{s.position}. {s.name}", [r.percents[s.position] for r in data["stage_rows"]])
                for s in data["stages"]
            ],
            max_value=100,
        )
    skills = data["skills"].get("region") or []
    if skills:
        charts["skills"] = svg.bar_chart(
            labels=[r.label for r in skills],
            series=[
                (_("baseline: high"), [r.baseline_shares["skills_high"] for r in skills]),
                (_("final: high"), [r.final_shares["skills_high"] for r in skills]),
                (_("baseline: low"), [r.baseline_shares["skills_low"] for r in skills]),
                (_("final: low"), [r.final_shares["skills_low"] for r in skills]),
            ],
            max_value=100,
        )
    totals = [t for t in data["totals"] if t.code.startswith("sessions_")]
    if totals and snapshot.periods:
        charts["activities"] = svg.bar_chart(
            labels=[t.label for t in totals],
            series=[(p.label, [t.values.get(p.code) for t in totals]) for p in snapshot.periods],
        )
    return {name: mark_safe(chart) for name, chart in charts.items()}


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def render_pdf(snapshot: Snapshot, target: Path) -> int:
    """Write the PDF to `target`; returns its page count."""
    report = snapshot.report
    with translation.override(report.language):
        context = {
            "s": snapshot,
            "report": report,
            "d": snapshot.dashboard,
            "charts": _charts(snapshot),
            "is_final": report.kind == Report.Kind.FINAL,
            "skill_levels": SKILL_LEVELS,
            "indicator_period": snapshot.dashboard["period"],
            # Ten regions to a table keeps the region-by-indicator tables inside a landscape page.
            "region_chunks": _chunks(list(snapshot.region_labels.items()), 10),
        }
        html = render_to_string("reports/pdf/report.html", context)
    document = HTML(string=html, base_url=str(target.parent)).render()
    document.write_pdf(target)
    return len(document.pages)
