"""A compilation whose worker stopped is found by its old heartbeat, started again a bounded number
of times, then failed with its reason; the Institute can start it again from its page."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from pilots.roles import institute_group
from pilots.tests.factories import InstituteFactory, MinistryFactory
from reports.models import Report, ReportVersion
from reports.services import STALE_RESTARTS_MAX, Progress, report_compile, report_queue, report_recover_stale
from reports.tasks import compile_report

pytestmark = pytest.mark.django_db

HARD_LIMIT = 60


@pytest.fixture(autouse=True)
def short_hard_limit(settings):
    settings.REPORT_HARD_TIME_LIMIT = HARD_LIMIT


@pytest.fixture
def sent(broker):
    """The compilations handed to the broker (the conftest's stand-in records them and runs nothing):
    these tests are about who is sent, not the files. Compares equal to a list of (report id, attempt)."""

    class Sent:
        def calls(self) -> list[tuple]:
            return [tuple(args) for name, args in broker.sent if name == compile_report.name]

        def __eq__(self, other) -> bool:
            return self.calls() == list(other)

        def __repr__(self) -> str:
            return repr(self.calls())

    return Sent()


def _report(*, status=Report.Status.RUNNING, seconds_since_heartbeat, language="kk", **fields) -> Report:
    """A final report whose last sign of progress is that many seconds old (one per language: one active each)."""
    report = Report.objects.create(kind=Report.Kind.FINAL, language=language)
    beat = timezone.now() - datetime.timedelta(seconds=seconds_since_heartbeat)
    Report.objects.filter(pk=report.pk).update(
        status=status, progress=25, step="pdf", started_at=beat, heartbeat_at=beat, **fields
    )
    report.refresh_from_db()
    return report


def _stuck(**fields) -> Report:
    return _report(seconds_since_heartbeat=HARD_LIMIT + 30, **fields)


def _fresh(**fields) -> Report:
    return _report(seconds_since_heartbeat=HARD_LIMIT - 30, **fields)


# --- the beat's sweep ----------------------------------------------------------------------------


def test_a_running_compilation_with_a_fresh_heartbeat_is_left_alone(sent):
    fresh, stuck = _fresh(language="kk"), _stuck(language="ru")
    report_recover_stale()
    before = fresh.attempt
    fresh.refresh_from_db()
    assert (fresh.status, fresh.attempt, fresh.progress) == (Report.Status.RUNNING, before, 25)
    stuck.refresh_from_db()
    assert stuck.status == Report.Status.QUEUED  # the control: the sweep did run
    assert sent == [(stuck.pk, str(stuck.attempt))]


def test_a_stuck_compilation_is_sent_again_as_a_new_attempt(sent):
    stuck = _stuck()
    old_attempt = stuck.attempt
    assert report_recover_stale() == {"restarted": [stuck.pk], "failed": []}
    stuck.refresh_from_db()
    assert stuck.status == Report.Status.QUEUED and stuck.attempt != old_attempt
    assert (stuck.stale_restarts, stuck.progress, stuck.heartbeat_at) == (1, 0, None)
    assert "it was sent to the background worker again" in stuck.step_label
    assert sent == [(stuck.pk, str(stuck.attempt))]


def test_a_compilation_stuck_again_after_its_restarts_is_failed_with_its_reason(client, sent):
    worn_out = _stuck(language="kk", stale_restarts=STALE_RESTARTS_MAX)
    once_more = _stuck(language="ru", stale_restarts=STALE_RESTARTS_MAX - 1)
    assert report_recover_stale() == {"restarted": [once_more.pk], "failed": [worn_out.pk]}
    worn_out.refresh_from_db()
    assert worn_out.status == Report.Status.FAILED and worn_out.finished_at is not None
    assert sent == [(once_more.pk, str(Report.objects.get(pk=once_more.pk).attempt))]
    client.force_login(InstituteFactory())
    page = client.get(reverse("report_detail", args=[worn_out.pk])).content.decode()
    assert "The compilation failed:" in page
    assert f"each time it was started (attempts: {STALE_RESTARTS_MAX + 1})" in page


def test_done_and_failed_reports_are_left_alone_however_old(sent):
    done = _stuck(language="kk", status=Report.Status.DONE)
    failed = _stuck(language="ru", status=Report.Status.FAILED, error="ValueError: broken")
    stuck = Report.objects.create(kind=Report.Kind.QUARTERLY, language="kk")
    Report.objects.filter(pk=stuck.pk).update(status=Report.Status.RUNNING, heartbeat_at=done.heartbeat_at)
    assert report_recover_stale() == {"restarted": [stuck.pk], "failed": []}
    for report, status, error in ((done, Report.Status.DONE, ""), (failed, Report.Status.FAILED, "ValueError: broken")):
        attempt = report.attempt
        report.refresh_from_db()
        assert (report.status, report.attempt, report.error) == (status, attempt, error)


def test_the_old_task_of_a_restarted_compilation_does_nothing(institute, sent):
    report, _created = report_queue(user=institute, kind=Report.Kind.FINAL, language="kk")
    old_attempt = str(report.attempt)
    long_ago = timezone.now() - datetime.timedelta(seconds=HARD_LIMIT + 1)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, progress=25, heartbeat_at=long_ago)
    report_recover_stale()
    report.refresh_from_db()
    new_attempt = str(report.attempt)
    assert sent == [(report.pk, old_attempt), (report.pk, new_attempt)]

    # Redis hands the dead worker's message out again: the report is not touched.
    assert report_compile(report_id=report.pk, attempt=old_attempt) is None
    report.refresh_from_db()
    assert (report.status, str(report.attempt), report.versions.count()) == (Report.Status.QUEUED, new_attempt, 0)

    version = report_compile(report_id=report.pk, attempt=new_attempt)
    assert str(version.attempt) == new_attempt
    assert report_compile(report_id=report.pk, attempt=old_attempt) is None  # also once the new one is done
    report.refresh_from_db()
    assert (report.status, report.versions.count()) == (Report.Status.DONE, 1)


def test_a_compilation_that_loses_its_worker_every_time_fails_instead_of_looping(monkeypatch):
    """Redis hands a task out again after its worker died (or the worker rejects it on losing its
    child): each such return of a running attempt counts as a restart, bounded like the beat's."""

    def snapshot_reached(report):
        raise RuntimeError("the compilation began")

    monkeypatch.setattr("reports.snapshot.take_snapshot", snapshot_reached)
    worn_out = _fresh(language="kk", stale_restarts=STALE_RESTARTS_MAX)
    assert report_compile(report_id=worn_out.pk, attempt=str(worn_out.attempt), redelivered=True) is None
    worn_out.refresh_from_db()
    assert (worn_out.status, worn_out.error) == (Report.Status.FAILED, Report.STOPPED)
    assert f"(attempts: {STALE_RESTARTS_MAX + 1})" in worn_out.error_label

    once_more = _fresh(language="ru", stale_restarts=STALE_RESTARTS_MAX - 1)  # the control: it starts again
    report_compile(report_id=once_more.pk, attempt=str(once_more.attempt), redelivered=True)
    once_more.refresh_from_db()
    assert once_more.error == "RuntimeError: the compilation began"
    assert once_more.stale_restarts == STALE_RESTARTS_MAX


# Committed rows: on PostgreSQL, Progress writes through a connection of its own, which sees no
# uncommitted row of the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_progress_of_an_attempt_given_up_on_moves_neither_the_bar_nor_the_heartbeat(sent):
    report = _stuck()
    zombie = Progress(report)  # the compilation that was thought dead, still writing
    report_recover_stale()
    zombie(70, "xlsx")
    report.refresh_from_db()
    assert (report.progress, report.step, report.heartbeat_at) == (0, "restarted", None)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING)
    current = Progress(report)
    current(70, "xlsx")
    report.refresh_from_db()
    assert (report.progress, report.step) == (70, "xlsx")
    assert timezone.now() - report.heartbeat_at < datetime.timedelta(seconds=5)


# --- the report's page ---------------------------------------------------------------------------


def test_the_ministry_sees_a_stuck_report_but_may_not_start_it_again(client, sent):
    stuck = _stuck()
    client.force_login(MinistryFactory())
    page = client.get(reverse("report_detail", args=[stuck.pk])).content.decode()
    assert "No progress since" in page
    assert "Start the compilation again" not in page
    assert client.post(reverse("report_requeue", args=[stuck.pk])).status_code == 403
    attempt = stuck.attempt
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempt, sent) == (Report.Status.RUNNING, attempt, [])
    client.force_login(InstituteFactory())  # the control: the same page offers the Institute the button
    assert "Start the compilation again" in client.get(reverse("report_detail", args=[stuck.pk])).content.decode()


def test_the_institute_sees_no_restart_button_while_a_compilation_moves(client, sent):
    fresh = _fresh()
    client.force_login(InstituteFactory())
    page = client.get(reverse("report_detail", args=[fresh.pk])).content.decode()
    assert "Start the compilation again" not in page and "No progress since" not in page
    client.post(reverse("report_requeue", args=[fresh.pk]))
    attempt = fresh.attempt
    fresh.refresh_from_db()
    assert (fresh.status, fresh.attempt, sent) == (Report.Status.RUNNING, attempt, [])


def test_the_institute_starts_a_stuck_report_again_from_its_page(client, sent):
    stuck = _stuck(stale_restarts=1)
    institute = InstituteFactory()
    client.force_login(institute)
    response = client.post(reverse("report_requeue", args=[stuck.pk]), follow=True)
    page = response.content.decode()
    assert "The compilation stopped without finishing; it was sent to the background worker again." in page
    old_attempt = stuck.attempt
    stuck.refresh_from_db()
    assert stuck.status == Report.Status.QUEUED and stuck.attempt != old_attempt
    assert (stuck.requested_by, stuck.stale_restarts) == (institute, 0)  # a person asked: the beat's count restarts
    assert sent == [(stuck.pk, str(stuck.attempt))]


def test_the_progress_bar_learns_that_a_compilation_has_stopped(client, sent):
    fresh, stuck = _fresh(language="kk"), _stuck(language="ru")
    client.force_login(InstituteFactory())
    status = {
        r.pk: client.get(reverse("report_detail", args=[r.pk]), headers={"accept": "application/json"}).json()
        for r in (fresh, stuck)
    }
    assert (status[fresh.pk]["stale"], status[stuck.pk]["stale"]) == (False, True)


# --- asking for the same report again ------------------------------------------------------------


def test_asking_for_a_report_that_compiles_leads_to_it(client, sent):
    fresh = _fresh()
    client.force_login(InstituteFactory())
    response = client.post(reverse("report_list"), {"kind": "final", "language": "kk"}, follow=True)
    assert "This report is already being compiled; here it is." in response.content.decode()
    attempt = fresh.attempt
    fresh.refresh_from_db()
    assert (fresh.status, fresh.attempt, sent) == (Report.Status.RUNNING, attempt, [])


def test_asking_for_a_stuck_report_starts_it_again(client, sent):
    stuck = _stuck()
    client.force_login(InstituteFactory())
    response = client.post(reverse("report_list"), {"kind": "final", "language": "kk"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("report_detail", args=[stuck.pk])
    assert "already being compiled" not in page
    assert "it was sent to the background worker again" in page
    old_attempt = stuck.attempt
    stuck.refresh_from_db()
    assert stuck.status == Report.Status.QUEUED and stuck.attempt != old_attempt
    assert sent == [(stuck.pk, str(stuck.attempt))]


# --- the admin -----------------------------------------------------------------------------------


def _version(report: Report) -> ReportVersion:
    return ReportVersion.objects.create(
        report=report,
        number=1,
        attempt=report.attempt,
        snapshot_at=timezone.now(),
        pdf=f"reports/{report.pk}/v1/final-report-2026-kk.pdf",
        pdf_sha256="a" * 64,
        pdf_size=1000,
        xlsx=f"reports/{report.pk}/v1/final-report-2026-kk.xlsx",
        xlsx_sha256="b" * 64,
        xlsx_size=1000,
    )


def test_the_ministry_cannot_open_reports_in_the_admin(client):
    report = _stuck()
    client.force_login(MinistryFactory())
    assert client.get(reverse("admin:reports_report_change", args=[report.pk])).status_code == 302
    analyst = InstituteFactory(is_staff=True)
    analyst.groups.add(institute_group())
    client.force_login(analyst)  # the control
    assert client.get(reverse("admin:reports_report_change", args=[report.pk])).status_code == 200


def test_the_institute_reads_a_report_and_its_versions_in_the_admin_but_changes_nothing(client):
    report = _stuck(stale_restarts=1)
    _version(report)
    analyst = InstituteFactory(is_staff=True)
    analyst.groups.add(institute_group())
    client.force_login(analyst)
    assert client.post(reverse("admin:reports_report_change", args=[report.pk]), {"status": "done"}).status_code == 403
    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert "a" * 64 in page and "b" * 64 in page
    assert reverse("report_version_pdf", args=[report.pk, 1]) in page
    assert "last sign of progress" in page.lower() and "restarted after its worker stopped" in page.lower()
    listing = client.get(reverse("admin:reports_report_changelist")).content.decode()
    assert reverse("admin:reports_report_change", args=[report.pk]) in listing


# --- the broker ----------------------------------------------------------------------------------


def test_redis_hands_out_a_compilation_again_only_after_it_could_have_ended():
    # A live compilation holds its message while it waits out a retry, then for up to its hard limit.
    longest_hold = compile_report.retry_backoff_max + compile_report.time_limit
    assert django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest_hold
