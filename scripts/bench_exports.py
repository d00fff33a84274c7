"""Benchmark: every dashboard table's XLSX export at scale, against openpyxl writing the same cells alone.

    DEBUG=True python scripts/bench_exports.py --database-url postgres://postgres@127.0.0.1:5432/bench_11000

For each table (national ones as a national reader, the regional-only ones as the coordinator of the region
with the most organisations, or of --region) it times, each --repeat times, the median of:
- compute: `table_data`, the table's figures (the summary tables' job, reported apart);
- write: `write_table` on those figures, the workbook saved to its temporary file;
- openpyxl: the same cells (values, number formats, header style, widths, frozen header, filter), read back
  from the export, written by openpyxl's write-only mode alone, with no portal code in between;
- end to end: the export view, from the request to the last byte of its streamed response.
The ratio is write / openpyxl; the script exits with 1 when a table's ratio is over --max-ratio (2).

The database is only read: the session is set read-only, so a benchmark cannot change what it measures."""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _median_seconds(run, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _read_back(handle) -> dict:
    """The export's sheet as plain data: what openpyxl alone is asked to write."""
    from openpyxl import load_workbook

    handle.seek(0)
    workbook = load_workbook(handle)  # not read-only: widths, frozen panes and the filter are read too
    sheet = workbook.active
    rows = [[(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]
    widths = {letter: d.width for letter, d in sheet.column_dimensions.items()}
    return {
        "title": sheet.title,
        "rows": rows,
        "widths": widths,
        "freeze": sheet.freeze_panes,
        "filter": sheet.auto_filter.ref,
    }


def _openpyxl_alone(cells: dict):
    """openpyxl's write-only mode writing `cells`, styled as the export styles them."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    font, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="0B4F8A")
    alignment = Alignment(wrap_text=True, vertical="top")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=cells["title"])
    for letter, width in cells["widths"].items():
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = cells["freeze"]
    header, *body = cells["rows"]
    styled = []
    for value, _fmt in header:
        cell = WriteOnlyCell(sheet, value)
        cell.font, cell.fill, cell.alignment = font, fill, alignment
        styled.append(cell)
    sheet.append(styled)
    for row in body:
        line = []
        for value, fmt in row:
            cell = WriteOnlyCell(sheet, value)
            if fmt != "General":
                cell.number_format = fmt
            line.append(cell)
        sheet.append(line)
    sheet.auto_filter.ref = cells["filter"]
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        return handle.tell()


def _measure(name: str, user, scope, filters, repeat: int) -> tuple[float, float, float, float, dict]:
    """Median seconds of compute, write, openpyxl alone and end to end for one table; the cells written."""
    from django.test import RequestFactory

    from monitoring.dashboards import table_data
    from monitoring.exports import table_title, write_table
    from monitoring.views.dashboards import national_export, regional_export

    compute, data = _median_seconds(lambda: table_data(name, user=user, filters=filters, region=scope), repeat)

    def write():
        handle = write_table(name, data, title=table_title(name), description="bench")
        handle.seek(0, io.SEEK_END)
        return handle

    handle = write()  # once untimed: what the figures leave lazy is computed here, not in the timed runs
    cells = _read_back(handle)
    handle.close()
    # Side by side: each run of the export's writing is followed by a run of openpyxl alone, so that the load of
    # the machine falls on both alike.
    written_times, alone_times = [], []
    for _ in range(repeat):
        written_times.append(_median_seconds(lambda: write().close(), 1)[0])
        alone_times.append(_median_seconds(lambda: _openpyxl_alone(cells), 1)[0])
    written, alone = statistics.median(written_times), statistics.median(alone_times)

    def end_to_end():
        request = RequestFactory().get("/")
        request.user = user
        response = regional_export(request, scope.code, name) if scope else national_export(request, name)
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
        return size

    whole, _bytes = _median_seconds(end_to_end, repeat)
    return compute, written, alone, whole, cells


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a seeded PostgreSQL database (only read)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--region", default="", help="the region code for the regional-only tables")
    parser.add_argument("--tables", nargs="*", default=[], help="only these tables (default: all)")
    parser.add_argument("--max-ratio", type=float, default=2.0)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilot_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    from django.db import connection
    from django.db.models import Count
    from django.test import RequestFactory

    from monitoring.exports import TABLES
    from monitoring.views.dashboards import _filters
    from pilots import policy
    from pilots.models import Region

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    national_user = policy.national_reader()
    coordinators = policy.coordinators().filter(is_active=True, region__isnull=False)
    if args.region:
        region = Region.objects.get(code=args.region)
    else:
        region = (
            Region.objects.filter(pk__in=coordinators.values("region"))
            .annotate(size=Count("organisations"))
            .order_by("-size")
            .first()
        )
    coordinator = coordinators.filter(region=region).first() if region else None

    factory = RequestFactory()
    names = args.tables or list(TABLES)
    print(
        f"database {connection.settings_dict['NAME']}, region {region.code if region else '-'}, median of {args.repeat}"
    )
    print(f"{'table':<22}{'rows':>8}{'cols':>6}{'compute s':>11}{'write s':>10}", end="")
    print(f"{'openpyxl s':>12}{'ratio':>7}{'end-to-end s':>14}")
    worst = 0.0
    for name in names:
        regional = TABLES[name][1]
        if regional and coordinator is None:
            print(f"{name:<22} skipped: no active coordinator of a region")
            continue
        user, scope = (coordinator, region) if regional else (national_user, None)
        request = factory.get("/")
        request.user = user
        _form, filters = _filters(request, scope)
        compute, written, alone, whole, cells = _measure(name, user, scope, filters, args.repeat)
        ratio = written / alone if alone else 0.0
        worst = max(worst, ratio)
        columns = max((len(r) for r in cells["rows"]), default=0)
        print(
            f"{name:<22}{len(cells['rows']):>8}{columns:>6}{compute:>11.3f}{written:>10.3f}{alone:>12.3f}"
            f"{ratio:>7.2f}{whole:>14.3f}"
        )
    print(f"worst write/openpyxl ratio {worst:.2f} (target ≤ {args.max_ratio})")
    return 1 if worst > args.max_ratio else 0


if __name__ == "__main__":
    sys.exit(main())
