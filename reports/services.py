"""Writes of reports: queueing a compilation, compiling it, the Institute's texts. Approving and
sending are in approvals.py."""

import hashlib
import logging
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from monitoring.models import Period
from outbox.models import Message
from outbox.services import message_deliver, task_enqueue
from pilot_portal.stored_files import STORAGE_ERRORS
from pilots import policy
from pilots.models import Region, User

from .models import Narrative, Report, ReportVersion
from .selectors import report_can_queue, summary_can_write

log = logging.getLogger(__name__)


class StorageRefused(Exception):
    """The file store did not take a compiled file: the compilation fails with a reason, to be queued again."""


class BrokerUnavailable(Exception):
    """The report is recorded, but no broker took it yet; the outbox sends it as soon as one does."""


def report_queue(
    *,
    user: User | None,
    kind: str,
    language: str,
    period: Period | None = None,
    region: Region | None = None,
    source: str = Report.Source.PAGE,
) -> tuple[Report, bool]:
    """Ask for a compilation. A second ask for the same report while one is queued or running returns
    that one instead (two clicks, one task); if no worker was reachable when it was queued, the second
    ask sends it again; if its worker stopped mid-way, the second ask starts it again. Returns
    (report, created): created is true when a compilation starts, new or started again."""
    if user is not None and not report_can_queue(user=user, kind=kind, region=region):
        raise PermissionDenied
    _check_scope(kind=kind, period=period, region=region, language=language)
    key = Report.make_scope_key(kind, period, region, language)
    active = Report.objects.filter(scope_key=key, status__in=[Report.Status.QUEUED, Report.Status.RUNNING]).first()
    if active is not None:
        if _restart(active, among=Report.objects.stale(), step="restarted", requested_by=user, source=source):
            return active, True
        _dispatch_if_waiting(active)
        return active, False
    try:
        with transaction.atomic():
            report = Report.objects.create(
                kind=kind, period=period, region=region, language=language, requested_by=user, source=source
            )
            message = _dispatch(report)
    except IntegrityError:
        # Someone asked for the same report in the same instant: theirs is the one.
        return Report.objects.get(scope_key=key, status__in=[Report.Status.QUEUED, Report.Status.RUNNING]), False
    _raise_if_waiting(message)
    return report, True


def report_requeue(*, user: User, report: Report) -> Report:
    """Compile a report again, as a new version; the versions compiled before are kept. A report that
    waits because no worker was reachable is sent again as it is; one whose worker stopped mid-way
    (stale) is started again."""
    if not report_can_queue(user=user, kind=report.kind, region=report.region):
        raise PermissionDenied
    if _dispatch_if_waiting(report):
        return report
    _restart(
        report,
        among=Report.objects.filter(status__in=[Report.Status.DONE, Report.Status.FAILED]) | Report.objects.stale(),
        step=Case(When(status=Report.Status.RUNNING, then=Value("restarted")), default=Value("")),
        requested_by=user,
        source=Report.Source.PAGE,
    )
    return report


# Restarts of one compilation by the beat after its worker stopped; then it fails, with its reason.
STALE_RESTARTS_MAX = 2


def report_recover_stale(*, now=None) -> dict[str, list[int]]:
    """The beat's sweep: each compilation whose worker stopped (no heartbeat for longer than the hard
    time limit) is started again as a new attempt, at most STALE_RESTARTS_MAX times, then failed with
    its reason. Safe to run in several places at once: each change is a conditional update."""
    now = now or timezone.now()
    stale = Report.objects.stale(now=now)
    recovered = {"restarted": [], "failed": []}
    for report in stale.order_by("pk"):
        same = stale.filter(attempt=report.attempt)  # unless a heartbeat or someone moved it meanwhile
        if report.stale_restarts < STALE_RESTARTS_MAX:
            log.warning("Report %s stopped (last heartbeat %s); starting it again", report.pk, report.heartbeat_at)
            try:
                if _restart(report, among=same, step="restarted", stale_restarts=F("stale_restarts") + 1):
                    recovered["restarted"].append(report.pk)
            except BrokerUnavailable:
                recovered["restarted"].append(report.pk)  # queued with that reason; sent when asked again
        elif same.filter(pk=report.pk).update(
            status=Report.Status.FAILED, error=Report.STOPPED, step="", finished_at=now
        ):
            recovered["failed"].append(report.pk)
            log.error("Report %s stopped %d times; failed", report.pk, report.stale_restarts + 1)
    return recovered


def _restart(report: Report, *, among: QuerySet[Report], step, **fields) -> bool:
    """Start a new attempt of a report that is in `among`. The conditional update claims it (two
    clicks, one task); the new attempt makes any task of an earlier one a no-op, also one that Redis
    hands out again long after its worker died. The new attempt and its outbox message commit
    together, so no crash between them leaves a queued report that nothing will send."""
    with transaction.atomic():
        moved = among.filter(pk=report.pk).update(
            status=Report.Status.QUEUED,
            progress=0,
            step=step,
            error="",
            attempt=uuid.uuid4(),
            started_at=None,
            finished_at=None,
            heartbeat_at=None,
            **{"stale_restarts": 0, **fields},
        )
        if moved:
            report.refresh_from_db()
            message = _dispatch(report)
    if moved:
        _raise_if_waiting(message)
    return bool(moved)


def _check_scope(*, kind: str, period: Period | None, region: Region | None, language: str) -> None:
    errors = {}
    if language not in Report.Language.values:
        errors["language"] = ValidationError(_("Choose Kazakh or Russian."), code="language")
    if kind in (Report.Kind.QUARTERLY, Report.Kind.REGIONAL) and period is None:
        errors["period"] = ValidationError(_("Choose the quarter."), code="period_required")
    if kind == Report.Kind.REGIONAL and region is None:
        errors["region"] = ValidationError(_("Choose the region."), code="region_required")
    if kind != Report.Kind.REGIONAL and region is not None:
        errors["region"] = ValidationError(_("Only a regional report is about one region."), code="region_not_allowed")
    if kind == Report.Kind.FINAL and period is not None:
        errors["period"] = ValidationError(_("The final report covers the whole pilot."), code="period_not_allowed")
    if period is not None and period.starts_on > timezone.localdate():
        errors["period"] = ValidationError(_("This quarter has not started yet."), code="period_not_started")
    if errors:
        raise ValidationError(errors)


def _dispatch_if_waiting(report: Report) -> bool:
    """Try again now to hand over a queued report that no broker took yet (the outbox's sweep would, at
    its next turn). The outbox claims the message, so two people asking at once send one task."""
    message = Message.objects.filter(key=report.dispatch_key, delivered_at__isnull=True).first()
    if report.status != Report.Status.QUEUED or message is None:
        return False
    message_deliver(message_id=message.pk)
    _raise_if_waiting(message)
    return True


def _dispatch(report: Report) -> Message:
    """Write the hand-over of this attempt's compilation to the outbox, in the caller's transaction if
    there is one: it goes to the worker after commit, and the outbox's sweep sends it for as long as
    no broker takes it. Outside a transaction it is tried at once, and BrokerUnavailable says the
    report waits."""
    message = task_enqueue(
        task="reports.tasks.compile_report", args=[report.pk, str(report.attempt)], key=report.dispatch_key
    )
    _raise_if_waiting(message)
    return message


def _raise_if_waiting(message: Message) -> None:
    """The hand-over was tried (the change committed) and no broker took it: the report is recorded and
    waits for the sweep."""
    message.refresh_from_db()
    if message.waits:
        raise BrokerUnavailable(message.last_error)


class Progress:
    """Writes a report's progress, and its heartbeat, where other connections see it at once, even
    from inside the snapshot's long read-only transaction (PostgreSQL: through a second connection).

    Only for its own attempt: a compilation that was given up on and started again cannot move the
    new one's bar or keep it looking alive. The heartbeat is written with each step only, not on a
    clock: no step can outlast the hard time limit, at which the worker kills the whole compilation,
    so a live compilation's heartbeat is always younger than the limit the beat judges it by."""

    def __init__(self, report: Report):
        self.report_id = report.pk
        self.connection = (
            connections.create_connection(DEFAULT_DB_ALIAS) if connection.vendor == "postgresql" else connection
        )
        self.attempt = Report._meta.get_field("attempt").get_db_prep_value(report.attempt, self.connection)

    def __call__(self, percent: int, step: str) -> None:
        heartbeat = Report._meta.get_field("heartbeat_at").get_db_prep_value(timezone.now(), self.connection)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Report._meta.db_table} SET progress = %s, step = %s, heartbeat_at = %s"
                " WHERE id = %s AND attempt = %s",
                [percent, step[:200], heartbeat, self.report_id, self.attempt],
            )

    def close(self) -> None:
        if self.connection is not connection:
            self.connection.close()


def report_compile(*, report_id: int, attempt: str, redelivered: bool = False) -> ReportVersion | None:
    """Compile one attempt of a report: snapshot, PDF, XLSX, DOCX, values (CSV), then a new version with the files.

    Safe to run twice for one attempt (a redelivered task): the version is written once. A
    transient database error is raised for the task to retry; anything else fails the report
    with its reason. A task the broker hands out again (redelivered) while its attempt is still
    running lost its worker mid-way: that counts as a restart, bounded like the beat's, so a
    compilation that takes its worker down every time (memory) fails instead of looping."""
    from .docx import write_docx
    from .pdf import render_pdf
    from .snapshot import one_moment, take_snapshot, unwritten_texts
    from .values_csv import write_values_csv
    from .xlsx import write_xlsx

    report = Report.objects.select_related("period", "region", "requested_by").get(pk=report_id)
    if str(report.attempt) != attempt:
        return None  # superseded by a later re-queue
    existing = report.versions.filter(attempt=attempt).first()
    if existing is not None:
        _finish(report, existing)
        return existing
    restarts = F("stale_restarts")
    if redelivered and report.status == Report.Status.RUNNING:
        if report.stale_restarts >= STALE_RESTARTS_MAX:
            log.error("Report %s lost its worker %d times; failed", report.pk, report.stale_restarts + 1)
            report_fail(report_id=report.pk, reason=Report.STOPPED, attempt=attempt)
            return None
        restarts = F("stale_restarts") + 1
    # Claimed for this attempt only; a superseded attempt's task that arrives late finds nothing to claim.
    now = timezone.now()
    claimed = Report.objects.filter(pk=report.pk, attempt=attempt).update(
        status=Report.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        progress=1,
        step="reading",
        error="",
        stale_restarts=restarts,
    )
    if not claimed:
        return None
    progress = Progress(report)
    _remove_abandoned_workdirs(report)
    workdir = Path(tempfile.mkdtemp(prefix=f"report-{report.pk}-", dir=_temp_root()))
    started = time.monotonic()
    try:
        # Names read at snapshot time (regions, indicators, statuses) must be in the report's language.
        with one_moment(), translation.override(report.language):
            snapshot = take_snapshot(report)
            progress(25, "pdf")
            pages = render_pdf(snapshot, workdir / "report.pdf")
            progress(60, "xlsx")
            write_xlsx(
                snapshot,
                workdir / "report.xlsx",
                progress=lambda share: progress(60 + int(15 * share), "xlsx"),
            )
            progress(75, "docx")
            write_docx(snapshot, workdir / "report.docx")
            progress(87, "values")
            rows = write_values_csv(snapshot, workdir / "values.zip", member=f"{report.file_stem()}-values.csv")
        progress(96, "storing")
        version = _store(
            report,
            attempt,
            snapshot.taken_at,
            workdir,
            pages,
            rows,
            time.monotonic() - started,
            unwritten=unwritten_texts(snapshot),
        )
        if version is None:
            return None  # started again meanwhile as a new attempt: that one writes the version
    except Exception as error:
        from django.db import InterfaceError, OperationalError

        if isinstance(error, OperationalError | InterfaceError):
            raise  # transient: the task retries with backoff
        log.exception("Report %s failed", report.pk)
        report_fail(report_id=report.pk, reason=_describe(error), attempt=attempt)
        return None
    finally:
        progress.close()
        shutil.rmtree(workdir, ignore_errors=True)
    _finish(report, version)
    return version


def _temp_root() -> str:
    # The worker's own disk: the files are stored (and shared) only once whole (_upload).
    root = Path(settings.REPORT_WORK_DIR)
    root.mkdir(parents=True, exist_ok=True)
    return str(root)


def _remove_abandoned_workdirs(report: Report) -> None:
    """Half-written files of a worker killed mid-task; older than the task's hard limit, nobody writes there."""
    from .tasks import compile_report

    cutoff = time.time() - compile_report.time_limit
    for path in Path(_temp_root()).glob(f"report-{report.pk}-*"):
        if path.is_dir() and path.stat().st_mtime < cutoff:
            shutil.rmtree(path, ignore_errors=True)


def _describe(error: Exception) -> str:
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(error, SoftTimeLimitExceeded):
        return Report.TIME_LIMIT
    if isinstance(error, StorageRefused):
        return Report.STORAGE
    return f"{type(error).__name__}: {error}"[:2000]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _upload(report: Report, workdir: Path) -> dict[str, tuple[str, str, int]]:
    """Put the compiled files into the storage, each under a name that holds its SHA-256; returns
    extension → (stored name, SHA-256, size). Nothing points at them yet: only the version row that
    _store writes afterwards does, so a half-written object is never offered. A retry of the same files
    finds them stored whole already and uploads nothing again."""
    stem = report.file_stem()
    stored = {}
    for ext, source, filename in (
        ("pdf", workdir / "report.pdf", f"{stem}.pdf"),
        ("xlsx", workdir / "report.xlsx", f"{stem}.xlsx"),
        ("docx", workdir / "report.docx", f"{stem}.docx"),
        ("values", workdir / "values.zip", f"{stem}-values.zip"),
    ):
        sha, size = _sha256(source), source.stat().st_size
        name = f"reports/{report.pk}/{sha}/{filename}"
        if default_storage.exists(name) and default_storage.size(name) != size:
            default_storage.delete(name)  # cut short by a crash on a disk that writes in place
        if not default_storage.exists(name):
            with source.open("rb") as handle:
                name = default_storage.save(name, File(handle, name=filename))
        stored[ext] = (name, sha, size)
    return stored


def _store(
    report: Report,
    attempt: str,
    snapshot_at,
    workdir: Path,
    pages: int,
    rows: int,
    seconds: float,
    *,
    unwritten: list[str],
) -> ReportVersion | None:
    """Store the files, then record the version: a download can only ever find whole files.
    None when the attempt was superseded while it compiled."""
    try:
        files = _upload(report, workdir)
    except STORAGE_ERRORS as error:
        log.error("Report %s: the file store refused its files: %s", report.pk, error)
        raise StorageRefused from error
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        existing = locked.versions.filter(attempt=attempt).first()
        if existing is not None:
            return existing
        if str(locked.attempt) != attempt:
            transaction.on_commit(lambda: _discard_unreferenced(files))
            return None
        number = (locked.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        fields = {}
        for ext, prefix in (("pdf", "pdf"), ("xlsx", "xlsx"), ("docx", "docx"), ("values", "values_csv")):
            name, sha, size = files[ext]
            fields.update({prefix: name, f"{prefix}_sha256": sha, f"{prefix}_size": size})
        return ReportVersion.objects.create(
            report=locked,
            number=number,
            attempt=attempt,
            snapshot_at=snapshot_at,
            pdf_pages=pages,
            values_csv_rows=rows,
            seconds=round(seconds, 2),
            unwritten=unwritten,
            **fields,
        )


def _discard_unreferenced(files: dict[str, tuple[str, str, int]]) -> None:
    """The files of a superseded attempt, unless a version holds the same bytes (the name is the checksum)."""
    for name, _sha, _size in files.values():
        referenced = ReportVersion.objects.filter(
            Q(pdf=name) | Q(xlsx=name) | Q(docx=name) | Q(values_csv=name)
        ).exists()
        if not referenced:
            try:
                default_storage.delete(name)
            except STORAGE_ERRORS:
                log.warning("Could not remove %s of a superseded attempt", name)


def _finish(report: Report, version: ReportVersion) -> None:
    Report.objects.filter(pk=report.pk, attempt=version.attempt).update(
        status=Report.Status.DONE, progress=100, step="", finished_at=timezone.now()
    )


def report_fail(*, report_id: int, reason: str, attempt: str | None = None) -> None:
    """Leave the report failed with its reason; never running forever. Given an attempt, only while
    that attempt is the report's: a failure of one given up on must not fail the one started since."""
    reports = Report.objects.filter(pk=report_id).exclude(status=Report.Status.DONE)
    if attempt is not None:
        reports = reports.filter(attempt=attempt)
    reports.update(status=Report.Status.FAILED, error=reason, finished_at=timezone.now(), step="")


def narrative_save(*, user: User, section: str, language: str, text: str) -> Narrative:
    if not policy.can_write_final_narrative(user):
        raise PermissionDenied
    narrative, _created = Narrative.objects.get_or_create(section=section, language=language)
    narrative.text = text
    narrative.updated_by = user
    narrative.save()
    return narrative


@transaction.atomic
def summary_save(*, user: User, period: Period, region: Region | None, texts: dict[str, str], seen: str) -> None:
    """Save a quarter's summary in each language (texts: language → text).

    `seen` is the stamp of the summary as the writer's page showed it (summary_stamp); if someone saved
    it meanwhile, nothing is saved and the writer is told, so neither text is lost without a word."""
    if not summary_can_write(user=user, region=region):
        raise PermissionDenied
    # The quarter's row is the lock: before a summary's first save there is no row of it to lock, and
    # two first saves at once would both pass the check below.
    list(Period.objects.select_for_update().filter(pk=period.pk).values_list("pk"))
    rows = {
        n.language: n
        for n in Narrative.objects.select_for_update().filter(
            section=Narrative.Section.SUMMARY, period=period, region=region
        )
    }
    # Per language: a text someone saved meanwhile stops the save only where this writer changed the
    # same language's text too; the language they left alone is neither checked nor written over.
    stamps = _parse_stamp(seen)
    for language, text in texts.items():
        row = rows.get(language)
        if row is not None and row.updated_at.isoformat() != stamps.get(language, "") and row.text != text:
            raise ValidationError(
                _(
                    "Someone saved this summary while you were writing. Your text is kept below; compare and save "
                    "again."
                ),
                code="stale",
            )
    for language, text in texts.items():
        narrative = rows.get(language) or Narrative(
            section=Narrative.Section.SUMMARY, language=language, period=period, region=region
        )
        if narrative.pk and narrative.text == text:
            continue  # the other language's edit leaves this one's author and history as they were
        narrative.text = text
        narrative.updated_by = user
        narrative.save()


def summary_stamp(narratives) -> str:
    """When each language of a summary was last saved, as the page carries it ("kk=…;ru=…"); empty
    before the first save."""
    return ";".join(f"{n.language}={n.updated_at.isoformat()}" for n in sorted(narratives, key=lambda n: n.language))


def _parse_stamp(seen: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in seen.split(";") if "=" in part)
