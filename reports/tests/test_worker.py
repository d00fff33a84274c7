"""A real Celery worker, against Redis and PostgreSQL, compiles a report queued by the portal, and
finishes one whose worker was killed mid-way.

Runs where REDIS_URL and a PostgreSQL DATABASE_URL are set (CI); elsewhere it is skipped, and in
CI a missing service fails it instead."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from monitoring.models import Period
from outbox.models import Message
from pilot_portal.celery import app
from pilot_portal.tests.processes import ChildProcesses, require_redis_and_postgresql
from pilots.models import Region, User
from reports.models import Report
from reports.services import report_queue

pytestmark = pytest.mark.worker

QUIET = ["--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel", "INFO"]
# The worker-kill test's hard limit: short, so that a stuck compilation is found within a minute or two.
SHORT_HARD_LIMIT = 60


@pytest.fixture
def start_celery(transactional_db, monkeypatch, tmp_path):
    """Starts `celery -A pilot_portal …` processes against this test's database, each in its own
    process group (so a test can kill a worker with its children); stops what is left at the end."""
    require_redis_and_postgresql()
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    app.control.purge()  # messages an earlier run left in this Redis database are not this test's
    db = connection.settings_dict
    base_env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DEBUG": "True",
    }
    processes = ChildProcesses(tmp_path)

    def start(name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "pilot_portal", *args]
        return processes.start(name, command, {**base_env, **(env or {})})[0]

    yield start
    processes.stop_all(_log_digest)


@pytest.fixture
def real_worker(start_celery):
    return start_celery("worker", "worker", "--pool", "solo", *QUIET)


def _log_digest(text: str) -> str:
    """What a failure needs from a process's log: its start, every line about a compilation or an
    error, and its end (the beat's and the sweeps' routine lines in between say nothing)."""
    lines = text.splitlines()
    telling = [
        line
        for line in lines[40:-30]
        if any(word in line for word in ("compile_report", "ERROR", "WARNING", "Traceback", "Error", "ready"))
    ]
    return "\n".join([*lines[:40], "[…]", *telling, "[…]", *lines[-30:]])


def _hand_over_state(report: Report) -> str:
    """Where the report's task is: its outbox message, and the broker's queue and unacknowledged set."""
    import redis

    message = (
        Message.objects.filter(key=report.dispatch_key)
        .values("delivered_at", "attempts", "last_error", "locked_until")
        .first()
    )
    broker = redis.Redis.from_url(settings.REDIS_URL)
    queued = broker.llen("celery")
    unacked = broker.hlen("unacked")
    return f"outbox message {message}; broker: {queued} in the queue, {unacked} unacknowledged"


def _alive_in_group(pgid: int) -> list[int]:
    """Processes of the group that still run (a killed child may linger a moment as a zombie)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def _wait_until_ready(log: Path, process: subprocess.Popen) -> None:
    """A worker that takes long to start (a busy machine) must not eat into the compilation's time."""
    until = time.monotonic() + 120
    while "ready." not in log.read_text():
        assert process.poll() is None, f"the worker stopped: {log.read_text()[-3000:]}"
        assert time.monotonic() < until, f"the worker did not start: {log.read_text()[-3000:]}"
        time.sleep(0.5)


def _wait_for(report: Report, condition, *, until: float, what: str) -> Report:
    while time.monotonic() < until:
        report.refresh_from_db()
        if condition(report):
            return report
        time.sleep(0.2)
    pytest.fail(
        f"{what}: report is {report.status} at {report.progress} % ({report.step}) {report.error}; "
        + _hand_over_state(report)
    )


def test_a_real_worker_compiles_a_queued_report(real_worker):
    call_command("load_demo", "--force")
    report, created = report_queue(user=User.objects.get(username="institute"), kind="final", language="kk")
    assert created
    finished = (Report.Status.DONE, Report.Status.FAILED)
    _wait_for(report, lambda r: r.status in finished, until=time.monotonic() + 180, what="not compiled")
    assert report.status == Report.Status.DONE, report.error_label
    version = report.latest_version
    assert Path(version.pdf.path).stat().st_size == version.pdf_size > 0
    assert report.versions.count() == 1


def test_a_compilation_whose_worker_is_killed_is_finished_by_a_new_worker_within_the_limit(start_celery, tmp_path):
    call_command("load_demo", "--force")
    short = {"REPORT_HARD_TIME_LIMIT": str(SHORT_HARD_LIMIT)}
    worker = ["worker", "--pool", "prefork", "--concurrency", "1", *QUIET]
    # The beat runs throughout, as in production; its sweep comes every REPORT_STALE_CHECK_SECONDS.
    start_celery("beat", "beat", "--loglevel", "INFO", "--schedule", str(tmp_path / "beat-schedule"), env=short)
    first = start_celery("worker-1", *worker, "--hostname", "first@%h", env=short)
    _wait_until_ready(tmp_path / "worker-1.log", first)
    report, _created = report_queue(
        user=User.objects.get(username="institute"),
        kind=Report.Kind.REGIONAL,
        period=Period.objects.get(code="2026-Q3"),
        region=Region.objects.get(code="KZ-71"),
        language="kk",
    )
    mid_way = _wait_for(
        report,
        lambda r: r.status == Report.Status.RUNNING and r.progress >= 25,
        until=time.monotonic() + 180,
        what="never reached 25 %",
    )
    os.killpg(first.pid, signal.SIGKILL)  # the worker's parent and its pool's children at once
    killed_at = time.monotonic()
    first.wait(timeout=10)
    _wait_for(report, lambda r: not _alive_in_group(first.pid), until=killed_at + 10, what="first worker still alive")
    stuck_attempt, stuck_progress = mid_way.attempt, mid_way.progress
    assert stuck_progress < 100

    time.sleep(5)  # as it was: nobody moves a report whose worker is gone ...
    report.refresh_from_db()
    assert (report.status, report.progress, report.attempt) == (Report.Status.RUNNING, stuck_progress, stuck_attempt)

    start_celery("worker-2", *worker, "--hostname", "second@%h", env=short)  # ... until a worker runs again
    finished = (Report.Status.DONE, Report.Status.FAILED)
    report = _wait_for(
        report,
        lambda r: r.status in finished,
        until=killed_at + SHORT_HARD_LIMIT + 60,
        what=f"not finished within the hard limit ({SHORT_HARD_LIMIT} s) and a minute of the kill",
    )
    print(f"Killed at {stuck_progress} %; finished {time.monotonic() - killed_at:.0f} s after the kill.")
    assert report.status == Report.Status.DONE, report.error_label
    assert report.attempt != stuck_attempt and report.stale_restarts == 1
    assert list(report.versions.values_list("attempt", flat=True)) == [report.attempt]
    version = report.latest_version
    assert Path(version.pdf.path).stat().st_size == version.pdf_size > 0
