"""A real Celery worker, against Redis and PostgreSQL, compiles a report queued by the portal.

Runs where REDIS_URL and a PostgreSQL DATABASE_URL are set (CI); elsewhere it is skipped, and in
CI a missing service fails it instead."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from pilot_portal.celery import app
from pilots.models import User
from reports.models import Report
from reports.services import report_queue

pytestmark = pytest.mark.worker


@pytest.fixture
def real_worker(transactional_db, monkeypatch, tmp_path):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        reason = "needs REDIS_URL and PostgreSQL"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} in CI", pytrace=False)
        pytest.skip(reason)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DEBUG": "True",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "pilot_portal",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield worker
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    print(log.read_text()[-3000:])


def test_a_real_worker_compiles_a_queued_report(real_worker):
    call_command("load_demo", "--force")
    report, created = report_queue(user=User.objects.get(username="institute"), kind="final", language="kk")
    assert created
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in (Report.Status.DONE, Report.Status.FAILED):
            break
        time.sleep(1)
    assert report.status == Report.Status.DONE, report.error
    version = report.latest_version
    assert Path(version.pdf.path).stat().st_size == version.pdf_size > 0
    assert report.versions.count() == 1
