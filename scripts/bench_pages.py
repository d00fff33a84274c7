"""Benchmark: each main page at 100 and at 11,000 organisations, against the budget of issue 12.

    python scripts/bench_pages.py                   # seed both databases (drops and recreates them), then time
    python scripts/bench_pages.py --reuse           # time against the two databases as they are
    python scripts/bench_pages.py --reuse --rounds 5 --strict
    python scripts/bench_pages.py --explain form    # EXPLAIN ANALYZE every query of the form at 11,000
    python scripts/bench_pages.py --explain /monitoring/    # ... or of one page

Two PostgreSQL databases, created and dropped by this script only: bench_100 (load_demo, 100 organisations)
and bench_11000 (load_demo, then seed_scale --organisations 11000). Each is served by a child process of
its own (Django with DEBUG off, the test client), and the parent asks them in turn: every round times every
page at both sizes one after the other, so a noisy neighbour on the machine slows both alike. A page's first
request (not timed) warms the caches and counts its queries; the figure kept is the median of --rounds.

The time is the server's: from the request entering Django to the response, through the test client, with
no network and no browser. The form (GET and POST save) is opened by the organisation's own staff (only
they may save; the save sends the form as shown with one number changed); every other page by the
Institute's analyst. The report's page is that of the quarterly report compiled when seeding.

Budget, at 11,000 organisations: within 1.5x of the time at 100, under 300 ms, and the same number of
queries. Prints a line per page; with --strict, exits with 1 when a page misses its budget."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASES = {100: "bench_100", 11000: "bench_11000"}
# A demo organisation (the same in both databases) with a draft it may still edit in that quarter.
ORGANISATION, PERIOD, REGION = "011040006687", "2026-Q4", "KZ-71"
PAGES = [
    ("quarterly form, GET", "form-get"),
    ("quarterly form, POST save", "form-post"),
    ("national dashboard", "/dashboard/"),
    (f"regional dashboard ({REGION})", f"/dashboard/{REGION}/"),
    ("one dashboard table as XLSX", "/dashboard/export/totals.xlsx"),
    ("review queue", "/monitoring/"),
    ("organisations list", "/organisations/"),
    ("a report's page", "report"),
    ("control card (/order/)", "/order/"),
]
MAX_RATIO, MAX_MS = 1.5, 300.0


def environment(database: str) -> dict:
    return {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": "bench",
        "SECURE_SSL_REDIRECT": "False",
        "REDIS_URL": "",
        "TASKS_IN_BACKGROUND": "False",
        "MEDIA_ROOT": f"/tmp/pilot-bench-pages/{database}/media",
        "DATABASE_URL": f"{SERVER}/{database}",
    }


def manage(env, *args):
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, check=True)


def seed(size: int, database: str) -> None:
    """A fresh database of `size` organisations, and a compiled quarterly report for the report's page."""
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {database}"], check=True)
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"CREATE DATABASE {database}"], check=True)
    env = {**environment(database), "DEBUG": "True"}
    started = time.monotonic()
    manage(env, "migrate", "-v0")
    manage(env, "load_demo", "--force")
    if size > 100:
        manage(env, "seed_scale", "--organisations", str(size))
    manage(env, "compile_report", "--kind", "quarterly", "--period", "2026-Q3", "--wait")
    print(f"{database}: seeded in {time.monotonic() - started:.0f} s", flush=True)


# --- the child: one database, one Django ---------------------------------------------------------------


class Pages:
    def __init__(self):
        import django

        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilot_portal.settings")
        django.setup()
        from django.conf import settings

        # As the tests do: static files by name, without the manifest collectstatic would have to write first.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        from django.test import Client
        from django.test.utils import setup_test_environment

        from pilots.models import User
        from reports.models import Report

        setup_test_environment()  # the test client's response.context, and ALLOWED_HOSTS accepting it
        self.staff = Client()
        self.staff.force_login(User.objects.get(username=f"org-{ORGANISATION}"))
        self.institute = Client()
        self.institute.force_login(User.objects.get(username="institute"))
        report = Report.objects.filter(versions__isnull=False).order_by("-pk").first()
        self.report_url = f"/reports/{report.pk}/" if report else "/reports/"
        self.form_url = f"/monitoring/{ORGANISATION}/{PERIOD}/"

    def request(self, page: str):
        """(response, callable issuing the timed request): a POST needs the form's current version first."""
        if page == "form-get":
            return lambda: self.staff.get(self.form_url)
        if page == "form-post":
            # What the browser sends: every field as the page shows it, and its version, with one number
            # changed (up one, then back), so that each save writes a value and its history row.
            form = self.staff.get(self.form_url).context["form"]
            data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
            changed = next(name for name, value in data.items() if isinstance(value, int) and name != "version")
            data[changed] += 1 if data[changed] % 2 == 0 else -1
            data["action"] = "save"
            return lambda: self.staff.post(self.form_url, data)
        url = self.report_url if page == "report" else page
        return lambda: self.institute.get(url)

    def run(self, page: str, mode: str) -> dict:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        issue = self.request(page)
        if mode == "explain":
            with CaptureQueriesContext(connection) as queries:
                issue()
            return {"plans": [explain(q["sql"]) for q in queries if q["sql"].startswith("SELECT")]}
        if mode == "count":
            with CaptureQueriesContext(connection) as queries:
                response = self.checked(page, issue())
            return {"status": response.status_code, "queries": len(queries)}
        started = time.perf_counter()
        response = self.checked(page, issue())
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        return {"status": response.status_code, "ms": (time.perf_counter() - started) * 1000}

    @staticmethod
    def checked(page: str, response):
        """A save that was refused (not editable, stale) redirects too, without ?saved=1: not a save."""
        if page == "form-post" and "saved=1" not in response.get("Location", ""):
            sys.exit(f"the form's POST did not save: {response.status_code} {response.get('Location')}")
        return response


def explain(sql: str) -> dict:
    """EXPLAIN ANALYZE of a captured query, as it ran (the captured SQL has its parameters inlined)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    return {"sql": sql, "plan": plan}


def child() -> None:
    pages = Pages()
    for line in sys.stdin:
        page, mode = json.loads(line)
        print(json.dumps(pages.run(page, mode)), flush=True)


# --- the parent ----------------------------------------------------------------------------------------


class Worker:
    def __init__(self, database: str):
        self.process = subprocess.Popen(
            [PYTHON, __file__, "--child"],
            env=environment(database),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, page: str, mode: str) -> dict:
        self.process.stdin.write(json.dumps([page, mode]) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            sys.exit(f"the worker stopped on {page}")
        return json.loads(line)

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def explain_pages(which: str) -> None:
    """Every SELECT a page runs on the national database (the form: GET and POST), with its plan and its time."""
    worker = Worker(DATABASES[11000])
    try:
        for label, page in PAGES[:2] if which == "form" else [p for p in PAGES if p[1] == which]:
            plans = worker.ask(page, "explain")["plans"]
            print(f"=== {label}: {len(plans)} SELECTs")
            for number, item in enumerate(plans, 1):
                print(f"--- {number}. {item['sql']}")
                print("\n".join(item["plan"]))
    finally:
        worker.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", action="store_true", help="time against bench_100 and bench_11000 as they are")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds; the median is kept (default 3)")
    parser.add_argument(
        "--pages",
        default="",
        help="only the pages whose key contains one of these, comma-separated (form,/order/,dashboard...)",
    )
    parser.add_argument("--strict", action="store_true", help="exit with 1 when a page misses its budget")
    parser.add_argument(
        "--explain",
        choices=["form", *(page for _label, page in PAGES)],
        help="print EXPLAIN ANALYZE of every query of the form (GET and POST) or of one page, at 11,000",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child()
    if args.explain:
        return explain_pages(args.explain)
    if not args.reuse:
        for size, database in DATABASES.items():
            seed(size, database)
    pages = [(label, page) for label, page in PAGES if any(part in page for part in args.pages.split(","))]
    workers = {size: Worker(database) for size, database in DATABASES.items()}
    counts = {size: {} for size in DATABASES}
    times = {size: {page: [] for _label, page in pages} for size in DATABASES}
    try:
        for _label, page in pages:
            for size, worker in workers.items():
                answer = worker.ask(page, "count")
                if answer["status"] >= 400:
                    sys.exit(f"{page} at {size}: HTTP {answer['status']}")
                counts[size][page] = answer["queries"]
        for _round in range(args.rounds):
            for _label, page in pages:
                for size, worker in workers.items():
                    times[size][page].append(worker.ask(page, "time")["ms"])
    finally:
        for worker in workers.values():
            worker.close()

    small, large = DATABASES
    print(f"{os.cpu_count()} cores; PostgreSQL; DEBUG off; median of {args.rounds} interleaved rounds, server time")
    header = f"{'page':<32} {'100':>9} {'11,000':>9} {'ratio':>6} {'queries':>9}  budget"
    print(header)
    print("-" * len(header))
    missed = 0
    for label, page in pages:
        a, b = (statistics.median(times[size][page]) for size in (small, large))
        qa, qb = counts[small][page], counts[large][page]
        ratio = b / a
        misses = []
        if ratio > MAX_RATIO:
            misses.append(f"{ratio:.1f}x")
        if b > MAX_MS:
            misses.append(f">{MAX_MS:.0f} ms")
        if qa != qb:
            misses.append("queries differ")
        missed += bool(misses)
        verdict = "met" if not misses else "MISSED: " + ", ".join(misses)
        print(f"{label:<32} {a:>6.0f} ms {b:>6.0f} ms {ratio:>5.2f}x {qa:>4}/{qb:<4}  {verdict}")
    print(f"{len(pages) - missed} of {len(pages)} pages within budget")
    sys.exit(1 if args.strict and missed else 0)


if __name__ == "__main__":
    main()
