"""The stages' progress read from the summary (monitoring.progress_summary) equals the progress counted from
the ticks, for any day and scope, after every change of ticks and organisations (issue 12)."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitoring import figures
from monitoring.models import SummedActivities, SummedOrganisations
from monitoring.progress_summary import progress_counts, progress_differences, progress_rebuild
from monitoring.summary import summary_cells
from pilots.filters import OrganisationFilter
from pilots.importer import organisations_import_file
from pilots.models import ActivityProgress, Organisation
from pilots.services import activity_progress_set
from pilots.tests import test_importer
from pilots.tests.factories import (
    ActivityFactory,
    ActivityProgressFactory,
    CoordinatorFactory,
    InstituteFactory,
    OrganisationFactory,
    RegionFactory,
    StaffFactory,
    StageFactory,
)


@pytest.fixture
def pilot(today):
    """Four organisations in three regions, of different ownership, settlement and language, in the pilot
    for a year, with one to three activities ticked; two stages of two and one activities; staff for each, the
    Institute, and a coordinator."""
    regions = [RegionFactory(code=code) for code in ("T-PA", "T-PB", "T-PC")]
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
            in_pilot_from=today - datetime.timedelta(days=365),
        )
        for n, (ownership, settlement, language) in enumerate(kinds)
    ]
    first, second = StageFactory(position=1), StageFactory(position=2)
    activities = [ActivityFactory(stage=first), ActivityFactory(stage=first), ActivityFactory(stage=second)]
    # Ticks to start from, so that every move, change of dates or deletion of an organisation carries some.
    for n, organisation in enumerate(organisations):
        for activity in activities[: n % 3 + 1]:
            ActivityProgressFactory(
                organisation=organisation, activity=activity, done_on=today - datetime.timedelta(days=n)
            )
    return {
        "regions": regions,
        "organisations": organisations,
        "activities": activities,
        "staff": [StaffFactory(organisation=o) for o in organisations],
        "institute": InstituteFactory(),
        "coordinator": CoordinatorFactory(region=regions[0]),
    }


ORG = st.integers(0, 3)
ACTIVITY = st.integers(0, 2)
DAYS_AGO = st.integers(0, 60)
STEPS = st.one_of(
    st.tuples(st.just("tick"), ORG, ACTIVITY, DAYS_AGO),
    st.tuples(st.just("untick"), ORG, ACTIVITY),
    # Past the service, as a script or the admin would: a date to come, and done without a date.
    st.tuples(st.just("orm"), ORG, ACTIVITY, st.sampled_from([True, False]), st.integers(-10, 60) | st.none()),
    st.tuples(st.just("delete"), ORG, ACTIVITY),
    st.tuples(st.just("move"), ORG, st.integers(0, 2), st.sampled_from(["state", "private"])),
    st.tuples(st.just("dates"), ORG, st.integers(-30, 30), st.integers(-30, 30) | st.none()),
    st.tuples(st.just("new"), st.integers(0, 2)),
    st.tuples(st.just("gone"), ORG),
)


def _do(pilot, step, today):
    kind, *args = step
    organisations, activities = pilot["organisations"], pilot["activities"]
    days = datetime.timedelta
    if kind in ("tick", "untick"):
        organisation = Organisation.objects.filter(pk=organisations[args[0]].pk).first()
        if organisation is None or not organisation.is_in_pilot:
            return
        staff = pilot["staff"][args[0]]
        done_on = today - days(args[2]) if kind == "tick" else None
        activity_progress_set(
            user=staff,
            organisation=organisation,
            activity=activities[args[1]],
            done=kind == "tick",
            done_on=done_on,
            note="",
        )
    elif kind == "orm":
        organisation_pk, activity, done, days_ago = organisations[args[0]].pk, activities[args[1]], args[2], args[3]
        if not Organisation.objects.filter(pk=organisation_pk).exists():
            return
        progress, _ = ActivityProgress.objects.get_or_create(organisation_id=organisation_pk, activity=activity)
        progress.done = done
        progress.done_on = None if days_ago is None else today - days(days_ago)
        progress.save()
    elif kind == "delete":
        ActivityProgress.objects.filter(
            organisation_id=organisations[args[0]].pk, activity=activities[args[1]]
        ).delete()
    elif kind == "move":
        organisation = Organisation.objects.filter(pk=organisations[args[0]].pk).first()
        if organisation is not None:
            organisation.region, organisation.ownership = pilot["regions"][args[1]], args[2]
            organisation.save()
    elif kind == "dates":
        organisation = Organisation.objects.filter(pk=organisations[args[0]].pk).first()
        if organisation is not None:
            organisation.in_pilot_from = today + days(args[1])
            until = None if args[2] is None else today + days(args[2])
            organisation.in_pilot_until = until if until is None or until >= organisation.in_pilot_from else None
            organisation.save()
    elif kind == "new":
        organisations.append(OrganisationFactory(region=pilot["regions"][args[0]], in_pilot_from=today))
        pilot["staff"].append(StaffFactory(organisation=organisations[-1]))
    elif kind == "gone":  # its staff's accounts first: they hold it, protected
        type(pilot["staff"][args[0]]).objects.filter(pk=pilot["staff"][args[0]].pk).delete()
        Organisation.objects.filter(pk=organisations[args[0]].pk).delete()


def _scopes(pilot):
    region = pilot["regions"][1].code
    return [
        (pilot["institute"], OrganisationFilter()),
        (pilot["institute"], OrganisationFilter(ownership="private")),
        (pilot["institute"], OrganisationFilter(region=region, settlement="rural")),
        (pilot["coordinator"], OrganisationFilter()),
        (pilot["coordinator"], OrganisationFilter(national=True)),
    ]


def _assert_progress_equals_the_ticks(pilot, today, *, scopes=None, days=(0,)):
    assert progress_differences() == []
    for user, filters in scopes or _scopes(pilot)[:1]:
        for day in (today + datetime.timedelta(days=n) for n in days):
            summed = progress_counts(cells=summary_cells(user=user, filters=filters), day=day)
            counted = figures.stage_progress_counted(user=user, filters=filters, as_of=day)
            assert summed == (counted[0], +counted[1]), (user.role, filters, day)


@pytest.mark.django_db
def test_progress_summary_equals_the_ticks_after_every_step(pilot, today):
    """Random sequences of ticks and unticks through the service, ticks written past it (dated ahead, done
    without a date), deleted ticks, organisations moved to another cell, given other dates in the pilot,
    added and deleted: after each, the summary's cells equal the ticks and the national figure of today is the
    same from both; after the sequence, so are five scopes' figures on three days."""
    progress_rebuild()

    @settings(
        max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(STEPS, min_size=1, max_size=14))
    def run(steps):
        with transaction.atomic():
            for step in steps:
                _do(pilot, step, today)
                _assert_progress_equals_the_ticks(pilot, today)
            # The other scopes and days, once the sequence is done (the summary's cells are checked above).
            _assert_progress_equals_the_ticks(pilot, today, scopes=_scopes(pilot), days=(0, -20, 40))
            transaction.set_rollback(True)
        del pilot["organisations"][4:], pilot["staff"][4:]

    run()


@pytest.mark.django_db
def test_a_tick_adds_one_to_its_cell_and_an_untick_takes_it_away(pilot, today):
    organisation, activity = pilot["organisations"][2], pilot["activities"][0]
    _do(pilot, ("tick", 2, 0, 3), today)
    cell = SummedActivities.objects.get(activity=activity, region=organisation.region, ownership="state")
    assert cell.done == 1
    _do(pilot, ("untick", 2, 0), today)
    cell.refresh_from_db()
    assert cell.done == 0


@pytest.mark.django_db
def test_the_stages_figure_reads_the_summary_where_its_cells_answer(pilot, today):
    """Positive control of the reading: a summary changed by hand shows on the national figure, and not on
    an organisation's own (which its cells cannot answer, so the ticks do)."""
    _do(pilot, ("tick", 0, 0, 3), today)
    institute, staff = pilot["institute"], pilot["staff"][0]
    before = figures.stage_progress_by_region(user=institute, filters=OrganisationFilter())[2].percents[1]
    own_before = figures.stage_progress_by_region(user=staff, filters=OrganisationFilter())[2].percents[1]
    SummedActivities.objects.filter(activity=pilot["activities"][1]).update(done=0)
    SummedActivities.objects.create(
        activity=pilot["activities"][1],
        region=pilot["regions"][0],
        ownership="state",
        settlement="urban",
        language="kk",
        done=1,
    )
    after = figures.stage_progress_by_region(user=institute, filters=OrganisationFilter())[2].percents[1]
    own_after = figures.stage_progress_by_region(user=staff, filters=OrganisationFilter())[2].percents[1]
    assert (before, after) == (75.0, 62.5)
    assert own_before == own_after == 50.0


@pytest.mark.django_db
def test_check_names_a_progress_cell_that_differs_and_rebuild_repairs_it(pilot, today):
    _do(pilot, ("tick", 1, 2, 0), today)
    out = StringIO()
    call_command("rebuild_summary", "--check", stdout=out)
    assert "The summary equals the values." in out.getvalue()

    SummedOrganisations.objects.filter(region=pilot["regions"][0], ownership="private").update(organisations=7)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("rebuild_summary", "--check", stdout=out, stderr=StringIO())
    assert exit_.value.code == 1
    assert out.getvalue() == "T-PA private rural ru organisations: summary 7, registry 1\n"

    call_command("rebuild_summary", stdout=StringIO())
    assert progress_differences() == []


@pytest.mark.django_db
def test_an_import_that_adds_organisations_and_moves_one_keeps_the_progress_summary(pilot, today):
    """The importer writes in bulk, past the model signals, and says what it wrote: the new organisations join
    their cells, and the one moved to another region takes its ticks there."""
    moved = pilot["organisations"][2]  # three activities ticked
    progress_rebuild()
    new_region = RegionFactory(code="KZ-71", name_kk="Астана қаласы", name_ru="город Астана")
    upload = test_importer.xlsx(
        [test_importer.row(bin_) for bin_ in (moved.bin, test_importer.valid_bin(2), test_importer.valid_bin(5))]
    )
    result = organisations_import_file(file=upload, user=None, today=today)
    assert (result.created, result.updated) == (2, 1)
    assert progress_differences() == []
    ticks = SummedActivities.objects.filter(region=new_region, done__gt=0)
    assert sorted(ticks.values_list("activity_id", "done")) == [(a.pk, 1) for a in pilot["activities"]]
    assert sum(SummedOrganisations.objects.filter(region=new_region).values_list("organisations", flat=True)) == 3
