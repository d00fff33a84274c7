"""Keeping the summary (monitoring.models.summary) equal to what the figures compute from the values.

Every change is a delta: what an organisation's submissions and membership contributed before, taken
away, and what they contribute after, added, in the transaction of the change itself. The rows are
incremented in the database (INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n, on PostgreSQL and
SQLite alike), so two transitions in the same cell at once (two accepts in one region) each add their own
part: the database locks the row for the second until the first commits, neither overwrites the other.

`summary_from_values` computes the same cells from the values with the figures' own rules (the
oracle); `summary_differences` compares, `summary_rebuild` replaces the rows with it."""

import datetime
import functools
import operator
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from pilots import policy
from pilots.models import Organisation, Region
from pilots.models.organisations import expected_in_q, in_pilot_between_q

from .models import (
    COUNTED_STATUSES,
    SUBMITTED_STATUSES,
    Indicator,
    Period,
    Status,
    Submission,
    SummedCounts,
    SummedRegionValue,
    SummedValue,
    Value,
)
from .summary_parts import ACCEPTED_COUNT_FIELDS, VALUE_FIELDS, AcceptedData, Calendar, accepted_part

AVERAGED = Indicator.Aggregation.AVG
# SummedCounts' counts that follow from the submissions' statuses and the memberships; the rest follow
# from accepted data (summary_parts).
STATUS_COUNT_FIELDS = ("expected", "handed_in", "late", "accepted", "awaiting_review", "waiting", "returned")
COUNT_FIELDS = STATUS_COUNT_FIELDS + ACCEPTED_COUNT_FIELDS
Dims = tuple  # (region_id, ownership, settlement, language)


class Membership(NamedTuple):
    """What of an organisation places it in the summary: its cell and the days it is in the pilot."""

    region_id: int
    ownership: str
    settlement: str
    language: str
    in_pilot_from: datetime.date
    in_pilot_until: datetime.date | None

    @classmethod
    def of(cls, organisation: Organisation) -> "Membership":
        return cls(*(getattr(organisation, name) for name in cls._fields))

    @property
    def dims(self) -> Dims:
        return (self.region_id, self.ownership, self.settlement, self.language)

    def expected_in(self, period: Period) -> bool:
        """The rule of Organisation.objects.expected_in, for one organisation in memory."""
        return self.in_pilot_from <= period.ends_on and (
            self.in_pilot_until is None or self.in_pilot_until >= period.starts_on
        )


@dataclass
class SummaryDelta:
    """Changes to add to the summary's cells: counts by (period, dims), values by (period, indicator, dims)."""

    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    values: dict = field(default_factory=lambda: defaultdict(lambda: [0] * len(VALUE_FIELDS)))

    def add_submission(self, *, member: Membership, period: Period, status: str, is_late: bool, sign: int) -> None:
        """What one submission in `status` adds to the counts (times `sign`), as completeness and
        period_bases count them; its numbers are add_numbers'."""
        counts = self.counts[(period.pk, member.dims)]
        expected = member.expected_in(period)
        if status in SUBMITTED_STATUSES and expected:
            counts["handed_in"] += sign
            counts["late"] += sign if is_late else 0
        if expected and status in (Status.SUBMITTED, Status.RETURNED):
            counts["waiting" if status == Status.SUBMITTED else "returned"] += sign
        if status in COUNTED_STATUSES:
            counts["accepted"] += sign
        if status == Status.SUBMITTED:
            counts["awaiting_review"] += sign

    def add_accepted(self, *, member: Membership, data: AcceptedData, calendar: Calendar, sign: int) -> None:
        """Add what the organisation's accepted data add to its cells (summary_parts.accepted_part), times `sign`."""
        counts, values = accepted_part(member, data, calendar)
        for period_id, added in counts.items():
            self.counts[(period_id, member.dims)].update({name: sign * n for name, n in added.items()})
        for (period_id, indicator_id), sums in values.items():
            cell = self.values[(period_id, indicator_id, member.dims)]
            for index, amount in enumerate(sums):
                cell[index] += sign * amount

    def add_accepted_change(
        self, *, member: Membership, now: AcceptedData, then: AcceptedData, calendar: Calendar
    ) -> None:
        """The organisation's accepted data changed from `then` to `now`: its part moves accordingly."""
        if now != then:
            self.add_accepted(member=member, data=now, calendar=calendar, sign=1)
            self.add_accepted(member=member, data=then, calendar=calendar, sign=-1)

    def add_membership(self, *, member: Membership, periods: list[Period], sign: int) -> None:
        for period in periods:
            if member.expected_in(period):
                self.counts[(period.pk, member.dims)]["expected"] += sign


def _cell(key_fields: tuple, key: tuple) -> dict:
    *head, dims = key
    return {**dict(zip(key_fields, head, strict=True)), **dict(zip(("region_id", *DIM_NAMES), dims, strict=True))}


DIM_NAMES = ("ownership", "settlement", "language")


def upsert_add(model, keys: tuple[str, ...], adds: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT the rows, or, where the cell exists, add them to it: one statement, atomic per row in the
    database, so a concurrent transaction's increment of the same cell is waited for and kept."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key_columns = [quote(model._meta.get_field(f).column) for f in keys]
    add_columns = [quote(model._meta.get_field(f).column) for f in adds]
    width = len(keys) + len(adds)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in add_columns)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_BATCH):
            batch = rows[start : start + UPSERT_BATCH]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(key_columns + add_columns)}) VALUES {placeholders} "
                f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {updates}",
                [value for row in batch for value in row],
            )


UPSERT_BATCH = 1000
CELL_FIELDS = ("period", "region", "ownership", "settlement", "language")


def summary_apply(delta: SummaryDelta) -> None:
    """Add the delta to the summary, in at most one statement per table (per thousand cells): a missing
    cell is created, an existing one incremented in the database, never read and written back."""
    counts = [
        (period_id, *dims, *(c[f] for f in COUNT_FIELDS))
        for (period_id, dims), c in delta.counts.items()
        if any(c[f] for f in COUNT_FIELDS)
    ]
    values = [
        (period_id, indicator_id, *dims, *sums)
        for (period_id, indicator_id, dims), sums in delta.values.items()
        if any(sums)
    ]
    if not counts and not values:
        return
    # Rows in one order (by cell) in every transaction: two that touch the same cells lock them in the
    # same order, so one waits for the other instead of both deadlocking.
    counts.sort()
    values.sort()
    with transaction.atomic():
        if counts:
            upsert_add(SummedCounts, CELL_FIELDS, COUNT_FIELDS, counts)
        if values:
            upsert_add(SummedValue, ("period", "indicator", *CELL_FIELDS[1:]), VALUE_FIELDS, values)
            by_region = _by_region({(row[0], row[1], tuple(row[2:6])): row[6:] for row in values})
            upsert_add(SummedRegionValue, ("period", "indicator", "region"), VALUE_FIELDS, sorted(by_region))


def _by_region(values: dict) -> list[tuple]:
    """SummedValue's cells {(period_id, indicator_id, dims): sums} added up by region: rows of SummedRegionValue."""
    added = defaultdict(lambda: [0] * len(VALUE_FIELDS))
    for (period_id, indicator_id, dims), sums in values.items():
        cell = added[(period_id, indicator_id, dims[0])]
        for index, amount in enumerate(sums):
            cell[index] += amount
    return [(*key, *sums) for key, sums in added.items() if any(sums)]


def _numbers(submission_ids) -> dict[int, list]:
    found = defaultdict(list)
    rows = Value.objects.filter(submission_id__in=submission_ids, number__isnull=False).values_list(
        "submission_id", "indicator_id", "number"
    )
    for submission_id, indicator_id, number in rows:
        found[submission_id].append((indicator_id, number))
    return found


def period_neighbours() -> dict[int, tuple[int | None, int | None]]:
    """Each period's id → (the period before it, the one after it), in the order of their dates: the
    quarters a change is computed between (figures.key_totals); one query."""
    ids = list(Period.objects.order_by("starts_on", "pk").values_list("pk", flat=True))
    return {pk: (ids[i - 1] if i else None, ids[i + 1] if i + 1 < len(ids) else None) for i, pk in enumerate(ids)}


def summary_transition(*, submission: Submission, from_status: str, to_status: str) -> None:
    """A submission moved from one status to another: its part leaves the old status's counts (and
    sums) and joins the new one's. Called by monitoring.services inside the transition's transaction."""
    if from_status == to_status:
        return
    member = Membership.of(Organisation.objects.get(pk=submission.organisation_id))
    period = Period.objects.get(pk=submission.period_id)
    is_late = Submission.objects.values_list("is_late", flat=True).get(pk=submission.pk)
    delta = SummaryDelta()
    common = {"member": member, "period": period, "is_late": is_late}
    delta.add_submission(status=from_status, sign=-1, **common)
    delta.add_submission(status=to_status, sign=1, **common)
    if (from_status in COUNTED_STATUSES) != (to_status in COUNTED_STATUSES):
        now = AcceptedData.of(submission.organisation_id)  # the transition's UPDATE is in it already
        if to_status in COUNTED_STATUSES:
            then = now.without_period(period.pk)
        else:
            then = now.with_submission(period.pk, _numbers([submission.pk])[submission.pk])
        delta.add_accepted_change(member=member, now=now, then=then, calendar=Calendar.read())
    summary_apply(delta)


class Standing(NamedTuple):
    """What of a submission places it in the summary, as stored: its organisation, quarter, status, lateness."""

    organisation_id: int
    period_id: int
    status: str
    is_late: bool

    @classmethod
    def of(cls, submission: Submission) -> "Standing":
        return cls(*(getattr(submission, name) for name in cls._fields))

    @property
    def counts(self) -> bool:
        """Whether a submission standing so is in any count (a draft or one never handed in is not; a
        returned one is, in the reviewer's queue)."""
        return self.status in SUBMITTED_STATUSES or self.status == Status.RETURNED


def summary_submission_written(*, submission_id: int, before: Standing | None, after: Standing | None) -> None:
    """A submission saved, created or deleted outside the services' conditional UPDATEs (which call
    summary_transition): its part under `before` leaves, its part under `after` joins. Its numbers count
    as stored when this runs (a deleted submission's values were deleted first, and left on their own)."""
    if before == after or not ((before and before.counts) or (after and after.counts)):
        return
    numbered = [s for s in (before, after) if s and s.status in COUNTED_STATUSES]
    numbers = _numbers([submission_id])[submission_id] if numbered else []
    organisations = _current({s.organisation_id for s in (before, after) if s})
    periods = Period.objects.in_bulk({s.period_id for s in (before, after) if s})
    delta = SummaryDelta()
    for standing, sign in ((before, -1), (after, 1)):
        if standing is None or standing.organisation_id not in organisations:
            continue
        member = organisations[standing.organisation_id]
        delta.add_submission(
            member=member,
            period=periods[standing.period_id],
            status=standing.status,
            is_late=standing.is_late,
            sign=sign,
        )
    if numbered:
        # Each organisation's accepted data now (as stored, after the write), and as they were: with the
        # submission where it stood before, without it where it stands now.
        calendar = Calendar.read()
        for organisation_id, member in organisations.items():
            now = then = AcceptedData.of(organisation_id)
            if after is not None and after.organisation_id == organisation_id and after.status in COUNTED_STATUSES:
                then = then.without_period(after.period_id)
            if before is not None and before.organisation_id == organisation_id and before.status in COUNTED_STATUSES:
                then = then.with_submission(before.period_id, numbers)
            delta.add_accepted_change(member=member, now=now, then=then, calendar=calendar)
    summary_apply(delta)


def summary_value_written(*, submission: Submission, before: tuple | None, after: tuple | None) -> None:
    """A value of an accepted submission saved or deleted outside the services (the admin, a script):
    before and after are (indicator id, number) as stored, or None."""
    if before == after or submission.status not in COUNTED_STATUSES:
        return
    member = _current([submission.organisation_id]).get(submission.organisation_id)
    if member is None:
        return
    now = AcceptedData.of(submission.organisation_id)  # the value's write is in it already
    then = now
    if after is not None:
        then = then.with_number(submission.period_id, after[0], None)
    if before is not None:
        then = then.with_number(submission.period_id, before[0], before[1])
    delta = SummaryDelta()
    delta.add_accepted_change(member=member, now=now, then=then, calendar=Calendar.read())
    summary_apply(delta)


def _organisations_delta(delta: SummaryDelta, members: dict[int, Membership | None], *, sign: int) -> None:
    """Everything the organisations contribute under the memberships given (None: nothing)."""
    members = {pk: m for pk, m in members.items() if m is not None}
    if not members:
        return
    calendar = Calendar.read()
    periods = calendar.periods
    for member in members.values():
        delta.add_membership(member=member, periods=list(periods.values()), sign=sign)
    submissions = list(
        Submission.objects.filter(organisation_id__in=members).values_list(
            "pk", "organisation_id", "period_id", "status", "is_late"
        )
    )
    numbers = _numbers([s[0] for s in submissions if s[3] in COUNTED_STATUSES])
    accepted_periods, accepted_numbers = defaultdict(set), defaultdict(dict)
    for pk, organisation_id, period_id, status, is_late in submissions:
        delta.add_submission(
            member=members[organisation_id], period=periods[period_id], status=status, is_late=is_late, sign=sign
        )
        if status in COUNTED_STATUSES:
            accepted_periods[organisation_id].add(period_id)
            for indicator_id, number in numbers.get(pk, []):
                accepted_numbers[organisation_id][(period_id, indicator_id)] = number
    for organisation_id, member in members.items():  # every one: an organisation with no data is in a population
        data = AcceptedData(
            periods=frozenset(accepted_periods[organisation_id]), numbers=accepted_numbers[organisation_id]
        )
        delta.add_accepted(member=member, data=data, calendar=calendar, sign=sign)


def summary_membership_changed(*, organisation_id: int, before: Membership | None, after: Membership | None) -> None:
    """An organisation joined (before None), left or changed its dates or its cell (region, ownership…),
    or was deleted (after None): its whole part moves, for every period."""
    if before == after:
        return
    delta = SummaryDelta()
    _organisations_delta(delta, {organisation_id: before}, sign=-1)
    _organisations_delta(delta, {organisation_id: after}, sign=1)
    summary_apply(delta)


def _current(organisation_ids) -> dict[int, Membership]:
    return {
        row[0]: Membership(*row[1:])
        for row in Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", *Membership._fields)
    }


def summary_organisations_written(*, created: list[Organisation], changed: dict[int, dict]) -> None:
    """After a bulk write of organisations (the importer, pilots.events.organisations_written): the new
    ones are expected from their periods on; an updated one that changed its cell moves its whole part.
    A new organisation has no submissions yet, so its part is its expected counts alone."""
    delta = SummaryDelta()
    if created:
        calendar = Calendar.read()
        for organisation in created:
            member = Membership.of(organisation)
            delta.add_membership(member=member, periods=list(calendar.periods.values()), sign=1)
            delta.add_accepted(member=member, data=AcceptedData(), calendar=calendar, sign=1)
    moved = {pk: old for pk, old in changed.items() if {_member_field(name) for name in old} & set(Membership._fields)}
    if moved:
        after = _current(moved)
        before = {pk: member._replace(**_old_membership(moved[pk])) for pk, member in after.items()}
        _organisations_delta(delta, before, sign=-1)
        _organisations_delta(delta, after, sign=1)
    summary_apply(delta)


def _member_field(name: str) -> str:
    return "region_id" if name == "region" else name


def _old_membership(old: dict) -> dict:
    """The Membership fields among an organisation's values before a write (a region as its id)."""
    fields = {_member_field(name): getattr(value, "pk", value) for name, value in old.items()}
    return {name: value for name, value in fields.items() if name in Membership._fields}


# The oracle: the same cells computed from the organisations, submissions and values by the figures' rules.

_ORG_DIMS = ("region_id", "ownership", "settlement", "language")
_SUB_DIMS = tuple(f"organisation__{d}" for d in _ORG_DIMS)
_VALUE_DIMS = tuple(f"submission__organisation__{d}" for d in _ORG_DIMS)


def summary_from_values(*, periods: list[Period] | None = None) -> tuple[dict, dict]:
    """({(period_id, dims): {field: n}}, {(period_id, indicator_id, dims): (total, organisations)}),
    nonzero cells only, computed as monitoring.figures does; four queries."""
    periods = list(Period.objects.all()) if periods is None else periods
    counts = defaultdict(dict)
    if periods:
        expected = Organisation.objects.values(*_ORG_DIMS).annotate(
            **{f"e{p.pk}": Count("pk", filter=expected_in_q(p)) for p in periods}
        )
        for row in expected.order_by():
            dims = tuple(row[d] for d in _ORG_DIMS)
            for p in periods:
                if row[f"e{p.pk}"]:
                    counts[(p.pk, dims)]["expected"] = row[f"e{p.pk}"]
    in_pilot = in_pilot_between_q(F("period__starts_on"), F("period__ends_on"), prefix="organisation__")
    handed = Q(status__in=SUBMITTED_STATUSES)
    handed_in = (
        Submission.objects.filter(period__in=periods, status__in=(*SUBMITTED_STATUSES, Status.RETURNED))
        .values("period_id", *_SUB_DIMS)
        .annotate(
            handed_in=Count("pk", filter=in_pilot & handed),
            late=Count("pk", filter=in_pilot & handed & Q(is_late=True)),
            accepted=Count("pk", filter=Q(status__in=COUNTED_STATUSES)),
            awaiting_review=Count("pk", filter=Q(status=Status.SUBMITTED)),
            waiting=Count("pk", filter=in_pilot & Q(status=Status.SUBMITTED)),
            returned=Count("pk", filter=in_pilot & Q(status=Status.RETURNED)),
        )
        .order_by()
    )
    for row in handed_in:
        cell = counts[(row["period_id"], tuple(row[d] for d in _SUB_DIMS))]
        cell.update({f: row[f] for f in STATUS_COUNT_FIELDS[1:] if row[f]})
    calendar = Calendar.read()
    neighbours = calendar.neighbours
    baseline, final = calendar.baseline_id, calendar.final_id

    def diagnosed_in(period_id: int, organisation_ref: str) -> Exists:
        """As figures._diagnosed_in: the organisation has accepted diagnostics (children assessed) in the period."""
        return Exists(
            Value.objects.counted().filter(
                submission__organisation_id=OuterRef(organisation_ref),
                submission__period_id=period_id,
                indicator__figure_role=Indicator.FigureRole.SKILLS_ASSESSED,
                number__isnull=False,
            )
        )

    def accepted_before(period_id: int) -> Q:
        before = neighbours.get(period_id, (None, None))[0]
        if before is None:
            return Q(pk__in=[])
        return Q(period_id=period_id) & Exists(
            Submission.objects.counted().filter(organisation_id=OuterRef("organisation_id"), period_id=before)
        )

    if periods:
        with_previous = (
            Submission.objects.counted()
            .filter(period__in=periods)
            .values("period_id", *_SUB_DIMS)
            .annotate(
                accepted_with_previous=Count(
                    "pk", filter=functools.reduce(operator.or_, [accepted_before(p.pk) for p in periods])
                )
            )
            .order_by()
        )
        for row in with_previous:
            if row["accepted_with_previous"]:
                counts[(row["period_id"], tuple(row[d] for d in _SUB_DIMS))]["accepted_with_previous"] = row[
                    "accepted_with_previous"
                ]
        diagnosed = Organisation.objects.values(*_ORG_DIMS).annotate(
            **{f"d{p.pk}": Count("pk", filter=expected_in_q(p) & Q(diagnosed_in(p.pk, "pk"))) for p in periods}
        )
        for row in diagnosed.order_by():
            for p in periods:
                if row[f"d{p.pk}"]:
                    counts[(p.pk, tuple(row[d] for d in _ORG_DIMS))]["diagnosed"] = row[f"d{p.pk}"]
    if baseline is not None and final is not None and baseline in {p.pk for p in periods}:
        at_baseline, at_final = Q(diagnosed_in(baseline, "pk")), Q(diagnosed_in(final, "pk"))
        population = Organisation.objects.filter(
            expected_in_q(calendar.periods[baseline]) | expected_in_q(calendar.periods[final])
        )
        for row in (
            population.values(*_ORG_DIMS)
            .annotate(
                cohort_population=Count("pk"),
                cohort_with_baseline=Count("pk", filter=at_baseline),
                cohort_with_final=Count("pk", filter=at_final),
                cohort_matched=Count("pk", filter=at_baseline & at_final),
            )
            .order_by()
        ):
            cell = counts[(baseline, tuple(row[d] for d in _ORG_DIMS))]
            cell.update({f: row[f] for f in ACCEPTED_COUNT_FIELDS[2:] if row[f]})

    def paired(side: int) -> Q:
        """The value's organisation gave the same indicator, accepted, in the quarter before (0) / after (1)."""
        condition = Q(pk__in=[])
        for period_id, around in neighbours.items():
            if around[side] is not None:
                same = Value.objects.counted().filter(
                    submission__organisation_id=OuterRef("submission__organisation_id"),
                    submission__period_id=around[side],
                    indicator_id=OuterRef("indicator_id"),
                    number__isnull=False,
                )
                condition |= Q(submission__period_id=period_id) & Exists(same)
        return condition

    organisation = "submission__organisation_id"
    diagnosed_then = Q(pk__in=[])
    for period_id in calendar.periods:
        diagnosed_then |= Q(submission__period_id=period_id) & Q(diagnosed_in(period_id, organisation))
    in_cohort = Q(pk__in=[])
    if baseline is not None and final is not None:
        in_cohort = (
            Q(submission__period_id__in=[baseline, final])
            & Q(diagnosed_in(baseline, organisation))
            & Q(diagnosed_in(final, organisation))
        )
    values = {
        (r["submission__period_id"], r["indicator_id"], tuple(r[d] for d in _VALUE_DIMS)): tuple(
            r[f] or 0 for f in VALUE_FIELDS
        )
        for r in Value.objects.counted()
        .filter(submission__period__in=periods, number__isnull=False)
        .values("submission__period_id", "indicator_id", *_VALUE_DIMS)
        .annotate(
            total=Sum("number"),
            organisations=Count("pk"),
            previous_total=Sum("number", filter=paired(0)),
            previous_organisations=Count("pk", filter=paired(0)),
            next_total=Sum("number", filter=paired(1)),
            next_organisations=Count("pk", filter=paired(1)),
            diagnosed_total=Sum("number", filter=diagnosed_then),
            diagnosed_organisations=Count("pk", filter=diagnosed_then),
            cohort_total=Sum("number", filter=in_cohort),
            cohort_organisations=Count("pk", filter=in_cohort),
        )
        .order_by()
    }
    return {k: v for k, v in counts.items() if v}, values


def summary_stored(*, periods: list[Period] | None = None) -> tuple[dict, dict]:
    """The summary's rows in the shape of summary_from_values, zero cells left out."""
    counts_qs, values_qs = SummedCounts.objects.all(), SummedValue.objects.all()
    if periods is not None:
        counts_qs, values_qs = counts_qs.filter(period__in=periods), values_qs.filter(period__in=periods)
    counts = {}
    for row in counts_qs.values("period_id", *_ORG_DIMS, *COUNT_FIELDS):
        cell = {f: row[f] for f in COUNT_FIELDS if row[f]}
        if cell:
            counts[(row["period_id"], tuple(row[d] for d in _ORG_DIMS))] = cell
    values = {
        (r["period_id"], r["indicator_id"], tuple(r[d] for d in _ORG_DIMS)): tuple(r[f] for f in VALUE_FIELDS)
        for r in values_qs.values("period_id", "indicator_id", *_ORG_DIMS, *VALUE_FIELDS)
        if any(r[f] for f in VALUE_FIELDS)
    }
    return counts, values


CENT = Decimal("0.01")


def summary_differences(*, periods: list[Period] | None = None) -> list[str]:
    """Every cell where the summary differs from the values, one line each; empty when they agree."""
    live_counts, live_values = summary_from_values(periods=periods)
    stored_counts, stored_values = summary_stored(periods=periods)
    regions_qs = (
        SummedRegionValue.objects.all() if periods is None else SummedRegionValue.objects.filter(period__in=periods)
    )
    # A region's row is compared as the cell of its region with every ownership, settlement and language ("*").
    live_values.update({(p, i, (r, "*", "*", "*")): tuple(sums) for p, i, r, *sums in _by_region(live_values)})
    stored_values.update(
        {
            (row[0], row[1], (row[2], "*", "*", "*")): row[3:]
            for row in regions_qs.values_list("period_id", "indicator_id", "region_id", *VALUE_FIELDS)
            if any(row[3:])
        }
    )
    periods_by_pk = dict(Period.objects.values_list("pk", "code"))
    regions = dict(Region.objects.values_list("pk", "code"))
    indicators = dict(Indicator.objects.values_list("pk", "code"))

    def cell(period_id, dims) -> str:
        return " ".join([periods_by_pk.get(period_id, str(period_id)), regions.get(dims[0], str(dims[0])), *dims[1:]])

    lines = []
    for key in sorted(live_counts.keys() | stored_counts.keys(), key=str):
        live, stored = live_counts.get(key, {}), stored_counts.get(key, {})
        for name in COUNT_FIELDS:
            if live.get(name, 0) != stored.get(name, 0):
                lines.append(f"{cell(*key)} {name}: summary {stored.get(name, 0)}, values {live.get(name, 0)}")
    zero = (0,) * len(VALUE_FIELDS)
    for key in sorted(live_values.keys() | stored_values.keys(), key=str):
        live, stored = live_values.get(key, zero), stored_values.get(key, zero)
        period_id, indicator_id, dims = key
        for index in range(0, len(VALUE_FIELDS), 2):
            live_total, live_n = Decimal(live[index]).quantize(CENT), live[index + 1]
            stored_total, stored_n = Decimal(stored[index]).quantize(CENT), stored[index + 1]
            if (live_total, live_n) != (stored_total, stored_n):
                which = VALUE_FIELDS[index].replace("total", "").strip("_")
                name = indicators.get(indicator_id, indicator_id)
                lines.append(
                    f"{cell(period_id, dims)} {name}{f' ({which})' if which else ''}: "
                    f"summary {stored_total} over {stored_n}, values {live_total} over {live_n}"
                )
    return lines


@transaction.atomic
def summary_rebuild(*, periods: list[Period] | None = None) -> tuple[int, int]:
    """Replace the summary's rows (of `periods`, default all) with what the values give; (counts rows, value rows)."""
    counts, values = summary_from_values(periods=periods)
    counts_qs, values_qs = SummedCounts.objects.all(), SummedValue.objects.all()
    if periods is not None:
        counts_qs, values_qs = counts_qs.filter(period__in=periods), values_qs.filter(period__in=periods)
    regions_qs = (
        SummedRegionValue.objects.all() if periods is None else SummedRegionValue.objects.filter(period__in=periods)
    )
    counts_qs.delete()
    values_qs.delete()
    regions_qs.delete()
    SummedRegionValue.objects.bulk_create(
        [
            SummedRegionValue(period_id=p, indicator_id=i, region_id=r, **dict(zip(VALUE_FIELDS, sums, strict=True)))
            for p, i, r, *sums in _by_region(values)
        ],
        batch_size=2000,
    )
    SummedCounts.objects.bulk_create(
        [SummedCounts(**_cell(("period_id",), key), **cell) for key, cell in counts.items()], batch_size=2000
    )
    SummedValue.objects.bulk_create(
        [
            SummedValue(**_cell(("period_id", "indicator_id"), key), **dict(zip(VALUE_FIELDS, sums, strict=True)))
            for key, sums in values.items()
        ],
        batch_size=2000,
    )
    return len(counts), len(values)


# Reading: the figures' answers from the summary's cells, for the scopes and filters that are unions of cells.


def summary_cells(*, user, filters) -> Q | None:
    """The summary's cells that make up figures.organisations(user, filters), or None when that set is
    not a union of cells (a name search, in the pilot now or not, an organisation's own staff): then
    only the values can answer. The scopes are pilots.selectors' (organisation_scope,
    national_aggregate_scope), read through the same policy predicates."""
    if filters.q or filters.in_pilot:
        return None
    if filters.national:
        cells = Q() if policy.can_read_national_aggregates(user) else Q(pk__in=[])
    elif not user.is_authenticated or not user.is_active:
        cells = Q(pk__in=[])
    elif policy.is_organisation_staff(user):
        return None
    elif policy.is_coordinator(user):
        cells = Q(region_id=user.region_id)
    elif policy.can_read_national(user):
        cells = Q()
    else:
        cells = Q(pk__in=[])
    narrowed = {"region__code": filters.region, **{d: getattr(filters, d) for d in DIM_NAMES}}
    return cells & Q(**{name: value for name, value in narrowed.items() if value})


SUMMARY_DIMENSIONS = {
    "region": "region__code",
    "ownership": "ownership",
    "settlement": "settlement",
    "language": "language",
}


def _region_only(cells: Q) -> bool:
    """Whether the cells are whole regions (all, one, or none): then SummedRegionValue answers for them."""
    for child in cells.children:
        if isinstance(child, Q):
            if not _region_only(child):
                return False
        elif child[0] not in ("region_id", "region__code", "pk__in"):
            return False
    return True


def _value_cells(cells: Q, by: str | None = None):
    """The rows to sum for `cells` grouped `by` a dimension: a region's added up where they are whole regions."""
    if by in (None, "region") and _region_only(cells):
        return SummedRegionValue.objects.filter(cells)
    return SummedValue.objects.filter(cells)


def summary_indicator_sums(*, cells: Q, codes: list[str], by: str | None = None) -> dict[tuple, Decimal]:
    """figures.indicator_sums from the summary: {(period code, indicator code[, dimension value]): a sum,
    or for an averaged indicator the sum over the organisations that gave it}; one query."""
    keys = ["period__code", "indicator__code", *([SUMMARY_DIMENSIONS[by]] if by else [])]
    rows = (
        _value_cells(cells, by)
        .filter(indicator__code__in=codes)
        .values(*keys, "indicator__aggregation")
        .annotate(total=Sum("total"), n=Sum("organisations"))
        .filter(n__gt=0)
        .order_by()
    )
    return {
        tuple(r[k] for k in keys): r["total"] / r["n"] if r["indicator__aggregation"] == AVERAGED else r["total"]
        for r in rows
    }


def summary_counts(*, cells: Q, periods: list[Period], by: str | None = "region") -> dict[tuple, dict]:
    """{(dimension value, period pk): {expected, handed_in, late, accepted, awaiting_review}} over the cells
    (without `by`, the dimension value is ""); one query."""
    keys = [SUMMARY_DIMENSIONS[by]] if by else []
    rows = (
        SummedCounts.objects.filter(cells, period__in=periods)
        .values(*keys, "period_id")
        .annotate(**{name: Sum(name) for name in COUNT_FIELDS})
        .order_by()
    )
    return {(r[keys[0]] if keys else "", r["period_id"]): {name: r[name] for name in COUNT_FIELDS} for r in rows}


# What the key totals read of a cell: its sums, and those like for like with the quarter before and after.
KEY_TOTAL_FIELDS = (
    "total",
    "organisations",
    "previous_total",
    "previous_organisations",
    "next_total",
    "next_organisations",
)


def summary_value_sums(*, cells: Q, codes: list[str], periods: list[Period]) -> dict[tuple, dict]:
    """{(period code, indicator code): {each of KEY_TOTAL_FIELDS summed over the cells}} for figures.key_totals;
    one query (at 11,000 organisations it sums 18,000 cells: only the columns the totals read)."""
    rows = (
        _value_cells(cells)
        .filter(indicator__code__in=codes, period__in=periods)
        .values("period__code", "indicator__code")
        .annotate(**{name: Sum(name) for name in KEY_TOTAL_FIELDS})
        .order_by()
    )
    return {(r["period__code"], r["indicator__code"]): r for r in rows}


def summary_skill_moments() -> tuple[int | None, int | None]:
    """(the baseline's period id, the final's) of the summary's matched cohort: the first quarter 1 and the
    last quarter 4 by date (summary_parts.Calendar); one query."""
    ordered = list(Period.objects.order_by("starts_on", "pk").values_list("pk", "quarter"))
    return (
        next((pk for pk, quarter in ordered if quarter == 1), None),
        next((pk for pk, quarter in reversed(ordered) if quarter == 4), None),
    )


def summary_skill_sums(*, cells: Q, codes: list[str], by: str, periods: list[Period], cohort: bool) -> dict:
    """{(period id, indicator code, dimension value): {"total", "organisations"}} of the skills' indicators: over
    the matched cohort (`cohort`), or over the organisations diagnosed in each quarter (a baseline alone),
    as figures.skills_matched_cohort sums them; one query."""
    which = "cohort" if cohort else "diagnosed"
    key = SUMMARY_DIMENSIONS[by]
    rows = (
        _value_cells(cells, by)
        .filter(indicator__code__in=codes, period__in=periods)
        .values("period_id", "indicator__code", key)
        .annotate(total=Sum(f"{which}_total"), organisations=Sum(f"{which}_organisations"))
        .filter(organisations__gt=0)
        .order_by()
    )
    return {(r["period_id"], r["indicator__code"], r[key]): r for r in rows}


COHORT_GROUPS = ("region", "settlement", "ownership", "language")


def summary_cohort_size(*, cells: Q, baseline: Period, cohort: bool) -> dict:
    """figures.CohortSize's fields from the baseline's row: the population and how many of it are diagnosed
    (with a final: at the baseline, at the final, at both); and the groups of each dimension that have any of
    the population. One query."""
    if cohort:
        sizes = {
            "organisations": "cohort_population",
            "with_baseline": "cohort_with_baseline",
            "with_final": "cohort_with_final",
            "matched": "cohort_matched",
        }
    else:  # before the final diagnostics the baseline stands alone: its population is who is expected there
        sizes = {"organisations": "expected", "with_baseline": "diagnosed"}
    keys = list(SUMMARY_DIMENSIONS.values())
    rows = [
        r
        for r in SummedCounts.objects.filter(cells, period=baseline)
        .values(*keys)
        .annotate(**{name: Sum(column) for name, column in sizes.items()})
        .order_by()
        if r["organisations"]
    ]
    size = {name: sum(r[name] for r in rows) for name in sizes}
    if not cohort:
        size["matched"] = size["with_baseline"]
    # In the order of figures.DIMENSIONS, as the figures from the values give them.
    size["groups"] = {by: sorted({r[SUMMARY_DIMENSIONS[by]] for r in rows}) for by in COHORT_GROUPS}
    return size
