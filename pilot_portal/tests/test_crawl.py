"""A crawl of the demo generated from the URL resolver: every pattern (the admin's own aside), every demo
role, real arguments in and out of the role's scope; GET (and the JSON variant where a view has one), then
POST with the forms the pages show.

What the crawl asserts, per request:
- never a 5xx;
- anonymous: a redirect to the sign-in page, except the public pages (PUBLIC);
- out of scope (an organisation, report or file the role may not see, or an unknown one): 404. 403 only
  where the object's existence is no secret: a region's dashboard (the 20 regions are public), a page the
  role may never use whatever the object (the Institute's history of values, reports for organisation staff);
- in scope: 200, or a redirect whose target, followed, answers 200;
- the exact answer for each (pattern, role, object) comes from RULES below, which read the portal's own
  policy functions (organisation_scope, report_scope, organisation_can_edit_progress, …);
- POST: a role that may not write there (WRITERS) leaves the database exactly as it was (a fingerprint of
  every table before and after); a role that may write does write with at least one of its bodies.

A new URL pattern is crawled without editing this file as long as its arguments are named like the ones in
PROVIDERS (bin, period, region, report_id, number, attachment_id, code, table); one whose argument the crawl cannot
fill fails test_every_url_pattern_is_crawled until PROVIDERS learns it. A pattern with no entry in RULES is
held to the generic rule (404/403 out of scope, never 5xx, anonymous to sign-in).

Run it alone: .venv/bin/pytest pilot_portal/tests/test_crawl.py
"""

import itertools
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, reset_queries, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.tokens import token_create
from monitoring.exports import TABLES
from monitoring.models import Attachment, Period, Status, Submission
from monitoring.selectors import (
    period_current,
    submission_can_edit,
    submission_can_reopen,
    submission_can_review,
    submission_get,
)
from monitoring.services import attachments_add
from pilots import policy
from pilots.demo import demo_bin
from pilots.importer import template_workbook, user_can_import
from pilots.models import Activity, ActivityProgress, Organisation, Region, User
from pilots.selectors import (
    organisation_can_edit_progress,
    organisation_can_manage_membership,
    organisation_scope,
    region_scope,
)
from pilots.services import activity_progress_set
from reports.models import CoverLetter, Report, ReportVersion
from reports.selectors import report_can_approve, report_can_queue, report_can_send, report_scope, summary_can_write
from reports.services import report_queue

from . import snapshot
from .crawl import (
    PDF,
    Form,
    Pattern,
    Upload,
    database_fingerprint,
    fingerprint_difference,
    post_forms,
    url_patterns,
    written_tables,
)

# Every test reads the demo through the test database (and the demo fixture needs it set up first).
pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "organisation", "region", "institute", "director", "ministry", "admin")
# What each expectation means for a response; see judge().
OK, LOGIN, ADMIN_LOGIN = "200 (or a redirect to a 200)", "redirect to sign-in", "redirect to the admin's sign-in"
NOT_FOUND, FORBIDDEN, NOT_ALLOWED = 404, 403, 405
# Patterns anyone may reach unsigned; the rest send an anonymous visitor to sign in.
PUBLIC = {"login", "logout", "set_language", "healthz", "api_schema", "api_docs"}
# The API's resources: without a token or a session they answer 401 (a program reads the status, not a page).
API_RESOURCES = {
    "api-regions-list",
    "api-organisations-list",
    "api-periods-list",
    "api-indicators-list",
    "api-submissions-list",
    "api-values-list",
    "api-completeness-list",
    "api-stages-list",
    "api-reports-list",
}
UNAUTHORISED = 401
# Views that take POST only: a GET answers 405 (after the sign-in check, for the signed-in ones).
POST_ONLY = {
    "logout",
    "set_language",
    "submission_review",
    "submission_reopen",
    "report_requeue",
    "report_approve",
    "report_send",
    "api_token_revoke",
}
# Sent last for each role: it ends the session the rest of the crawl uses.
SENT_LAST = {"logout"}


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests never collect static files: the manifest storage of production would fail every page.
PLAIN_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The demo ------------------------------------------------------------------------------------------------------------


@dataclass
class Demo:
    users: dict[str, User | None]
    home: Organisation  # the staff's own organisation, in the coordinator's region
    sibling: Organisation  # same region, another organisation
    elsewhere: Organisation  # another region
    unknown_bin: str
    periods: list[Period]
    reports: list[Report]
    attachment: Attachment
    evidence: ActivityProgress
    seconds: float = 0.0


def _build_demo(demo_rows: dict, media, report_files_shared) -> Demo:
    """The demo as load_demo leaves it (kept once per test process, conftest.py) with a compiled report of
    each kind, then what the crawl needs that the demo may lack: a file on a submission and an evidence
    file, all made through the portal's services."""
    snapshot.put_back(demo_rows["name"], demo_rows["tables"])
    snapshot.copy_files(demo_rows["media"], media)
    today = timezone.localdate()
    current = period_current(today=today)
    coordinator = User.objects.get(username="region-kz-71")
    in_region = Organisation.objects.filter(region=coordinator.region, is_demo=True).order_by("bin")
    editable = Submission.objects.filter(period=current, status__in=[Status.DRAFT, Status.RETURNED])
    home = in_region.filter(submissions__in=editable).first() or in_region.exclude(submissions__period=current).first()
    # A sibling with a submission waiting for review, so that accept and return are tried for real.
    waiting = Submission.objects.filter(status=Status.SUBMITTED, organisation__in=in_region.exclude(pk=home.pk))
    sibling = waiting.first().organisation if waiting.exists() else in_region.exclude(pk=home.pk).first()
    elsewhere = Organisation.objects.exclude(region=coordinator.region).order_by("bin").first()
    staff = User.objects.get(username=f"org-{home.bin}")
    users = {
        "anonymous": None,
        "organisation": staff,
        "region": coordinator,
        "institute": User.objects.get(username="institute"),
        "director": User.objects.get(username="director"),
        "ministry": User.objects.get(username="ministry"),
        "admin": User.objects.get(username="admin"),
    }
    # Compiled from the demo as the report tests have it, for the quarter most of them compile (an ended
    # one): the layouts this run already holds serve both.
    institute = users["institute"]
    past = Period.objects.get(code="2026-Q3")
    assert past.ends_on < today
    with report_files_shared():
        for kind, period, region, language in [
            (Report.Kind.FINAL, None, None, "kk"),
            (Report.Kind.QUARTERLY, past, None, "ru"),
            (Report.Kind.REGIONAL, past, coordinator.region, "kk"),
        ]:
            report_queue(user=institute, kind=kind, period=period, region=region, language=language)
    # Kazakh is the portal's default; two roles read Russian so that both catalogues are rendered.
    User.objects.filter(pk__in=[coordinator.pk, users["ministry"].pk]).update(language="ru")

    if not Attachment.objects.exists():
        context = submission_get(user=staff, bin=home.bin, period_code=current.code)
        version = context.submission.version if context.submission else 0
        attachments_add(
            user=staff, context=context, uploads=[SimpleUploadedFile("акт-crawl.pdf", PDF)], version=version
        )
    attachment = Attachment.objects.select_related("submission__organisation", "submission__period").first()
    if not ActivityProgress.objects.exclude(evidence="").exists():
        activity = Activity.objects.filter(stage__starts_on__lte=today).order_by("stage__position", "position").first()
        activity_progress_set(
            user=staff,
            organisation=home,
            activity=activity,
            done=True,
            done_on=today,
            note="crawl",
            evidence=SimpleUploadedFile("evidence-crawl.pdf", PDF),
        )
    evidence = ActivityProgress.objects.exclude(evidence="").select_related("organisation", "activity").first()

    reports = list(Report.objects.order_by("pk"))
    assert [r.status for r in reports] == [Report.Status.DONE] * 3, [(r.kind, r.status, r.error) for r in reports]
    assert ReportVersion.objects.filter(report__in=reports).count() == 3
    return Demo(
        users=users,
        home=home,
        sibling=sibling,
        elsewhere=elsewhere,
        unknown_bin=next(b for b in (demo_bin(i) for i in range(900, 999)) if not Organisation.objects.filter(bin=b)),
        periods=list(Period.objects.order_by("starts_on")),
        reports=reports,
        attachment=attachment,
        evidence=evidence,
    )


@pytest.fixture(scope="module", autouse=True)
def _quiet_refusals():
    """Django logs every 403 and 404 with its traceback: thousands here, all expected. A 5xx is read from
    the response (and its exception is kept on the crawl's record), not from the log."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def crawl_media(tmp_path_factory):
    return tmp_path_factory.mktemp("crawl-media")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, crawl_media, demo_rows, _signing_folder, report_files_shared):
    """The demo, put in place and compiled once for the module and committed; emptied again after the module,
    as a transactional test would leave the database."""
    from pilot_portal.celery import app

    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=FAST_HASHERS,
            MEDIA_ROOT=crawl_media,
            STORAGES=PLAIN_STORAGES,
            TASKS_IN_BACKGROUND=False,
            REPORT_SIGNING_P12="",
            REPORT_DEMO_SIGNING_P12=_signing_folder / "demo-signing.p12",
            REPORT_SIGNING_ALLOW_DEMO=True,
        ),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setitem(app.conf, "task_always_eager", True)
        patch.setitem(app.conf, "task_eager_propagates", True)
        started = time.monotonic()
        try:
            built = _build_demo(demo_rows, crawl_media, report_files_shared)
            built.seconds = time.monotonic() - started
            yield built
        finally:
            call_command("flush", "--no-input")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, crawl_media, _signing_folder):
    """The conftest's fixture of that name, but with the module's files (the reports compiled once) and
    the portal's own default language: a crawl in Kazakh and Russian is what finds a broken translation."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = crawl_media
    settings.STORAGES = PLAIN_STORAGES
    # The demonstration key load_demo made for the test process, outside the work tree: the director's POSTs sign.
    settings.REPORT_SIGNING_P12 = ""
    settings.REPORT_DEMO_SIGNING_P12 = _signing_folder / "demo-signing.p12"
    settings.REPORT_SIGNING_ALLOW_DEMO = True


# Arguments -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    value: str
    obj: object  # what the value names in the demo; None for an unknown one
    probe: bool = False  # an unknown value: tried with the first value of every other argument only
    spread: bool = False  # tried with the first value of every other argument only (each value still tried)


def _bins(d: Demo) -> list[Arg]:
    # In the staff's scope; in the coordinator's but not the staff's; in neither; in nobody's.
    return [Arg(o.bin, o) for o in (d.home, d.sibling, d.elsewhere)] + [Arg(d.unknown_bin, None, probe=True)]


def _periods(d: Demo) -> list[Arg]:
    # Every period, with the first organisation; the current one first, where drafts and reviews are live.
    current = period_current(today=timezone.localdate())
    ordered = sorted(d.periods, key=lambda p: p != current)
    return [Arg(p.code, p, spread=True) for p in ordered] + [Arg("2031-Q1", None, probe=True)]


def _attachments(d: Demo) -> list[Arg]:
    return [Arg(str(a.pk), a, spread=True) for a in Attachment.objects.order_by("pk")] + [
        Arg("999999", None, probe=True)
    ]


def _activities(d: Demo) -> list[Arg]:
    other = Activity.objects.exclude(pk=d.evidence.activity_id).order_by("pk").first()
    return [
        Arg(d.evidence.activity.code, d.evidence.activity),
        Arg(other.code, other),
        Arg("no-such-activity", None, probe=True),
    ]


def _regions(d: Demo) -> list[Arg]:
    return [
        Arg(d.home.region.code, d.home.region),
        Arg(d.elsewhere.region.code, d.elsewhere.region),
        Arg("KZ-00", None, probe=True),
    ]


def _tables(d: Demo) -> list[Arg]:
    # Each table once, with the first region: the tables differ in content, not in who may read them.
    return [Arg(name, name, spread=True) for name in TABLES] + [Arg("no-such-table", None, probe=True)]


def _reports(d: Demo) -> list[Arg]:
    return [Arg(str(r.pk), r) for r in d.reports] + [Arg("999999", None, probe=True)]


def _version_numbers(d: Demo) -> list[Arg]:
    numbers = sorted(set(ReportVersion.objects.values_list("number", flat=True)))
    return [Arg(str(n), n, spread=True) for n in numbers] + [Arg(str(max(numbers) + 1), None, probe=True)]


def _tokens(d: Demo) -> list[Arg]:
    # The Institute analyst's own token: its owner may revoke it, everyone else is answered 404.
    token = ApiToken.objects.filter(name="crawl").first() or token_create(
        user=User.objects.get(username="institute"), name="crawl"
    )[0]
    return [Arg(str(token.pk), token), Arg("999999", None, probe=True)]


# Argument name → values, or "<the literal segment before it>/<name>" where one name means two things.
PROVIDERS = {
    "bin": _bins,
    "period": _periods,
    "attachment_id": _attachments,
    "activities/code": _activities,
    "dashboard/code": _regions,
    "region": _regions,
    "table": _tables,
    "report_id": _reports,
    "number": _version_numbers,
    "api-tokens/token_id": _tokens,
}


def provider_for(pattern: Pattern, argument: str):
    return PROVIDERS.get(f"{pattern.context_of(argument)}/{argument}") or PROVIDERS.get(argument)


@dataclass(frozen=True)
class Target:
    pattern: Pattern
    url: str
    objs: dict  # argument name → the object its value names (None when unknown)
    probe: bool = False  # one of its values is unknown


def crawl_plan(d: Demo) -> tuple[list[Target], list[str]]:
    """Every URL to crawl, and every pattern the crawl could not fill with a line saying what to teach it."""
    patterns, problems = url_patterns()
    targets = []
    for pattern in patterns:
        values = {}
        for argument in pattern.arguments:
            provider = provider_for(pattern, argument)
            if provider is None:
                context = pattern.context_of(argument)
                key = f"{context}/{argument}" if context else argument
                problems.append(
                    f"{pattern.name} (/{pattern.route}): no values for the argument {argument!r}; "
                    f"teach the crawl: PROVIDERS[{key!r}] in pilot_portal/tests/test_crawl.py"
                )
                break
            values[argument] = provider(d)
        else:
            for combination in _combinations(pattern.arguments, values):
                targets.append(
                    Target(
                        pattern,
                        pattern.url({a: arg.value for a, arg in combination.items()}),
                        {a: arg.obj for a, arg in combination.items()},
                        probe=any(arg.probe for arg in combination.values()),
                    )
                )
    # The admin is Django's; only its index is ours to check (who is let in).
    admin = Pattern(name="admin:index", route="admin/", arguments=())
    targets.append(Target(admin, reverse("admin:index"), {}))
    return targets, problems


def _combinations(arguments, values):
    if not arguments:
        yield {}
        return
    known = {a: [v for v in values[a] if not v.probe] for a in arguments}
    # Arguments whose values are all spread vary one at a time; the others form a full product.
    crossed = [a for a in arguments if not all(v.spread for v in known[a])]
    for combination in itertools.product(*(known[a] for a in crossed)):
        first = {a: known[a][0] for a in arguments}
        yield {**first, **dict(zip(crossed, combination, strict=True))}
    for a in arguments:
        if a not in crossed:
            for value in known[a][1:]:
                yield {b: value if b == a else known[b][0] for b in arguments}
        for probe in (v for v in values[a] if v.probe):
            yield {b: probe if b == a else known[b][0] for b in arguments}


# Expectations --------------------------------------------------------------------------------------------------------


def _sees_organisation(user, o) -> bool:
    organisation = o.get("bin")
    return organisation is not None and organisation_scope(user=user).filter(pk=organisation.pk).exists()


def _sees_submission(user, o) -> bool:
    return _sees_organisation(user, o) and o.get("period") is not None


def _submission(o):
    return Submission.objects.filter(organisation=o["bin"], period=o["period"]).first()


def _context(user, o):
    return submission_get(user=user, bin=o["bin"].bin, period_code=o["period"].code)


def _signed_in(user, o):
    return OK


def _organisation_detail(user, o):
    return OK if _sees_organisation(user, o) else NOT_FOUND


def _organisation_leave(user, o):
    if not _sees_organisation(user, o):
        return NOT_FOUND
    return OK if organisation_can_manage_membership(user=user) else FORBIDDEN


def _activity_progress_edit(user, o):
    if not _sees_organisation(user, o) or o["code"] is None:
        return NOT_FOUND
    return OK if organisation_can_edit_progress(user=user, organisation=o["bin"]) else FORBIDDEN


def _activity_evidence(user, o):
    if not _sees_organisation(user, o) or o["code"] is None:
        return NOT_FOUND
    progress = ActivityProgress.objects.filter(organisation=o["bin"], activity=o["code"]).first()
    return OK if progress is not None and progress.evidence else NOT_FOUND


def _importer(user, o):
    return OK if user_can_import(user=user) else FORBIDDEN


def _national_dashboard(user, o):
    # A coordinator is sent on to their region's dashboard, which answers 200.
    return OK if policy.can_read_national(user) or policy.is_coordinator(user) else FORBIDDEN


def _national_export(user, o):
    if not policy.can_read_national(user):
        return FORBIDDEN
    table = o["table"]
    return OK if table is not None and not TABLES[table][1] else NOT_FOUND


def _regional_dashboard(user, o):
    # Organisation staff read no dashboard, whichever: 403. For a reader of dashboards a region out of
    # scope looks exactly like an unknown one: 404.
    if not policy.can_read_dashboards(user):
        return FORBIDDEN
    region = o["code"]
    if region is None:
        return NOT_FOUND
    return OK if policy.can_read_region(user, region) else NOT_FOUND


def _regional_export(user, o):
    answer = _regional_dashboard(user, o)
    return answer if answer != OK else (OK if o["table"] is not None else NOT_FOUND)


def _queue(user, o):
    return OK if policy.can_read_queue(user) else FORBIDDEN


def _submission_page(user, o):
    return OK if _sees_submission(user, o) else NOT_FOUND


def _submission_history(user, o):
    if not _sees_submission(user, o):
        return NOT_FOUND
    # The Institute's page: anyone else who may see the organisation is told "not allowed", which reveals nothing.
    if not policy.can_read_history(user):
        return FORBIDDEN
    return OK if _submission(o) is not None else NOT_FOUND


def _submission_attachment(user, o):
    if not _sees_submission(user, o) or o["attachment_id"] is None:
        return NOT_FOUND
    attachment = o["attachment_id"]
    belongs = attachment.submission.organisation_id == o["bin"].pk and attachment.submission.period_id == o["period"].pk
    return OK if belongs else NOT_FOUND


def _review_or_reopen(user, o):
    # POST only; out of scope is 404 before anything else.
    return OK if _sees_submission(user, o) else NOT_FOUND


def _report_readers(user, o):
    return OK if policy.can_read_reports(user) else FORBIDDEN


def _report_narrative(user, o):
    return OK if policy.can_write_final_narrative(user) else FORBIDDEN


def _own_region(user):
    return policy.own_region(user)


def _summary_list(user, o):
    return OK if summary_can_write(user=user, region=_own_region(user)) else FORBIDDEN


def _summary_page(user, o):
    # An unknown quarter, or a region the user may not see, is 404; a summary the user does not write is 403.
    period, region = o["period"], o.get("region", "")
    if period is None or period.starts_on > timezone.localdate() or region is None:
        return NOT_FOUND
    if region and not region_scope(user=user).filter(pk=region.pk).exists():
        return NOT_FOUND
    return OK if summary_can_write(user=user, region=region or None) else FORBIDDEN


def _sees_report(user, o) -> bool:
    report = o.get("report_id")
    return report is not None and report_scope(user=user).filter(pk=report.pk).exists()


def _report_page(user, o):
    # Organisation staff never read reports, whichever: 403 says nothing about any report.
    if not policy.can_read_reports(user):
        return FORBIDDEN
    return OK if _sees_report(user, o) else NOT_FOUND


def _report_action(user, o):
    # POST only; a report out of scope is 404 for everyone, organisation staff included.
    return OK if _sees_report(user, o) else NOT_FOUND


def _report_version_file(user, o):
    answer = _report_page(user, o)
    if answer != OK:
        return answer
    return OK if o["report_id"].versions.filter(number=o["number"]).exists() else NOT_FOUND


def _report_letter(user, o):
    answer = _report_page(user, o)
    if answer != OK:
        return answer
    return OK if CoverLetter.objects.filter(report=o["report_id"]).exists() else NOT_FOUND


def _api_figures(user, o):
    return OK if policy.can_read_dashboards(user) else FORBIDDEN


def _admin_index(user, o):
    return OK if user.is_staff else ADMIN_LOGIN


# URL name → the answer a signed-in user gets to a GET (as if GET were allowed, for POST_ONLY views).
# Anonymous visitors: PUBLIC pages answer, every other page redirects to sign-in.
RULES = {
    "login": _signed_in,
    "logout": _signed_in,
    "password_change": _signed_in,
    "password_change_done": _signed_in,
    "set_language": _signed_in,
    "healthz": _signed_in,
    "home": _signed_in,
    "order": _signed_in,
    "organisation_list": _signed_in,
    "organisation_import": _importer,
    "organisation_import_template": _importer,
    "organisation_detail": _organisation_detail,
    "organisation_leave": _organisation_leave,
    "activity_progress_edit": _activity_progress_edit,
    "activity_evidence": _activity_evidence,
    "national_dashboard": _national_dashboard,
    "national_export": _national_export,
    "regional_dashboard": _regional_dashboard,
    "regional_export": _regional_export,
    "monitoring_queue": _queue,
    "submission": _submission_page,
    "submission_review": _review_or_reopen,
    "submission_reopen": _review_or_reopen,
    "submission_history": _submission_history,
    "submission_attachment": _submission_attachment,
    "report_list": _report_readers,
    "report_narrative": _report_narrative,
    "report_summaries": _summary_list,
    "report_quarter_summary": _summary_page,
    "report_region_summary": _summary_page,
    "report_detail": _report_page,
    "report_requeue": _report_action,
    "report_approve": _report_action,
    "report_send": _report_action,
    "report_letter": _report_letter,
    "report_verify": _signed_in,
    "report_pdf": _report_page,
    "report_xlsx": _report_page,
    "report_version_pdf": _report_version_file,
    "report_version_xlsx": _report_version_file,
    "admin:index": _admin_index,
    "api_schema": _signed_in,
    "api_docs": _signed_in,
    "api_tokens": _signed_in,
    "api_token_revoke": lambda user, o: None,  # POST only (405 to a GET); the POST crawl judges who may revoke
    **{name: _signed_in for name in API_RESOURCES - {"api-completeness-list", "api-stages-list"}},
    "api-completeness-list": _api_figures,
    "api-stages-list": _api_figures,
}

# Arguments that name something a role may or may not see; an unknown one is out of everybody's scope.
SCOPED = {"bin": _sees_organisation, "report_id": _sees_report}


def generic_rule(user, o):
    """For a pattern RULES does not know yet: out of scope (or unknown) is 404 or 403, in scope anything but 5xx."""
    if any(check(user, o) is False for name, check in SCOPED.items() if name in o):
        return (NOT_FOUND, FORBIDDEN)
    if any(value is None for value in o.values()):
        return (NOT_FOUND, FORBIDDEN)
    return None


def expected_get(target: Target, user) -> object:
    name = target.pattern.name
    if user is None:
        if name == "admin:index":
            return ADMIN_LOGIN
        if name in PUBLIC:
            return NOT_ALLOWED if name in POST_ONLY else OK
        if name in API_RESOURCES:
            return UNAUTHORISED
        return LOGIN
    rule = RULES.get(name)
    answer = rule(user, target.objs) if rule else generic_rule(user, target.objs)
    if name in POST_ONLY:
        return NOT_ALLOWED
    return answer


def judge(expected, response, final_status) -> str | None:
    """None if the response is what was expected, else what it was."""
    status = response.status_code
    location = response.get("Location", "")
    if status >= 500:
        return f"{status}"
    if expected is None:
        return None
    if expected == OK:
        return (
            None
            if status == 200 or (300 <= status < 400 and final_status == 200)
            else (f"{status}" + (f" → {location} → {final_status}" if location else ""))
        )
    if expected in (LOGIN, ADMIN_LOGIN):
        login = reverse("login" if expected == LOGIN else "admin:login")
        good = status == 302 and urlsplit(location).path == login and "next=" in location
        return None if good else f"{status} {location}"
    allowed = expected if isinstance(expected, tuple) else (expected,)
    return None if status in allowed else f"{status}" + (f" → {location}" if location else "")


# The GET crawl --------------------------------------------------------------------------------------------------------


@dataclass
class Visit:
    role: str
    target: Target
    variant: str  # "html" or "json"
    expected: object
    status: int
    final_status: int | None
    wrong: str | None
    error: str = ""
    forms: list[Form] = field(default_factory=list)
    seconds: float = 0.0


def _follow(client, response, hops=5) -> int:
    """The status of where a redirect chain ends."""
    while 300 <= response.status_code < 400 and hops:
        location = response["Location"]
        _close(response)
        response = client.get(location)
        hops -= 1
    status = response.status_code
    _close(response)
    return status


def _close(response):
    """Reads a file response to its end: the test client then closes it without closing the database connection
    (response.close() alone would, and on PostgreSQL that ends the test's transaction)."""
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass


def _error_of(response) -> str:
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        return f"{exc_info[0].__name__}: {exc_info[1]}"
    return ""


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _get(client, role, user, target, variant, xlsx) -> Visit:
    extra = {"HTTP_ACCEPT": "application/json"} if variant == "json" else {}
    started = time.monotonic()
    response = client.get(target.url, **extra)
    expected = expected_get(target, user)
    forms = []
    final_status = None
    if 300 <= response.status_code < 400:
        final_status = _follow(client, response)
    elif response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        forms = post_forms(response.content.decode(), page_url=target.url, xlsx=xlsx)
    wrong = judge(expected, response, final_status)
    if wrong is None and variant == "json" and expected == OK:
        if not response.get("Content-Type", "").startswith("application/json"):
            wrong = f"{response.status_code} {response.get('Content-Type')} instead of JSON"
        else:
            response.json()
    visit = Visit(role, target, variant, expected, response.status_code, final_status, wrong, _error_of(response))
    visit.forms = forms
    _close(response)
    visit.seconds = time.monotonic() - started
    return visit, response


@dataclass
class GetCrawl:
    targets: list[Target]
    problems: list[str]
    visits: list[Visit]
    seconds: float


@pytest.fixture(scope="module")
def get_crawl(demo, django_db_blocker, crawl_media) -> GetCrawl:
    """Every URL for every role, GET, once for the module (GET writes nothing the crawl reads afterwards)."""
    xlsx = template_workbook()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=crawl_media, STORAGES=PLAIN_STORAGES):
        started = time.monotonic()
        targets, problems = crawl_plan(demo)
        visits = []
        for role in ROLES:
            user = demo.users[role]
            client = client_for(user)
            for target in targets:
                visit, response = _get(client, role, user, target, "html", xlsx)
                visits.append(visit)
                # A view that varies on Accept has a JSON variant (the submission's, the report's progress).
                if "accept" in {h.strip().lower() for h in response.get("Vary", "").split(",")}:
                    visits.append(_get(client, role, user, target, "json", xlsx)[0])
        return GetCrawl(targets, problems, visits, time.monotonic() - started)


def _lines(visits: list[Visit], limit=60) -> str:
    shown = [
        f"{v.role:12} GET {v.target.url}{' (JSON)' if v.variant == 'json' else ''}: expected {v.expected}, "
        f"got {v.wrong}{' · ' + v.error if v.error else ''}"
        for v in visits[:limit]
    ]
    more = len(visits) - limit
    return "\n".join(shown + ([f"… and {more} more"] if more > 0 else []))


def test_every_url_pattern_is_crawled(get_crawl):
    assert not get_crawl.problems, "\n".join(get_crawl.problems)
    crawled = {t.pattern.name for t in get_crawl.targets}
    patterns, _problems = url_patterns()
    assert {p.name for p in patterns} <= crawled


def test_a_new_pattern_is_crawled_if_its_arguments_are_known_and_fails_the_crawl_if_not(demo):
    with override_settings(ROOT_URLCONF="pilot_portal.tests.urls_with_new_patterns"):
        targets, problems = crawl_plan(demo)
    assert problems == [
        "crawl_test_unknown_argument (/widgets/<str:widget>/): no values for the argument 'widget'; "
        "teach the crawl: PROVIDERS['widgets/widget'] in pilot_portal/tests/test_crawl.py"
    ]
    known = [t.url for t in targets if t.pattern.name == "crawl_test_known_argument"]
    assert f"/organisations/{demo.elsewhere.bin}/card.txt" in known
    assert f"/organisations/{demo.unknown_bin}/card.txt" in known


def test_the_form_reader_sends_one_body_per_button_and_fills_what_is_required():
    html = """
    <form method="get" action="/search/"><input name="q"></form>
    <form method="post"><input type="hidden" name="version" value="3">
      <input name="children_total" value="12"><input name="note" required>
      <input type="checkbox" name="done" checked><input type="checkbox" name="remove">
      <select name="kind"><option value="">—</option><option value="final">final</option></select>
      <textarea name="comment">as it was</textarea>
      <button name="action" value="save">Save</button><button name="action" value="submit">Submit</button>
    </form>"""
    (form,) = post_forms(html, page_url="/monitoring/1/2026-Q4/")
    assert form.action == "/monitoring/1/2026-Q4/"
    body = [
        ("version", "3"),
        ("children_total", "12"),
        ("note", "crawl"),
        ("done", "on"),
        ("kind", "final"),
        ("comment", "as it was"),
    ]
    assert form.bodies() == [[*body, ("action", "save")], [*body, ("action", "submit")]]


def test_no_page_answers_a_server_error_to_a_get(get_crawl):
    failures = [v for v in get_crawl.visits if v.status >= 500 or (v.final_status or 0) >= 500]
    assert not failures, _lines(failures)


def test_every_get_answers_as_the_roles_scope_says(get_crawl):
    failures = [v for v in get_crawl.visits if v.wrong]
    assert not failures, _lines(failures)


def test_the_crawl_sees_each_role_both_in_and_out_of_scope(get_crawl, demo):
    """Guards the crawl against proving nothing: every signed-in role got pages, refusals and not-founds."""
    seen = defaultdict(Counter)
    for v in get_crawl.visits:
        seen[v.role][v.status] += 1
    for role in ROLES[1:]:
        assert seen[role][200] > 5, (role, seen[role])
        assert seen[role][404] > 5, (role, seen[role])
    for role in ("organisation", "region", "ministry"):
        assert seen[role][403] > 0, (role, seen[role])
    assert set(seen["anonymous"]) <= {200, 302, 401, 405}, seen["anonymous"]  # 401: the API's, without a token
    json_ok = {(v.role, v.target.pattern.name) for v in get_crawl.visits if v.variant == "json" and v.status == 200}
    assert ("organisation", "submission") in json_ok and ("institute", "report_detail") in json_ok
    slowest = Counter()
    for v in get_crawl.visits:
        slowest[v.target.pattern.name] += v.seconds
    print(
        f"\ncrawl: demo built in {demo.seconds:.1f} s; {len(get_crawl.visits)} GETs over "
        f"{len(get_crawl.targets)} URLs in {get_crawl.seconds:.1f} s; slowest patterns: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in slowest.most_common(4))
    )


# Controls written by hand, beside the crawl's derived expectations: if RULES were wrong the same way as the
# portal, these literal answers would still catch it.


def _status(user, url, **extra):
    response = client_for(user).get(url, **extra)
    _close(response)
    return response.status_code


def test_a_coordinator_sees_their_regions_organisation_and_not_another_regions(db, demo):
    coordinator = demo.users["region"]
    assert _status(coordinator, reverse("organisation_detail", args=[demo.elsewhere.bin])) == 404
    assert _status(coordinator, reverse("organisation_detail", args=[demo.home.bin])) == 200
    assert _status(coordinator, reverse("organisation_detail", args=[demo.sibling.bin])) == 200


def test_staff_see_their_own_organisation_and_not_their_neighbours(db, demo):
    staff = demo.users["organisation"]
    period = demo.periods[0].code
    assert _status(staff, reverse("organisation_detail", args=[demo.sibling.bin])) == 404
    assert _status(staff, reverse("submission", args=[demo.sibling.bin, period])) == 404
    assert _status(staff, reverse("organisation_detail", args=[demo.home.bin])) == 200
    assert _status(staff, reverse("submission", args=[demo.home.bin, period])) == 200


def test_a_coordinator_reads_their_regional_report_and_no_national_one(db, demo):
    coordinator = demo.users["region"]
    regional = next(r for r in demo.reports if r.kind == Report.Kind.REGIONAL)
    final = next(r for r in demo.reports if r.kind == Report.Kind.FINAL)
    assert _status(coordinator, reverse("report_detail", args=[final.pk])) == 404
    assert _status(coordinator, reverse("report_pdf", args=[final.pk])) == 404
    assert _status(coordinator, reverse("report_detail", args=[regional.pk])) == 200
    assert _status(coordinator, reverse("report_pdf", args=[regional.pk])) == 200
    assert _status(demo.users["organisation"], reverse("report_detail", args=[regional.pk])) == 403


def test_a_coordinator_gets_404_on_another_regions_dashboard_and_200_on_their_own(db, demo):
    coordinator = demo.users["region"]
    assert _status(coordinator, reverse("regional_dashboard", args=[demo.elsewhere.region.code])) == 404
    assert _status(coordinator, reverse("regional_dashboard", args=[demo.home.region.code])) == 200


def test_the_file_of_one_submission_is_not_served_under_another(db, demo):
    institute = demo.users["institute"]
    attachment = demo.attachment
    own = attachment.submission
    other_period = next(p for p in demo.periods if p.pk != own.period_id)
    wrong = reverse("submission_attachment", args=[own.organisation.bin, other_period.code, attachment.pk])
    right = reverse("submission_attachment", args=[own.organisation.bin, own.period.code, attachment.pk])
    assert _status(institute, wrong) == 404
    assert _status(institute, right) == 200


# The POST crawl -------------------------------------------------------------------------------------------------------


def _version(o) -> str:
    submission = _submission(o) if o.get("bin") is not None and o.get("period") is not None else None
    return str(submission.version if submission else 0)


def _today() -> str:
    return timezone.localdate().strftime("%d.%m.%Y")


def _extra_submission(d, o):
    version = _version(o)
    bodies = [
        [("action", "save"), ("version", version)],
        [("action", "submit"), ("version", version)],
        [("action", "upload"), ("version", version), ("files", Upload("crawl.pdf", PDF))],
    ]
    return [*bodies, [("action", "remove_file"), ("attachment", str(d.attachment.pk)), ("version", version)]]


def _extra_review(d, o):
    version = _version(o)
    return [
        [("decision", "accept"), ("version", version), ("comment", "")],
        [("decision", "return"), ("version", version), ("comment", "crawl: check the totals")],
    ]


def _extra_report_list(d, o):
    past = next(r.period for r in d.reports if r.period is not None)
    return [
        [("kind", "final"), ("period", ""), ("region", ""), ("language", "kk")],
        [("kind", "quarterly"), ("period", past.code), ("region", ""), ("language", "ru")],
        [("kind", "regional"), ("period", past.code), ("region", d.home.region.code), ("language", "kk")],
        [("kind", "regional"), ("period", past.code), ("region", d.elsewhere.region.code), ("language", "kk")],
    ]


# The meaningful bodies of known actions, sent besides whatever forms the pages show (a page shows a form only
# to those who may use it; the others must be tried with it all the same).
EXTRA_BODIES = {
    "login": lambda d, o: [[("username", "institute"), ("password", "not-the-password")]],
    "password_change": lambda d, o: [
        [
            ("old_password", "not-the-password"),
            ("new_password1", "Crawl-2026-pass"),
            ("new_password2", "Crawl-2026-pass"),
        ]
    ],
    "set_language": lambda d, o: [[("language", "ru"), ("next", "/")]],
    "api_tokens": lambda d, o: [[("name", "crawl: a token")]],
    "submission": _extra_submission,
    "submission_review": _extra_review,
    "submission_reopen": lambda d, o: [[("comment", "crawl: a figure is wrong")]],
    "organisation_leave": lambda d, o: [[("effective_on", _today()), ("reason", "crawl"), ("replaced_by", "")]],
    "activity_progress_edit": lambda d, o: [
        [("done", "on"), ("done_on", _today()), ("note", "crawl"), ("evidence", Upload("crawl.pdf", PDF))]
    ],
    "organisation_import": lambda d, o: [
        [("file", Upload("crawl.xlsx", template_workbook())), ("action", "check")],
        [("file", Upload("crawl.xlsx", template_workbook())), ("action", "import")],
    ],
    "report_list": _extra_report_list,
    "report_approve": lambda d, o: [[("version", "1")]],
    "report_send": lambda d, o: [
        [
            ("number", "01-12/crawl"),
            ("date", _today()),
            ("addressee", "crawl"),
            ("signatory_name", "crawl"),
            ("signatory_position", "crawl"),
        ]
    ],
    "report_verify": lambda d, o: [[("file", Upload("crawl.pdf", PDF))]],
    "report_narrative": lambda d, o: [
        [(f"{section}_{lang}", "crawl") for section in ("conclusions", "recommendations") for lang in ("kk", "ru")]
    ],
}


def _may_write_submission(user, o, body):
    if not _sees_submission(user, o):
        return False
    return submission_can_edit(user=user, context=_context(user, o), today=timezone.localdate())


def _may_review(user, o, body):
    return _sees_submission(user, o) and submission_can_review(user=user, context=_context(user, o))


def _may_reopen(user, o, body):
    return _sees_submission(user, o) and submission_can_reopen(user=user, context=_context(user, o))


def _may_queue(user, o, body):
    fields = dict(body)
    region = Region.objects.filter(code=fields.get("region") or "").first()
    return policy.can_read_reports(user) and report_can_queue(user=user, kind=fields.get("kind", ""), region=region)


def _may_requeue(user, o, body):
    report = o["report_id"]
    return _sees_report(user, o) and report_can_queue(user=user, kind=report.kind, region=report.region)


def _may_approve(user, o, body):
    return _sees_report(user, o) and report_can_approve(user=user, report=o["report_id"])


def _may_send(user, o, body):
    return _sees_report(user, o) and report_can_send(user=user, report=o["report_id"])


def _own_account(user, o, body):
    return True  # a signed-in user changes their own language and password


def _nobody(user, o, body):
    return False


# URL name → whether a signed-in user may change the database with this POST. Anonymous visitors never may.
WRITERS = {
    "login": _nobody,  # wrong credentials: only django-axes' bookkeeping, excluded from the fingerprint
    "logout": _nobody,  # the session and axes' log only
    "password_change": _own_account,
    "set_language": _own_account,
    "api_tokens": _own_account,  # a token of one's own, as a password of one's own
    "api_token_revoke": lambda u, o, b: o["token_id"] is not None and o["token_id"].user_id == u.pk,
    "submission": _may_write_submission,
    "submission_review": _may_review,
    "submission_reopen": _may_reopen,
    "organisation_leave": lambda u, o, b: _sees_organisation(u, o) and organisation_can_manage_membership(user=u),
    "activity_progress_edit": lambda u, o, b: (
        _sees_organisation(u, o)
        and o["code"] is not None
        and organisation_can_edit_progress(user=u, organisation=o["bin"])
    ),
    "organisation_import": lambda u, o, b: user_can_import(user=u),
    "report_list": _may_queue,
    "report_narrative": lambda u, o, b: u.role in (User.Role.INSTITUTE, User.Role.ADMIN),
    "report_quarter_summary": lambda u, o, b: _summary_page(u, o) == OK,
    "report_region_summary": lambda u, o, b: _summary_page(u, o) == OK,
    "report_requeue": _may_requeue,
    "report_approve": _may_approve,
    "report_send": _may_send,
}
# Every other known page is read-only whatever is posted to it.
READ_ONLY = set(RULES) - set(WRITERS)


def may_write(target: Target, user, body) -> bool:
    if user is None:
        return False
    name = target.pattern.name
    if name in WRITERS:
        return WRITERS[name](user, target.objs, body)
    if name in READ_ONLY:
        return False
    # A pattern the crawl does not know yet: the Ministry reads only; nobody writes outside their scope.
    in_scope = generic_rule(user, target.objs) is None
    return in_scope and user.role != User.Role.MINISTRY


def _materialised(body):
    data = defaultdict(list)
    for name, value in body:
        data[name].append(SimpleUploadedFile(value.name, value.content) if isinstance(value, Upload) else value)
    return dict(data)


@dataclass
class Post:
    role: str
    url: str
    body: list
    status: int
    wrong: str | None
    error: str
    written: set


def _bodies_by_path(visits: list[Visit]) -> dict[str, list]:
    """Every POST body any page showed any role, by the path it posts to (deduplicated)."""
    library = defaultdict(list)
    for visit in visits:
        for form in visit.forms:
            path = urlsplit(form.action).path
            for body in form.bodies():
                # The token is not checked by the test client; "next" differs on every page, to the same effect.
                body = [(n, v) for n, v in body if n not in ("csrfmiddlewaretoken", "next")]
                if body not in library[path]:
                    library[path].append(body)
    return library


def _post_targets(targets: list[Target]) -> list[Target]:
    """Every URL of a pattern that writes; of a read-only pattern (a page, a download) its first URL and its
    first unknown one: the question there is only whether a POST is refused or ignored, never how."""
    chosen, seen = [], Counter()
    for target in targets:
        name = target.pattern.name
        if name == "admin:index":
            continue
        if name not in READ_ONLY or seen[(name, target.probe)] == 0:
            chosen.append(target)
            seen[(name, target.probe)] += 1
    return chosen


def _post(client, target, user, body) -> Post:
    reset_queries()  # the log keeps 9,000 queries; a capture past that would see none
    with CaptureQueriesContext(connection) as queries:
        response = client.post(target.url, _materialised(body))
    # Read now: the next request (following a redirect) starts a new query log.
    written = written_tables(queries)
    _close(response)
    expected = None
    if user is None and target.pattern.name in API_RESOURCES:
        expected = UNAUTHORISED
    elif user is None and target.pattern.name not in PUBLIC:
        expected = LOGIN if target.pattern.name != "admin:index" else ADMIN_LOGIN
    elif user is not None:
        rule = RULES.get(target.pattern.name)
        answer = rule(user, target.objs) if rule else generic_rule(user, target.objs)
        if answer == NOT_FOUND:
            expected = NOT_FOUND  # out of scope: the same 404 as a GET, whatever is posted
    wrong = judge(expected, response, None)
    if wrong is None and user is not None and 300 <= response.status_code < 400:
        # Where a POST sends the user (the saved form with its message, the report's page) must answer too.
        final_status = _follow(client, response)
        if final_status >= 500:
            wrong = f"{response.status_code} → {response['Location']} → {final_status}"
    return Post("", target.url, body, response.status_code, wrong, _error_of(response), written)


def test_post_crawl_never_fails_and_changes_nothing_for_roles_that_may_not_write(
    db, demo, get_crawl, monkeypatch, capsys
):
    """Every URL, every role, every form body: no 5xx, out of scope 404, anonymous to sign-in; a role that may not
    write leaves every table as it was (fingerprint of the whole database before and after its POSTs)."""
    from reports.tasks import compile_report

    # A compilation takes seconds; the crawl checks the page's answer and the database, not the PDF
    # (reports/tests compile for real). The task is recorded as sent, never run.
    sent = []
    # Through a broker (apply_async) or in-process (apply), as the outbox hands it over.
    monkeypatch.setattr(compile_report, "apply_async", lambda *a, **k: sent.append((a, k)))
    monkeypatch.setattr(compile_report, "apply", lambda *a, **k: sent.append((a, k)))
    started = time.monotonic()
    library = _bodies_by_path(get_crawl.visits)
    targets = _post_targets(get_crawl.targets)
    failures, unchanged_violations, posts = [], [], 0
    writes_by_writers = Counter()
    for role in ROLES:
        user = demo.users[role]
        role_savepoint = transaction.savepoint()
        client = client_for(user)
        before = database_fingerprint()
        allowed, forbidden, last = [], [], []
        for target in targets:
            bodies = list(library.get(urlsplit(target.url).path, []))
            extra = EXTRA_BODIES.get(target.pattern.name)
            for body in extra(demo, target.objs) if extra else []:
                if body not in bodies:
                    bodies.append(body)
            for body in bodies or [[]]:
                entry = (target, body)
                if target.pattern.name in SENT_LAST:
                    last.append(entry)
                elif may_write(target, user, body):
                    allowed.append(entry)
                else:
                    forbidden.append(entry)
        suspects = []
        for target, body in forbidden:
            sid = transaction.savepoint()
            post = _post(client, target, user, body)
            # Kept (not rolled back): the fingerprint below must see whatever a refused POST wrote.
            (transaction.savepoint_rollback if post.status >= 500 else transaction.savepoint_commit)(sid)
            post.role = role
            posts += 1
            if post.wrong or post.error:
                failures.append(post)
            if post.written:
                suspects.append(post)
        after = database_fingerprint()
        changed = fingerprint_difference(before, after)
        if changed:
            unchanged_violations.append(
                f"{role}: tables changed by POSTs it may not make: {changed}; requests that wrote: "
                + "; ".join(f"{p.url} {dict(p.body)} → {sorted(p.written)}" for p in suspects[:20])
            )
        for target, body in allowed:
            sid = transaction.savepoint()
            post = _post(client, target, user, body)
            transaction.savepoint_rollback(sid)  # each allowed change alone, on the demo as it was
            post.role = role
            posts += 1
            if post.wrong or post.error:
                failures.append(post)
            writes_by_writers[role] += bool(post.written)
        for target, body in last:
            post = _post(client, target, user, body)
            post.role = role
            posts += 1
            if post.wrong or post.error:
                failures.append(post)
        transaction.savepoint_rollback(role_savepoint)
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nPOST crawl: {posts} POSTs in {seconds:.1f} s; writes by roles that may write: {dict(writes_by_writers)}"
        )
    assert not failures, "\n".join(
        f"{p.role:12} POST {p.url} {dict(p.body)}: got {p.wrong or p.status}{' · ' + p.error if p.error else ''}"
        for p in failures[:60]
    )
    assert not unchanged_violations, "\n".join(unchanged_violations)
    # Positive control: the bodies are real enough that those who may write do write.
    for role in ("organisation", "region", "institute", "admin"):
        assert writes_by_writers[role] > 0, (role, writes_by_writers)


def test_a_staff_draft_save_changes_the_fingerprint_and_the_same_post_by_the_ministry_does_not(db, demo, get_crawl):
    """The fingerprint's positive control: it does see a real change."""
    period = period_current(today=timezone.localdate())
    url = reverse("submission", args=[demo.home.bin, period.code])
    page = client_for(demo.users["organisation"]).get(url)
    form = next(f for f in post_forms(page.content.decode(), page_url=url) if urlsplit(f.action).path == url)
    body = dict(next(b for b in form.bodies() if ("action", "save") in b))
    body["children_total"] = str(int(body.get("children_total") or 0) + 1)

    ministry, staff = client_for(demo.users["ministry"]), client_for(demo.users["organisation"])
    before = database_fingerprint()
    refused = ministry.post(url, body)
    assert refused.status_code == 403
    assert fingerprint_difference(before, database_fingerprint()) == []

    saved = staff.post(url, body)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    changed = fingerprint_difference(before, database_fingerprint())
    assert {"monitoring_submission", "monitoring_value"} <= set(changed), changed
