"""What one organisation adds to the summary through its accepted data, as a pure function of its
membership and of that data: its accepted numbers, and what follows from them across quarters: the
like-for-like pairs of key_totals, the quarters accepted one after the other (period_bases.in_both), the
organisations diagnosed (skills), and the skills' matched cohort between the baseline and the final.

Each of these depends on more than one quarter of one organisation, so no single transition's delta can be
written by hand. A change to an organisation's accepted data (a transition into or out of accepted, a value
saved on an accepted submission, a move to another cell) applies its part after the change less its part
before; monitoring.summary reads the organisation's accepted data once (AcceptedData.of) and derives the
state before from it."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from .models import COUNTED_STATUSES, Indicator, Period, Submission, Value

# SummedValue's sums, in this order in a delta's cells: each pair a sum of numbers and how many were summed.
VALUE_FIELDS = (
    "total",
    "organisations",
    "previous_total",
    "previous_organisations",
    "next_total",
    "next_organisations",
    "diagnosed_total",
    "diagnosed_organisations",
    "cohort_total",
    "cohort_organisations",
)
# SummedCounts' counts that follow from accepted data (the others follow from the submissions' statuses).
ACCEPTED_COUNT_FIELDS = (
    "accepted_with_previous",
    "diagnosed",
    "cohort_population",
    "cohort_with_baseline",
    "cohort_with_final",
    "cohort_matched",
)


@dataclass(frozen=True)
class Calendar:
    """What the parts need of the periods and the catalogue: each period's neighbours by date, the skills'
    baseline (the first quarter 1) and final (the last quarter 4), and the indicators that count the children
    assessed (Role.SKILLS_ASSESSED: an organisation with one of them accepted is diagnosed)."""

    periods: dict = field(default_factory=dict)  # id → Period
    neighbours: dict = field(default_factory=dict)  # id → (the period before, the period after)
    baseline_id: int | None = None
    final_id: int | None = None
    assessed: frozenset = frozenset()

    @classmethod
    def read(cls) -> "Calendar":
        """Two queries."""
        ordered = list(Period.objects.order_by("starts_on", "pk"))
        ids = [p.pk for p in ordered]
        return cls(
            periods={p.pk: p for p in ordered},
            neighbours={
                pk: (ids[i - 1] if i else None, ids[i + 1] if i + 1 < len(ids) else None) for i, pk in enumerate(ids)
            },
            baseline_id=next((p.pk for p in ordered if p.quarter == 1), None),
            final_id=next((p.pk for p in reversed(ordered) if p.quarter == 4), None),
            assessed=frozenset(
                Indicator.objects.filter(figure_role=Indicator.FigureRole.SKILLS_ASSESSED).values_list("pk", flat=True)
            ),
        )


@dataclass(frozen=True)
class AcceptedData:
    """One organisation's accepted submissions (their periods) and their numbers, not empty ones."""

    periods: frozenset = frozenset()
    numbers: dict = field(default_factory=dict)  # (period id, indicator id) → number

    @classmethod
    def of(cls, organisation_id: int) -> "AcceptedData":
        """As stored now; two queries."""
        periods = Submission.objects.filter(organisation_id=organisation_id, status__in=COUNTED_STATUSES)
        numbers = Value.objects.counted().filter(submission__organisation_id=organisation_id, number__isnull=False)
        return cls(
            periods=frozenset(periods.values_list("period_id", flat=True)),
            numbers={(p, i): x for p, i, x in numbers.values_list("submission__period_id", "indicator_id", "number")},
        )

    def without_period(self, period_id: int) -> "AcceptedData":
        return AcceptedData(
            periods=self.periods - {period_id},
            numbers={key: x for key, x in self.numbers.items() if key[0] != period_id},
        )

    def with_submission(self, period_id: int, numbers) -> "AcceptedData":
        """With an accepted submission in the period holding `numbers` [(indicator id, number)]."""
        return AcceptedData(
            periods=self.periods | {period_id},
            numbers={**self.without_period(period_id).numbers, **{(period_id, i): x for i, x in numbers}},
        )

    def with_number(self, period_id: int, indicator_id: int, number: Decimal | None) -> "AcceptedData":
        numbers = {key: x for key, x in self.numbers.items() if key != (period_id, indicator_id)}
        if number is not None:
            numbers[(period_id, indicator_id)] = number
        return AcceptedData(periods=self.periods, numbers=numbers)

    def diagnosed(self, period_id: int | None, calendar: Calendar) -> bool:
        return period_id is not None and any((period_id, i) in self.numbers for i in calendar.assessed)


def accepted_part(member, data: AcceptedData, calendar: Calendar) -> tuple[dict, dict]:
    """({period id: Counter of ACCEPTED_COUNT_FIELDS}, {(period id, indicator id): VALUE_FIELDS sums}) that the
    organisation (its Membership) adds to its cells. Also for an organisation with no accepted data: it is
    still counted in the skills' population."""
    counts: dict = {}
    baseline, final = calendar.baseline_id, calendar.final_id
    for period_id in data.periods:
        before = calendar.neighbours.get(period_id, (None, None))[0]
        if before is not None and before in data.periods:
            counts.setdefault(period_id, Counter())["accepted_with_previous"] += 1
    for period_id, period in calendar.periods.items():
        if member.expected_in(period) and data.diagnosed(period_id, calendar):
            counts.setdefault(period_id, Counter())["diagnosed"] += 1
    at_baseline, at_final = data.diagnosed(baseline, calendar), data.diagnosed(final, calendar)
    matched = final is not None and at_baseline and at_final
    if baseline is not None and final is not None:
        in_population = member.expected_in(calendar.periods[baseline]) or member.expected_in(calendar.periods[final])
        if in_population:
            cell = counts.setdefault(baseline, Counter())
            cell["cohort_population"] += 1
            cell["cohort_with_baseline"] += int(at_baseline)
            cell["cohort_with_final"] += int(at_final)
            cell["cohort_matched"] += int(matched)
    values = {}
    for (period_id, indicator_id), number in data.numbers.items():
        before, after = calendar.neighbours.get(period_id, (None, None))
        flags = (
            True,
            before is not None and (before, indicator_id) in data.numbers,
            after is not None and (after, indicator_id) in data.numbers,
            data.diagnosed(period_id, calendar),
            matched and period_id in (baseline, final),
        )
        values[(period_id, indicator_id)] = tuple(
            part for flag in flags for part in ((number, 1) if flag else (Decimal(0), 0))
        )
    return counts, values
