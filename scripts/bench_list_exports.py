"""Benchmark: every list's XLSX export (issue 14, item 4) as a national reader downloads it.

    DEBUG=True python scripts/bench_list_exports.py --database-url postgres://postgres@127.0.0.1:5432/bench_100
    DEBUG=True python scripts/bench_list_exports.py --database-url postgres://postgres@127.0.0.1:5432/bench_11000

The datasets are scripts/bench_pages.py's (load_demo; then seed_scale --organisations 11000). For each export,
requested through Django's test client as the demo's `institute` and read to its last byte, it prints:
rows written, the median time of --repeat downloads, the SQL queries, and the peak of Python's memory during
one download (tracemalloc, in a download of its own, since tracing slows the code it traces). Memory is flat
when the peak at 11,000 organisations is that at 100, give or take the chunk of rows read at a time.

The database is only read: the session is set read-only, so a benchmark cannot change what it measures."""

import argparse
import io
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Counted:
    """An execute wrapper that counts the statements it lets through."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilot_portal.settings")
    os.environ.setdefault("DEBUG", "True")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import openpyxl
    from django.conf import settings
    from django.db import connection
    from django.db.backends.signals import connection_created
    from django.test import Client
    from django.urls import reverse

    from monitoring.models import Period, Submission
    from pilots.models import Organisation, User

    settings.ALLOWED_HOSTS = ["*"]

    def read_only(connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    client = Client()
    client.force_login(User.objects.get(username="institute"))  # writes the session: before the guard
    connection_created.connect(read_only)
    connection.close()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    period = Period.objects.filter(submissions__isnull=False).order_by("-starts_on").first()
    submission = Submission.objects.filter(period=period).select_related("organisation").order_by("pk").first()
    exports = {
        "organisations": reverse("organisation_list_export"),
        "queue: not handed in": reverse("monitoring_queue_export") + f"?period={period.code}&show=missing",
        "queue: accepted": reverse("monitoring_queue_export") + f"?period={period.code}&show=accepted",
        "audit history": reverse(
            "submission_history_export", kwargs={"bin": submission.organisation.bin, "period": period.code}
        ),
        "control card": reverse("order_export"),
    }

    def download(url) -> bytes:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return b"".join(response.streaming_content)

    print(f"{Organisation.objects.count()} organisations; period {period.code}; {args.database_url.rsplit('/', 1)[1]}")
    print("| export | rows | median | queries | Python peak memory |")
    print("|---|---|---|---|---|")
    for name, url in exports.items():
        download(url)  # warm: the session, the catalogue's translations, the first import of each module
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            body = download(url)
            times.append(time.perf_counter() - started)
        queries = Counted()
        with connection.execute_wrapper(queries):
            download(url)
        tracemalloc.start()
        download(url)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        rows = sum(sum(1 for _ in sheet.iter_rows(values_only=True)) - 1 for sheet in workbook.worksheets)
        print(
            f"| {name} | {rows:,} | {statistics.median(times) * 1000:,.0f} ms | {queries.count} "
            f"| {peak / 2**20:.1f} MiB |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
