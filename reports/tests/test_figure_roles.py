"""The catalogue decides which indicators the figures show and in what order (Indicator.figure_role)."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest

from monitoring import figures
from monitoring.charts import dashboard_charts
from monitoring.dashboards import dashboard_data
from monitoring.exports import write_table
from monitoring.figures import FigureFilters
from monitoring.models import Indicator, Status, Value
from monitoring.tests.factories import IndicatorFactory, PeriodFactory, SubmissionFactory
from pilot_portal.xlsx_cells import INTEGER, PERCENT
from pilots.tests.factories import InstituteFactory, OrganisationFactory
from reports.pdf import _key_figures, chart_parts

pytestmark = pytest.mark.django_db

Role = Indicator.FigureRole


@pytest.fixture
def q1():
    return PeriodFactory(
        code="2026-Q1",
        quarter=1,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 3, 31),
        due_on=datetime.date(2026, 4, 5),
        review_due_on=datetime.date(2026, 4, 10),
    )


@pytest.fixture
def accepted(q1):
    """One organisation's accepted Q1 submission."""
    return SubmissionFactory(organisation=OrganisationFactory(), period=q1, status=Status.ACCEPTED)


def _indicator(accepted, code, number, **fields):
    indicator = IndicatorFactory(code=code, periods=[accepted.period], **fields)
    Value.objects.create(submission=accepted, indicator=indicator, number=Decimal(number))
    return indicator


def _totals(q1) -> list[str]:
    return [r.code for r in figures.key_totals(user=InstituteFactory(), filters=FigureFilters(), periods=[q1])]


def _data():
    return dashboard_data(user=InstituteFactory(), filters=FigureFilters())


def _chart_labels(charts, key) -> list[str]:
    return [dataset["label"] for dataset in charts.get(key, {}).get("datasets", [])]


def test_an_indicator_given_a_role_is_a_row_of_the_totals(accepted, q1):
    _indicator(accepted, "workshops", 5, figure_role=Role.ACTIVITY)
    assert _totals(q1) == ["organisations_reporting", "workshops"]


def test_an_indicator_without_a_role_is_not_a_row_of_the_totals(accepted, q1):
    _indicator(accepted, "workshops", 5, figure_role=Role.ACTIVITY)
    _indicator(accepted, "method_materials", 3)
    assert "method_materials" not in _totals(q1)
    assert "workshops" in _totals(q1)  # the positive control


def test_the_totals_stand_role_by_role_in_the_catalogues_order(accepted, q1):
    _indicator(accepted, "zone_x", 1, figure_role=Role.ZONE, type=Indicator.Type.BOOLEAN)
    _indicator(accepted, "later_kind", 2, figure_role=Role.ACTIVITY, figure_position=2)
    _indicator(accepted, "first_kind", 3, figure_role=Role.ACTIVITY, figure_position=1)
    _indicator(accepted, "children_total", 4, figure_role=Role.KEY_TOTAL)
    assert _totals(q1) == ["organisations_reporting", "children_total", "first_kind", "later_kind", "zone_x"]


def test_the_web_activities_chart_shows_each_kind_the_catalogue_names(accepted):
    # A kind no code names: the catalogue alone puts it in the chart; a key total stays out.
    _indicator(accepted, "workshops", 2, figure_role=Role.ACTIVITY, name_en="Workshops")
    _indicator(accepted, "children_total", 40, figure_role=Role.KEY_TOTAL, name_en="Children")
    labels = _chart_labels(dashboard_charts(_data()), "activities")
    assert labels == ["Workshops"]


def test_the_pdf_activities_chart_shows_each_kind_the_catalogue_names(accepted):
    # Not only the sessions: the PDF's chart has the same kinds as the web's.
    _indicator(accepted, "excursions", 2, figure_role=Role.ACTIVITY, figure_position=2, name_en="Excursions")
    _indicator(accepted, "sessions_nature", 9, figure_role=Role.ACTIVITY, figure_position=1, name_en="Nature")
    _indicator(accepted, "method_materials", 3, name_en="Materials")
    data = _data()
    parts = chart_parts(SimpleNamespace(dashboard=data, periods=data["periods"]))
    assert [label for part in parts["activities"] for label in part.options["labels"]] == ["Nature", "Excursions"]


def test_the_pdf_key_figures_are_the_catalogues_key_totals(accepted):
    _indicator(accepted, "children_total", 40, figure_role=Role.KEY_TOTAL, name_en="Children")
    _indicator(accepted, "excursions", 2, figure_role=Role.ACTIVITY, name_en="Excursions")
    data = _data()
    figures_ = _key_figures(SimpleNamespace(dashboard=data, latest=None))
    assert figures_ == [("Children", Decimal(40))]


def test_the_totals_export_writes_each_figure_in_its_indicators_format(accepted):
    _indicator(accepted, "children_total", 40, figure_role=Role.KEY_TOTAL, name_en="Children")
    _indicator(
        accepted,
        "attendance_percent",
        "87.5",
        figure_role=Role.KEY_TOTAL,
        type=Indicator.Type.PERCENT,
        aggregation=Indicator.Aggregation.AVG,
        name_en="Attendance",
    )
    sheet = openpyxl.load_workbook(io.BytesIO(write_table("totals", _data(), title="Totals").read())).active
    formats = {row[0].value: row[2].number_format for row in sheet.iter_rows(min_row=2)}
    assert formats["Attendance"] == PERCENT
    assert formats["Children"] == INTEGER  # the positive control: a count stays a count


def test_the_loaded_catalogue_names_eight_kinds_of_activity_and_four_key_totals():
    from monitoring.reference import load_catalogue

    load_catalogue()
    assert [i.code for i in figures.figure_indicators(Role.ACTIVITY)] == [
        "sessions_selfservice",
        "sessions_household",
        "sessions_nature",
        "sessions_manual",
        "excursions",
        "professional_meetings",
        "roleplay_sessions",
        "labour_projects",
    ]
    assert [i.code for i in figures.figure_indicators(Role.KEY_TOTAL)] == [
        "children_total",
        "teachers_involved",
        "teachers_trained",
        "parents_involved",
    ]
    assert not Indicator.objects.get(code="method_materials").figure_role  # the negative: no role, no row
