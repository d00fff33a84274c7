"""What a dashboard shows, assembled from monitoring.figures; the views, the XLSX exports and the reports use it."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilots.models import Region, User
from pilots.orders import order_current

from . import figures
from .control_card import order_control_card
from .figures import FigureFilters
from .models import Period


@dataclass
class Deadline:
    number: str
    text: str
    due_on: object
    days_left: int


def next_deadlines(*, today, user: User, limit: int = 4) -> list[Deadline]:
    """The order's clauses still to come, soonest first, with the days left."""
    order = order_current()
    if order is None:
        return []
    upcoming = [
        # The date the days count to: for clause 3.1 the next quarterly report, not the clause's last.
        Deadline(s.clause.number, s.clause.text, today + datetime.timedelta(days=s.days_left), s.days_left)
        for s in order_control_card(order=order, today=today, user=user)
        if s.days_left is not None and s.days_left >= 0 and s.clause.due_on
    ]
    return sorted(upcoming, key=lambda d: d.days_left)[:limit]


@dataclass
class Moment:
    """What every table of a dashboard is computed for: the scope, the filters and the quarters."""

    user: User
    filters: FigureFilters
    region: Region | None
    today: datetime.date
    periods: list[Period]
    chosen: Period | None
    baseline: Period | None
    final: Period | None
    stages_as_of: datetime.date

    @property
    def nationwide(self) -> FigureFilters:
        return self.filters.nationwide()


def dashboard_moment(
    *, user: User, filters: FigureFilters, region: Region | None = None, up_to: Period | None = None
) -> Moment:
    """`up_to` is a report's period: its baseline and final diagnostics come from that period or
    earlier, so a Q3 report never shows the Q4 results compiled after it. A dashboard passes none
    and always sets Q1 against Q4."""
    today = timezone.localdate()
    periods = figures.periods_started(today=today)
    diagnosed = [p for p in periods if up_to is None or p.starts_on <= up_to.starts_on]
    return Moment(
        user=user,
        filters=filters,
        region=region,
        today=today,
        periods=periods,
        chosen=next((p for p in periods if p.code == filters.period), periods[-1] if periods else None),
        baseline=next((p for p in diagnosed if p.quarter == 1), None),
        final=next((p for p in reversed(diagnosed) if p.quarter == 4), None),
        # A report's stage progress stands as of its quarter's end (or today, while the quarter runs).
        stages_as_of=min(up_to.ends_on, today) if up_to is not None else today,
    )


# Each part computes some tables of a dashboard into `data`; a later part may reuse an earlier one's
# figures (the bases count the expected from the completeness total), or compute them itself.


def _completeness(m: Moment, data: dict) -> None:
    rows, total = figures.completeness_by_region(user=m.user, filters=m.filters, periods=m.periods)
    data["completeness_rows"], data["completeness_total"] = rows, total
    if m.region is not None:
        # A regional page's total row is the region's own figure; the national one stands beside it.
        total.label = str(_("This region"))
        _rows, national = figures.completeness_by_region(user=m.user, filters=m.nationwide, periods=m.periods)
        national.label = str(_("National"))
        data["national_completeness"] = national


def _totals(m: Moment, data: dict) -> None:
    data["bases"] = figures.period_bases(
        user=m.user, filters=m.filters, periods=m.periods, today=m.today, completeness=data.get("completeness_total")
    )
    data["totals"] = figures.key_totals(user=m.user, filters=m.filters, periods=m.periods, bases=data["bases"])
    if m.region is not None:
        data["national_bases"] = figures.period_bases(
            user=m.user,
            filters=m.nationwide,
            periods=m.periods,
            today=m.today,
            completeness=data.get("national_completeness"),
        )
        data["national_totals"] = {
            row.code: row
            for row in figures.key_totals(
                user=m.user, filters=m.nationwide, periods=m.periods, bases=data["national_bases"]
            )
        }


def _stages(m: Moment, data: dict) -> None:
    stages, rows, total = figures.stage_progress_by_region(user=m.user, filters=m.filters, as_of=m.stages_as_of)
    data.update(stages=stages, stage_rows=rows, stage_total=total)
    if m.region is not None:
        total.label = str(_("This region"))
        national = figures.stage_progress_by_region(user=m.user, filters=m.nationwide, as_of=m.stages_as_of)[2]
        national.label = str(_("National"))
        data["national_stages"] = national


def _skills(*dimensions: str):
    def part(m: Moment, data: dict) -> None:
        cohort = figures.skills_cohort_size(user=m.user, filters=m.filters, baseline=m.baseline, final=m.final)
        data["cohort"] = cohort
        # The levels the tables, charts and exports head their columns with, in the catalogue's order.
        data["skill_scale"] = scale = figures.skill_scale()
        # Baseline against final on the matched cohort only: both moments count the same organisations.
        data["skills"] = {
            by: figures.skills_matched_cohort(
                user=m.user,
                filters=m.filters,
                by=by,
                baseline=m.baseline,
                final=m.final,
                groups=cohort.groups.get(by),
                scale=scale,
            )
            for by in dimensions
        }

    return part


def _review_speed(m: Moment, data: dict) -> None:
    data["review_speed"] = figures.review_speed_by_region(user=m.user, filters=m.filters, periods=m.periods)


def _national_asides(m: Moment, data: dict) -> None:
    """The national figures a regional page shows beside its review speed and skills; no export holds them."""
    if m.region is None:
        return
    data["national_review_speed"] = figures.review_speed_total(
        figures.review_speed_by_region(user=m.user, filters=m.nationwide, periods=m.periods), str(_("National"))
    )
    data["national_skills"] = figures.skills_total(
        figures.skills_matched_cohort(
            user=m.user,
            filters=m.nationwide,
            by="region",
            baseline=m.baseline,
            final=m.final,
            scale=data.get("skill_scale"),
        ),
        str(_("National")),
        scale=data.get("skill_scale"),
    )


def _organisation_matrix(m: Moment, data: dict) -> None:
    if m.region is not None and m.chosen is not None:
        data["organisation_matrix"] = figures.organisation_status_matrix(
            user=m.user, filters=m.filters, periods=m.periods
        )


def _whom_to_call(m: Moment, data: dict) -> None:
    if m.region is not None and m.chosen is not None:
        # Before the due date nobody is late yet: the same list reads "not yet handed in".
        data["period_overdue"] = m.today > m.chosen.due_on
        data["not_handed_in"] = figures.not_handed_in(user=m.user, filters=m.filters, period=m.chosen)
        data["late"] = figures.handed_in_late(user=m.user, filters=m.filters, period=m.chosen)
        data["whom_to_call"] = figures.WhomToCall(data["not_handed_in"], data["late"])


# What each exported table (monitoring.exports.TABLES) is written from: an export computes its table only.
TABLE_PARTS = {
    "completeness": (_completeness,),
    "totals": (_totals,),
    "stages": (_stages,),
    **{f"skills-{by}": (_skills(by),) for by in figures.DIMENSIONS},
    "review-speed": (_review_speed,),
    "organisations": (_organisation_matrix,),
    "not-handed-in": (_whom_to_call,),
}


def _computed(m: Moment, parts) -> dict:
    data = {
        "today": m.today,
        "periods": m.periods,
        "period": m.chosen,
        "stages_as_of": m.stages_as_of,
        "baseline": m.baseline,
        "final": m.final,
    }
    for part in parts:
        part(m, data)
    return data


def table_data(name: str, *, user: User, filters: FigureFilters, region: Region | None = None) -> dict:
    """What the export of one table is written from, and nothing more."""
    return _computed(dashboard_moment(user=user, filters=filters, region=region), TABLE_PARTS[name])


def dashboard_data(
    *, user: User, filters: FigureFilters, region: Region | None = None, up_to: Period | None = None
) -> dict:
    """Every table a dashboard shows, for the user's scope and the filters (see `dashboard_moment` for `up_to`)."""
    m = dashboard_moment(user=user, filters=filters, region=region, up_to=up_to)
    parts = (
        _completeness,
        _totals,
        _stages,
        _skills(*figures.DIMENSIONS),
        _review_speed,
        _national_asides,
        _organisation_matrix,
        _whom_to_call,
    )
    data = _computed(m, parts)
    data["deadlines"] = next_deadlines(today=m.today, user=m.user)
    # Any handed-in submission at all in the scope; without one a page of zeros would look like data.
    data["has_submissions"] = any(cell.submitted for cell in data["completeness_total"].cells.values())
    return data
