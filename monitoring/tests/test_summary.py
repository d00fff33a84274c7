"""The summary the dashboards will read equals what the figures compute from the values, after every
transition that changes it (monitoring.summary; national-scale issue 12, item 2)."""

import datetime
from collections import defaultdict
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitoring import figures, selectors
from monitoring.models import (
    Indicator,
    Status,
    Submission,
    SummedActivities,
    SummedCounts,
    SummedRegionValue,
    SummedValue,
)
from monitoring.progress_summary import progress_differences
from monitoring.selectors import SubmissionContext
from monitoring.services import (
    StaleSubmission,
    submission_accept,
    submission_reopen,
    submission_return,
    submission_save,
)
from monitoring.signals import summaries_summed_once
from monitoring.summary import (
    summary_cells,
    summary_counts,
    summary_differences,
    summary_indicator_sums,
    summary_rebuild,
)
from monitoring.tests.factories import IndicatorFactory, PeriodFactory, SubmissionFactory, ValueFactory
from pilots.filters import OrganisationFilter
from pilots.importer import organisations_import_file
from pilots.models import Organisation
from pilots.services import organisation_leave_pilot
from pilots.tests import test_importer
from pilots.tests.factories import (
    CoordinatorFactory,
    InstituteFactory,
    OrganisationFactory,
    RegionFactory,
    StaffFactory,
)


@pytest.fixture
def pilot(period, previous_period, today):
    """Four organisations in three regions, of different ownership, settlement and language; two open
    quarters, one after the other (the earlier one past its due date, so a hand-in there is late), a
    quarter 1 and a quarter 4, so that they are the skills' baseline and final too; a summed key total and
    an averaged indicator asked in both, the latter counting the children assessed (given or not, it
    makes an organisation diagnosed or not)."""
    baseline = previous_period
    baseline.code, baseline.quarter = "2026-Q1", 1
    baseline.save()
    periods = [baseline, period]
    children = IndicatorFactory(code="sum_children", periods=periods, figure_role=Indicator.FigureRole.KEY_TOTAL)
    minutes = IndicatorFactory(
        code="avg_minutes_summary",
        type=Indicator.Type.DECIMAL,
        aggregation=Indicator.Aggregation.AVG,
        max_value=Decimal(120),
        periods=periods,
        figure_role=Indicator.FigureRole.SKILLS_ASSESSED,
    )
    regions = [RegionFactory(code=code) for code in ("T-SA", "T-SB", "T-SC")]
    joined = today - datetime.timedelta(days=365)
    kinds = [
        ("state", "urban", "kk"),
        ("private", "rural", "ru"),
        ("state", "rural", "mixed"),
        ("private", "urban", "kk"),
    ]
    organisations = [
        OrganisationFactory(
            region=regions[[0, 0, 1, 2][n]],
            ownership=ownership,
            settlement=settlement,
            language=language,
            in_pilot_from=joined,
        )
        for n, (ownership, settlement, language) in enumerate(kinds)
    ]
    return {
        "periods": periods,
        "indicators": [children, minutes],
        "regions": regions,
        "organisations": organisations,
        "staff": [StaffFactory(organisation=o) for o in organisations],
        "institute": InstituteFactory(),
        "coordinator": CoordinatorFactory(region=regions[0]),
    }


def _context(organisation, period):
    return SubmissionContext(
        organisation=Organisation.objects.get(pk=organisation.pk),
        period=period,
        submission=Submission.objects.filter(organisation=organisation, period=period).first(),
    )


def _do(pilot, step, today):
    """One step of the sequence, through the services a user's click goes through. "next" moves the
    submission on as its status allows: a draft (or none, or a returned one) is submitted, a submitted
    one accepted or returned (as `children` is even or odd), an accepted one reopened."""
    kind, n, p, children, minutes = step
    organisation = pilot["organisations"][n]
    period = pilot["periods"][p]
    institute = pilot["institute"]
    context = _context(organisation, period)
    status = context.submission.status if context.submission else None
    if kind == "next" and status in (None, Status.DRAFT, Status.RETURNED):
        numbers = {"sum_children": children, "avg_minutes_summary": minutes}
        submission_save(
            user=pilot["staff"][n],
            context=context,
            indicators=pilot["indicators"],
            values={code: number for code, number in numbers.items() if number is not None},
            explanations={},
            version=context.submission.version if context.submission else 0,
            submit=True,
        )
    elif kind == "next" and status == Status.SUBMITTED and children % 2 == 0:
        submission_accept(user=institute, context=context, version=context.submission.version)
    elif kind == "next" and status == Status.SUBMITTED:
        submission_return(
            user=institute,
            context=context,
            version=context.submission.version,
            comment="Check the numbers",
            field_reasons={},
            indicators=pilot["indicators"],
        )
    elif kind == "next" and status == Status.ACCEPTED:
        submission_reopen(user=institute, context=context, comment="A correction")
    elif kind == "accept" and status != Status.ACCEPTED:
        # Straight to accepted (submitted first if need be): sequences reach accepted data in both
        # quarters of one organisation, the like-for-like pairs, far more often than by "next" alone.
        if status != Status.SUBMITTED:
            _do(pilot, ("next", n, p, children, minutes), today)
        context = _context(organisation, period)
        submission_accept(user=institute, context=context, version=context.submission.version)
    elif kind == "leave":
        # Gone before the earlier quarter, after it, or during the later one (p picks which).
        first, second = pilot["periods"]
        effective_on = [
            first.starts_on - datetime.timedelta(days=3),
            first.ends_on,
            second.starts_on + datetime.timedelta(days=3),
        ][children % 3]
        replaced_by = None
        if p == 1:
            replaced_by = OrganisationFactory(
                region=pilot["regions"][children % 3], in_pilot_from=effective_on, language="ru"
            )
        organisation_leave_pilot(
            user=institute,
            organisation=Organisation.objects.get(pk=organisation.pk),
            effective_on=effective_on,
            reason="Closed for repairs",
            replaced_by=replaced_by,
        )
    elif kind == "move":
        # The registry corrects an organisation's region and ownership (the admin's edit form saves it).
        moved = Organisation.objects.get(pk=organisation.pk)
        moved.region = pilot["regions"][children % 3]
        moved.ownership = "private" if moved.ownership == "state" else "state"
        moved.save()


def _summed_by_region(periods):
    """The summary's cells added up by region, as a dashboard of all regions without other filters reads them."""
    codes = {p.pk: p.code for p in periods}
    counts = defaultdict(lambda: defaultdict(int))
    for row in SummedCounts.objects.filter(period__in=periods).values("period_id", "region__code", *figures_fields()):
        for name in figures_fields():
            counts[(codes[row["period_id"]], row["region__code"])][name] += row[name]
    sums = defaultdict(lambda: [Decimal(0), 0])
    for row in SummedValue.objects.filter(period__in=periods).values(
        "period_id", "indicator__code", "region__code", "total", "organisations"
    ):
        cell = sums[(codes[row["period_id"]], row["indicator__code"], row["region__code"])]
        cell[0] += row["total"]
        cell[1] += row["organisations"]
    return counts, sums


def figures_fields():
    return ("expected", "handed_in", "late", "accepted", "awaiting_review")


def _views(pilot):
    """Who reads with which filters: the Institute (all, one ownership, one region), a coordinator (its
    region, and the national figures beside it)."""
    institute, coordinator = pilot["institute"], pilot["coordinator"]
    return [
        (institute, OrganisationFilter()),
        (institute, OrganisationFilter(ownership="private", language="kk")),
        (institute, OrganisationFilter(region=pilot["regions"][1].code, settlement="rural")),
        (coordinator, OrganisationFilter()),
        (coordinator, OrganisationFilter(ownership="state").nationwide()),
    ]


def from_values():
    """The figures as they compute from the values, the summary's readers turned off (their fallback for
    the sets of organisations that are not a union of the summary's cells)."""
    return mock.patch.object(figures, "summary_cells", return_value=None)


def _assert_readers_equal_figures(pilot, today):
    """What the figures read from the summary is what they compute from the values, for each view."""
    periods = pilot["periods"]
    codes = [i.code for i in pilot["indicators"]]
    for user, filters in _views(pilot):
        cells = summary_cells(user=user, filters=filters)
        assert cells is not None
        baseline, final = periods
        for moment in (final, None):
            with from_values():
                live_size = figures.skills_cohort_size(user=user, filters=filters, baseline=baseline, final=moment)
            assert figures.skills_cohort_size(user=user, filters=filters, baseline=baseline, final=moment) == live_size
            for by in figures.DIMENSIONS:
                common = {"user": user, "filters": filters, "by": by, "baseline": baseline, "final": moment}
                with from_values():
                    live_rows = figures.skills_matched_cohort(**common, groups=live_size.groups[by])
                summed_rows = figures.skills_matched_cohort(**common, groups=live_size.groups[by])
                assert [(r.key, r.baseline, r.final, r.organisations) for r in summed_rows] == [
                    (r.key, r.baseline, r.final, r.organisations) for r in live_rows
                ]
        with from_values():
            live_totals = figures.key_totals(user=user, filters=filters, periods=periods)
        summed_totals = figures.key_totals(user=user, filters=filters, periods=periods)
        assert [(r.code, r.values, r.changes) for r in summed_totals] == [
            (r.code, r.values, r.changes) for r in live_totals
        ]
        for by in (None, "region", "language"):
            with from_values():
                live = figures.indicator_sums(user=user, filters=filters, codes=codes, by=by)
            summed = summary_indicator_sums(cells=cells, codes=codes, by=by)
            assert summed.keys() == live.keys()
            assert all(round(Decimal(summed[k]), 6) == round(Decimal(v), 6) for k, v in live.items()), (summed, live)
        counts = summary_counts(cells=cells, periods=periods, by="region")
        with from_values():
            rows, _total = figures.completeness_by_region(user=user, filters=filters, periods=periods)
        assert [
            (r.key, r.cells) for r in figures.completeness_by_region(user=user, filters=filters, periods=periods)[0]
        ] == [(r.key, r.cells) for r in rows]
        for row in rows:
            for period in periods:
                cell, summed = row.cells[period.code], counts.get((row.key, period.pk), {})
                live = (cell.expected, cell.submitted, cell.late)
                assert (summed.get("expected", 0), summed.get("handed_in", 0), summed.get("late", 0)) == live
        with from_values():
            bases = figures.period_bases(user=user, filters=filters, periods=periods, today=today)
        assert figures.period_bases(user=user, filters=filters, periods=periods, today=today) == bases
        totals = summary_counts(cells=cells, periods=periods, by=None)
        for period in periods:
            summed, base = totals.get(("", period.pk), {}), bases[period.code]
            live = (base.expected, base.accepted, base.awaiting_review)
            assert (summed.get("expected", 0), summed.get("accepted", 0), summed.get("awaiting_review", 0)) == live


def _assert_queue_equals_its_count(pilot):
    """The reviewer's queue read from the summary is what the submissions count, for each reader's scope."""
    for user in (pilot["institute"], pilot["coordinator"]):
        for period in pilot["periods"]:
            queue = selectors.submission_queue(user=user, period=period)
            counted, expected = selectors.queue_counted(user=user, period=period)
            assert ({name: queue[name] for name in counted}, queue["expected"]) == (counted, expected)


def _assert_summary_equals_figures(pilot, today):
    periods = pilot["periods"]
    user, filters = pilot["institute"], OrganisationFilter()
    assert summary_differences() == []
    counts, sums = _summed_by_region(periods)

    with from_values():
        rows, _total = figures.completeness_by_region(user=user, filters=filters, periods=periods)
    live = {
        (code, row.key): {"expected": cell.expected, "handed_in": cell.submitted, "late": cell.late}
        for row in rows
        for code, cell in row.cells.items()
    }
    stored = {key: {name: counts[key][name] for name in ("expected", "handed_in", "late")} for key in live}
    assert stored == live
    assert all(not any(c[n] for n in ("expected", "handed_in", "late")) for k, c in counts.items() if k not in live)

    with from_values():
        bases = figures.period_bases(user=user, filters=filters, periods=periods, today=today)
    for period in periods:
        in_period = [c for (code, _region), c in counts.items() if code == period.code]
        base = bases[period.code]
        assert (sum(c["expected"] for c in in_period), sum(c["accepted"] for c in in_period)) == (
            base.expected,
            base.accepted,
        )
        assert sum(c["awaiting_review"] for c in in_period) == base.awaiting_review

    by_code = {i.code: i for i in pilot["indicators"]}
    with from_values():
        live_sums = figures.indicator_sums(user=user, filters=filters, codes=list(by_code), by="region")
    summed = {}
    for (period_code, code, region), (total, n) in sums.items():
        if not n:
            continue
        averaged = by_code[code].aggregation == Indicator.Aggregation.AVG
        summed[(period_code, code, region)] = total / n if averaged else total
    assert summed.keys() == live_sums.keys()
    for key, value in live_sums.items():
        assert round(Decimal(summed[key]), 6) == round(Decimal(value), 6), key


STEPS = st.tuples(
    st.sampled_from(["next", "next", "next", "next", "next", "next", "accept", "accept", "leave", "move"]),
    st.integers(0, 3),  # which organisation
    st.integers(0, 1),  # which quarter (for "leave": 1 names a replacement)
    st.integers(0, 500),  # children (for "leave": which date; for "move": which region)
    st.one_of(st.none(), st.decimals(min_value=0, max_value=120, places=2, allow_nan=False, allow_infinity=False)),
)


@pytest.mark.django_db
def test_summary_equals_the_figures_from_the_values_after_every_step(pilot, today):
    """Random sequences of submit, accept, return, reopen (each "next" step one of them, as the status
    allows), leaving (with or without a replacement, which joins) and a change of region and ownership:
    after each, the summary equals what the figures compute."""
    summary_rebuild()

    @settings(
        max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(STEPS, min_size=1, max_size=16))
    def run(steps):
        with transaction.atomic():
            _assert_summary_equals_figures(pilot, today)
            for step in steps:
                try:
                    _do(pilot, step, today)
                except StaleSubmission:
                    raise AssertionError(f"a step the state allows was refused: {step}") from None
                _assert_summary_equals_figures(pilot, today)
            # The readers, over five scopes and filters, once the sequence is done (each step is checked above).
            _assert_readers_equal_figures(pilot, today)
            _assert_queue_equals_its_count(pilot)
            transaction.set_rollback(True)

    run()


@pytest.mark.django_db
def test_accepting_adds_the_values_to_their_cell(pilot, today):
    organisation, period = pilot["organisations"][2], pilot["periods"][1]
    _do(pilot, ("next", 2, 1, 40, Decimal("30.50")), today)
    before = SummedValue.objects.filter(period=period, region=organisation.region).count()
    _do(pilot, ("next", 2, 1, 0, None), today)
    cell = SummedValue.objects.get(period=period, indicator__code="sum_children", region=organisation.region)
    assert (before, cell.total, cell.organisations) == (0, Decimal(40), 1)
    counts = SummedCounts.objects.get(period=period, region=organisation.region, ownership=organisation.ownership)
    assert (counts.expected, counts.handed_in, counts.accepted, counts.awaiting_review) == (1, 1, 1, 0)


@pytest.mark.django_db
def test_check_names_each_cell_that_differs_and_exits_1(pilot, today):
    _do(pilot, ("next", 0, 1, 40, None), today)
    _do(pilot, ("next", 0, 1, 0, None), today)
    out = StringIO()
    call_command("rebuild_summary", "--check", stdout=out)  # agrees: no exit
    assert "The summary equals the values." in out.getvalue()

    SummedValue.objects.filter(indicator__code="sum_children").update(total=Decimal(41))
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("rebuild_summary", "--check", stdout=out, stderr=StringIO())
    assert exit_.value.code == 1
    region = pilot["organisations"][0].region.code
    assert (
        out.getvalue() == f"2026-Q4 {region} state urban kk sum_children: summary 41.00 over 1, values 40.00 over 1\n"
    )


@pytest.mark.django_db
def test_writes_inside_summaries_summed_once_are_summed_when_it_ends(pilot, today):
    _do(pilot, ("next", 0, 1, 40, None), today)
    assert summary_differences() == []  # the control: a submit outside is summed at once
    with summaries_summed_once():
        _do(pilot, ("next", 1, 1, 30, None), today)
        assert summary_differences() != []
    assert summary_differences() == [] and progress_differences() == []


def test_the_demo_as_load_demo_leaves_it_has_both_summaries_equal_to_its_rows(demo):
    assert SummedValue.objects.exists() and SummedActivities.objects.exists()
    assert summary_differences() == [] and progress_differences() == []


@pytest.mark.django_db
def test_rebuild_repairs_a_summary_written_past_the_signals(pilot, today):
    """Data written with QuerySet.update or bulk_create (a seed, a repair by hand) sends no signal: the
    summary lags until the rebuild, which sums it, and then agrees."""
    submission = SubmissionFactory(organisation=pilot["organisations"][1], period=pilot["periods"][0])
    ValueFactory(submission=submission, indicator=pilot["indicators"][0], number=Decimal(12))
    assert summary_differences() == []  # a draft counts nowhere: the control
    Submission.objects.filter(pk=submission.pk).update(status=Status.ACCEPTED)
    assert summary_differences() != []
    call_command("rebuild_summary", stdout=StringIO())
    assert summary_differences() == []
    assert SummedValue.objects.get(indicator=pilot["indicators"][0]).total == Decimal(12)


@pytest.mark.django_db
def test_accepted_data_written_through_the_orm_is_summed_as_it_is_written(pilot, today):
    """A factory, the admin or a script saves submissions and values one by one: the summary follows each
    save, with no rebuild."""
    submission = SubmissionFactory(
        organisation=pilot["organisations"][1], period=pilot["periods"][0], status=Status.ACCEPTED
    )
    value = ValueFactory(submission=submission, indicator=pilot["indicators"][0], number=Decimal(12))
    assert SummedValue.objects.get(indicator=pilot["indicators"][0]).total == Decimal(12)
    assert summary_differences() == []
    value.number = Decimal(15)
    value.save()
    assert SummedValue.objects.get(indicator=pilot["indicators"][0]).total == Decimal(15)
    assert summary_differences() == []


@pytest.mark.django_db
def test_a_submission_saved_to_another_status_moves_its_part(pilot, today):
    submission = SubmissionFactory(
        organisation=pilot["organisations"][1], period=pilot["periods"][0], status=Status.ACCEPTED
    )
    ValueFactory(submission=submission, indicator=pilot["indicators"][0], number=Decimal(12))

    def counts():
        cells = SummedCounts.objects.filter(period=pilot["periods"][0], region=pilot["organisations"][1].region)
        return tuple(sum(cells.values_list(name, flat=True)) for name in ("accepted", "handed_in"))

    assert counts() == (1, 1)
    submission.status = Status.RETURNED
    submission.save()
    assert counts() == (0, 0)
    assert SummedValue.objects.get(indicator=pilot["indicators"][0]).organisations == 0
    assert summary_differences() == []


@pytest.mark.django_db
def test_a_deleted_value_and_a_deleted_submission_leave_the_summary(pilot, today):
    submission = SubmissionFactory(
        organisation=pilot["organisations"][1], period=pilot["periods"][0], status=Status.ACCEPTED
    )
    first = ValueFactory(submission=submission, indicator=pilot["indicators"][0], number=Decimal(12))
    ValueFactory(submission=submission, indicator=pilot["indicators"][1], number=Decimal(30))
    first.delete()
    assert not SummedValue.objects.filter(indicator=pilot["indicators"][0], organisations__gt=0).exists()
    assert SummedValue.objects.get(indicator=pilot["indicators"][1]).total == Decimal(30)  # the other stays
    assert summary_differences() == []
    submission.delete()
    assert not SummedValue.objects.filter(organisations__gt=0).exists()
    assert summary_differences() == []


@pytest.mark.django_db
def test_new_period_dates_recount_who_is_expected(pilot, today):
    first, period = pilot["periods"]
    _do(pilot, ("leave", 0, 0, 1, None), today)  # gone on the earlier quarter's last day

    def expected():
        return sum(SummedCounts.objects.filter(period=period).values_list("expected", flat=True))

    before = expected()
    period.starts_on = first.ends_on - datetime.timedelta(days=10)  # the later quarter now overlaps its stay
    period.save()
    assert (before, expected()) == (3, 4)
    assert summary_differences() == []


@pytest.mark.django_db
def test_an_import_that_adds_organisations_and_moves_one_keeps_the_summary(pilot, today):
    """The importer writes in bulk, past the model signals: it says what it wrote, and the summary follows.
    The organisation moved keeps its accepted values, now in its new region's cell."""
    moved = pilot["organisations"][0]
    _do(pilot, ("next", 0, 1, 40, None), today)
    _do(pilot, ("next", 0, 1, 0, None), today)
    new_region = RegionFactory(code="KZ-71", name_kk="Астана қаласы", name_ru="город Астана")
    # A quarter that has begun: the organisations the import adds join today, so they are expected in it.
    coming = PeriodFactory(
        code="2027-Q1", year=2027, quarter=1, starts_on=today, ends_on=today + datetime.timedelta(days=80)
    )
    upload = test_importer.xlsx(
        [test_importer.row(bin_) for bin_ in (moved.bin, test_importer.valid_bin(2), test_importer.valid_bin(5))]
    )
    result = organisations_import_file(file=upload, user=None, today=today)
    assert (result.created, result.updated) == (2, 1)
    assert summary_differences() == []
    cells = SummedValue.objects.filter(indicator__code="sum_children", period=pilot["periods"][1], organisations=1)
    assert [(c.region_id, c.total) for c in cells] == [(new_region.pk, Decimal(40))]

    def expected(period):
        return sum(SummedCounts.objects.filter(period=period, region=new_region).values_list("expected", flat=True))

    assert (expected(pilot["periods"][1]), expected(coming)) == (1, 3)


@pytest.mark.django_db
def test_accepting_adds_the_values_to_their_regions_row_too(pilot, today):
    organisation, period = pilot["organisations"][2], pilot["periods"][1]
    _do(pilot, ("next", 2, 1, 40, None), today)
    _do(pilot, ("next", 2, 1, 0, None), today)
    row = SummedRegionValue.objects.get(period=period, indicator__code="sum_children", region=organisation.region)
    assert (row.total, row.organisations) == (Decimal(40), 1)


@pytest.mark.django_db
def test_figures_of_whole_regions_read_the_regions_rows_and_others_the_cells(pilot, today):
    """Positive control of the reading: a region's row changed by hand shows in the national sum, and not in
    one narrowed by ownership, which only the cells can answer."""
    _do(pilot, ("next", 0, 1, 40, None), today)
    _do(pilot, ("next", 0, 1, 0, None), today)
    national = summary_cells(user=pilot["institute"], filters=OrganisationFilter())
    state = summary_cells(user=pilot["institute"], filters=OrganisationFilter(ownership="state"))
    key = ("2026-Q4", "sum_children")
    before = (
        summary_indicator_sums(cells=national, codes=["sum_children"])[key],
        summary_indicator_sums(cells=state, codes=["sum_children"])[key],
    )
    SummedRegionValue.objects.filter(indicator__code="sum_children").update(total=Decimal(45))
    after = (
        summary_indicator_sums(cells=national, codes=["sum_children"])[key],
        summary_indicator_sums(cells=state, codes=["sum_children"])[key],
    )
    assert (before, after) == ((Decimal(40), Decimal(40)), (Decimal(45), Decimal(40)))
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("rebuild_summary", "--check", stdout=out, stderr=StringIO())
    region = pilot["organisations"][0].region.code
    assert out.getvalue() == f"2026-Q4 {region} * * * sum_children: summary 45.00 over 1, values 40.00 over 1\n"
