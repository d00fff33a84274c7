"""Chart.js specifications for a dashboard, built from the same figures as its tables."""

from django.utils.translation import gettext as _

from .models import Indicator

PALETTE = ["#0b4f8a", "#e07b00", "#2e7d32", "#8e24aa", "#c62828", "#00838f", "#6d4c41", "#546e7a"]
# Each skill level keeps its hue at baseline (light) and final (dark), so the pair reads together; the
# levels take them in the catalogue's order (highest first), a fourth level starting the list again.
SKILL_COLOURS = [
    ("#a5d6a7", "#2e7d32"),
    ("#ffe082", "#e0a800"),
    ("#ef9a9a", "#c62828"),
]


def _num(value):
    return None if value is None else float(value)


def _quarter_with_base(period, base) -> list[str] | str:
    """A category label in lines (Chart.js draws a list as lines): the quarter, its base, "review in progress"."""
    if base is None:
        return period.label
    counts = {"accepted": base.accepted, "expected": base.expected}
    lines = [period.label, _("%(accepted)s of %(expected)s accepted") % counts]
    if base.review_open:
        lines.append(_("review in progress"))
    return lines


def dashboard_charts(data: dict) -> dict:
    charts = {}
    period = data.get("period")
    rows = data["completeness_rows"]
    if period is not None and rows:
        charts["completeness"] = {
            "type": "bar",
            "labels": [r.label for r in rows],
            "datasets": [
                {"label": _("completeness, %"), "data": [r.cells[period.code].completeness for r in rows]},
                {"label": _("timeliness, %"), "data": [r.cells[period.code].timeliness for r in rows]},
            ],
            "max": 100,
            "percent": True,
        }
    periods = data["periods"]
    # Every kind of activity the catalogue names (Indicator.figure_role), as the PDF's chart has.
    activity_rows = [r for r in data["totals"] if r.figure_role == Indicator.FigureRole.ACTIVITY]
    if periods and activity_rows:
        charts["activities"] = {
            "type": "bar",
            # Each quarter with its base, and a quarter under review marked so: its lower bars are partial, not a fall.
            "labels": [_quarter_with_base(p, data.get("bases", {}).get(p.code)) for p in periods],
            # Side by side, not stacked: a stack hides the small kinds (excursions) under the large ones.
            "datasets": [{"label": r.label, "data": [_num(r.values[p.code]) for p in periods]} for r in activity_rows],
        }
    if data["stages"] and data["stage_rows"]:
        charts["stages"] = {
            "type": "bar",
            "labels": [r.label for r in data["stage_rows"]],
            "datasets": [
                {"label": f"{s.position}. {s.name}", "data": [r.percents[s.position] for r in data["stage_rows"]]}
                for s in data["stages"]
            ],
            "max": 100,
            "percent": True,
        }
    skills = data["skills"].get("region") or []
    if skills:
        datasets = []
        for shade, (moment, attr) in enumerate(((_("baseline"), "baseline_shares"), (_("final"), "final_shares"))):
            for index, level in enumerate(data["skill_scale"].levels):
                datasets.append(
                    {
                        "label": f"{moment}: {level.short_name}",
                        "data": [getattr(r, attr)[level.code] for r in skills],
                        "stack": str(moment),
                        "backgroundColor": SKILL_COLOURS[index % len(SKILL_COLOURS)][shade],
                    }
                )
        charts["skills"] = {
            "type": "bar",
            "labels": [r.label for r in skills],
            "datasets": datasets,
            "stacked": True,
            "max": 100,
            "percent": True,
        }
    if data["review_speed"]:
        charts["review"] = {
            "type": "bar",
            "labels": [r.label for r in data["review_speed"]],
            "datasets": [
                {"label": _("average days to acceptance"), "data": [r.average_days for r in data["review_speed"]]}
            ],
        }
    for spec in charts.values():
        for index, dataset in enumerate(spec["datasets"]):
            dataset.setdefault("backgroundColor", PALETTE[index % len(PALETTE)])
            dataset["label"] = str(dataset["label"])
    return charts
