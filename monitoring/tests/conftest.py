import datetime

import pytest
from django.core import mail
from django.utils import timezone

from monitoring.models import Indicator, ValidationRule
from monitoring.tests.factories import IndicatorFactory, PeriodFactory, RuleFactory
from pilots.tests.factories import CoordinatorFactory, OrganisationFactory, RegionFactory, StaffFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def period(today):
    """An open period whose due date is five days ahead, whatever day the tests run."""
    return PeriodFactory(
        code="2026-Q4",
        quarter=4,
        starts_on=today - datetime.timedelta(days=40),
        ends_on=today - datetime.timedelta(days=1),
        due_on=today + datetime.timedelta(days=5),
        review_due_on=today + datetime.timedelta(days=10),
    )


@pytest.fixture
def previous_period(today):
    return PeriodFactory(
        code="2026-Q3",
        quarter=3,
        starts_on=today - datetime.timedelta(days=140),
        ends_on=today - datetime.timedelta(days=41),
        due_on=today - datetime.timedelta(days=36),
        review_due_on=today - datetime.timedelta(days=31),
    )


@pytest.fixture
def catalogue(period):
    """A small catalogue: children and their two age groups (which must add up), teachers, a narrative."""
    indicators = {
        "children_total": IndicatorFactory(code="children_total", required=True, periods=[period], name_en="Children"),
        "children_age4": IndicatorFactory(code="children_age4", periods=[period], name_en="Age 4"),
        "children_age5": IndicatorFactory(code="children_age5", periods=[period], name_en="Age 5"),
        "teachers_involved": IndicatorFactory(code="teachers_involved", periods=[period], name_en="Teachers"),
        "teachers_trained": IndicatorFactory(code="teachers_trained", periods=[period], name_en="Trained"),
        "avg_minutes": IndicatorFactory(
            code="avg_minutes", type=Indicator.Type.DECIMAL, max_value=120, periods=[period], name_en="Minutes"
        ),
        "achievements": IndicatorFactory(
            code="achievements", type=Indicator.Type.TEXT, min_value=None, max_value=None, periods=[period]
        ),
    }
    RuleFactory(
        code="age-groups",
        kind=ValidationRule.Kind.SUM_EQUALS,
        indicators=["children_age4", "children_age5"],
        target="children_total",
        message_en="Age groups must add up to the children.",
    )
    RuleFactory(
        code="trained",
        kind=ValidationRule.Kind.NOT_GREATER,
        indicators=["teachers_trained"],
        target="teachers_involved",
        message_en="Trained cannot exceed involved.",
    )
    return indicators


@pytest.fixture
def region():
    return RegionFactory(code="KZ-71")


@pytest.fixture
def organisation(region):
    return OrganisationFactory(region=region)


@pytest.fixture
def staff(organisation):
    return StaffFactory(organisation=organisation, email="staff@example.org", language="en")


@pytest.fixture
def coordinator(region):
    return CoordinatorFactory(region=region, email="region@example.org", language="ru")


@pytest.fixture
def good_values():
    return {
        "children_total": "50",
        "children_age4": "20",
        "children_age5": "30",
        "teachers_involved": "6",
        "teachers_trained": "2",
        "avg_minutes": "22.5",
        "achievements": "<script>alert(1)</script> Балалар еңбекке үйренді",
    }


@pytest.fixture(autouse=True)
def _clear_mail():
    mail.outbox.clear()
