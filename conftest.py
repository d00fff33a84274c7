"""Shared fixtures: fast isolated settings for every test, and Debian's Chromium for the browser tests."""

import contextlib
import io
import json
import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# Gitignored; screenshots for people to look at after a run.
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"


# Under pytest-xdist (`make test`), tests that share something outside their own database run in one
# worker process: the real Celery workers and the broker-down test purge and use one Redis, and the
# crawl loads its demo once for its module.
XDIST_GROUPS = {
    "outbox/tests/test_broker_down.py": "redis",
    "outbox/tests/test_in_process.py": "redis",
    "reports/tests/test_worker.py": "redis",
    "pilot_portal/tests/test_two_nodes.py": "redis",
    "pilot_portal/tests/test_crawl.py": "crawl",
}


def _groups_by_module() -> dict[str, str]:
    """Test module → its group: the modules listed above, every module of real Celery workers with them
    ("redis"), and each browser module on its own (one Chromium per module, as its fixture is scoped)."""
    root = Path(__file__).resolve().parent
    groups = dict(XDIST_GROUPS)
    for path in sorted(root.glob("*/tests/test_*.py")):
        where = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        if where not in groups and "pytest.mark.worker" in text:
            groups[where] = "redis"
        elif where not in groups and "pytest.mark.browser" in text:
            groups[where] = f"browser:{where}"
    return groups


@pytest.hookimpl(optionalhook=True)  # pytest -p no:xdist runs without the hook
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's own `loadgroup` forms no group under pytest 9: it marks a group by appending it to
    `item._nodeid`, which pytest 9 no longer reads (a node's id is `_id`), so every grouped test was handed
    out alone: the crawl built its demo once per process, and the Redis tests ran beside each other. This
    scheduler groups by module instead, from the same table."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    groups = _groups_by_module()

    class ModuleGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return groups.get(nodeid.split("::", 1)[0], nodeid)

    return ModuleGroupScheduling(config, log)


def pytest_itemcollected(item):
    """Each test's group as a marker too, which pytest_collection_modifyitems sorts by."""
    root = Path(__file__).resolve().parent
    path = Path(item.fspath).resolve()
    where = path.relative_to(root).as_posix() if path.is_relative_to(root) else ""
    group = XDIST_GROUPS.get(where) or ("redis" if item.get_closest_marker("worker") else None)
    if group is None and item.get_closest_marker("browser"):
        group = f"browser:{where}"  # one Chromium per module, as its fixture is scoped
    if group and item.config.pluginmanager.hasplugin("xdist"):  # pytest -p no:xdist knows no such marker
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_collection_modifyitems(config, items):
    # The grouped tests first: each group runs whole in one process, and the longest (the crawl, the
    # browser modules) started last would leave the other process idle at the end of the run. Stable,
    # so the order within each module stays as written.
    items.sort(key=lambda item: not any(marker.name == "xdist_group" for marker in item.iter_markers()))


AXE_REPORT = ARTIFACTS / "axe"


def pytest_sessionstart(session):
    # The controller (not an xdist worker) clears the accessibility table of an earlier run.
    if not hasattr(session.config, "workerinput") and AXE_REPORT.exists():
        for old in AXE_REPORT.glob("*.tsv"):
            old.unlink()


def pytest_terminal_summary(terminalreporter):
    """The pages axe-core checked (pilot_portal/tests/test_accessibility.py) and what it found on each."""
    lines = sorted(line for part in AXE_REPORT.glob("*.tsv") for line in part.read_text(encoding="utf-8").splitlines())
    if not lines:
        return
    terminalreporter.section("accessibility: pages checked by axe-core (WCAG 2.1 A/AA)")
    terminalreporter.write_line(f"{'who · language':<28} {'violations':>10}  page  (rules)")
    for line in lines:
        who, path, count, rules = line.split("\t")
        terminalreporter.write_line(f"{who:<28} {count:>10}  {path}" + (f"  ({rules})" if rules != "—" else ""))
    failing = sum(1 for line in lines if line.split("\t")[2] != "0")
    terminalreporter.write_line(f"{len(lines)} page views checked, {failing} with violations")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so `page` can tell whether its test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module; skipped without Chromium, except in CI where that is a failure."""
    if not CHROMIUM.exists():
        from pilot_portal.tests.processes import cannot_run

        cannot_run(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while it is started, and
    # Django refuses ORM calls from a thread with a running loop; the tests' ORM calls are synchronous.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def page(browser, live_server, transactional_db, request):
    """A fresh browser context (no cookies) on the live server; a screenshot is kept if the test fails."""
    # Production's Secure cookies work over the live server's plain HTTP: Chromium trusts http://localhost.
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    # Chromium reports each thing the Content-Security-Policy refused in the console.
    refused = []
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"FAILED-{request.node.name}.png", full_page=True)
    context.close()
    assert refused == [], "the page did something its Content-Security-Policy refuses"


@pytest.fixture
def screenshot(request):
    """Saves the page to test-artifacts/<test name>.png for a person to look at."""

    def take(page, suffix: str = "") -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}{suffix}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def sign_in():
    """Fills the login form at /accounts/login/ and submits it, as a person would."""

    def submit(page, username: str, password: str) -> None:
        page.goto("/accounts/login/")
        form = page.locator("form").filter(has=page.locator('input[name="password"]'))
        form.locator('input[name="username"]').fill(username)
        form.locator('input[name="password"]').fill(password)
        with page.expect_navigation():
            form.locator('[type="submit"]').click()

    return submit


@pytest.fixture
def sign_in_by_session(live_server):
    """Signs a browser context in as `username` with the session cookie the sign-in form would have set: for
    tests about the pages behind it (the form itself is driven by `sign_in`, pilots/tests/test_sign_in.py),
    which then skip the sign-in page, its POST and the landing page."""
    from django.conf import settings
    from django.test import Client

    from pilots.models import User

    def sign(context, username: str) -> None:
        client = Client()
        client.force_login(User.objects.get(username=username))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])

    return sign


@pytest.fixture(autouse=True)
def _tasks_run_in_process(monkeypatch, settings):
    """Tasks run in the test's own process even when REDIS_URL names a broker (as in CI), and inline,
    before the call that queued them returns; the tests that are about the worker start a real one,
    and those about the background thread turn it on, and say so."""
    from pilot_portal.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)
    settings.TASKS_IN_BACKGROUND = False


@pytest.fixture(autouse=True)
def _on_commit_as_in_production(monkeypatch, request):
    """on_commit callbacks run when the code's own outermost transaction commits, as in production.

    A test that uses the database runs inside a transaction of its own that is never committed, so
    without this, mail and tasks handed over after commit would never go out in a test. A test marked
    `on_commit_held` keeps Django's own behaviour (callbacks wait for the test's transaction) and runs
    them with `django_capture_on_commit_callbacks`."""
    if request.node.get_closest_marker("on_commit_held"):
        return
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.transaction import Atomic

    def only_the_tests_own(connection) -> bool:
        return connection.in_atomic_block and all(block._from_testcase for block in connection.atomic_blocks)

    def run(func, robust):
        if not robust:
            func()
            return
        try:
            func()
        except Exception:
            import logging

            logging.getLogger("django.db.backends.base").exception("Error calling %s in on_commit()", func)

    on_commit, exit_atomic = BaseDatabaseWrapper.on_commit, Atomic.__exit__

    def on_commit_now_if_outside_the_codes_transactions(self, func, robust=False):
        if only_the_tests_own(self):
            run(func, robust)
        else:
            on_commit(self, func, robust)

    def exit_and_run_callbacks_of_the_outermost(self, exc_type, exc_value, traceback):
        outcome = exit_atomic(self, exc_type, exc_value, traceback)
        connection = connections[self.using or DEFAULT_DB_ALIAS]
        if exc_type is None and not self._from_testcase and only_the_tests_own(connection):
            pending, connection.run_on_commit = connection.run_on_commit, []
            for _savepoints, func, robust in pending:
                run(func, robust)
        return outcome

    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", on_commit_now_if_outside_the_codes_transactions)
    monkeypatch.setattr(Atomic, "__exit__", exit_and_run_callbacks_of_the_outermost)


@pytest.fixture(scope="session")
def _signing_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("signing")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path, _signing_folder):
    """Cheap password hashing, files in a temporary folder, English unless a test says otherwise.

    No test signs with a key from the environment; the demonstration key that load_demo makes is
    made once per run, outside the work tree."""
    settings.REPORT_SIGNING_P12 = ""
    settings.REPORT_SIGNING_PASSWORD = ""
    settings.REPORT_DEMO_SIGNING_P12 = _signing_folder / "demo-signing.p12"
    settings.REPORT_SIGNING_ALLOW_DEMO = True  # tests run with DEBUG off, as production does
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REPORT_WORK_DIR = tmp_path / "report-work"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def demo_rows(django_db_setup, django_db_blocker, _signing_folder, tmp_path_factory):
    """The rows and files `load_demo` makes, made once per test process and kept in copies of the tables;
    the database is put back as it was. Tests ask for `demo`, which puts them back."""
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings
    from django.utils import translation

    from pilot_portal.celery import app
    from pilot_portal.tests import snapshot

    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=media,
            LANGUAGE_CODE="en",
            TASKS_IN_BACKGROUND=False,
            REPORT_SIGNING_P12="",
            REPORT_SIGNING_PASSWORD="",
            REPORT_DEMO_SIGNING_P12=_signing_folder / "demo-signing.p12",
            REPORT_SIGNING_ALLOW_DEMO=True,
        ),
        translation.override("en"),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setitem(app.conf, "task_always_eager", True)
        patch.setitem(app.conf, "task_eager_propagates", True)
        before = snapshot.dump()
        try:
            call_command("load_demo", "--force", stdout=io.StringIO())
            tables = snapshot.keep("demo")
        finally:
            with transaction.atomic():
                snapshot.restore(before)
    return {"name": "demo", "tables": tables, "media": media}


@pytest.fixture
def demo(db, demo_rows, settings):
    """The whole demo (100 organisations, a year of monitoring) in this test's database and MEDIA_ROOT,
    as `load_demo --force` leaves them; users read English unless a test says otherwise."""
    from django.contrib.contenttypes.models import ContentType

    from pilot_portal.tests import snapshot
    from pilots.models import User

    snapshot.put_back(demo_rows["name"], demo_rows["tables"])
    User.objects.update(language="en")
    snapshot.copy_files(demo_rows["media"], settings.MEDIA_ROOT)
    yield
    # The restored content types (the snapshot's ids) go with the test's transaction; so does their cache.
    ContentType.objects.clear_cache()


# A report's PDF layout, by the HTML it was laid out from (see _share_layouts).
_LAYOUTS: dict[str, tuple[bytes, int]] = {}
# The one line of a report's HTML that changes from one compilation to the next of the same data.
_COMPILED_AT = re.compile(r'<div class="snapshot-ref">.*?</div>', re.S)


@pytest.fixture(scope="session")
def _layouts_folder(tmp_path_factory):
    """Where the test processes of one run keep the layouts they made: under pytest-xdist, each worker's
    temporary folder lies in the run's own, which the workers share (and no later run reads)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # a worker's own folder lies in the run's
        base = base.parent
    folder = base / "report-layouts"
    folder.mkdir(exist_ok=True)
    return folder


def _shared_file(folder: Path, key: str, suffix: str, make) -> bytes:
    """The file of `key` that another test process of this run made, or `make()`'s, kept for them.

    The workers of `make test` often reach the same scope of the demo at about the same time; the one that
    comes second waits for the first's file (a lock per key) rather than making it as well."""
    import fcntl
    import hashlib

    path = folder / f"{hashlib.sha256(key.encode()).hexdigest()}{suffix}"
    with open(f"{path}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            data = make()
            partial = path.with_name(f"{path.name}.partial")
            partial.write_bytes(data)
            partial.replace(path)  # whole or absent, should the process be stopped while writing
            return data
    return path.read_bytes()


def _shared_layout(folder: Path, key: str, lay_out) -> tuple[bytes, int]:
    """The PDF of `key` and its number of pages, as _shared_file keeps them: the count on the first line."""

    def make() -> bytes:
        data, count = lay_out()
        return f"{count}\n".encode() + data

    count, _newline, data = _shared_file(folder, key, ".layout", make).partition(b"\n")
    return data, int(count)


def _share_layouts(monkeypatch, _layouts_folder) -> None:
    """WeasyPrint lays out a report once per test run for each distinct HTML: a report compiled again
    from the same data (most report tests compile one of a few scopes of the demo) gets the PDF of the
    first compilation, whose "Compiled …; data as of …" line names that compilation's minute. The test
    processes of a run (pytest-xdist's workers) share their layouts through files. Everything before the
    layout (snapshot, HTML) and after it (storing, signing, XLSX) runs as usual."""
    from weasyprint import HTML

    class Layout:
        def __init__(self, string: str, base_url: str, key: str):
            self.string, self.base_url, self.key, self.pages = string, base_url, key, []

        def lay_out(self) -> tuple[bytes, int]:
            document = HTML(string=self.string, base_url=self.base_url).render()
            return document.write_pdf(), len(document.pages)

        def write_pdf(self, target):
            if self.key not in _LAYOUTS:
                _LAYOUTS[self.key] = _shared_layout(_layouts_folder, self.key, self.lay_out)
            Path(target).write_bytes(_LAYOUTS[self.key][0])
            self.pages = [None] * _LAYOUTS[self.key][1]

    class SharedHTML:
        # The HTML is parsed only when it is laid out: a report taken from the cache needs no parse.
        def __init__(self, *, string: str, base_url: str):
            self.string, self.base_url, self.key = string, base_url, _COMPILED_AT.sub("", string)

        def render(self) -> Layout:
            return Layout(self.string, self.base_url, self.key)

    monkeypatch.setattr("reports.pdf.HTML", SharedHTML)


def _share_docx(monkeypatch, _layouts_folder) -> None:
    """A report's DOCX written once per test run for each distinct HTML and charts it is written from, as its
    PDF is laid out once: the DOCX is the HTML walked into Word's paragraphs, tables and drawn charts, about
    a quarter of a second each time."""
    from reports import docx

    if getattr(docx._Writer, "shared", False):  # shared already, by a test's fixture around a wider one's
        return
    parse, writer = docx._parse, docx._Writer

    def parse_keeping_the_html(html: str):
        root = parse(html)
        root.html = html
        return root

    class SharedWriter(writer):
        shared = True

        def write(self, root, target):
            charts = json.dumps(self.charts, default=lambda o: getattr(o, "__dict__", None) or str(o), sort_keys=True)
            key = _COMPILED_AT.sub("", root.html) + charts

            def make() -> bytes:
                super(SharedWriter, self).write(root, target)
                return Path(target).read_bytes()

            data = _shared_file(_layouts_folder, key, ".docx", make)
            if not Path(target).exists():
                Path(target).write_bytes(data)

    monkeypatch.setattr(docx, "_parse", parse_keeping_the_html)
    monkeypatch.setattr(docx, "_Writer", SharedWriter)


# The DOCX's chart images, by what each was drawn from (see _share_chart_pngs).
_CHART_PNGS: dict[str, bytes] = {}


def _share_chart_pngs(monkeypatch) -> None:
    """A DOCX chart drawn once per test process for each distinct chart: Pillow's optimised PNG costs
    a report's DOCX a good part of its compilation, and the report tests compile a few scopes of the
    demo many times. The image is the one the same options drew before (bar_chart_png is a function of
    its options alone)."""
    from reports import png

    draw = png.bar_chart_png

    def bar_chart_png(**options) -> bytes:
        # Translated labels are read in the active language, as the drawing reads them.
        key = json.dumps(options, default=str, sort_keys=True)
        if key not in _CHART_PNGS:
            _CHART_PNGS[key] = draw(**options)
        return _CHART_PNGS[key]

    monkeypatch.setattr(png, "bar_chart_png", bar_chart_png)


def _share_report_files(monkeypatch, folder: Path) -> None:
    _share_layouts(monkeypatch, folder)
    _share_docx(monkeypatch, folder)
    _share_chart_pngs(monkeypatch)


@pytest.fixture(autouse=True)
def _report_files_shared(monkeypatch, request, _layouts_folder):
    """Each test's reports take their PDF's layout, their DOCX and its charts from an earlier compilation of
    the same HTML in this run, where there is one; a test marked `uncached_layout` makes every file itself."""
    if not request.node.get_closest_marker("uncached_layout"):
        _share_report_files(monkeypatch, _layouts_folder)


@pytest.fixture(scope="session")
def report_files_shared(_layouts_folder):
    """The same for a fixture wider than one test (`with report_files_shared():`)."""

    @contextlib.contextmanager
    def sharing():
        with pytest.MonkeyPatch.context() as patch:
            _share_report_files(patch, _layouts_folder)
            yield

    return sharing


@pytest.fixture
def broker(monkeypatch):
    """A stand-in for Redis that the test switches off and on: a task handed to it while it is up is
    recorded (name and arguments) and not run; while it is down it refuses as Kombu does."""
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    from pilot_portal.celery import app

    class Broker:
        up = True
        sent: list = []

    def apply_async(task, args=None, kwargs=None, **options):
        if not Broker.up:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        Broker.sent.append((task.name, list(args or [])))

    Broker.sent = []
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(Task, "apply_async", apply_async)
    return Broker


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-compatible server on loopback (moto's standalone server, in a thread of this process)."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def object_storage(s3_server, settings, monkeypatch):
    """Every file the portal stores goes to a bucket of this test's own, as with MEDIA_STORAGE_URL set;
    returns the bucket (`.object_keys()` lists what is in it, `.read(key)` reads one object)."""
    import uuid

    import boto3

    from pilot_portal.storage_config import default_storage_config

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "portal-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "portal-test-secret")
    name = f"portal-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=name)

    class Bucket:
        url = f"s3://{name}/media?endpoint={s3_server}&region=us-east-1"

        @staticmethod
        def object_keys() -> list[str]:
            return sorted(o["Key"] for o in client.list_objects_v2(Bucket=name).get("Contents", []))

        @staticmethod
        def read(key: str) -> bytes:
            return client.get_object(Bucket=name, Key=key)["Body"].read()

        @staticmethod
        def delete(key: str) -> None:
            client.delete_object(Bucket=name, Key=key)

    Bucket.name, Bucket.client, Bucket.endpoint = name, client, s3_server
    settings.MEDIA_STORAGE_URL = Bucket.url
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_config(Bucket.url)}
    return Bucket


@pytest.fixture
def unreachable_storage(settings, monkeypatch):
    """Object storage configured, but nothing answers at its address (a closed port on loopback)."""
    from pilot_portal.storage_config import default_storage_config

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "portal-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "portal-test-secret")
    url = f"s3://nowhere/media?endpoint=http://127.0.0.1:{_free_port()}&region=us-east-1"
    settings.MEDIA_STORAGE_URL = url
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_config(url)}
