"""Benchmark: compile the final report (PDF, XLSX, values CSV) at a given scale, measure time and peak
memory against the budget, and check that every sheet opens in Excel.

    python scripts/bench_report.py --organisations 11000 [--database-url postgres://postgres@127.0.0.1:5432/pilot_bench]
    python scripts/bench_report.py --existing --database-url postgres://postgres@127.0.0.1:5432/pilot_scale

Makes a fresh database (SQLite file in /tmp unless --database-url names a PostgreSQL server, whose
database it creates and drops), migrates, seeds with seed_scale, then compiles the final report
in a child process and measures that process alone: wall time and peak resident memory. With
--existing it compiles against the database as it is (seeded once, timed many times).

Then it reads what was produced: each sheet of the XLSX (rows, columns, name against Excel's limits)
and the zipped CSV (a valid zip, its rows). Exits with 1 when the compilation is over its budget
(--max-seconds, --max-mb) or a sheet is past Excel's limits."""

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Excel's limits on a sheet (as pilot_portal/excel_limits.py; this script runs without Django).
EXCEL_ROWS, EXCEL_COLUMNS, EXCEL_TITLE = 1_048_576, 16_384, 31


def manage(env, *args, capture=False):
    return subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args], env=env, check=True, text=True, capture_output=capture
    )


def compile_alone(env, lang: str) -> tuple[str, float, float]:
    """Run compile_report in a child of its own and measure that child only: wait4 gives its own
    rusage, where RUSAGE_CHILDREN would be the largest of every child so far (migrate, seeding)."""
    with tempfile.TemporaryFile(mode="w+") as out:
        started = time.monotonic()
        child = subprocess.Popen(
            [PYTHON, str(ROOT / "manage.py"), "compile_report", "--kind", "final", "--lang", lang, "--wait"],
            env=env,
            stdout=out,
            text=True,
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            sys.exit(f"compile_report exited with {child.returncode}")
        out.seek(0)
        return out.read(), seconds, usage.ru_maxrss / 1024


def sheets_of(path: str) -> list[tuple[str, int, int]]:
    """(name, rows, columns) of each sheet, read row by row as Excel would load it."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    sheets = [(sheet.title, *_size(sheet)) for sheet in workbook.worksheets]
    workbook.close()
    return sheets


def _size(sheet) -> tuple[int, int]:
    rows = columns = 0
    for row in sheet.iter_rows(values_only=True):
        rows += 1
        columns = max(columns, len(row))
    return rows, columns


def csv_rows(path: str) -> tuple[int, list[str]]:
    """Data rows and header of the zipped CSV; the zip is tested whole first."""
    with zipfile.ZipFile(path) as archive:
        if archive.testzip() is not None:
            sys.exit(f"{path}: a damaged member")
        (member,) = archive.namelist()
        with archive.open(member) as raw:
            reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
            header = next(reader)
            return sum(1 for _row in reader), header


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--existing", action="store_true", help="compile against --database-url as it is")
    parser.add_argument("--lang", default="kk")
    parser.add_argument("--max-seconds", type=float, default=40.0, help="budget of the compilation (default 40)")
    parser.add_argument("--max-mb", type=float, default=500.0, help="budget of its peak memory (default 500)")
    args = parser.parse_args()

    env = {**os.environ, "DEBUG": "True", "SECRET_KEY": "bench", "REDIS_URL": ""}
    workdir = Path(tempfile.mkdtemp(prefix="pilot-bench-"))
    env["MEDIA_ROOT"] = str(workdir / "media")
    created_db = None
    seed_seconds = 0.0
    if args.existing:
        if not args.database_url:
            sys.exit("--existing needs --database-url")
        env["DATABASE_URL"] = args.database_url
        manage(env, "migrate", "-v0")
    elif args.database_url.startswith("postgres"):
        base, name = args.database_url.rsplit("/", 1)
        created_db = f"{name}_{os.getpid()}"
        subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {created_db}"], check=True)
        env["DATABASE_URL"] = f"{base}/{created_db}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    try:
        if not args.existing:
            manage(env, "migrate", "-v0")
            manage(env, "load_demo", "--force")
            seeded = time.monotonic()
            if args.organisations > 100:
                manage(env, "seed_scale", "--organisations", str(args.organisations - 100))
            seed_seconds = time.monotonic() - seeded
        stdout, seconds, peak_mb = compile_alone(env, args.lang)
        paths = [line for line in stdout.splitlines() if line.endswith((".pdf", ".xlsx", ".zip"))]
        pdf, xlsx, values = (next(p for p in paths if p.endswith(ext)) for ext in (".pdf", ".xlsx", ".zip"))
        pages = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
        pages = next((line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")), "?")
        database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
        organisations = "existing database" if args.existing else f"organisations: {args.organisations}"
        print(organisations)
        print(f"database: {database}; seeding took {seed_seconds:.0f} s")
        print(f"final report compiled in {seconds:.1f} s; peak memory of the compiling process {peak_mb:.0f} MB")
        print(
            f"PDF {Path(pdf).stat().st_size / 1e6:.2f} MB, {pages} pages;"
            f" XLSX {Path(xlsx).stat().st_size / 1e6:.2f} MB;"
            f" values CSV (zip) {Path(values).stat().st_size / 1e6:.2f} MB"
        )
        failures = []
        for title, rows, columns in sheets_of(xlsx):
            print(f"  sheet «{title}»: {rows} rows (header included), {columns} columns")
            if rows > EXCEL_ROWS or columns > EXCEL_COLUMNS or len(title) > EXCEL_TITLE:
                failures.append(f"sheet «{title}» is past Excel's limits")
        rows, header = csv_rows(values)
        print(f"  values CSV: {rows} rows and a header: {' | '.join(header)}")
        if seconds > args.max_seconds:
            failures.append(f"{seconds:.1f} s is over the budget of {args.max_seconds:.0f} s")
        if peak_mb > args.max_mb:
            failures.append(f"{peak_mb:.0f} MB is over the budget of {args.max_mb:.0f} MB")
        for failure in failures:
            print(f"OVER: {failure}")
        print("within budget" if not failures else "NOT within budget")
    finally:
        if created_db:
            subprocess.run(["psql", f"{base}/postgres", "-qc", f"DROP DATABASE IF EXISTS {created_db}"], check=False)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
