"""What a dashboard shows, assembled from monitoring.figures; the views and the XLSX exports both use it."""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from pilots.models import Organisation, Region, User
from pilots.orders import order_current

from . import figures
from .control_card import order_control_card
from .figures import FigureFilters
from .models import Period


class DashboardFilterForm(forms.Form):
    """Filters carried in the URL; a value that is not understood is dropped and named on the page."""

    period = forms.ChoiceField(label=_("Quarter"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    ownership = forms.ChoiceField(
        label=_("Ownership"), required=False, choices=[("", _("all")), *Organisation.Ownership.choices]
    )
    settlement = forms.ChoiceField(
        label=_("Settlement"), required=False, choices=[("", _("all")), *Organisation.Settlement.choices]
    )
    language = forms.ChoiceField(
        label=_("Language of instruction"), required=False, choices=[("", _("all")), *Organisation.Language.choices]
    )

    def __init__(self, *args, periods: list[Period], regions, fixed_region: Region | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", _("latest"))] + [(p.code, p.label) for p in periods]
        if fixed_region is not None:
            del self.fields["region"]
        else:
            self.fields["region"].choices = [("", _("all"))] + [(r.code, f"{r.code} · {r.name}") for r in regions]
        self.fixed_region = fixed_region

    def filters(self) -> FigureFilters:
        self.is_valid()
        data = {name: self.cleaned_data.get(name, "") for name in self.fields if name not in self.errors}
        if self.fixed_region is not None:
            data["region"] = self.fixed_region.code
        return FigureFilters(**data)

    def ignored(self) -> list[str]:
        notes = [f"{self.fields[name].label}: «{Truncator(self.data.get(name)).chars(40)}»" for name in self.errors]
        asked = self.data.get("region")
        if self.fixed_region is not None and asked and asked != self.fixed_region.code:
            # A regional page shows its own region whatever the address asks.
            word = _("Region")
            notes.append(f"{word}: «{Truncator(asked).chars(40)}»")
        return notes


@dataclass
class Deadline:
    number: str
    text: str
    due_on: object
    days_left: int


def next_deadlines(*, today, limit: int = 4) -> list[Deadline]:
    """The order's clauses still to come, soonest first, with the days left."""
    order = order_current()
    if order is None:
        return []
    upcoming = [
        # The date the days count to: for clause 3.1 the next quarterly report, not the clause's last.
        Deadline(s.clause.number, s.clause.text, today + datetime.timedelta(days=s.days_left), s.days_left)
        for s in order_control_card(order=order, today=today)
        if s.days_left is not None and s.days_left >= 0 and s.clause.due_on
    ]
    return sorted(upcoming, key=lambda d: d.days_left)[:limit]


def dashboard_data(
    *, user: User, filters: FigureFilters, region: Region | None = None, up_to: Period | None = None
) -> dict:
    """Every table a dashboard shows, for the user's scope and the filters.

    `up_to` is a report's period: its baseline and final diagnostics come from that period or
    earlier, so a Q3 report never shows the Q4 results compiled after it. A dashboard passes none
    and always sets Q1 against Q4."""
    today = timezone.localdate()
    periods = figures.periods_started(today=today)
    chosen = next((p for p in periods if p.code == filters.period), periods[-1] if periods else None)
    diagnosed = [p for p in periods if up_to is None or p.starts_on <= up_to.starts_on]
    baseline = next((p for p in diagnosed if p.quarter == 1), None)
    final = next((p for p in reversed(diagnosed) if p.quarter == 4), None)
    rows, total = figures.completeness_by_region(user=user, filters=filters, periods=periods)
    bases = figures.period_bases(user=user, filters=filters, periods=periods, today=today, completeness=total)
    # A report's stage progress stands as of its quarter's end (or today, while the quarter runs).
    stages_as_of = min(up_to.ends_on, today) if up_to is not None else today
    stages, stage_rows, stage_total = figures.stage_progress_by_region(user=user, filters=filters, as_of=stages_as_of)
    cohort = figures.skills_cohort_size(user=user, filters=filters, baseline=baseline, final=final)
    data = {
        "today": today,
        "periods": periods,
        "period": chosen,
        "completeness_rows": rows,
        "completeness_total": total,
        "bases": bases,
        "totals": figures.key_totals(user=user, filters=filters, periods=periods, bases=bases),
        "stages": stages,
        "stage_rows": stage_rows,
        "stage_total": stage_total,
        "stages_as_of": stages_as_of,
        "baseline": baseline,
        "final": final,
        # Baseline against final on the matched cohort only: both moments count the same organisations.
        "skills": {
            by: figures.skills_matched_cohort(
                user=user, filters=filters, by=by, baseline=baseline, final=final, groups=cohort.groups.get(by)
            )
            for by in figures.DIMENSIONS
        },
        "cohort": cohort,
        "review_speed": figures.review_speed_by_region(user=user, filters=filters, periods=periods),
        "deadlines": next_deadlines(today=today),
    }
    # Any handed-in submission at all in the scope; without one a page of zeros would look like data.
    data["has_submissions"] = any(cell.submitted for cell in total.cells.values())
    if region is not None:
        # A regional page's total row is the region's own figure; the national one stands beside it.
        total.label = stage_total.label = str(_("This region"))
        nationwide = filters.nationwide()
        _rows, data["national_completeness"] = figures.completeness_by_region(
            user=user, filters=nationwide, periods=periods
        )
        data["national_bases"] = figures.period_bases(
            user=user, filters=nationwide, periods=periods, today=today, completeness=data["national_completeness"]
        )
        data["national_totals"] = {
            row.code: row
            for row in figures.key_totals(user=user, filters=nationwide, periods=periods, bases=data["national_bases"])
        }
        data["national_stages"] = figures.stage_progress_by_region(user=user, filters=nationwide, as_of=stages_as_of)[2]
        data["national_completeness"].label = data["national_stages"].label = str(_("National"))
        data["national_review_speed"] = figures.review_speed_total(
            figures.review_speed_by_region(user=user, filters=nationwide, periods=periods), str(_("National"))
        )
        data["national_skills"] = figures.skills_total(
            figures.skills_matched_cohort(user=user, filters=nationwide, by="region", baseline=baseline, final=final),
            str(_("National")),
        )
    if region is not None and chosen is not None:
        data["organisation_matrix"] = figures.organisation_status_matrix(user=user, filters=filters, periods=periods)
        # Before the due date nobody is late yet: the same list reads "not yet handed in".
        data["period_overdue"] = today > chosen.due_on
        data["not_handed_in"] = figures.not_handed_in(user=user, filters=filters, period=chosen)
        data["late"] = figures.handed_in_late(user=user, filters=filters, period=chosen)
    return data
