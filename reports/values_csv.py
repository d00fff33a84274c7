"""Every accepted numeric value of a report in long form, as a zipped CSV file beside the workbook.

One row per organisation, quarter and indicator: at national scale over a million rows, more than a
sheet of Excel holds, and read by machines (a BI tool, pandas, the Department's analysts) rather than
people. So it is plain CSV (RFC 4180: comma, double quotes where needed; LF line ends), with:
- one header row whose every cell is "Label (code)", e.g. «БСН (bin)»: a person reads the label, a
  program keys on the code in brackets, which is the same in every language; a second header row
  would be read by every CSV reader as a row of data and spoil the columns' types;
- numbers with a dot and no thousands separator, whole numbers without decimals, whatever the report's
  language: the way every program reads numbers from CSV;
- UTF-8 with a byte-order mark, so that Excel, if a person does open it, shows Kazakh and Russian
  letters rather than mojibake;
- zipped (a tenth of the size) and written row by row into the zip as they come from the database, so
  memory stays the same at 100 organisations and at 11,000.
"""

import csv
import io
import zipfile
from pathlib import Path

from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from monitoring.models import Indicator
from pilot_portal.xlsx_cells import as_csv_text

from .snapshot import Snapshot
from .xlsx import _accepted_values

# (label, code) of each column; the code is what a program keys on.
COLUMNS = [
    (_("Region"), "region"),
    (_("BIN"), "bin"),
    (_("Quarter"), "period"),
    (_("Indicator code"), "indicator"),
    (_("Indicator"), "indicator_name"),
    (_("Unit"), "unit"),
    (_("Value"), "value"),
]


def values_csv_header() -> list[str]:
    """The header row in the active language: «Label (code)» for each column."""
    return [f"{label} ({code})" for label, code in COLUMNS]


def write_values_csv(snapshot: Snapshot, target: Path, member: str) -> int:
    """Write the zip at `target`, holding the CSV file `member`; returns the number of data rows."""
    with translation.override(snapshot.report.language):
        header = values_csv_header()
        # Named once per indicator, not once per row: at national scale there are a million rows.
        described = {
            i.code: (as_csv_text(i.name), as_csv_text(i.unit), i.type == Indicator.Type.INTEGER)
            for i in Indicator.objects.all()
        }
    rows = (
        _accepted_values(snapshot)
        .filter(number__isnull=False)
        .values_list(
            "submission__organisation__region__code",
            "submission__organisation__bin",
            "submission__period__code",
            "indicator__code",
            "number",
        )
        .order_by(
            "submission__organisation__region__code",
            "submission__organisation__bin",
            "submission__period__code",
            "indicator__code",
        )
    )
    # Dated with the snapshot, readable by all once unpacked: by default a member is dated 1980 and private.
    info = zipfile.ZipInfo(member, date_time=timezone.localtime(snapshot.taken_at).timetuple()[:6])
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    # Level 1: at a million rows the higher levels cost seconds for a few per cent of size. ZipInfo has no
    # public compression level before Python 3.13 (`compress_level`, which still accepts this name).
    info._compresslevel = 1
    with zipfile.ZipFile(target, "w") as archive, archive.open(info, "w", force_zip64=True) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        csv.writer(text, lineterminator="\n").writerow(header)
        text.flush()
        if connection.vendor == "postgresql" and described:
            text.detach()
            return _copy_from_postgresql(rows, described, raw)
        count = _write_rows(rows, described, text)
        text.flush()
        text.detach()
    return count


def _write_rows(rows, described, text) -> int:
    count = 0

    def lines():
        nonlocal count
        for region, bin_, period, code, number in rows.iterator(chunk_size=20000):
            name, unit, whole = described.get(code, ("", "", False))
            count += 1
            # A count reads 12, not 12.00; decimals and percentages keep their two places.
            yield region, bin_, period, code, name, unit, f"{number:.0f}" if whole else f"{number:f}"

    csv.writer(text, lineterminator="\n").writerows(lines())
    return count


def _copy_from_postgresql(rows, described, raw) -> int:
    """The same rows, formatted as CSV by PostgreSQL itself (COPY … TO STDOUT) and streamed into the zip
    block by block: at national scale three times faster than a row at a time through Python. Inside the
    snapshot's transaction, so it reads the same moment as the rest of the report."""
    sql, params = rows.order_by().query.sql_with_params()
    names = ", ".join(["(%s, %s, %s, %s)"] * len(described))
    names_params = [item for code, (name, unit, whole) in described.items() for item in (code, name, unit, whole)]
    copy = (
        "COPY (SELECT q.region, q.bin, q.period, q.indicator, d.name, d.unit,"
        " CASE WHEN d.whole THEN round(q.number)::text ELSE q.number::text END"
        f" FROM ({sql}) AS q(region, bin, period, indicator, number)"
        f" LEFT JOIN (VALUES {names}) AS d(code, name, unit, whole) ON d.code = q.indicator"
        " ORDER BY 1, 2, 3, 4) TO STDOUT WITH (FORMAT csv)"
    )
    with connection.cursor() as cursor:
        with cursor.cursor.copy(copy, [*params, *names_params]) as stream:
            for block in stream:
                raw.write(block)
        return cursor.cursor.rowcount
