"""Benchmark: the read API at scale (issue 14, item 5).

    DEBUG=True python scripts/bench_api.py --database-url postgres://postgres@127.0.0.1:5432/bench_11000

The dataset is scripts/bench_pages.py's (load_demo, then seed_scale --organisations 11000). As the demo's
`institute`, through Django's test client with a Bearer token (DEBUG off in the request path), it times one
page (100 rows) of each list resource: the median of --repeat requests after one untimed request, with its
queries counted. Budget: under 100 ms each. Then it streams the values of one period as CSV in a child
process of its own and reports the rows, the seconds, the rows per second and the child's peak resident
memory (from wait4), beside the same child's memory before the download: the difference is what streaming
cost. Exits with 1 when a page is over budget.

The token made for the run is revoked at its end; nothing else is written."""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MS = 100
RESOURCES = [
    "regions",
    "organisations",
    "periods",
    "indicators",
    "submissions",
    "values",
    "completeness",
    "stages",
    "reports",
]


def _setup(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilot_portal.settings")
    os.environ.setdefault("DEBUG", "True")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False


def pages(args) -> int:
    _setup(args.database_url)
    from django.db import connection
    from django.test import Client

    from api.tokens import token_create, token_revoke
    from pilots.models import Organisation, User

    user = User.objects.get(username="institute")
    token, raw = token_create(user=user, name="bench_api")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    database = args.database_url.rsplit("/", 1)[1]
    print(f"{Organisation.objects.count():,} organisations; {database}; budget {BUDGET_MS} ms")
    print("| resource | rows on the page | median | queries | budget |")
    print("|---|---|---|---|---|")
    missed = 0
    try:
        for name in RESOURCES:
            url = f"/api/v1/{name}/"
            first = client.get(url)
            assert first.status_code == 200, (url, first.status_code, first.content[:300])
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            count = _Counted()
            with connection.execute_wrapper(count):
                client.get(url)
            median = statistics.median(times) * 1000
            met = median < BUDGET_MS
            missed += not met
            rows = len(response.json()["results"])
            print(f"| {name} | {rows} | {median:.0f} ms | {count.n} | {'met' if met else '**missed**'} |")
    finally:
        token_revoke(user=user, token_id=token.pk)
    return 1 if missed else 0


class _Counted:
    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def csv_child(args) -> int:
    """In a process of its own: stream one period's values CSV to nowhere; print rows, seconds, RSS before."""
    _setup(args.database_url)
    from django.test import Client

    from api.tokens import token_create, token_revoke
    from pilots.models import User

    user = User.objects.get(username="institute")
    token, raw = token_create(user=user, name="bench_api csv")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get("/api/v1/periods/")  # every module the download needs is imported before the baseline
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get("/api/v1/values/", {"period": args.period, "format": "csv"})
    assert response.status_code == 200, response.status_code
    lines = size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    seconds = time.perf_counter() - started
    token_revoke(user=user, token_id=token.pk)
    print(f"{lines - 1} {seconds} {before} {size}")
    return 0


def csv_download(args) -> None:
    command = [sys.executable, __file__, "--database-url", args.database_url, "--period", args.period, "--csv-child"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    _pid, status, usage = os.wait4(child.pid, 0)
    out = child.stdout.read().split()
    if status != 0 or len(out) != 4:
        sys.exit(f"the CSV child failed: {out}")
    rows, seconds, before, size = int(out[0]), float(out[1]), int(out[2]), int(out[3])
    print()
    print(f"values of {args.period} as CSV: {rows:,} rows, {size / 2**20:.1f} MiB in {seconds:.1f} s, "
          f"{rows / seconds:,.0f} rows/s; the process's peak memory {usage.ru_maxrss / 1024:.0f} MiB, "
          f"{before / 1024:.0f} MiB before the download")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--period", default="2026-Q3")
    parser.add_argument("--csv-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.csv_child:
        return csv_child(args)
    code = pages(args)
    csv_download(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
