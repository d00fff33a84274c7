"""The pilot's figures: one source for the dashboards and the reports, so the two never disagree.

Every function takes the user (scope goes through pilots.selectors.organisation_scope), the
filters, and aggregates in the database with a fixed number of queries whatever the number of
organisations. What counts is stated once, in docs/monitoring.md: completeness counts
submitted and accepted submissions; every other figure counts accepted data only.
"""

import datetime
import itertools
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilots.filters import OrganisationFilter
from pilots.models import Activity, Organisation, Region, Stage, User
from pilots.models.organisations import expected_in_q, in_pilot_between_q
from pilots.selectors import name_in_active_language, national_aggregate_scope, organisation_scope, region_scope

from .models import COUNTED_STATUSES, Indicator, Period, Status, Submission, Value
from .progress_summary import progress_counts
from .selectors import organisations_missing
from .summary import (
    period_neighbours,
    summary_cells,
    summary_cohort_size,
    summary_counts,
    summary_indicator_sums,
    summary_skill_moments,
    summary_skill_sums,
    summary_value_sums,
)

# The roles of the totals table, in its order; which indicators play each is the catalogue's
# (Indicator.figure_role, ordered by figure_position, then the form's order).
Role = Indicator.FigureRole
TOTALS_BY_FIGURE_ROLE = (Role.KEY_TOTAL, Role.ACTIVITY, Role.ZONE)
DIMENSIONS = {
    "region": ("organisation__region__code", _("Region")),
    "settlement": ("organisation__settlement", _("Settlement")),
    "ownership": ("organisation__ownership", _("Ownership")),
    "language": ("organisation__language", _("Language of instruction")),
}


# The one filter of organisations (pilots.filters), under the name the figures' signatures use.
FigureFilters = OrganisationFilter


def organisations(*, user: User, filters: FigureFilters) -> QuerySet[Organisation]:
    """The organisations the figures are about: the user's scope narrowed by the filters."""
    qs = national_aggregate_scope(user=user) if filters.national else organisation_scope(user=user)
    return filters.apply(qs)


def _in_pilot_during(prefix: str = "") -> Q:
    """Organisation (reached by `prefix`) was expected in the submission's period (Organisation.objects.expected_in)."""
    return in_pilot_between_q(F("period__starts_on"), F("period__ends_on"), prefix=prefix)


def figure_indicators(*roles: str) -> list[Indicator]:
    """The catalogue's indicators that play these roles, in the order the roles are given; within one, by
    figure_position and then the form's order; one query."""
    rank = {kind: index for index, kind in enumerate(roles)}
    found = Indicator.objects.filter(figure_role__in=roles).order_by("figure_position", "section__position", "position")
    return sorted(found, key=lambda indicator: rank[indicator.figure_role])


@dataclass(frozen=True)
class SkillScale:
    """The diagnostics as the catalogue names them: the count of children assessed and the skill levels,
    in their order (Role.SKILLS_ASSESSED, Role.SKILL_LEVEL); how many levels there are is the catalogue's.
    One indicator counts the children assessed; should several play that role, the first does."""

    assessed: str = ""  # the code of the indicator counting the children assessed; "" if none plays it
    levels: tuple[Indicator, ...] = ()

    @property
    def level_codes(self) -> list[str]:
        return [level.code for level in self.levels]

    @property
    def codes(self) -> list[str]:
        return [*self.level_codes, self.assessed] if self.assessed else self.level_codes


def skill_scale() -> SkillScale:
    """The catalogue's skill levels and its count of children assessed; one query."""
    found = figure_indicators(Role.SKILLS_ASSESSED, Role.SKILL_LEVEL)
    assessed = [i.code for i in found if i.figure_role == Role.SKILLS_ASSESSED]
    return SkillScale(
        assessed=assessed[0] if assessed else "",
        levels=tuple(i for i in found if i.figure_role == Role.SKILL_LEVEL),
    )


def periods_started(*, today) -> list[Period]:
    return list(Period.objects.filter(starts_on__lte=today).order_by("starts_on"))


@dataclass
class Cell:
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def completeness(self) -> float | None:
        return round(100 * self.submitted / self.expected, 1) if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None

    @property
    def level(self) -> str:
        """A word for the cell's colour, so colour is never the only signal."""
        c = self.completeness
        if c is None:
            return "none"
        return "good" if c >= 90 else "fair" if c >= 60 else "poor"

    def add(self, other: "Cell") -> None:
        self.expected += other.expected
        self.submitted += other.submitted
        self.on_time += other.on_time
        self.late += other.late


@dataclass
class CompletenessRow:
    key: str  # region code, or organisation BIN
    label: str
    cells: dict[str, Cell] = field(default_factory=dict)


def completeness_by_region(
    *, user: User, filters: FigureFilters, periods: list[Period]
) -> tuple[list[CompletenessRow], CompletenessRow]:
    """Rows per region and a total row: expected, submitted (submitted or accepted), on time. From the
    summary, two queries; where the organisations are not a union of its cells (summary_cells), from the
    organisations and submissions, three."""
    orgs = organisations(user=user, filters=filters)
    regions = {r.code: r for r in region_scope(user=user)}
    cells = summary_cells(user=user, filters=filters)
    rows: dict[str, CompletenessRow] = {}

    def row(code: str) -> CompletenessRow:
        if code not in rows:
            rows[code] = CompletenessRow(
                key=code,
                label=regions[code].name if code in regions else code,
                cells={p.code: Cell() for p in periods},
            )
        return rows[code]

    by_pk = {p.pk: p for p in periods}
    if cells is not None:
        # A region is a row when the filters leave it any organisation, also one expected in none of the quarters.
        present = Region.objects.filter(Exists(orgs.filter(region_id=OuterRef("pk")))).values_list("code", flat=True)
        for code in present:
            row(code)
        for (code, period_id), counts in summary_counts(cells=cells, periods=periods, by="region").items():
            if code not in rows:
                continue  # the cells of zeros an organisation left behind when it moved out of the region
            cell = rows[code].cells[by_pk[period_id].code]
            cell.expected, cell.submitted, cell.late = counts["expected"], counts["handed_in"], counts["late"]
            cell.on_time = counts["handed_in"] - counts["late"]
    else:
        expected = orgs.values("region__code").annotate(
            **{f"e{p.pk}": Count("pk", filter=expected_in_q(p)) for p in periods}
        )
        for counts in expected:
            for p in periods:
                row(counts["region__code"]).cells[p.code].expected = counts[f"e{p.pk}"]
        handed_in = (
            Submission.objects.handed_in()
            .filter(organisation__in=orgs, period__in=periods)
            .filter(_in_pilot_during("organisation__"))
            .values("organisation__region__code", "period_id")
            .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(is_late=False)))
        )
        for counts in handed_in:
            cell = rows[counts["organisation__region__code"]].cells[by_pk[counts["period_id"]].code]
            cell.submitted, cell.on_time = counts["n"], counts["on_time"]
            cell.late = counts["n"] - counts["on_time"]
    total = CompletenessRow(key="", label=str(_("All regions")), cells={p.code: Cell() for p in periods})
    for region_row in rows.values():
        for code, cell in region_row.cells.items():
            total.cells[code].add(cell)
    return sorted(rows.values(), key=lambda r: r.key), total


def indicator_sums(
    *, user: User, filters: FigureFilters, codes: list[str], by: str | None = None
) -> dict[tuple, Decimal]:
    """{(period code, indicator code[, dimension value]): aggregate} over accepted values; one query.

    Each indicator is aggregated as its catalogue entry says: a count adds up over organisations,
    a share (attendance, %) is averaged, since the sum of twenty regions' percentages means nothing.
    From the summary where the organisations are a union of its cells (summary_cells)."""
    cells = summary_cells(user=user, filters=filters)
    if cells is not None:
        return summary_indicator_sums(cells=cells, codes=codes, by=by)
    orgs = organisations(user=user, filters=filters)
    keys = ["submission__period__code", "indicator__code"]
    if by:
        keys.append(DIMENSIONS[by][0].replace("organisation__", "submission__organisation__"))
    averaged = Q(indicator__aggregation=Indicator.Aggregation.AVG)
    rows = (
        Value.objects.counted()
        .filter(
            submission__organisation__in=orgs,
            indicator__code__in=codes,
            number__isnull=False,
        )
        .values(*keys)
        # Grouped by indicator, so exactly one of the two is set in each row.
        .annotate(total=Sum("number", filter=~averaged), average=Avg("number", filter=averaged))
    )
    return {tuple(r[k] for k in keys): r["total"] if r["average"] is None else r["average"] for r in rows}


@dataclass
class TotalRow:
    code: str
    label: str
    unit: str
    values: dict[str, Decimal | None]  # period code → total
    # period code → change from the previous period, like for like (PeriodBase.in_both organisations);
    # None for the first quarter, a quarter under review, or one with no organisation in both.
    changes: dict[str, Decimal | None]
    # The indicator's Indicator.figure_role (key total, activity, zone); "" for organisations reporting.
    figure_role: str = ""
    # The indicator's type, which sets its number format in a workbook (pilot_portal.xlsx_cells).
    type: str = Indicator.Type.INTEGER


@dataclass
class PeriodBase:
    """What a quarter's figures stand on: how many organisations, in which statuses, and whether its
    review is still open (then its figures are partial and no change is computed against it)."""

    period: Period
    expected: int = 0
    accepted: int = 0
    awaiting_review: int = 0
    # Organisations with accepted data in this quarter and in the previous one: the base of a change.
    in_both: int | None = None
    review_open: bool = False


def review_open(period: Period, *, today, awaiting_review: int) -> bool:
    """A quarter is under review while the regions' review due date has not passed, or while any
    handed-in submission of it still waits for review (docs/monitoring.md, "A quarter under review")."""
    return today <= period.review_due_on or awaiting_review > 0


def _accepted_in(period_pk: int, organisation_ref: str) -> Exists:
    return Exists(Submission.objects.counted().filter(organisation_id=OuterRef(organisation_ref), period_id=period_pk))


def _same_value_in(period_pk: int, organisation_ref: str) -> Exists:
    """The value's organisation gave the same indicator, accepted, in that period too: a change is
    computed on the organisations that reported the figure at both moments, not on one that left it
    blank at one of them."""
    return Exists(
        Value.objects.counted().filter(
            submission__organisation_id=OuterRef(organisation_ref),
            submission__period_id=period_pk,
            indicator_id=OuterRef("indicator_id"),
            number__isnull=False,
        )
    )


def _with_neighbour(periods: list[Period], organisation_ref: str, prefix: str, *, step: int, exists=_accepted_in) -> Q:
    """The row's organisation also has accepted data (`exists`) in the previous (step -1) or next (step 1) quarter."""
    condition = Q(pk__in=[])
    for index, period in enumerate(periods):
        other = index + step
        if 0 <= other < len(periods):
            condition |= Q(**{f"{prefix}period_id": period.pk}) & exists(periods[other].pk, organisation_ref)
    return condition


def period_bases(
    *,
    user: User,
    filters: FigureFilters,
    periods: list[Period],
    today=None,
    completeness: "CompletenessRow | None" = None,
) -> dict[str, PeriodBase]:
    """Each quarter's base: expected, accepted, awaiting review, accepted in both it and the previous.

    From the summary where the organisations are a union of its cells (summary_cells): two queries (one to
    check that the quarters follow each other); from the submissions otherwise: two."""
    today = today or timezone.localdate()
    orgs = organisations(user=user, filters=filters)
    cells = summary_cells(user=user, filters=filters)
    accepted = Q(status__in=COUNTED_STATUSES)
    in_both = accepted & _with_neighbour(periods, "organisation_id", "", step=-1)
    if cells is not None:
        summed = summary_counts(cells=cells, periods=periods, by=None)
        counts = {
            period_id: {
                "accepted": c["accepted"],
                "awaiting": c["awaiting_review"],
                "expected": c["expected"],
                "in_both": c["accepted_with_previous"],
            }
            for (_key, period_id), c in summed.items()
        }
        if not _consecutive(periods):  # the summary pairs each quarter with the one before it by date
            both = (
                Submission.objects.counted()
                .filter(organisation__in=orgs, period__in=periods)
                .filter(in_both)
                .values_list("period_id")
                .annotate(n=Count("pk"))
                .order_by()
            )
            for row in counts.values():
                row["in_both"] = 0
            for period_id, n in both:
                counts.setdefault(period_id, {})["in_both"] = n
        expected = {f"e{p.pk}": counts.get(p.pk, {}).get("expected", 0) for p in periods}
    else:
        if periods:
            expected = orgs.aggregate(**{f"e{p.pk}": Count("pk", filter=expected_in_q(p)) for p in periods})
        else:
            expected = {}
        counts = {
            r["period_id"]: r
            for r in Submission.objects.handed_in()
            .filter(organisation__in=orgs, period__in=periods)
            .values("period_id")
            .annotate(
                accepted=Count("pk", filter=accepted),
                awaiting=Count("pk", filter=Q(status=Status.SUBMITTED)),
                in_both=Count("pk", filter=in_both),
            )
        }
    if completeness is not None:
        expected = {f"e{p.pk}": completeness.cells[p.code].expected for p in periods}
    bases = {}
    for index, p in enumerate(periods):
        row = counts.get(p.pk, {})
        awaiting = row.get("awaiting", 0)
        bases[p.code] = PeriodBase(
            period=p,
            expected=expected.get(f"e{p.pk}") or 0,
            accepted=row.get("accepted", 0),
            awaiting_review=awaiting,
            in_both=row.get("in_both", 0) if index else None,
            review_open=review_open(p, today=today, awaiting_review=awaiting),
        )
    return bases


def _consecutive(periods: list[Period]) -> bool:
    """The periods follow each other in the order of their dates, with none left out between them: then
    "the quarter before" in the summary's like-for-like sums is the one before in the list."""
    neighbours = period_neighbours()
    return all(neighbours.get(a.pk, (None, None))[1] == b.pk for a, b in itertools.pairwise(periods))


def _key_sums_from_summary(cells: Q, codes: list[str], periods: list[Period], aggregation: dict) -> dict:
    """key_totals' sums from the summary, in the shape _key_sums_from_values gives them."""

    def mean_or_sum(total, n, averaged: bool):
        if not n:
            return None, None
        return (None, total / n) if averaged else (total, None)

    sums = {}
    for key, r in summary_value_sums(cells=cells, codes=codes, periods=periods).items():
        averaged = aggregation[key[1]] == Indicator.Aggregation.AVG
        row = {}
        for name, total, n in (
            ("total", r["total"], r["organisations"]),
            ("after", r["previous_total"], r["previous_organisations"]),
            ("before", r["next_total"], r["next_organisations"]),
        ):
            summed, mean = mean_or_sum(total, n, averaged)
            row[name] = summed
            row["average" if name == "total" else f"{name}_average"] = mean
        sums[key] = row
    return sums


def _key_sums_from_values(user: User, filters: FigureFilters, codes: list[str], periods: list[Period]) -> dict:
    """key_totals' sums from the accepted values, where the summary's cells cannot answer (summary_cells)."""
    averaged = Q(indicator__aggregation=Indicator.Aggregation.AVG)
    organisation = "submission__organisation_id"
    with_previous = _with_neighbour(periods, organisation, "submission__", step=-1, exists=_same_value_in)
    with_next = _with_neighbour(periods, organisation, "submission__", step=1, exists=_same_value_in)
    return {
        (r["submission__period__code"], r["indicator__code"]): r
        for r in Value.objects.counted()
        .filter(
            submission__organisation__in=organisations(user=user, filters=filters),
            submission__period__in=periods,
            indicator__code__in=codes,
            number__isnull=False,
        )
        .values("submission__period__code", "indicator__code")
        # Each indicator aggregated as the catalogue says (see indicator_sums); the matched parts are
        # the same figure over the organisations with accepted data in the neighbouring quarter too.
        .annotate(
            total=Sum("number", filter=~averaged),
            average=Avg("number", filter=averaged),
            after=Sum("number", filter=~averaged & with_previous),
            after_average=Avg("number", filter=averaged & with_previous),
            before=Sum("number", filter=~averaged & with_next),
            before_average=Avg("number", filter=averaged & with_next),
        )
    }


def key_totals(
    *, user: User, filters: FigureFilters, periods: list[Period], bases: dict[str, PeriodBase] | None = None
) -> list[TotalRow]:
    """Organisations reporting (accepted), children, teachers, parents, each activity and practice zone,
    per quarter, with the change from the previous quarter on the organisations with accepted data in
    both; no change into a quarter under review. Two queries, and two more without `bases`."""
    if bases is None:
        bases = period_bases(user=user, filters=filters, periods=periods)
    indicators = figure_indicators(*TOTALS_BY_FIGURE_ROLE)
    codes = [i.code for i in indicators]
    cells = summary_cells(user=user, filters=filters)
    if cells is not None and _consecutive(periods):
        sums = _key_sums_from_summary(cells, codes, periods, {i.code: i.aggregation for i in indicators})
    else:
        sums = _key_sums_from_values(user, filters, codes, periods)

    def pick(row, summed: str, averaged: str):
        """Grouped by indicator, so at most one of the two is set."""
        if row is None:
            return None
        return row[summed] if row[averaged] is None else row[averaged]

    rows = [
        TotalRow(
            code="organisations_reporting",
            label=str(_("Organisations reporting (accepted)")),
            unit="",
            values={p.code: Decimal(bases[p.code].accepted) for p in periods},
            changes={p.code: None for p in periods},
        )
    ]
    for indicator in indicators:
        code = indicator.code
        changes = {}
        for index, p in enumerate(periods):
            changes[p.code] = None
            base = bases[p.code]
            if index == 0 or base.review_open or not base.in_both:
                continue
            after = pick(sums.get((p.code, code)), "after", "after_average")
            before = pick(sums.get((periods[index - 1].code, code)), "before", "before_average")
            if after is not None and before is not None:
                changes[p.code] = after - before
        rows.append(
            TotalRow(
                code=code,
                label=indicator.name,
                unit=indicator.unit,
                values={p.code: pick(sums.get((p.code, code)), "total", "average") for p in periods},
                changes=changes,
                figure_role=indicator.figure_role,
                type=indicator.type,
            )
        )
    return rows


@dataclass
class LatestTotals:
    """Key totals over each organisation's latest accepted quarter: what the final report heads with."""

    values: dict[str, Decimal | None]  # indicator code → total
    organisations: int  # organisations with any accepted quarter
    by_period: dict[str, int]  # period code → organisations whose latest accepted quarter it is


def latest_accepted_totals(*, user: User, filters: FigureFilters, periods: list[Period]) -> LatestTotals:
    """The key totals summed over each organisation's latest accepted quarter among `periods`; two queries."""
    orgs = organisations(user=user, filters=filters)

    def later(organisation_ref: str, starts_ref: str) -> Exists:
        return Exists(
            Submission.objects.counted().filter(
                organisation_id=OuterRef(organisation_ref),
                period__in=periods,
                period__starts_on__gt=OuterRef(starts_ref),
            )
        )

    averaged = Q(indicator__aggregation=Indicator.Aggregation.AVG)
    sums = (
        Value.objects.counted()
        .filter(
            submission__organisation__in=orgs,
            submission__period__in=periods,
            indicator__figure_role=Role.KEY_TOTAL,
            number__isnull=False,
        )
        .filter(~later("submission__organisation_id", "submission__period__starts_on"))
        .values("indicator__code")
        .annotate(total=Sum("number", filter=~averaged), average=Avg("number", filter=averaged))
    )
    by_period = dict(
        Submission.objects.counted()
        .filter(organisation__in=orgs, period__in=periods)
        .filter(~later("organisation_id", "period__starts_on"))
        .values_list("period__code")
        .annotate(n=Count("pk"))
    )
    return LatestTotals(
        values={r["indicator__code"]: r["total"] if r["average"] is None else r["average"] for r in sums},
        organisations=sum(by_period.values()),
        by_period=by_period,
    )


@dataclass
class StageRow:
    key: str
    label: str
    percents: dict[int, float | None]  # stage position → % of activities done


def stage_progress_by_region(
    *, user: User, filters: FigureFilters, as_of: datetime.date | None = None
) -> tuple[list[Stage], list[StageRow], StageRow]:
    """Share of the algorithm's activities done by `as_of` (default today), per region and stage, among
    the organisations in the pilot on that day.

    An activity counts when it is ticked now with its date on or before `as_of`: a report for a past
    quarter shows the progress of that quarter, and an untick (the organisation's own correction) or a
    corrected date applies to every report compiled after it. The history of ticks is the audit
    trail, not the figure; a report compiled earlier keeps what it printed in its own version."""
    as_of = as_of or timezone.localdate()
    stages = list(Stage.objects.annotate(n=Count("activities")).order_by("position"))
    stage_of = dict(Activity.objects.values_list("pk", "stage__position"))
    cells = summary_cells(user=user, filters=filters)
    if cells is not None:
        by_region, done = progress_counts(cells=cells, day=as_of)
    else:
        by_region, done = stage_progress_counted(user=user, filters=filters, as_of=as_of)
    regions = {r.pk: r for r in Region.objects.filter(pk__in=by_region)}
    counts = {regions[pk].code: n for pk, n in by_region.items()}
    done_by = Counter()
    for (region_id, activity_id), n in done.items():
        if region_id in regions:
            done_by[(regions[region_id].code, stage_of[activity_id])] += n
    names = {r.code: r.name for r in regions.values()}

    def percents(codes):
        result = {}
        for stage in stages:
            possible = sum(counts[c] for c in codes) * stage.n
            achieved = sum(done_by.get((c, stage.position), 0) for c in codes)
            result[stage.position] = round(100 * achieved / possible, 1) if possible else None
        return result

    rows = [StageRow(key=c, label=names.get(c, c), percents=percents([c])) for c in sorted(counts)]
    total = StageRow(key="", label=str(_("All regions")), percents=percents(list(counts)))
    return stages, rows, total


def stage_progress_counted(*, user: User, filters: FigureFilters, as_of: datetime.date) -> tuple[dict, Counter]:
    """progress_counts from the ticks themselves: the scopes that are no union of the summary's cells (an
    organisation's own staff, a name search), and the summary's oracle."""
    orgs = organisations(user=user, filters=filters).in_pilot_on(as_of)
    by_region = dict(orgs.order_by().values_list("region_id").annotate(n=Count("pk")))
    # Counted from the organisations, which reach their ticks with one join: from the ticks, the same count
    # joined the organisations twice and the activities and stages once each.
    done = (
        orgs.order_by()
        .filter(activity_progress__done=True, activity_progress__done_on__lte=as_of)
        .values_list("region_id", "activity_progress__activity_id")
        .annotate(n=Count("activity_progress"))
    )
    return by_region, Counter({(region_id, activity_id): n for region_id, activity_id, n in done})


@dataclass
class SkillCell:
    """One level of one row, as the tables print it: children and their share at each moment, and the change."""

    level: Indicator
    baseline: Decimal | None
    baseline_share: float | None
    final: Decimal | None
    final_share: float | None
    change: float | None


@dataclass
class SkillRow:
    key: str
    label: str
    baseline: dict[str, Decimal]  # level code → children, plus the children assessed under its code
    final: dict[str, Decimal]
    organisations: int = 0  # of the matched cohort in this group
    scale: SkillScale = field(default_factory=SkillScale, kw_only=True)

    def _shares(self, counts: dict) -> dict[str, float | None]:
        assessed = counts.get(self.scale.assessed) or 0
        return {
            lvl: (round(100 * float(counts.get(lvl) or 0) / float(assessed), 1) if assessed else None)
            for lvl in self.scale.level_codes
        }

    @property
    def baseline_assessed(self) -> Decimal | None:
        return self.baseline.get(self.scale.assessed)

    @property
    def final_assessed(self) -> Decimal | None:
        return self.final.get(self.scale.assessed)

    @property
    def baseline_shares(self):
        return self._shares(self.baseline)

    @property
    def final_shares(self):
        return self._shares(self.final)

    @property
    def changes(self) -> dict[str, float | None]:
        """Percentage points, final less baseline, of the shares as printed, so a reader's subtraction agrees."""
        before, after = self.baseline_shares, self.final_shares
        return {
            lvl: round(after[lvl] - before[lvl], 1) if after[lvl] is not None and before[lvl] is not None else None
            for lvl in self.scale.level_codes
        }

    @property
    def cells(self) -> list[SkillCell]:
        """The levels in the catalogue's order, so a template prints as many as there are."""
        before, after, changes = self.baseline_shares, self.final_shares, self.changes
        return [
            SkillCell(
                level=level,
                baseline=self.baseline.get(level.code),
                baseline_share=before[level.code],
                final=self.final.get(level.code),
                final_share=after[level.code],
                change=changes[level.code],
            )
            for level in self.scale.levels
        ]


def _diagnosed_in(period: Period, organisation_ref: str) -> Exists:
    """The organisation has accepted diagnostics (its children assessed, Role.SKILLS_ASSESSED) in the period."""
    return Exists(
        Value.objects.counted().filter(
            submission__organisation_id=OuterRef(organisation_ref),
            submission__period=period,
            indicator__figure_role=Role.SKILLS_ASSESSED,
            number__isnull=False,
        )
    )


def _summary_knows_moments(baseline: Period, final: Period | None) -> bool:
    """The summary's cohort is between the first quarter 1 and the last quarter 4 (summary_parts.Calendar); a
    baseline alone (no final yet) it answers for any quarter."""
    known_baseline, known_final = summary_skill_moments()
    return final is None or (baseline.pk, final.pk) == (known_baseline, known_final)


def _skill_sums_from_values(user, filters, by: str, codes: list[str], baseline: Period, final: Period | None) -> dict:
    """skills_matched_cohort's sums from the accepted values, where the summary cannot answer."""
    dimension = DIMENSIONS[by][0].replace("organisation__", "submission__organisation__")
    values = (
        Value.objects.counted()
        .filter(
            submission__organisation__in=organisations(user=user, filters=filters),
            submission__period__in=[p for p in (baseline, final) if p],
            indicator__code__in=codes,
            number__isnull=False,
        )
        .filter(_diagnosed_in(baseline, "submission__organisation_id"))
    )
    if final is not None:
        values = values.filter(_diagnosed_in(final, "submission__organisation_id"))
    return {
        (r["submission__period_id"], r["indicator__code"], r[dimension]): r
        for r in values.values("submission__period_id", "indicator__code", dimension).annotate(
            total=Sum("number"), organisations=Count("submission__organisation_id", distinct=True)
        )
    }


def skills_matched_cohort(
    *,
    user: User,
    filters: FigureFilters,
    by: str,
    baseline: Period | None,
    final: Period | None,
    groups: list[str] | None = None,
    scale: SkillScale | None = None,
) -> list[SkillRow]:
    """Children at each skill level at baseline (Q1) and at the end (Q4), by a dimension, on the matched
    cohort: the organisations with accepted diagnostics in both, so the two moments count the same
    organisations. One query.

    Before the final diagnostics (a report for Q1–Q3) `final` is None and the rows hold the baseline
    of every organisation with accepted baseline diagnostics. `scale` saves its query to a caller
    that reads several dimensions."""
    if baseline is None:
        return []
    scale = scale or skill_scale()
    codes = scale.codes
    cells = summary_cells(user=user, filters=filters)
    if cells is not None and _summary_knows_moments(baseline, final):
        sums = summary_skill_sums(
            cells=cells, codes=codes, by=by, periods=[p for p in (baseline, final) if p], cohort=final is not None
        )
    else:
        sums = _skill_sums_from_values(user, filters, by, codes, baseline, final)
    # Every group of the pilot (CohortSize.groups), also one with nobody in the cohort: its row says 0.
    keys = sorted({k[2] for k in sums} | set(groups or []))
    labels = _dimension_labels(by, keys)

    def moment(period, key):
        return {c: sums[(period.pk, c, key)]["total"] if (period.pk, c, key) in sums else None for c in codes}

    return [
        SkillRow(
            key=key,
            label=labels.get(key, key),
            baseline=moment(baseline, key),
            final=moment(final, key) if final else {},
            organisations=sums.get((baseline.pk, scale.assessed, key), {}).get("organisations", 0),
            scale=scale,
        )
        for key in keys
    ]


def skills_total(rows: list[SkillRow], label: str, *, scale: SkillScale | None = None) -> SkillRow:
    """One row adding up the children at each level, and the organisations, over the rows given."""
    scale = scale or (rows[0].scale if rows else skill_scale())

    def added(moment: str) -> dict:
        result = {}
        for code in scale.codes:
            present = [getattr(r, moment)[code] for r in rows if getattr(r, moment).get(code) is not None]
            result[code] = sum(present) if present else None
        return result

    return SkillRow(
        key="",
        label=label,
        baseline=added("baseline"),
        final=added("final"),
        organisations=sum(r.organisations for r in rows),
        scale=scale,
    )


@dataclass
class CohortSize:
    """Who the baseline-against-final comparison covers, of the organisations in the pilot at either moment."""

    organisations: int = 0
    with_baseline: int = 0
    with_final: int = 0
    matched: int = 0
    # Dimension → the groups (region codes, settlements, …) of the organisations in the pilot, so that a
    # group with nobody in the cohort (a region without a final) is a row of zeros, not a missing row.
    groups: dict = field(default_factory=dict)

    @property
    def baseline_only(self) -> int:
        return self.with_baseline - self.matched

    @property
    def final_only(self) -> int:
        return self.with_final - self.matched

    @property
    def neither(self) -> int:
        return self.organisations - self.with_baseline - self.with_final + self.matched


def _cohort_population(*, user: User, filters: FigureFilters, baseline: Period, final: Period | None):
    """Organisations in the pilot at the baseline or the final, with has_baseline (and has_final)."""
    in_pilot = expected_in_q(baseline) | expected_in_q(final) if final else expected_in_q(baseline)
    population = organisations(user=user, filters=filters).filter(in_pilot)
    population = population.annotate(has_baseline=_diagnosed_in(baseline, "pk"))
    if final is not None:
        population = population.annotate(has_final=_diagnosed_in(final, "pk"))
    return population


def skills_cohort_size(
    *, user: User, filters: FigureFilters, baseline: Period | None, final: Period | None
) -> CohortSize:
    """How many organisations have accepted baseline diagnostics, final ones, and both; one query."""
    if baseline is None:
        return CohortSize()
    cells = summary_cells(user=user, filters=filters)
    if cells is not None and _summary_knows_moments(baseline, final):
        return CohortSize(**summary_cohort_size(cells=cells, baseline=baseline, cohort=final is not None))
    population = _cohort_population(user=user, filters=filters, baseline=baseline, final=final)
    counts = {"organisations": Count("pk"), "with_baseline": Count("pk", filter=Q(has_baseline=True))}
    if final is not None:
        counts["with_final"] = Count("pk", filter=Q(has_final=True))
        counts["matched"] = Count("pk", filter=Q(has_baseline=True, has_final=True))
    dimensions = {by: path.replace("organisation__", "") for by, (path, _label) in DIMENSIONS.items()}
    # Grouped by every dimension at once: at most regions × settlements × ownerships × languages rows.
    rows = list(population.values(*dimensions.values()).annotate(**counts).order_by())
    size = CohortSize(**{name: sum(r[name] for r in rows) for name in counts})
    size.groups = {by: sorted({r[path] for r in rows}) for by, path in dimensions.items()}
    if final is None:
        size.matched = size.with_baseline  # before the final diagnostics the baseline stands alone
    return size


def skills_cohort_missing(
    *, user: User, filters: FigureFilters, baseline: Period | None, final: Period | None
) -> QuerySet[Organisation]:
    """The organisations in the pilot outside the matched cohort, each with has_baseline and has_final; one query."""
    if baseline is None or final is None:
        return Organisation.objects.none()
    return (
        _cohort_population(user=user, filters=filters, baseline=baseline, final=final)
        .exclude(has_baseline=True, has_final=True)
        .select_related("region")
        .order_by("region__code", "name_kk", "bin")
    )


def _dimension_labels(by: str, keys) -> dict[str, str]:
    if by == "region":
        return {r.code: r.name for r in Region.objects.filter(code__in=keys)}
    choices = {
        "settlement": Organisation.Settlement.choices,
        "ownership": Organisation.Ownership.choices,
        "language": Organisation.Language.choices,
    }[by]
    return {value: str(label) for value, label in choices}


@dataclass
class ReviewSpeedRow:
    key: str
    label: str
    accepted: int
    average_days: float | None


def review_speed_by_region(*, user: User, filters: FigureFilters, periods: list[Period]) -> list[ReviewSpeedRow]:
    """Average days from the last submission to acceptance, per region; one query."""
    duration = ExpressionWrapper(F("accepted_at") - F("submitted_at"), output_field=DurationField())
    rows = (
        Submission.objects.counted()
        .filter(
            organisation__in=organisations(user=user, filters=filters),
            period__in=periods,
            accepted_at__isnull=False,
            submitted_at__isnull=False,
        )
        .values("organisation__region__code")
        .annotate(n=Count("pk"), average=Avg(duration))
        .order_by("organisation__region__code")
    )
    labels = {r.code: r.name for r in region_scope(user=user)}
    return [
        ReviewSpeedRow(
            key=r["organisation__region__code"],
            label=labels.get(r["organisation__region__code"], r["organisation__region__code"]),
            accepted=r["n"],
            average_days=round(r["average"].total_seconds() / 86400, 1) if r["average"] is not None else None,
        )
        for r in rows
    ]


def review_speed_total(rows: list[ReviewSpeedRow], label: str) -> ReviewSpeedRow:
    """The average over all the rows' acceptances, each region weighted by how many it accepted."""
    accepted = sum(r.accepted for r in rows)
    timed = [(r.accepted, r.average_days) for r in rows if r.average_days is not None]
    weight = sum(n for n, _days in timed)
    average = round(sum(n * days for n, days in timed) / weight, 1) if weight else None
    return ReviewSpeedRow(key="", label=label, accepted=accepted, average_days=average)


@dataclass
class OrganisationStatusRow:
    organisation: Organisation
    statuses: dict[str, Submission | None]
    expected: dict[str, bool]  # period code → in the pilot for some of that period


class OrganisationStatusMatrix:
    """Each organisation with its submission (or None) in each period, by name in the reader's language.

    Read a slice at a time, two queries each: a page of a region's 555 organisations reads 25 of them and
    their submissions, an export reads them all. Paginator takes it as it takes a queryset."""

    def __init__(self, scope: QuerySet[Organisation], periods: list[Period]):
        self.periods = periods
        # Whether each organisation was expected in each period is read with it, by the same rule as completeness.
        self.organisations = scope.annotate(
            **{f"expected_{p.pk}": ExpressionWrapper(expected_in_q(p), output_field=BooleanField()) for p in periods}
        ).order_by(name_in_active_language(), "bin")

    def count(self) -> int:
        return self.organisations.count()

    def __getitem__(self, index: slice) -> list[OrganisationStatusRow]:
        return self._rows(list(self.organisations[index]))

    def __iter__(self):
        return iter(self._rows(list(self.organisations)))

    def _rows(self, organisations: list[Organisation]) -> list[OrganisationStatusRow]:
        submissions = Submission.objects.filter(
            organisation_id__in=[o.pk for o in organisations], period__in=self.periods
        ).only("pk", "organisation_id", "period_id", "status", "is_late")
        by_key = {(s.organisation_id, s.period_id): s for s in submissions}
        return [
            OrganisationStatusRow(
                organisation=o,
                statuses={p.code: by_key.get((o.pk, p.pk)) for p in self.periods},
                expected={p.code: getattr(o, f"expected_{p.pk}") for p in self.periods},
            )
            for o in organisations
        ]


def organisation_status_matrix(
    *, user: User, filters: FigureFilters, periods: list[Period]
) -> OrganisationStatusMatrix:
    """The user's organisations (with the filters) by their status in each period, to be read a page at a time."""
    return OrganisationStatusMatrix(organisations(user=user, filters=filters), periods)


@dataclass
class CallRow:
    organisation: Organisation
    late: Submission | None  # None: not handed in


class WhomToCall:
    """The organisations not handed in, then those handed in late, as one list read a slice at a time."""

    def __init__(self, missing: QuerySet[Organisation], late: QuerySet[Submission]):
        self.missing, self.late = missing, late
        self._missing_count = None

    def _missing(self) -> int:
        if self._missing_count is None:
            self._missing_count = self.missing.count()
        return self._missing_count

    def count(self) -> int:
        return self._missing() + self.late.count()

    def __getitem__(self, index: slice) -> list[CallRow]:
        start, stop = index.start or 0, index.stop
        boundary = self._missing()
        rows = []
        if start < boundary:
            rows += [CallRow(o, None) for o in self.missing[start : min(stop, boundary)]]
        if stop > boundary:
            rows += [CallRow(s.organisation, s) for s in self.late[max(start - boundary, 0) : stop - boundary]]
        return rows


def not_handed_in(*, user: User, filters: FigureFilters, period: Period) -> QuerySet[Organisation]:
    """Organisations expected in the period that have not handed in (selectors.organisations_missing)."""
    return organisations_missing(organisations=organisations(user=user, filters=filters), period=period)


def handed_in_late(*, user: User, filters: FigureFilters, period: Period) -> QuerySet[Submission]:
    return (
        Submission.objects.handed_in()
        .filter(
            organisation__in=organisations(user=user, filters=filters),
            period=period,
            is_late=True,
        )
        .select_related("organisation", "organisation__region")
        .order_by("organisation__region__code", "organisation__name_kk")
    )
