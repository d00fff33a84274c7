"""The Appendix 2 import refuses files that unpack or unroll into more than a list ever is, before the harm."""

import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl.utils import get_column_letter

from pilots import importer
from pilots.models import Organisation
from pilots.tests.bombs import blank_rows_bomb, data_row, gap_bomb, shared_string_bomb, wide_row_bomb
from pilots.tests.factories import InstituteFactory, RegionFactory
from pilots.tests.test_importer import assert_nothing_written, codes, run, snapshot, valid_bin

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def astana():
    return RegionFactory(code="KZ-71", name_kk="Астана қаласы", name_ru="город Астана")


@pytest.fixture
def never_parsed(monkeypatch):
    """openpyxl must not be asked to read the file at all."""

    def must_not_read(*args, **kwargs):
        raise AssertionError("the workbook was handed to openpyxl")

    monkeypatch.setattr(importer.reading.openpyxl, "load_workbook", must_not_read)


def _upload(path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def test_a_file_built_like_the_bombs_but_normal_imports(tmp_path, astana):
    result = run(_upload(blank_rows_bomb(tmp_path / "normal.xlsx", 10, [data_row(12, valid_bin(2))])))
    assert (codes(result), result.created) == ([], 1)
    assert Organisation.objects.filter(bin=valid_bin(2), region=astana).exists()


def test_a_shared_string_of_hundreds_of_megabytes_is_refused_from_the_zips_directory(tmp_path, astana, never_parsed):
    path = shared_string_bomb(tmp_path / "strings.xlsx", 200 * MIB)
    assert path.stat().st_size < 2 * MIB
    before = snapshot()
    tracemalloc.start()
    try:
        result = run(_upload(path))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert codes(result) == [(None, "", "unpacked_too_large")]
    assert "unpacks to more than" in str(result.errors[0])
    # The upload itself is in memory (under 2 MB); nothing of the 200 MB is ever inflated.
    assert peak < 8 * MIB
    assert_nothing_written(before)


def test_shared_strings_just_under_the_part_limit_are_read(tmp_path, astana, monkeypatch):
    monkeypatch.setattr(importer.reading, "MAX_COMPRESSION_RATIO", 10**6)  # the size limit alone decides
    path = shared_string_bomb(tmp_path / "strings.xlsx", importer.MAX_UNPACKED_PART_BYTES - MIB, bin_=valid_bin(2))
    result = run(_upload(path))
    # Read, so the row is checked: a name of 15 million letters does not fit.
    assert codes(result) == [(2, "name_kk", "too_long")]


def test_a_part_packed_hundreds_of_times_is_refused_as_unsafe(tmp_path, astana, never_parsed, monkeypatch):
    monkeypatch.setattr(importer.reading, "MAX_UNPACKED_PART_BYTES", 64 * MIB)  # the ratio alone refuses it
    result = run(_upload(shared_string_bomb(tmp_path / "strings.xlsx", 32 * MIB)))
    assert codes(result) == [(None, "", "compression_ratio")]
    assert "xl/sharedStrings.xml" in str(result.errors[0])


def test_millions_of_blank_rows_are_refused_unread(tmp_path, astana, never_parsed):
    path = blank_rows_bomb(tmp_path / "blank.xlsx", 12_000_000, [data_row(12_000_002, valid_bin(2))])
    assert path.stat().st_size < 2 * MIB
    result = run(_upload(path))
    assert codes(result) == [(None, "", "unpacked_too_large")]
    assert not Organisation.objects.exists()


def test_blank_rows_count_toward_the_row_limit_and_nothing_is_written(tmp_path, astana):
    # Below the header: a row, the empty rows, and a last row that is the limit's row (within) or one past it.
    blank = importer.MAX_IMPORT_ROWS - 2
    first = data_row(2, valid_bin(2))
    within = blank_rows_bomb(tmp_path / "within.xlsx", 0, [first, "<row/>" * blank, data_row(blank + 3, valid_bin(3))])
    beyond = blank_rows_bomb(
        tmp_path / "beyond.xlsx", 0, [first, "<row/>" * (blank + 1), data_row(blank + 4, valid_bin(3))]
    )
    result = run(_upload(beyond))
    assert codes(result) == [(None, "", "too_many_rows")]
    assert "counting empty ones" in str(result.errors[0])
    assert not Organisation.objects.exists()
    # The positive control: one empty row less, and both organisations are imported.
    result = run(_upload(within))
    assert (codes(result), result.created) == ([], 2)


def test_a_row_numbered_forty_million_is_refused_without_reading_the_gap(tmp_path, astana, never_parsed):
    started = time.monotonic()
    result = run(_upload(gap_bomb(tmp_path / "gap.xlsx", 40_000_000, bin_=valid_bin(2))))
    assert codes(result) == [(None, "", "too_many_rows")]
    # Reading the 40 million empty rows of the gap took 80 s; stopping at the limit takes well under a second.
    assert time.monotonic() - started < 10
    assert not Organisation.objects.exists()


def test_the_page_says_why_a_bomb_is_refused_and_writes_nothing(client, tmp_path, astana):
    client.force_login(InstituteFactory(language="en"))
    path = shared_string_bomb(tmp_path / "strings.xlsx", 200 * MIB)
    with path.open("rb") as handle:
        response = client.post("/organisations/import/", {"file": handle, "action": "import"})
    assert response.status_code == 200
    # filesizeformat keeps the number and its unit together with a no-break space.
    assert "This workbook unpacks to more than 128.0\xa0MB" in response.content.decode()
    assert not Organisation.objects.exists()


def test_a_row_of_millions_of_cells_is_refused_before_openpyxl_holds_it(tmp_path, astana, never_parsed):
    path = wide_row_bomb(tmp_path / "wide.xlsx", 2_000_000)
    assert path.stat().st_size < 10 * MIB  # packed only a few times: the zip's directory lets it through
    result = run(_upload(path))
    assert codes(result) == [(None, "", "too_many_columns")]
    assert "column GR" in str(result.errors[0])


def test_a_row_reaching_the_last_allowed_column_is_read(tmp_path, astana):
    last = f'<c r="{get_column_letter(importer.MAX_IMPORT_COLUMNS)}2" t="inlineStr"><is><t>note</t></is></c>'
    within = data_row(2, valid_bin(2)).replace("</row>", last + "</row>")
    beyond = within.replace(
        get_column_letter(importer.MAX_IMPORT_COLUMNS), get_column_letter(importer.MAX_IMPORT_COLUMNS + 1)
    )
    assert codes(run(_upload(blank_rows_bomb(tmp_path / "beyond.xlsx", 0, [beyond])))) == [
        (None, "", "too_many_columns")
    ]
    result = run(_upload(blank_rows_bomb(tmp_path / "within.xlsx", 0, [within])))
    assert (codes(result), result.created) == ([], 1)
