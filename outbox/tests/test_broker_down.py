"""Broker down, then up, with a real worker and beat: a submit and a report asked for while Redis is
down both commit at once; once Redis is back the worker and the beat's sweep send the mail exactly
once and compile the report, with no one's help.

Needs PostgreSQL (the acting process, the worker and the beat share the test database) and a
redis-server binary: the test runs a Redis of its own on port 6394, which it stops and starts, and
never touches the shared one. Skipped where either is missing, except in CI, where that fails."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from monitoring.models import Status, Submission
from outbox.models import Message
from pilot_portal.tests.processes import cannot_run
from pilots.models import User
from reports.models import Report

pytestmark = pytest.mark.worker

PORT = 6394
SWEEP_SECONDS = 3

# What a person does in the portal while the broker is down, in a process of its own (as a web
# process is): a staff member submits, the Institute asks for the final report.
ACT_WHILE_THE_BROKER_IS_DOWN = """
import json, sys
import django
django.setup()
from monitoring.selectors import form_indicators, submission_get, submission_values
from monitoring.services import submission_save
from pilots.models import User
from reports.services import BrokerUnavailable, report_queue

staff = User.objects.get(pk=int(sys.argv[1]))
context = submission_get(user=staff, bin=staff.organisation.bin, period_code=sys.argv[2])
values, explanations = submission_values(submission=context.submission)
submission_save(
    user=staff, context=context, indicators=form_indicators(period=context.period, submission=context.submission),
    values=values, explanations=explanations, version=context.submission.version, submit=True,
)
try:
    report, _created = report_queue(user=User.objects.get(username="institute"), kind="final", language="kk")
    outcome = "dispatched"
except BrokerUnavailable:
    outcome = "waits for the broker"
print(json.dumps({"report": outcome}))
"""


class OwnRedis:
    """A redis-server of the test's own on PORT: started and stopped by pid, nothing else is touched."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.pidfile = folder / "redis.pid"
        self.url = f"redis://127.0.0.1:{PORT}/0"

    def answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=PORT, socket_connect_timeout=1).ping()
        except redis.ConnectionError:
            return False

    def start(self) -> None:
        subprocess.run(
            ["redis-server", "--port", str(PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "yes", "--pidfile", str(self.pidfile), "--dir", str(self.folder),
             "--logfile", str(self.folder / "redis.log")],
            check=True,
        )  # fmt: skip
        self._until(self.answers, "Redis did not start")

    def stop(self) -> None:
        pid = int(self.pidfile.read_text())
        os.kill(pid, signal.SIGTERM)
        self._until(lambda: not _alive(pid), "Redis did not stop")

    @staticmethod
    def _until(condition, failure: str, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(failure)
            time.sleep(0.2)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        cannot_run("redis-server is not installed (apt-get install redis-server)")
    redis = OwnRedis(tmp_path)
    if redis.answers():
        pytest.fail(f"Something already answers on port {PORT}; this test needs the port for its own Redis")
    redis.start()
    yield redis
    if redis.pidfile.exists() and _alive(int(redis.pidfile.read_text())):
        redis.stop()


@pytest.fixture
def portal_env(transactional_db, own_redis, tmp_path):
    """The environment of the portal's processes: the test database, the test's own Redis, mail
    written to files (so that the test counts what the worker sent), a sweep every few seconds."""
    if connection.vendor != "postgresql":
        cannot_run("needs PostgreSQL, which the worker shares with the test")
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pilot_portal.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": own_redis.url,
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "OUTBOX_SWEEP_SECONDS": str(SWEEP_SECONDS),
        "DEBUG": "True",
    }


@pytest.fixture
def worker_and_beat(portal_env, tmp_path):
    celery = [sys.executable, "-m", "celery", "-A", "pilot_portal"]
    commands = {
        "worker": [*celery, "worker", "--pool", "solo", "--loglevel", "INFO", "--without-heartbeat",
                   "--without-mingle", "--without-gossip"],
        "beat": [*celery, "beat", "--loglevel", "INFO", "--schedule", str(tmp_path / "beat-schedule")],
    }  # fmt: skip
    processes, logs = {}, {}
    try:
        for name, command in commands.items():
            logs[name] = tmp_path / f"{name}.log"
            with logs[name].open("w") as out:
                processes[name] = subprocess.Popen(
                    command, cwd=Path(settings.BASE_DIR), env=portal_env, stdout=out, stderr=subprocess.STDOUT
                )
        deadline = time.monotonic() + 120
        while "ready." not in logs["worker"].read_text():
            assert processes["worker"].poll() is None, logs["worker"].read_text()[-3000:]
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.5)
        yield processes
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=60)
        for name, log in logs.items():
            print(f"--- {name} ---\n{log.read_text()[-4000:]}")


def _mails(folder: Path) -> list[str]:
    """The recipients of every mail the worker wrote, one entry per mail."""
    if not folder.exists():
        return []
    return [to for path in sorted(folder.iterdir()) for to in re.findall(r"^To: (.+)$", path.read_text(), re.M)]


def test_a_submit_and_a_report_made_while_the_broker_is_down_go_out_once_it_is_back(
    portal_env, own_redis, worker_and_beat, tmp_path
):
    call_command("load_demo", "--force")
    submission = (
        Submission.objects.filter(status=Status.SUBMITTED, period__locked=False)
        .filter(organisation__staff__role=User.Role.ORGANISATION)
        .select_related("organisation", "period")
        .first()
    )
    # Handed back earlier, so that its staff can submit it again with the values that passed before.
    Submission.objects.filter(pk=submission.pk).update(status=Status.RETURNED)
    staff = User.objects.filter(role=User.Role.ORGANISATION, organisation=submission.organisation).first()
    coordinators = sorted(
        User.objects.filter(role=User.Role.REGION, region=submission.organisation.region, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    assert coordinators, "the demo's region has a coordinator with an e-mail address"
    mail_folder = tmp_path / "mail"

    own_redis.stop()
    acted = subprocess.run(
        [sys.executable, "-c", ACT_WHILE_THE_BROKER_IS_DOWN, str(staff.pk), submission.period.code],
        cwd=Path(settings.BASE_DIR),
        env=portal_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert acted.returncode == 0, acted.stderr[-3000:]
    assert json.loads(acted.stdout.strip().splitlines()[-1]) == {"report": "waits for the broker"}

    # Both changes committed; nothing is delivered, and each message says why.
    assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED
    report = Report.objects.get()
    assert report.status == Report.Status.QUEUED and report.waits_for_a_worker
    owed = list(Message.objects.order_by("kind", "key"))
    assert [(m.kind, m.delivered_at) for m in owed] == [("mail", None)] * len(coordinators) + [("task", None)]
    assert all("Connection refused" in m.last_error for m in owed), [m.last_error for m in owed]
    time.sleep(2 * SWEEP_SECONDS)
    assert _mails(mail_folder) == [] and not Message.objects.filter(delivered_at__isnull=False).exists()

    own_redis.start()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        report.refresh_from_db()
        finished = report.status in (Report.Status.DONE, Report.Status.FAILED)
        if finished and len(_mails(mail_folder)) >= len(coordinators):
            break
        time.sleep(1)
    assert report.status == Report.Status.DONE, report.error
    assert report.versions.count() == 1
    # Several more sweeps later, still exactly one mail to each coordinator.
    time.sleep(3 * SWEEP_SECONDS)
    assert sorted(_mails(mail_folder)) == coordinators
    assert not Message.objects.filter(delivered_at__isnull=True).exists()
