"""The one filter stack (pilots.filters): each filter parsed from the address and applied, and the one
note for values not understood, on the organisations list and on a dashboard."""

import datetime

import pytest
from django.urls import reverse

from monitoring.tests.factories import PeriodFactory
from pilots.filters import DASHBOARD_FILTERS, LIST_FILTERS, FilterForm, OrganisationFilter
from pilots.models import Organisation, Region
from pilots.tests.factories import InstituteFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db

NOTE = "Some filter values were not understood and were ignored:"


@pytest.fixture
def orgs():
    """Two organisations differing in every filtered attribute."""
    astana, almaty = RegionFactory(code="KZ-71"), RegionFactory(code="KZ-75")
    first = OrganisationFactory(
        region=astana, name_kk="Ақбота", ownership="state", settlement="urban", language="kk", bin="010240001086"
    )
    second = OrganisationFactory(
        region=almaty,
        name_kk="Шаттық",
        ownership="private",
        settlement="rural",
        language="ru",
        bin="030440001225",
        in_pilot_until=datetime.date(2026, 3, 31),
    )
    return first, second


def _parsed(data, names=LIST_FILTERS, **kwargs) -> tuple[FilterForm, OrganisationFilter]:
    form = FilterForm(data, names=names, regions=Region.objects.all(), **kwargs)
    return form, form.filters()


def _applied(filters) -> set[str]:
    return set(filters.apply(Organisation.objects.all()).values_list("name_kk", flat=True))


@pytest.mark.parametrize(
    ("data", "parsed", "kept"),
    [
        ({"q": " Ақб "}, OrganisationFilter(q="Ақб"), {"Ақбота"}),
        ({"q": "0304"}, OrganisationFilter(q="0304"), {"Шаттық"}),  # a BIN's beginning
        ({"region": "KZ-75"}, OrganisationFilter(region="KZ-75"), {"Шаттық"}),
        ({"ownership": "private"}, OrganisationFilter(ownership="private"), {"Шаттық"}),
        ({"settlement": "urban"}, OrganisationFilter(settlement="urban"), {"Ақбота"}),
        ({"language": "ru"}, OrganisationFilter(language="ru"), {"Шаттық"}),
        ({"in_pilot": "yes"}, OrganisationFilter(in_pilot="yes"), {"Ақбота"}),
        ({"in_pilot": "no"}, OrganisationFilter(in_pilot="no"), {"Шаттық"}),
        ({}, OrganisationFilter(), {"Ақбота", "Шаттық"}),
    ],
)
def test_each_filter_is_parsed_from_the_address_and_narrows_the_organisations(orgs, data, parsed, kept):
    form, filters = _parsed(data)
    assert filters == parsed
    assert form.ignored() == []
    assert _applied(filters) == kept


UNDERSTOOD = {"region": "KZ-71", "ownership": "state", "settlement": "urban", "language": "kk", "in_pilot": "yes"}


@pytest.mark.parametrize("name", list(UNDERSTOOD))
def test_a_value_not_understood_is_dropped_and_named(orgs, name):
    form, filters = _parsed({name: "martian"})
    assert getattr(filters, name) == ""
    assert form.ignored() == [f"{form.fields[name].label}: «martian»"]
    assert _applied(filters) == {"Ақбота", "Шаттық"}
    # The positive control: a value understood is kept, and nothing is named.
    form, filters = _parsed({name: UNDERSTOOD[name]})
    assert getattr(filters, name) == UNDERSTOOD[name]
    assert form.ignored() == []


def test_the_quarter_is_one_of_the_periods_and_narrows_no_organisation(orgs):
    q1 = PeriodFactory(code="2026-Q1")
    form, filters = _parsed({"period": "2026-Q1"}, names=DASHBOARD_FILTERS, periods=[q1])
    assert filters == OrganisationFilter(period="2026-Q1") and form.ignored() == []
    assert _applied(filters) == {"Ақбота", "Шаттық"}
    form, filters = _parsed({"period": "2031-Q9"}, names=DASHBOARD_FILTERS, periods=[q1])
    assert filters == OrganisationFilter() and form.ignored() == ["Quarter: «2031-Q9»"]


def test_a_regional_page_keeps_its_region_whatever_the_address_asks(orgs):
    astana = Region.objects.get(code="KZ-71")
    form, filters = _parsed({"region": "KZ-75"}, names=DASHBOARD_FILTERS, fixed_region=astana)
    assert "region" not in form.fields
    assert "region" in _parsed({}, names=DASHBOARD_FILTERS)[0].fields  # positive control: the national page asks it
    assert filters == OrganisationFilter(region="KZ-71") and form.ignored() == ["Region: «KZ-75»"]
    assert _applied(filters) == {"Ақбота"}
    # Without a query string, the defaults and the page's region, and nothing to report.
    form, filters = _parsed({}, names=DASHBOARD_FILTERS, fixed_region=astana)
    assert filters == OrganisationFilter(region="KZ-71") and form.ignored() == []


def test_the_address_and_the_national_figure_carry_the_filters():
    filters = OrganisationFilter(region="KZ-71", ownership="state", period="2026-Q1")
    assert filters.querystring() == "region=KZ-71&ownership=state&period=2026-Q1"
    assert filters.nationwide() == OrganisationFilter(ownership="state", period="2026-Q1", national=True)
    assert filters.nationwide().querystring() == "ownership=state&period=2026-Q1"


def test_a_filter_never_widens_the_scope_it_is_applied_to(orgs):
    first, _second = orgs
    scope = Organisation.objects.filter(pk=first.pk)
    assert not OrganisationFilter(region="KZ-75").apply(scope).exists()
    assert OrganisationFilter(region="KZ-71").apply(scope).get() == first  # positive control


@pytest.mark.parametrize(
    "url", [reverse("organisation_list"), reverse("national_dashboard"), reverse("regional_dashboard", args=["KZ-71"])]
)
def test_the_note_on_ignored_values_is_shown_once_on_every_filtered_page(client, orgs, url):
    PeriodFactory(code="2026-Q1", starts_on=datetime.date(2026, 1, 1))
    client.force_login(InstituteFactory())
    page = client.get(url, {"ownership": "martian", "language": "kk"}).content.decode()
    assert page.count(NOTE) == 1
    assert "Ownership: «martian»" in page
    assert "Language of instruction: «" not in page  # a value understood is not named
    # The positive control: with every value understood, no note.
    assert NOTE not in client.get(url, {"ownership": "private", "language": "kk"}).content.decode()
