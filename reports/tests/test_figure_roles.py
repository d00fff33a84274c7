"""The catalogue decides which indicators the figures show and in what order (Indicator.figure_role)."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.utils import translation

from monitoring import figures
from monitoring.charts import dashboard_charts
from monitoring.dashboards import dashboard_data
from monitoring.exports import write_table
from monitoring.figures import FigureFilters
from monitoring.models import Indicator, Status, Value
from monitoring.tests.factories import IndicatorFactory, PeriodFactory, SubmissionFactory
from pilot_portal.xlsx_cells import INTEGER, PERCENT
from pilots.tests.factories import InstituteFactory, OrganisationFactory
from reports.models import Report
from reports.pdf import _key_figures, chart_parts
from reports.snapshot import take_snapshot
from reports.xlsx import write_xlsx

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


def test_the_loaded_catalogue_names_its_skill_levels_and_kinds_of_text():
    from monitoring.reference import load_catalogue

    load_catalogue()
    scale = figures.skill_scale()
    assert (scale.assessed, scale.level_codes) == ("children_assessed", ["skills_high", "skills_medium", "skills_low"])
    with translation.override("kk"):
        assert [level.short_name for level in scale.levels] == ["жоғары", "орта", "төмен"]
    assert [i.code for i in figures.figure_indicators(Role.NARRATIVE)] == [
        "achievements",
        "difficulties",
        "proposals",
        "best_practice",
    ]


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


# --- the diagnostics and the narratives ------------------------------------------------------


@pytest.fixture
def diagnosed(accepted, q1):
    """The organisation's accepted baseline (Q1) and final (Q4): 40 children assessed at each, at the
    catalogue's three levels 10, 20, 10 and then 20, 15, 5."""
    q4 = PeriodFactory(
        code="2026-Q4",
        quarter=4,
        starts_on=datetime.date(2026, 10, 1),
        ends_on=datetime.date(2026, 12, 31),
        due_on=datetime.date(2027, 1, 5),
        review_due_on=datetime.date(2027, 1, 10),
    )
    final = SubmissionFactory(organisation=accepted.organisation, period=q4, status=Status.ACCEPTED)
    levels = {
        "children_assessed": (Role.SKILLS_ASSESSED, 1, "", 40, 40),
        "skills_high": (Role.SKILL_LEVEL, 1, "high", 10, 20),
        "skills_medium": (Role.SKILL_LEVEL, 2, "medium", 20, 15),
        "skills_low": (Role.SKILL_LEVEL, 3, "low", 10, 5),
    }
    for code, (role, position, short_name, at_baseline, at_final) in levels.items():
        indicator = IndicatorFactory(
            code=code, periods=[q1, q4], figure_role=role, figure_position=position, short_name_en=short_name
        )
        Value.objects.create(submission=accepted, indicator=indicator, number=Decimal(at_baseline))
        Value.objects.create(submission=final, indicator=indicator, number=Decimal(at_final))
    return SimpleNamespace(baseline=accepted, final=final)


def _final_report_sheet(tmp_path, title: str) -> tuple[list, list[list]]:
    """The header and the rows of one sheet of the final report's workbook, in English."""
    snapshot = take_snapshot(
        Report(kind=Report.Kind.FINAL, language="en", requested_by=InstituteFactory(language="en"))
    )
    write_xlsx(snapshot, tmp_path / "book.xlsx")
    rows = [list(row) for row in openpyxl.load_workbook(tmp_path / "book.xlsx", read_only=True)[title].values]
    start = next(i for i, row in enumerate(rows) if row and row[0] in ("Breakdown", "Region", "BIN"))
    return rows[start], rows[start + 1 :]


def _fourth_level(diagnosed, at_baseline, at_final):
    lowest = IndicatorFactory(
        code="skills_none",
        periods=[diagnosed.baseline.period, diagnosed.final.period],
        figure_role=Role.SKILL_LEVEL,
        figure_position=4,
        short_name_en="not yet",
    )
    Value.objects.create(submission=diagnosed.baseline, indicator=lowest, number=Decimal(at_baseline))
    Value.objects.create(submission=diagnosed.final, indicator=lowest, number=Decimal(at_final))


def test_a_fourth_skill_level_the_catalogue_adds_is_a_column_of_the_reports_skills_sheet(diagnosed, tmp_path):
    _fourth_level(diagnosed, at_baseline=4, at_final=2)
    header, rows = _final_report_sheet(tmp_path, "Skills")
    row = dict(zip(header, rows[0], strict=True))
    assert (row["baseline: not yet"], row["baseline: not yet, %"]) == (4, 10.0)
    assert (row["final: not yet"], row["final: not yet, %"], row["change, percentage points: not yet"]) == (
        2,
        5.0,
        -5.0,
    )
    assert (row["baseline: high, %"], row["change, percentage points: high"]) == (25.0, 25.0)  # the others stand


def test_a_skill_level_whose_role_is_removed_leaves_the_reports_skills_sheet(diagnosed, tmp_path):
    Indicator.objects.filter(code="skills_medium").update(figure_role="")
    header, rows = _final_report_sheet(tmp_path, "Skills")
    assert not [name for name in header if "medium" in str(name)]
    row = dict(zip(header, rows[0], strict=True))
    assert (row["baseline: high"], row["baseline: low, %"]) == (10, 25.0)  # the positive control


def test_the_pdf_skills_chart_sets_the_catalogues_first_level_against_its_last(diagnosed):
    _fourth_level(diagnosed, at_baseline=4, at_final=2)
    data = _data()
    parts = chart_parts(SimpleNamespace(dashboard=data, periods=data["periods"]))
    series = [name for part in parts["skills"] for name, _values in part.options["series"]]
    assert series == ["baseline: high", "final: high", "baseline: not yet", "final: not yet"]


def test_the_web_skills_chart_has_a_colour_for_every_level_the_catalogue_names(diagnosed):
    _fourth_level(diagnosed, at_baseline=4, at_final=2)
    datasets = dashboard_charts(_data())["skills"]["datasets"]
    assert [d["label"] for d in datasets][:4] == [
        "baseline: high",
        "baseline: medium",
        "baseline: low",
        "baseline: not yet",
    ]
    assert all(d["backgroundColor"] for d in datasets) and len(datasets) == 8
    # The colours cycle: the fourth level takes the first's hue, as a fifth would the second's.
    assert datasets[3]["backgroundColor"] == datasets[0]["backgroundColor"] != datasets[1]["backgroundColor"]


def _narrative(accepted, code, text, position, role=Role.NARRATIVE):
    indicator = IndicatorFactory(
        code=code,
        periods=[accepted.period],
        type=Indicator.Type.TEXT,
        aggregation=Indicator.Aggregation.NONE,
        figure_role=role,
        figure_position=position,
        name_en=code.title(),
    )
    Value.objects.create(submission=accepted, indicator=indicator, text=text)


def test_a_kind_of_text_whose_role_is_removed_is_neither_quoted_nor_a_column_of_the_report(accepted, tmp_path):
    _narrative(accepted, "achievements", "A greenhouse of our own.", 1)
    _narrative(accepted, "difficulties", "No tools for the sewing zone.", 2, role="")
    snapshot = take_snapshot(
        Report(kind=Report.Kind.FINAL, language="en", requested_by=InstituteFactory(language="en"))
    )
    quoted = [q.text for kinds in snapshot.narratives.values() for quotes in kinds.values() for q in quotes]
    assert quoted == ["A greenhouse of our own."]  # achievements stay; difficulties are gone
    header, rows = _final_report_sheet(tmp_path, "Narratives")
    assert header[4:] == ["Achievements"]
    assert [row[4:] for row in rows] == [["A greenhouse of our own."]]


def test_the_reports_name_each_kind_of_text_as_the_catalogue_does(accepted):
    from reports.pdf import report_html

    _narrative(accepted, "best_practice", "Parents built the workshop.", 1)
    _narrative(accepted, "proposals", "More excursions.", 2)
    Indicator.objects.filter(code="proposals").update(name_en="What we propose")
    snapshot = take_snapshot(
        Report(kind=Report.Kind.FINAL, language="en", requested_by=InstituteFactory(language="en"))
    )
    html = report_html(snapshot, charts={})
    assert "<strong>What we propose</strong>" in html and "<strong>Best_Practice</strong>" in html
    assert html.index("Parents built the workshop.") < html.index("More excursions.")  # the catalogue's order


def test_the_annex_counts_each_organisation_by_the_first_key_total(accepted, tmp_path):
    _indicator(accepted, "teachers_involved", 7, figure_role=Role.KEY_TOTAL, figure_position=2)
    pupils = _indicator(accepted, "pupils", 40, figure_role=Role.KEY_TOTAL, figure_position=1)
    Indicator.objects.filter(pk=pupils.pk).update(short_name_en="Pupils")
    header, rows = _final_report_sheet(tmp_path, "Organisations")
    assert header[-1] == "Pupils" and [row[-1] for row in rows] == [40]


def test_a_fourth_skill_level_the_catalogue_adds_is_a_column_of_the_pdfs_skills_table(diagnosed):
    from reports.pdf import report_html

    _fourth_level(diagnosed, at_baseline=4, at_final=2)
    snapshot = take_snapshot(
        Report(kind=Report.Kind.FINAL, language="en", requested_by=InstituteFactory(language="en"))
    )
    html = report_html(snapshot, charts={})
    table = html[html.index('<table class="skills">') :]
    table = table[: table.index("</table>")]
    # A head at the baseline, at the final and in the change; each moment's group spans assessed and four levels.
    assert table.count('<th class="num">not yet</th>') == 3
    assert table.count('<th colspan="5" class="group">') == 2 and '<th colspan="4" class="group">' in table
    assert '4<span class="note">10.0 %</span>' in table and '2<span class="note">5.0 %</span>' in table
    assert table.count('<th class="num">high</th>') == 3  # the others stand
