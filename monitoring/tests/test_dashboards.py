import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl.utils import get_column_letter

from monitoring import figures
from monitoring.dashboards import TABLE_PARTS, dashboard_data, table_data
from monitoring.exports import TABLES, write_table
from monitoring.figures import FigureFilters
from monitoring.models import Indicator, Status, Submission, Value
from monitoring.tests.factories import IndicatorFactory, PeriodFactory, SubmissionFactory
from pilots.models import Organisation
from pilots.tests.factories import (
    ActivityFactory,
    ActivityProgressFactory,
    CoordinatorFactory,
    InstituteFactory,
    MinistryFactory,
    OrganisationFactory,
    RegionFactory,
    StaffFactory,
    StageFactory,
)

pytestmark = pytest.mark.django_db


def _period(quarter, *, starts, ends, due, review):
    """A 2026 quarter; each date as (month, day)."""
    return PeriodFactory(
        code=f"2026-Q{quarter}",
        quarter=quarter,
        starts_on=datetime.date(2026, *starts),
        ends_on=datetime.date(2026, *ends),
        due_on=datetime.date(2026, *due),
        review_due_on=datetime.date(2026, *review),
    )


@pytest.fixture
def q1():
    return _period(1, starts=(1, 1), ends=(3, 31), due=(4, 5), review=(4, 10))


@pytest.fixture
def q2():
    return _period(2, starts=(4, 1), ends=(6, 30), due=(7, 5), review=(7, 10))


@pytest.fixture
def world(q1, q2):
    """Two regions. Astana: 3 organisations, one of which left on 31.03 (expected in Q1 only).
    Almaty: 2 organisations. Q1 statuses — Astana: accepted (on time), accepted (late), returned;
    Almaty: submitted (on time), draft. Q2 — Astana: accepted; Almaty: none."""
    astana, almaty = RegionFactory(code="KZ-71", name_en="Astana"), RegionFactory(code="KZ-75", name_en="Almaty")
    a1, a2 = OrganisationFactory(region=astana), OrganisationFactory(region=astana)
    a3 = OrganisationFactory(region=astana, in_pilot_until=datetime.date(2026, 3, 31))
    b1, b2 = OrganisationFactory(region=almaty), OrganisationFactory(region=almaty)
    children = IndicatorFactory(code="children_total", periods=[q1, q2], figure_role=Indicator.FigureRole.KEY_TOTAL)
    subs = {
        "a1q1": SubmissionFactory(organisation=a1, period=q1, status=Status.ACCEPTED),
        "a2q1": SubmissionFactory(organisation=a2, period=q1, status=Status.ACCEPTED, is_late=True),
        "a3q1": SubmissionFactory(organisation=a3, period=q1, status=Status.RETURNED),
        "b1q1": SubmissionFactory(organisation=b1, period=q1, status=Status.SUBMITTED),
        "b2q1": SubmissionFactory(organisation=b2, period=q1, status=Status.DRAFT),
        "a1q2": SubmissionFactory(organisation=a1, period=q2, status=Status.ACCEPTED),
    }
    for key, n in {"a1q1": 40, "a2q1": 60, "a3q1": 1000, "b1q1": 500, "b2q1": 700, "a1q2": 45}.items():
        Value.objects.create(submission=subs[key], indicator=children, number=Decimal(n))
    return {"astana": astana, "almaty": almaty, "q1": q1, "q2": q2, "orgs": [a1, a2, a3, b1, b2]}


def _completeness(user, world, **filters):
    rows, total = figures.completeness_by_region(
        user=user, filters=FigureFilters(**filters), periods=[world["q1"], world["q2"]]
    )
    return {r.key: r.cells for r in rows}, total.cells


def test_completeness_counts_submitted_and_accepted_against_organisations_expected(world):
    rows, total = _completeness(InstituteFactory(), world)
    astana_q1, almaty_q1 = rows["KZ-71"]["2026-Q1"], rows["KZ-75"]["2026-Q1"]
    assert (astana_q1.expected, astana_q1.submitted, astana_q1.on_time, astana_q1.late) == (3, 2, 1, 1)
    assert (astana_q1.completeness, astana_q1.timeliness) == (66.7, 33.3)
    assert (almaty_q1.expected, almaty_q1.submitted, almaty_q1.completeness) == (2, 1, 50.0)
    assert (total["2026-Q1"].expected, total["2026-Q1"].submitted) == (5, 3)


def test_an_organisation_that_left_is_not_expected_after_it_left(world):
    rows, _total = _completeness(InstituteFactory(), world)
    astana_q2 = rows["KZ-71"]["2026-Q2"]
    assert (astana_q2.expected, astana_q2.submitted, astana_q2.completeness) == (2, 1, 50.0)


def test_key_totals_count_accepted_data_only(world):
    totals = {
        r.code: r
        for r in figures.key_totals(user=MinistryFactory(), filters=FigureFilters(), periods=[world["q1"], world["q2"]])
    }
    assert totals["children_total"].values == {"2026-Q1": Decimal(100), "2026-Q2": Decimal(45)}
    assert totals["organisations_reporting"].values == {"2026-Q1": 2, "2026-Q2": 1}


def test_a_change_between_quarters_is_like_for_like_and_says_on_how_many(world):
    # Q1 accepted: a1 40, a2 60; Q2 accepted: a1 45. Only a1 has accepted data in both: 45 − 40.
    filters, periods = FigureFilters(), [world["q1"], world["q2"]]
    bases = figures.period_bases(user=MinistryFactory(), filters=filters, periods=periods)
    totals = {r.code: r for r in figures.key_totals(user=MinistryFactory(), filters=filters, periods=periods)}
    assert totals["children_total"].changes == {"2026-Q1": None, "2026-Q2": Decimal(5)}
    assert (bases["2026-Q2"].in_both, bases["2026-Q2"].accepted, bases["2026-Q2"].expected) == (1, 1, 4)


def test_a_change_leaves_out_an_organisation_that_left_the_figure_blank_in_one_quarter(world):
    # Teachers: a1 blank in Q1, 7 in Q2; a2 3 in Q1, 4 in Q2. Both have accepted data in both quarters,
    # but only a2 gave the figure in both: the change is 4 − 3 = +1, not (7 + 4) − 3 = +8.
    a1, a2 = world["orgs"][:2]
    a2q2 = SubmissionFactory(organisation=a2, period=world["q2"], status=Status.ACCEPTED)
    teachers = IndicatorFactory(
        code="teachers_involved", periods=[world["q1"], world["q2"]], figure_role=Indicator.FigureRole.KEY_TOTAL
    )
    Value.objects.create(submission=a1.submissions.get(period=world["q2"]), indicator=teachers, number=Decimal(7))
    Value.objects.create(submission=a2.submissions.get(period=world["q1"]), indicator=teachers, number=Decimal(3))
    Value.objects.create(submission=a2q2, indicator=teachers, number=Decimal(4))
    Value.objects.create(submission=a2q2, indicator=Indicator.objects.get(code="children_total"), number=Decimal(50))
    totals = {
        r.code: r
        for r in figures.key_totals(user=MinistryFactory(), filters=FigureFilters(), periods=[world["q1"], world["q2"]])
    }
    assert totals["teachers_involved"].changes["2026-Q2"] == Decimal(1)
    # The positive control: children, given by both in both quarters: (45 + 50) − (40 + 60) = −5.
    assert totals["children_total"].changes["2026-Q2"] == Decimal(-5)


def test_an_averaged_indicator_is_averaged_not_summed(world):
    from monitoring.models import Indicator

    attendance = IndicatorFactory(
        code="attendance_percent", type=Indicator.Type.PERCENT, aggregation=Indicator.Aggregation.AVG
    )
    for submission, percent in zip(world["orgs"][0].submissions.filter(period=world["q1"]), [80], strict=True):
        Value.objects.create(submission=submission, indicator=attendance, number=Decimal(percent))
    Value.objects.create(
        submission=world["orgs"][1].submissions.get(period=world["q1"]), indicator=attendance, number=Decimal(91)
    )
    sums = figures.indicator_sums(
        user=InstituteFactory(), filters=FigureFilters(), codes=["attendance_percent", "children_total"], by="region"
    )
    assert sums[("2026-Q1", "attendance_percent", "KZ-71")] == Decimal("85.5")
    assert sums[("2026-Q1", "children_total", "KZ-71")] == Decimal(100)


def test_filters_narrow_the_figures(world):
    moved = world["orgs"][1]
    moved.ownership = "private"
    moved.save()  # through the ORM, as the admin and the importer write: the summary follows
    rows, _total = _completeness(InstituteFactory(), world, ownership="private")
    assert set(rows) == {"KZ-71"}
    assert rows["KZ-71"]["2026-Q1"].expected == 1


def test_a_coordinator_sees_only_their_region_in_the_figures(world):
    rows, _total = _completeness(CoordinatorFactory(region=world["astana"]), world)
    assert set(rows) == {"KZ-71"}


def test_review_speed_averages_days_from_submission_to_acceptance(world):
    from django.utils import timezone

    start = timezone.make_aware(datetime.datetime(2026, 4, 1, 10))
    world_subs = world["orgs"][0].submissions.filter(status=Status.ACCEPTED)
    world_subs.update(submitted_at=start, accepted_at=start + datetime.timedelta(days=2))
    world["orgs"][1].submissions.update(submitted_at=start, accepted_at=start + datetime.timedelta(days=5))
    rows = figures.review_speed_by_region(
        user=InstituteFactory(), filters=FigureFilters(), periods=[world["q1"], world["q2"]]
    )
    assert [(r.key, r.accepted, r.average_days) for r in rows] == [("KZ-71", 3, 3.0)]


# --- pages and scope -----------------------------------------------------------


def test_organisation_staff_get_403_on_the_national_dashboard(client, world):
    client.force_login(StaffFactory(organisation=world["orgs"][0]))
    assert client.get(reverse("national_dashboard")).status_code == 403
    client.force_login(MinistryFactory())  # the positive control: the page is there for the ministry
    assert client.get(reverse("national_dashboard")).status_code == 200


def test_a_coordinator_is_sent_to_their_regions_dashboard(client, world):
    client.force_login(CoordinatorFactory(region=world["astana"]))
    assert client.get(reverse("national_dashboard"))["Location"] == reverse("regional_dashboard", args=["KZ-71"])


def test_the_astana_coordinator_gets_404_on_almatys_dashboard_as_on_an_unknown_region(client, world):
    # Out of scope looks exactly like not found; their own region's answers, the positive control.
    client.force_login(CoordinatorFactory(region=world["astana"]))
    assert client.get(reverse("regional_dashboard", args=["KZ-75"])).status_code == 404
    assert client.get(reverse("regional_export", args=["KZ-75", "completeness"])).status_code == 404
    assert client.get(reverse("regional_dashboard", args=["KZ-99"])).status_code == 404
    assert client.get(reverse("regional_dashboard", args=["KZ-71"])).status_code == 200
    assert client.get(reverse("regional_export", args=["KZ-71", "completeness"])).status_code == 200


def test_an_unknown_region_code_is_404(client, world):
    client.force_login(InstituteFactory())
    assert client.get(reverse("regional_dashboard", args=["KZ-99"])).status_code == 404
    assert client.get(reverse("regional_dashboard", args=["KZ-71"])).status_code == 200  # a known one answers


def test_staff_get_403_on_their_own_regions_dashboard(client, world):
    client.force_login(StaffFactory(organisation=world["orgs"][0]))
    assert client.get(reverse("regional_dashboard", args=["KZ-71"])).status_code == 403
    client.force_login(CoordinatorFactory(region=world["astana"]))  # the positive control: the region's coordinator
    assert client.get(reverse("regional_dashboard", args=["KZ-71"])).status_code == 200


def test_an_invalid_filter_is_ignored_with_a_visible_note(client, world):
    client.force_login(MinistryFactory())
    response = client.get(reverse("national_dashboard"), {"ownership": "martian", "period": "2026-Q2"})
    assert response.status_code == 200
    assert "were not understood and were ignored" in response.content.decode()
    assert response.context["filters"] == FigureFilters(period="2026-Q2")


def test_another_region_asked_of_a_regional_dashboard_is_ignored_with_a_note(client, world):
    client.force_login(InstituteFactory())
    response = client.get(reverse("regional_dashboard", args=["KZ-71"]), {"region": "KZ-75"})
    assert "were not understood and were ignored" in response.content.decode()
    assert [r.key for r in response.context["completeness_rows"]] == ["KZ-71"]


def test_a_region_with_no_organisations_shows_an_empty_state(client, world):
    RegionFactory(code="KZ-79", name_en="Shymkent")
    client.force_login(InstituteFactory())
    page = client.get(reverse("regional_dashboard", args=["KZ-79"])).content.decode()
    assert "This region has no organisations in the pilot matching the filters" in page


def test_the_regional_dashboard_shows_the_national_figure_beside_the_regions(client, world):
    client.force_login(CoordinatorFactory(region=world["astana"]))
    response = client.get(reverse("regional_dashboard", args=["KZ-71"]), {"period": "2026-Q1"})
    assert response.context["completeness_total"].cells["2026-Q1"].completeness == 66.7
    assert response.context["national_completeness"].cells["2026-Q1"].completeness == 60.0
    assert [r.key for r in response.context["completeness_rows"]] == ["KZ-71"]


def test_the_regional_dashboard_gives_the_national_review_speed_weighted_by_acceptances():
    rows = [
        figures.ReviewSpeedRow(key="KZ-71", label="Astana", accepted=3, average_days=2.0),
        figures.ReviewSpeedRow(key="KZ-75", label="Almaty", accepted=1, average_days=6.0),
    ]
    total = figures.review_speed_total(rows, "National")
    assert (total.accepted, total.average_days) == (4, 3.0)


def test_the_regional_dashboard_lists_whom_to_call(client, world):
    b2 = world["orgs"][4]
    Organisation.objects.filter(pk=b2.pk).update(director="Сейітова Мәдина", phone="+7 727 000 00 00")
    client.force_login(InstituteFactory())
    page = client.get(reverse("regional_dashboard", args=["KZ-75"]), {"period": "2026-Q1"}).content.decode()
    assert "Сейітова Мәдина" in page and "+7 727 000 00 00" in page


def test_a_region_whose_organisations_have_not_handed_in_says_so(client, world):
    OrganisationFactory(region=RegionFactory(code="KZ-79", name_en="Shymkent"))
    client.force_login(InstituteFactory())
    page = client.get(reverse("regional_dashboard", args=["KZ-79"])).content.decode()
    assert "No organisation of this region has handed in a submission yet" in page


def test_a_national_matrix_cell_opens_the_region_with_the_pages_filters(client, world):
    client.force_login(InstituteFactory())
    page = client.get(reverse("national_dashboard"), {"ownership": "state"}).content.decode()
    assert 'href="/dashboard/KZ-71/?ownership=state&amp;period=2026-Q1"' in page


def test_a_regional_matrix_cell_opens_whom_to_call_in_that_quarter(client, world):
    client.force_login(InstituteFactory())
    page = client.get(reverse("regional_dashboard", args=["KZ-71"])).content.decode()
    assert "region=KZ-71&amp;period=2026-Q1#call-heading" in page


def test_the_organisation_matrix_says_not_in_the_pilot_after_an_organisation_left(client, world):
    client.force_login(InstituteFactory())
    response = client.get(reverse("regional_dashboard", args=["KZ-71"]))
    left = next(r for r in response.context["organisation_matrix"] if r.organisation == world["orgs"][2])
    assert left.expected == {"2026-Q1": True, "2026-Q2": False}
    assert "not in the pilot" in response.content.decode()


def test_the_dashboard_says_which_statuses_it_counts(client, world):
    client.force_login(MinistryFactory())
    page = client.get(reverse("national_dashboard")).content.decode()
    assert "Figures count accepted data only" in page


def test_stage_progress_counts_activities_done_by_organisations_in_the_pilot_now(world):
    stage = StageFactory(position=1)
    first, second = ActivityFactory(stage=stage), ActivityFactory(stage=stage)
    a1, a2, a3, _b1, _b2 = world["orgs"]
    for organisation, activities in ((a1, [first, second]), (a2, [first]), (a3, [first, second])):
        for activity in activities:
            ActivityProgressFactory(organisation=organisation, activity=activity)
    _stages, rows, total = figures.stage_progress_by_region(user=InstituteFactory(), filters=FigureFilters())
    # Astana: 3 of 2 × 2 (the organisation that left is not counted); Almaty: 0 of 4.
    assert {r.key: r.percents[1] for r in rows} == {"KZ-71": 75.0, "KZ-75": 0.0}
    assert total.percents[1] == 37.5


def _skill_indicators(*, periods) -> dict[str, Indicator]:
    """The diagnostics as the demo catalogue has them: the children assessed, then three levels in order."""
    Role = Indicator.FigureRole
    roles = {
        "children_assessed": (Role.SKILLS_ASSESSED, 1, ""),
        "skills_high": (Role.SKILL_LEVEL, 1, "high"),
        "skills_medium": (Role.SKILL_LEVEL, 2, "medium"),
        "skills_low": (Role.SKILL_LEVEL, 3, "low"),
    }
    return {
        code: IndicatorFactory(
            code=code, periods=periods, figure_role=role, figure_position=position, short_name_en=short_name
        )
        for code, (role, position, short_name) in roles.items()
    }


def test_skills_compare_the_share_at_each_level_at_baseline_and_final(world):
    q4 = _period(4, starts=(10, 1), ends=(11, 20), due=(11, 25), review=(11, 30))
    codes = ["children_assessed", "skills_high", "skills_medium", "skills_low"]
    indicators = _skill_indicators(periods=[world["q1"], q4])
    a1 = world["orgs"][0]
    final = SubmissionFactory(organisation=a1, period=q4, status=Status.ACCEPTED)
    returned = SubmissionFactory(organisation=world["orgs"][1], period=q4, status=Status.RETURNED)
    baseline = Submission.objects.get(organisation=a1, period=world["q1"])
    for submission, numbers in (
        (baseline, [40, 10, 20, 10]),
        (final, [40, 20, 15, 5]),
        (returned, [100, 100, 0, 0]),  # returned: not counted
    ):
        for code, n in zip(codes, numbers, strict=True):
            Value.objects.create(submission=submission, indicator=indicators[code], number=Decimal(n))
    rows = figures.skills_matched_cohort(
        user=InstituteFactory(), filters=FigureFilters(), by="region", baseline=world["q1"], final=q4
    )
    assert [(r.key, r.baseline_shares["skills_high"], r.final_shares["skills_high"]) for r in rows] == [
        ("KZ-71", 25.0, 50.0)
    ]


def test_whom_to_call_lists_the_missing_and_the_late_of_the_quarter(world):
    filters = FigureFilters(region="KZ-71")
    missing = figures.not_handed_in(user=InstituteFactory(), filters=filters, period=world["q1"])
    late = figures.handed_in_late(user=InstituteFactory(), filters=filters, period=world["q1"])
    assert [o.pk for o in missing] == [world["orgs"][2].pk]  # returned counts as not handed in
    assert [s.organisation_id for s in late] == [world["orgs"][1].pk]


# --- exports -----------------------------------------------------------------------


def _sheet(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.active


def test_the_completeness_export_holds_the_pages_figures(client, world):
    client.force_login(InstituteFactory())
    response = client.get(reverse("national_export", args=["completeness"]))
    assert response["Content-Disposition"].startswith('attachment; filename="completeness-national-')
    sheet = _sheet(response)
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:K4"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:6] == ("Astana", 3, 2, 66.7, 1, 33.3)
    assert rows[-1][0] == "All regions"


def test_an_export_is_streamed_as_an_xlsx_attachment_the_browser_may_not_sniff(client, world):
    client.force_login(InstituteFactory())
    response = client.get(reverse("national_export", args=["stages"]))
    assert response.streaming
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(
        r'attachment; filename="stages-national-\d{4}-\d{2}-\d{2}\.xlsx"', response["Content-Disposition"]
    )
    # The control: what was streamed is the workbook itself.
    assert _sheet(response)["A1"].value == "Region"


def test_the_whom_to_call_export_lists_the_late_beside_the_missing(client, world):
    client.force_login(CoordinatorFactory(region=world["astana"]))
    response = client.get(reverse("regional_export", args=["KZ-71", "not-handed-in"]), {"period": "2026-Q1"})
    rows = list(_sheet(response).iter_rows(values_only=True))
    assert rows[0][:4] == ("Quarter", "Organisation", "BIN", "Status")
    assert [(r[2], r[3]) for r in rows[1:]] == [
        (world["orgs"][2].bin, "not handed in"),
        (world["orgs"][1].bin, "late, accepted"),
    ]


def test_a_regional_export_totals_the_region_and_gives_the_national_figure(client, world):
    client.force_login(CoordinatorFactory(region=world["astana"]))
    rows = list(
        _sheet(client.get(reverse("regional_export", args=["KZ-71", "completeness"]))).iter_rows(values_only=True)
    )
    assert [r[0] for r in rows[1:]] == ["Astana", "This region", "National"]
    assert rows[-1][1:4] == (5, 3, 60.0)


def test_an_export_is_titled_in_words_and_says_which_filters_made_it(client, world):
    client.force_login(InstituteFactory())
    response = client.get(reverse("national_export", args=["completeness"]), {"ownership": "state"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.active.title == "Completeness and timeliness"
    assert "Ownership: state" in workbook.properties.description


def test_an_export_follows_the_filters_and_the_scope(client, world):
    client.force_login(CoordinatorFactory(region=world["astana"]))
    sheet = _sheet(client.get(reverse("regional_export", args=["KZ-71", "organisations"])))
    assert sheet.max_row == 1 + 3  # header and Astana's three organisations


def test_a_regional_only_table_is_404_nationally(client, world):
    client.force_login(InstituteFactory())
    assert client.get(reverse("national_export", args=["organisations"])).status_code == 404
    assert client.get(reverse("national_export", args=["no-such-table"])).status_code == 404
    # The positive controls: the same table regionally, and a national table nationally.
    assert client.get(reverse("regional_export", args=["KZ-71", "organisations"])).status_code == 200
    assert client.get(reverse("national_export", args=["completeness"])).status_code == 200


def _cells(name, data) -> list[tuple]:
    workbook = openpyxl.load_workbook(write_table(name, data, title="t"))
    return list(workbook.active.iter_rows(values_only=True))


@pytest.mark.parametrize("regional", [False, True])
def test_an_export_computes_its_table_only_and_writes_the_dashboards_cells(world, regional):
    region = world["astana"] if regional else None
    user = CoordinatorFactory(region=world["astana"]) if regional else InstituteFactory()
    filters = FigureFilters(region="KZ-71" if regional else "", period="2026-Q1")
    with CaptureQueriesContext(connection) as whole:
        everything = dashboard_data(user=user, filters=filters, region=region)
    tables = [name for name, (_builder, regional_only) in TABLES.items() if regional or not regional_only]
    assert set(TABLE_PARTS) == set(TABLES)
    filled = set()
    for name in tables:
        with CaptureQueriesContext(connection) as one:
            data = table_data(name, user=user, filters=filters, region=region)
        assert len(one) < len(whole), name
        cells = _cells(name, data)
        assert cells == _cells(name, everything), name
        if len(cells) > 1:
            filled.add(name)
    # The positive control: the tables this world has data for are compared on rows, not on headers alone.
    assert {"completeness", "totals", "stages"} <= filled


@pytest.mark.parametrize("name", list(TABLES))
def test_each_exported_cell_holds_its_tables_value_in_its_columns_number_format(world, name):
    """Cell by cell, values and number formats, as the table's builder gives them, header and widths included."""
    coordinator = CoordinatorFactory(region=world["astana"])
    data = table_data(name, user=coordinator, filters=FigureFilters(region="KZ-71"), region=world["astana"])
    headers, rows = TABLES[name][0](data)
    expected = [[(str(label), "General") for label, _width, _fmt in headers]]
    for line in rows:
        formats = getattr(line, "formats", {})
        expected.append(
            [
                (value, formats.get(i, fmt) or "General")
                for i, (value, (_l, _w, fmt)) in enumerate(zip(line, headers, strict=True))
            ]
        )
    sheet = openpyxl.load_workbook(write_table(name, data, title="t")).active
    written = [[(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]
    # An empty cell reads back as None whatever was written for it ("" included).
    assert written == [[(None if v == "" else v, f) for v, f in row] for row in expected]
    assert [sheet.column_dimensions[get_column_letter(i)].width for i in range(1, len(headers) + 1)] == [
        width for _label, width, _fmt in headers
    ]
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("B2", f"A1:{get_column_letter(len(headers))}{len(written)}")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_organisations_export_words_each_status_as_the_submission_does_in_the_readers_language(world, language):
    coordinator = CoordinatorFactory(region=world["astana"])
    filters = FigureFilters(region="KZ-71", period="2026-Q1")
    late = Submission.objects.get(organisation=world["orgs"][1], period=world["q1"])
    on_time = Submission.objects.get(organisation=world["orgs"][0], period=world["q1"])
    with translation.override(language):
        data = table_data("organisations", user=coordinator, filters=filters, region=world["astana"])
        rows = {row[1]: row for row in _cells("organisations", data)[1:]}
        worded_late = f"{late.get_status_display()}, {gettext('late')}"
        worded_on_time = str(on_time.get_status_display())
    q1 = [p.code for p in data["periods"]].index("2026-Q1") + 2
    assert rows[world["orgs"][1].bin][q1] == worded_late
    assert rows[world["orgs"][0].bin][q1] == worded_on_time
    # The control: the two statuses are worded apart, so the export did not give every row one word.
    assert worded_late != worded_on_time


# --- cost ----------------------------------------------------------------------------


def _many_organisations(n, region, q1):
    orgs = Organisation.objects.bulk_create(
        Organisation(bin=f"{i:012d}", name_kk=f"Ұйым {i}", region=region, in_pilot_from=datetime.date(2026, 1, 1))
        for i in range(n)
    )
    SubmissionFactory._meta.model.objects.bulk_create(
        SubmissionFactory._meta.model(organisation=o, period=q1, status=Status.ACCEPTED) for o in orgs[::2]
    )


@pytest.mark.parametrize("n", [20, 2000])
def test_the_national_dashboard_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries, n):
    _many_organisations(n, world["astana"], world["q1"])
    client.force_login(InstituteFactory())
    # 29: besides the figures' own, the summary's readers ask which quarters follow each other (the bases,
    # the totals) and which are the skills' baseline and final (the cohort, each breakdown), and the stages
    # which stage each activity is of: small tables; the stages read the summary's organisations and ticks,
    # and take away, through their dates' indexes, those not in the pilot on the day and the ticks dated after it.
    with django_assert_max_num_queries(32):
        assert client.get(reverse("national_dashboard")).status_code == 200


@pytest.mark.parametrize("n", [20, 2000])
def test_the_regional_dashboard_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries, n):
    _many_organisations(n, world["astana"], world["q1"])
    client.force_login(InstituteFactory())
    # 47: the skills tables name every region in the pilot, also one with nobody in the matched cohort; and
    # the summary's readers ask which quarters follow each other and which are the skills' baseline and final;
    # the two lists are paged: each counts its rows, then reads one page (whom to call: two counts, two slices);
    # the stages, the region's and the national comparison, each read as on the national dashboard.
    with django_assert_max_num_queries(57):
        assert client.get(reverse("regional_dashboard", args=["KZ-71"])).status_code == 200


@pytest.mark.parametrize("n", [20, 2000])
def test_an_export_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries, n):
    _many_organisations(n, world["astana"], world["q1"])
    client.force_login(InstituteFactory())
    with django_assert_max_num_queries(40):
        response = client.get(reverse("regional_export", args=["KZ-71", "organisations"]))
    assert _sheet(response).max_row == 1 + 3 + n


# --- bases, like-for-like changes and the matched cohort ------------------------------------


@pytest.fixture
def diagnostics(world):
    """Q4 with skills. a1: baseline 40 assessed (10 high, 20 medium, 10 low), final 40 (20, 15, 5);
    a2: baseline 100 (50, 30, 20) and no final; b1's final is returned, so not counted."""
    q4 = _period(4, starts=(10, 1), ends=(11, 20), due=(11, 25), review=(11, 30))
    codes = ["children_assessed", "skills_high", "skills_medium", "skills_low"]
    indicators = _skill_indicators(periods=[world["q1"], q4])
    a1, a2, _a3, b1, _b2 = world["orgs"]
    final = SubmissionFactory(organisation=a1, period=q4, status=Status.ACCEPTED)
    returned = SubmissionFactory(organisation=b1, period=q4, status=Status.RETURNED)
    for submission, numbers in (
        (Submission.objects.get(organisation=a1, period=world["q1"]), [40, 10, 20, 10]),
        (Submission.objects.get(organisation=a2, period=world["q1"]), [100, 50, 30, 20]),
        (final, [40, 20, 15, 5]),
        (returned, [100, 100, 0, 0]),
    ):
        for code, n in zip(codes, numbers, strict=True):
            Value.objects.create(submission=submission, indicator=indicators[code], number=Decimal(n))
    return {**world, "q4": q4}


def test_baseline_against_final_compares_the_matched_cohort_by_hand(diagnostics):
    # Only a1 has both: high 10/40 = 25.0 % → 20/40 = 50.0 % (+25.0 pp); medium 50.0 → 37.5 (−12.5);
    # low 25.0 → 12.5 (−12.5). a2's baseline (50 of 100 high) would otherwise pull the baseline to 42.9 %.
    user, filters = InstituteFactory(), FigureFilters()
    rows = figures.skills_matched_cohort(
        user=user, filters=filters, by="region", baseline=diagnostics["q1"], final=diagnostics["q4"]
    )
    assert [(r.key, r.organisations, r.baseline["children_assessed"], r.final["children_assessed"]) for r in rows] == [
        ("KZ-71", 1, Decimal(40), Decimal(40))
    ]
    assert rows[0].baseline_shares == {"skills_high": 25.0, "skills_medium": 50.0, "skills_low": 25.0}
    assert rows[0].final_shares == {"skills_high": 50.0, "skills_medium": 37.5, "skills_low": 12.5}
    assert rows[0].changes == {"skills_high": 25.0, "skills_medium": -12.5, "skills_low": -12.5}
    size = figures.skills_cohort_size(user=user, filters=filters, baseline=diagnostics["q1"], final=diagnostics["q4"])
    # In the pilot at Q1 or Q4: all five; a baseline: a1, a2; a final: a1.
    assert (size.organisations, size.with_baseline, size.with_final, size.matched) == (5, 2, 1, 1)
    missing = figures.skills_cohort_missing(
        user=user, filters=filters, baseline=diagnostics["q1"], final=diagnostics["q4"]
    )
    a2 = diagnostics["orgs"][1]
    assert (a2.pk, True, False) in {(o.pk, o.has_baseline, o.has_final) for o in missing}
    assert diagnostics["orgs"][0].pk not in {o.pk for o in missing}


def test_a_region_with_nobody_in_the_cohort_is_a_row_of_zeros_not_a_missing_row(diagnostics):
    # Almaty (KZ-75) has organisations in the pilot but none with both diagnostics accepted.
    user, filters = InstituteFactory(), FigureFilters()
    q1, q4 = diagnostics["q1"], diagnostics["q4"]
    size = figures.skills_cohort_size(user=user, filters=filters, baseline=q1, final=q4)
    assert size.groups["region"] == ["KZ-71", "KZ-75"]
    rows = figures.skills_matched_cohort(
        user=user, filters=filters, by="region", baseline=q1, final=q4, groups=size.groups["region"]
    )
    by_key = {r.key: r for r in rows}
    assert by_key["KZ-75"].organisations == 0 and by_key["KZ-75"].changes["skills_high"] is None
    assert by_key["KZ-71"].organisations == 1 and by_key["KZ-71"].changes["skills_high"] == 25.0


def test_the_dashboard_prints_the_cohort_and_its_change_in_points(client, diagnostics):
    client.force_login(InstituteFactory())
    page = client.get(reverse("national_dashboard")).content.decode()
    assert re.search(r"\+25[.,]0", page) and re.search(r"-12[.,]5", page)
    assert "data-cohort" in page


def test_a_quarter_under_review_prints_no_change_on_the_dashboard(client, world):
    client.force_login(InstituteFactory())
    closed = client.get(reverse("national_dashboard")).content.decode()
    assert closed.count("data-change") == 1  # children: +5 on a1, the one organisation in both
    SubmissionFactory(organisation=world["orgs"][3], period=world["q2"], status=Status.SUBMITTED)
    under_review = client.get(reverse("national_dashboard")).content.decode()
    assert under_review.count("data-change") == 0
    # Q1 is under review in both (b1's Q1 submission waits); Q2 only once b1's Q2 submission waits too.
    assert (closed.count("data-review-open"), under_review.count("data-review-open")) == (1, 2)


def test_the_national_skills_table_ends_with_the_cohort_over_all_regions(client, diagnostics):
    client.force_login(InstituteFactory())
    national = client.get(reverse("national_dashboard"))
    total = national.context["skills_total"]
    assert (total.organisations, total.baseline["children_assessed"], total.changes["skills_high"]) == (
        1,
        Decimal(40),
        25.0,
    )
    assert total.label in national.content.decode()
    # A regional page ends with the national row instead.
    regional = client.get(reverse("regional_dashboard", args=["KZ-71"]))
    assert regional.context["skills_total"] is None and regional.context["national_skills"] is not None


def _skills_table(page: str) -> tuple[list[str], dict[str, list[str]]]:
    """The first skills table of a dashboard (by region): its level heads, and each row's cells by its label."""
    table = re.search(r'<table class="[^"]*skills-table">(.*?)</table>', page, re.S).group(1)
    heads = re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[0], re.S)[-1]
    rows = re.findall(r"<tr>\s*<th[^>]*>(.*?)</th>(.*?)</tr>", table.split("</thead>")[1], re.S)

    def texts(html):
        return [
            " ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", html)
        ]

    return texts(heads), {label.strip(): texts(cells) for label, cells in rows}


def test_a_fourth_skill_level_the_catalogue_adds_is_a_column_of_the_dashboards_skills_table(client, diagnostics):
    """a1, the matched cohort: 4 of 40 children at the new level at baseline (10.0 %), 2 of 40 at the final (5.0 %)."""
    q1, q4 = diagnostics["q1"], diagnostics["q4"]
    lowest = IndicatorFactory(
        code="skills_none",
        periods=[q1, q4],
        figure_role=Indicator.FigureRole.SKILL_LEVEL,
        figure_position=4,
        short_name_en="not yet",
    )
    a1 = diagnostics["orgs"][0]
    for period, n in ((q1, 4), (q4, 2)):
        Value.objects.create(
            submission=Submission.objects.get(organisation=a1, period=period), indicator=lowest, number=Decimal(n)
        )
    client.force_login(InstituteFactory())
    heads, rows = _skills_table(client.get(reverse("national_dashboard")).content.decode())
    levels = ["high", "medium", "low", "not yet"]
    assert heads == ["assessed", *levels, "assessed", *levels, *levels]
    # Astana: organisations, then assessed and four shares at each moment, then four changes.
    assert rows["Astana"] == [
        "1",
        "40",
        "25.0 %",
        "50.0 %",
        "25.0 %",
        "10.0 %",
        "40",
        "50.0 %",
        "37.5 %",
        "12.5 %",
        "5.0 %",
        "+25.0",
        "-12.5",
        "-12.5",
        "-5.0",
    ]


def test_a_skill_level_whose_role_is_removed_leaves_the_dashboards_skills_table(client, diagnostics):
    Indicator.objects.filter(code="skills_medium").update(figure_role="")
    client.force_login(InstituteFactory())
    heads, rows = _skills_table(client.get(reverse("national_dashboard")).content.decode())
    assert "medium" not in heads
    assert heads == ["assessed", "high", "low", "assessed", "high", "low", "high", "low"]  # the others stay
    assert rows["Astana"][2:4] == ["25.0 %", "25.0 %"]  # high and low, as before


def test_the_skills_export_heads_a_column_for_each_level_the_catalogue_names(client, diagnostics):
    IndicatorFactory(
        code="skills_none",
        periods=[diagnostics["q1"], diagnostics["q4"]],
        figure_role=Indicator.FigureRole.SKILL_LEVEL,
        figure_position=4,
        short_name_en="not yet",
    )
    Indicator.objects.filter(code="skills_medium").update(figure_role="")
    client.force_login(InstituteFactory())
    response = client.get(reverse("national_export", kwargs={"table": "skills-region"}))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert "baseline: not yet, %" in header and "change, percentage points: not yet" in header
    assert "baseline: high, %" in header  # the untouched level stays
    assert not [name for name in header if "medium" in str(name)]
