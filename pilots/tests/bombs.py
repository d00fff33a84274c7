"""XLSX files built by hand, member by member, for the import's defences: small on disk, huge once unpacked.

Nothing here needs Django, so the files of issue 8 can be built for a measurement (docs/import.md):
    python -m pilots.tests.bombs /tmp/bombs
"""

import itertools
import zipfile
from collections.abc import Iterable
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""  # noqa: E501
PACKAGE_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{RELS}">
<Relationship Id="rId1" Type="{OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{OFFICE_RELS}">
<sheets><sheet name="Ұйымдар" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{RELS}">
<Relationship Id="rId1" Type="{OFFICE_RELS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{OFFICE_RELS}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>bin</t></is></c><c r="B1" t="inlineStr"><is><t>name_kk</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>region</t></is></c></row>'
)
CHUNK = 1 << 20


def data_row(number: int, bin_: str, name: str = "«Балапан» бөбекжай-бақшасы") -> str:
    """A good Appendix 2 row in the three columns of HEADER_ROW."""
    return (
        f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>{bin_}</t></is></c>'
        f'<c r="B{number}" t="inlineStr"><is><t>{name}</t></is></c>'
        f'<c r="C{number}" t="inlineStr"><is><t>KZ-71</t></is></c></row>'
    )


def _write(path: Path, sheet_rows: Iterable[str], shared_strings: Iterable[str], level: int = 1) -> Path:
    """An XLSX whose sheet and shared strings are streamed into the zip piece by piece, never held whole.

    At `level` 1 (the fastest) repeated text still shrinks a few hundred times and the tests stay quick; at 9 the
    files are the size of the ones reported in issue 8."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", PACKAGE_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ):
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            member.write(HEADER_ROW.encode())
            _stream(member, sheet_rows)
            member.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN}">'.encode())
            _stream(member, shared_strings)
            member.write(b"</sst>")
    return path


def _stream(member, pieces: Iterable[str]) -> None:
    buffer, size = [], 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            member.write("".join(buffer).encode())
            buffer, size = [], 0
    member.write("".join(buffer).encode())


def shared_string_bomb(path, unpacked_bytes: int, bin_: str = "110540000011", level: int = 1) -> Path:
    """One data row whose name is shared string 0: a single string of `unpacked_bytes` letters."""
    row = (
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{bin_}</t></is></c><c r="B2" t="s"><v>0</v></c>'
        '<c r="C2" t="inlineStr"><is><t>KZ-71</t></is></c></row>'
    )
    letters = ("A" * CHUNK for _ in range(unpacked_bytes // CHUNK))
    return _write(Path(path), [row], itertools.chain(["<si><t>"], letters, ["</t></si>"]), level)


def blank_rows_bomb(path, blank_rows: int, last_rows: Iterable[str] = (), level: int = 1) -> Path:
    """The header, `blank_rows` empty `<row/>` elements (a row without a number follows the one before), then
    `last_rows`."""
    batch = 100_000
    full, rest = divmod(blank_rows, batch)
    rows = itertools.chain(itertools.repeat("<row/>" * batch, full), ["<row/>" * rest])
    return _write(Path(path), itertools.chain(rows, last_rows), [], level)


def gap_bomb(path, last_row_number: int, bin_: str = "110540000011") -> Path:
    """The header and one row numbered `last_row_number`: a reader fills the gap with empty rows."""
    return _write(Path(path), [data_row(last_row_number, bin_)], [])


def wide_row_bomb(path, cells: int, level: int = 1) -> Path:
    """The header and one row of `cells` numbers that differ, so that it packs only a few times."""
    numbers = (f"<c><v>{(n * 7919) % 100_003}</v></c>" for n in range(cells))
    return _write(Path(path), itertools.chain(['<row r="2">'], numbers, ["</row>"]), [], level)


def main(folder: str) -> None:
    """The files measured in docs/import.md, at full size."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    shared_string_bomb(target / "strings-800mb.xlsx", 800 * 2**20, level=9)
    blank_rows_bomb(target / "blank-rows-40m.xlsx", 40_000_000, level=9)
    gap_bomb(target / "gap-40m.xlsx", 40_000_000)
    wide_row_bomb(target / "wide-row-2m.xlsx", 2_000_000, level=9)
    for path in sorted(target.glob("*.xlsx")):
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
        print(f"{path}: {path.stat().st_size:,} bytes, {unpacked:,} unpacked")


if __name__ == "__main__":
    import sys

    main(sys.argv[1])
