"""One portal on two machines: two web servers (gunicorn) and a Celery worker, each with its own empty
MEDIA_ROOT, sharing one PostgreSQL database, one Redis and one bucket on a real S3-compatible server
(moto's standalone server, in a process of its own). A file uploaded through one node is downloaded
through the other; a report queued on one is written by the worker and downloaded from the other; no
file ever lands on a node's own disk.

Runs where REDIS_URL and a PostgreSQL DATABASE_URL are set (CI); elsewhere it is skipped, and in CI a
missing service fails it instead."""

import contextlib
import hashlib
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
import requests
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from monitoring.models import Period, Submission
from monitoring.selectors import EDITABLE_STATUSES
from pilot_portal.celery import app
from pilot_portal.storage_config import default_storage_config
from pilot_portal.tests.processes import ChildProcesses, require_redis_and_postgresql
from pilots.models import Organisation, User
from reports.models import Report

pytestmark = pytest.mark.worker

PASSWORD = "demo-pass-2026"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + os.urandom(64)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_http(url: str, process: subprocess.Popen, log: Path, *, seconds: float = 90) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        assert process.poll() is None, f"{url}: the process stopped:\n{log.read_text()[-3000:]}"
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {seconds} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def cluster(transactional_db, tmp_path, settings, monkeypatch):
    """The S3 server, the bucket, the demo in this test's database and bucket; returns a function that
    starts a node (web or worker) with its own MEDIA_ROOT. Stops every process at the end."""
    require_redis_and_postgresql()
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    app.control.purge()
    processes = ChildProcesses(tmp_path)
    spawn = processes.start

    s3_port = _free_port()
    s3_url = f"http://127.0.0.1:{s3_port}"
    server, server_log = spawn(
        "s3", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)], {**os.environ}
    )
    _wait_http(s3_url, server, server_log)
    credentials = {"AWS_ACCESS_KEY_ID": "portal-node", "AWS_SECRET_ACCESS_KEY": "portal-node-secret"}
    for key, value in credentials.items():
        monkeypatch.setenv(key, value)
    bucket = "pilot-two-nodes"
    client = boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    storage_url = f"s3://{bucket}/portal?endpoint={s3_url}&region=us-east-1"
    settings.MEDIA_STORAGE_URL = storage_url
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_config(storage_url)}
    call_command("load_demo", "--force")

    db = connection.settings_dict
    base_env = {
        **os.environ,
        **credentials,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_STORAGE_URL": storage_url,
        "DEBUG": "True",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    medias = []

    def node(name: str, kind: str):
        media, work = tmp_path / name / "media", tmp_path / name / "work"
        media.mkdir(parents=True)
        medias.append(media)
        env = {**base_env, "MEDIA_ROOT": str(media), "REPORT_WORK_DIR": str(work)}
        if kind == "worker":
            process, log = spawn(
                name,
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
                env,
            )
            until = time.monotonic() + 120
            while "ready." not in log.read_text():
                assert process.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < until, log.read_text()[-3000:]
                time.sleep(0.5)
            return None
        port = _free_port()
        process, log = spawn(
            name,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "pilot_portal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "120",
                "--no-control-socket",  # two on one machine would share its one default path
            ],
            env,
        )
        address = f"http://127.0.0.1:{port}"
        _wait_http(f"{address}/healthz/", process, log)
        return address

    node.client, node.bucket, node.medias = client, bucket, medias
    yield node
    processes.stop_all()


def _nodes_may_sign_in(*usernames: str) -> None:
    """The tests hash passwords with MD5 for speed; the nodes, like production, know only the real hashers."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    for username in usernames:
        User.objects.filter(username=username).update(password=hasher.encode(PASSWORD, hasher.salt()))


def _signed_in(address: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{address}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{address}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{address}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    assert answer.status_code == 302, f"{username} could not sign in on {address}"
    return session


def _form_token(session: requests.Session, url: str) -> tuple[str, str]:
    page = session.get(url, timeout=60)
    assert page.status_code == 200, (url, page.status_code)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    return token, version.group(1) if version else ""


def _editable_submission() -> tuple[Organisation, Period]:
    """An organisation of the demo and an open quarter whose form its staff may still change today."""
    today = timezone.localdate()
    for period in Period.objects.order_by("-starts_on"):
        if not period.is_open(today):
            continue
        taken = Submission.objects.filter(period=period).exclude(status__in=EDITABLE_STATUSES)
        organisation = Organisation.objects.exclude(pk__in=taken.values("organisation")).order_by("bin").first()
        if organisation is not None:
            return organisation, period
    pytest.fail("the demo has no open quarter with a form left to edit")


def _files_in(folders: list[Path]) -> list[str]:
    return [str(path) for folder in folders for path in folder.rglob("*") if path.is_file()]


def test_a_file_and_a_report_written_on_one_node_are_read_on_the_other_and_no_node_keeps_a_file(cluster):
    node_a, node_b = cluster("web-a", "web"), cluster("web-b", "web")
    cluster("worker", "worker")
    organisation, period = _editable_submission()
    staff = User.objects.filter(organisation=organisation, username__startswith="org-").first()
    stranger = User.objects.filter(username__startswith="org-").exclude(organisation=organisation).first()
    coordinator_name = f"region-{organisation.region.code.lower()}"
    _nodes_may_sign_in(staff.username, stranger.username, coordinator_name, "institute", "ministry")

    # An attachment uploaded through node A…
    uploader = _signed_in(node_a, staff.username)
    form_url = f"{node_a}/monitoring/{organisation.bin}/{period.code}/"
    token, version = _form_token(uploader, form_url)
    answer = uploader.post(
        form_url,
        data={"action": "upload", "version": version, "csrfmiddlewaretoken": token},
        files={"files": ("акт-орындалуы.pdf", PDF, "application/pdf")},
        headers={"Referer": form_url},
        timeout=60,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[-2000:]
    attachment = Submission.objects.get(organisation=organisation, period=period).attachments.get()
    # …is downloaded through node B, by the region's coordinator.
    coordinator = _signed_in(node_b, coordinator_name)
    download = coordinator.get(
        f"{node_b}/monitoring/{organisation.bin}/{period.code}/files/{attachment.pk}/", timeout=60
    )
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # Another organisation's staff, on either node, are told it is not there.
    refused = _signed_in(node_b, stranger.username).get(download.url, timeout=60)
    assert refused.status_code == 404

    # A report queued through node B is written by the worker…
    institute = _signed_in(node_b, "institute")
    token, _version = _form_token(institute, f"{node_b}/reports/")
    queued = institute.post(
        f"{node_b}/reports/",
        data={"kind": "quarterly", "period": "2026-Q3", "language": "ru", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{node_b}/reports/"},
        timeout=60,
        allow_redirects=False,
    )
    assert queued.status_code == 302, queued.text[-2000:]
    report_id = int(re.search(r"/reports/(\d+)/", queued.headers["Location"]).group(1))
    until = time.monotonic() + 240
    while True:
        state = institute.get(f"{node_b}/reports/{report_id}/", headers={"Accept": "application/json"}, timeout=30)
        status = state.json()["status"]
        if status in ("done", "failed") or time.monotonic() > until:
            break
        time.sleep(1)
    assert status == "done", state.json()
    # …and downloaded through node A by the ministry, whole.
    version = Report.objects.get(pk=report_id).latest_version
    ministry = _signed_in(node_a, "ministry")
    pdf = ministry.get(f"{node_a}/reports/{report_id}/pdf/", timeout=60)
    assert pdf.status_code == 200
    assert hashlib.sha256(pdf.content).hexdigest() == version.pdf_sha256
    xlsx = ministry.get(f"{node_a}/reports/{report_id}/xlsx/", timeout=60)
    assert hashlib.sha256(xlsx.content).hexdigest() == version.xlsx_sha256

    # Everything is in the bucket, nothing on any node's own disk.
    keys = {o["Key"] for o in cluster.client.list_objects_v2(Bucket=cluster.bucket, MaxKeys=1000).get("Contents", [])}
    assert f"portal/{attachment.file.name}" in keys
    assert f"portal/{version.pdf.name}" in keys and f"portal/{version.xlsx.name}" in keys
    assert _files_in(cluster.medias) == []
    assert len(cluster.medias) == 3  # the check above looked at all three nodes
