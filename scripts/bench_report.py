"""Benchmark: compile the final report (PDF and XLSX) at a given scale and report time and peak memory.

    python scripts/bench_report.py --organisations 11000 [--database-url postgres://postgres@127.0.0.1:5432/pilot_bench]

Makes a fresh database (SQLite file in /tmp unless --database-url names a PostgreSQL server, whose
database it creates and drops), migrates, seeds with seed_scale, then compiles the final report
in a child process and measures that process alone: wall time and peak resident memory."""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--lang", default="kk")
    args = parser.parse_args()

    env = {**os.environ, "DEBUG": "True", "SECRET_KEY": "bench", "REDIS_URL": ""}
    workdir = Path(tempfile.mkdtemp(prefix="pilot-bench-"))
    env["MEDIA_ROOT"] = str(workdir / "media")
    created_db = None
    if args.database_url.startswith("postgres"):
        base, name = args.database_url.rsplit("/", 1)
        created_db = f"{name}_{os.getpid()}"
        subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {created_db}"], check=True)
        env["DATABASE_URL"] = f"{base}/{created_db}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    try:
        manage(env, "migrate", "-v0")
        manage(env, "load_demo", "--force")
        seeded = time.monotonic()
        if args.organisations > 100:
            manage(env, "seed_scale", "--organisations", str(args.organisations - 100))
        seed_seconds = time.monotonic() - seeded
        stdout, seconds, peak_mb = compile_alone(env, args.lang)
        pdf, xlsx = [line for line in stdout.splitlines() if line.endswith((".pdf", ".xlsx"))]
        pages = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
        pages = next((line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")), "?")
        print(f"organisations: {args.organisations}")
        print(f"database: {'PostgreSQL' if created_db else 'SQLite'}; seeding took {seed_seconds:.0f} s")
        print(f"final report compiled in {seconds:.1f} s; peak memory of the compiling process {peak_mb:.0f} MB")
        print(
            f"PDF {Path(pdf).stat().st_size / 1e6:.1f} MB, {pages} pages; XLSX {Path(xlsx).stat().st_size / 1e6:.1f} MB"
        )
    finally:
        if created_db:
            subprocess.run(["psql", f"{base}/postgres", "-qc", f"DROP DATABASE IF EXISTS {created_db}"], check=False)


if __name__ == "__main__":
    main()
