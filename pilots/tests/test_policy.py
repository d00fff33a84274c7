"""The policy (pilots/policy.py): every role against every predicate, and no role named outside it."""

import inspect
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from pilots import policy
from pilots.models import User
from pilots.tests.factories import OrganisationFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("organisation", "region", "institute", "director", "ministry", "admin")
EVERYONE = ("anonymous", "inactive", *ROLES)
NATIONAL = {"institute", "director", "ministry", "admin"}
INSTITUTE_OR_ADMIN = {"institute", "admin"}


@pytest.fixture
def world():
    """Organisation A in region 1, organisation B in region 2; a user of every role scoped to A or region 1."""
    region, elsewhere = RegionFactory(code="KZ-71"), RegionFactory(code="KZ-75")
    organisation = OrganisationFactory(region=region)
    other = OrganisationFactory(region=elsewhere)
    users = {
        "anonymous": AnonymousUser(),
        # An inactive Institute analyst: the role that may do the most, so "nothing" is a strong answer.
        "inactive": UserFactory(role=User.Role.INSTITUTE, is_active=False),
        "organisation": UserFactory(role=User.Role.ORGANISATION, organisation=organisation),
        "region": UserFactory(role=User.Role.REGION, region=region),
        "institute": UserFactory(role=User.Role.INSTITUTE),
        "director": UserFactory(role=User.Role.DIRECTOR),
        "ministry": UserFactory(role=User.Role.MINISTRY),
        "admin": UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True),
    }
    return {"users": users, "in": organisation, "out": other, "region_in": region, "region_out": elsewhere}


# (name of the case, how to ask, the roles that are answered True). Anonymous and inactive: never.
TABLE = [
    ("is_organisation_staff", lambda u, w: policy.is_organisation_staff(u), {"organisation"}),
    ("is_organisation_staff_of in", lambda u, w: policy.is_organisation_staff_of(u, w["in"]), {"organisation"}),
    ("is_organisation_staff_of out", lambda u, w: policy.is_organisation_staff_of(u, w["out"]), set()),
    ("is_coordinator", lambda u, w: policy.is_coordinator(u), {"region"}),
    ("is_coordinator_of in", lambda u, w: policy.is_coordinator_of(u, w["region_in"]), {"region"}),
    ("is_coordinator_of out", lambda u, w: policy.is_coordinator_of(u, w["region_out"]), set()),
    ("is_coordinator_of none", lambda u, w: policy.is_coordinator_of(u, None), set()),
    ("can_read_national", lambda u, w: policy.can_read_national(u), NATIONAL),
    ("can_read_national_aggregates", lambda u, w: policy.can_read_national_aggregates(u), NATIONAL | {"region"}),
    ("can_read_dashboards", lambda u, w: policy.can_read_dashboards(u), NATIONAL | {"region"}),
    ("can_read_region in", lambda u, w: policy.can_read_region(u, w["region_in"]), NATIONAL | {"region"}),
    ("can_read_region out", lambda u, w: policy.can_read_region(u, w["region_out"]), NATIONAL),
    (
        "can_see_organisation in",
        lambda u, w: policy.can_see_organisation(u, w["in"]),
        NATIONAL | {"region", "organisation"},
    ),
    ("can_see_organisation out", lambda u, w: policy.can_see_organisation(u, w["out"]), NATIONAL),
    ("can_read_queue", lambda u, w: policy.can_read_queue(u), NATIONAL | {"region"}),
    ("can_read_history", lambda u, w: policy.can_read_history(u), INSTITUTE_OR_ADMIN),
    ("can_read_reports", lambda u, w: policy.can_read_reports(u), NATIONAL | {"region"}),
    ("can_edit_submission in", lambda u, w: policy.can_edit_submission(u, w["in"]), {"organisation"}),
    ("can_edit_submission out", lambda u, w: policy.can_edit_submission(u, w["out"]), set()),
    # The administrator does not review: reviewing is the region's and the Institute's work.
    ("can_review in", lambda u, w: policy.can_review(u, w["in"]), {"institute", "region"}),
    ("can_review out", lambda u, w: policy.can_review(u, w["out"]), {"institute"}),
    ("can_reopen", lambda u, w: policy.can_reopen(u), {"institute"}),
    ("can_edit_registry", lambda u, w: policy.can_edit_registry(u), INSTITUTE_OR_ADMIN),
    ("can_lock_period", lambda u, w: policy.can_lock_period(u), INSTITUTE_OR_ADMIN),
    ("can_import", lambda u, w: policy.can_import(u), INSTITUTE_OR_ADMIN),
    ("can_edit_progress in", lambda u, w: policy.can_edit_progress(u, w["in"]), {"organisation"}),
    ("can_edit_progress out", lambda u, w: policy.can_edit_progress(u, w["out"]), set()),
    (
        "can_queue_report regional in",
        lambda u, w: policy.can_queue_report(u, regional=True, region=w["region_in"]),
        INSTITUTE_OR_ADMIN | {"region"},
    ),
    (
        "can_queue_report regional out",
        lambda u, w: policy.can_queue_report(u, regional=True, region=w["region_out"]),
        INSTITUTE_OR_ADMIN,
    ),
    (
        "can_queue_report national",
        lambda u, w: policy.can_queue_report(u, regional=False, region=None),
        INSTITUTE_OR_ADMIN,
    ),
    (
        "can_queue_report national about own region",
        lambda u, w: policy.can_queue_report(u, regional=False, region=w["region_in"]),
        INSTITUTE_OR_ADMIN,
    ),
    ("can_queue_any_report", lambda u, w: policy.can_queue_any_report(u), INSTITUTE_OR_ADMIN | {"region"}),
    # The director alone approves (signs); nobody else, the administrator included.
    ("can_approve_report", lambda u, w: policy.can_approve_report(u), {"director"}),
    ("can_send_report", lambda u, w: policy.can_send_report(u), INSTITUTE_OR_ADMIN),
    ("can_write_final_narrative", lambda u, w: policy.can_write_final_narrative(u), INSTITUTE_OR_ADMIN),
    ("can_write_summary institute's", lambda u, w: policy.can_write_summary(u, None), INSTITUTE_OR_ADMIN),
    ("can_write_summary region in", lambda u, w: policy.can_write_summary(u, w["region_in"]), {"region"}),
    ("can_write_summary region out", lambda u, w: policy.can_write_summary(u, w["region_out"]), set()),
]


@pytest.mark.parametrize(("case", "ask", "allowed"), TABLE, ids=[row[0] for row in TABLE])
def test_every_role_against_every_predicate(world, case, ask, allowed):
    answers = {who: ask(world["users"][who], world) for who in EVERYONE}
    assert all(isinstance(a, bool) for a in answers.values()), answers
    assert answers == {who: who in allowed for who in EVERYONE}


def test_the_table_asks_every_predicate_of_the_policy():
    """A predicate added to the policy without its row in the table fails here."""
    predicates = {
        name
        for name, function in inspect.getmembers(policy, inspect.isfunction)
        if function.__module__ == policy.__name__ and name.startswith(("can_", "is_"))
    }
    asked = {case.split(" ")[0] for case, _ask, _allowed in TABLE}
    assert predicates == asked
    assert "can_read_national" in predicates  # the introspection finds the predicates at all


def test_each_role_starts_its_day_on_its_own_page(world):
    users = world["users"]
    assert policy.home_url(users["organisation"]) == ("organisation_detail", {"bin": world["in"].bin})
    assert policy.home_url(users["region"]) == ("monitoring_queue", {})
    assert policy.home_url(users["institute"]) == ("monitoring_queue", {})
    assert policy.home_url(users["director"]) == ("report_list", {})
    assert policy.home_url(users["admin"]) == ("admin:index", {})
    assert policy.home_url(users["ministry"]) == ("national_dashboard", {})
    assert policy.home_url(users["anonymous"]) == ("order", {})


def test_own_region_is_a_coordinators_alone(world):
    users = world["users"]
    assert policy.own_region(users["region"]) == world["region_in"]
    assert [policy.own_region(users[who]) for who in EVERYONE if who != "region"] == [None] * (len(EVERYONE) - 1)


def test_the_recipient_querysets_hold_their_role_only(world):
    users = world["users"]
    assert list(policy.coordinators()) == [users["region"]]
    assert list(policy.organisation_staff()) == [users["organisation"]]
    assert set(policy.institute_analysts()) == {users["institute"], users["inactive"]}
    assert policy.active_director() == users["director"]
    users["director"].is_active = False
    users["director"].save()
    assert policy.active_director() is None


def test_the_national_reader_reads_the_whole_country(world):
    reader = policy.national_reader()
    assert reader.pk is None
    assert policy.can_read_national(reader)
    assert policy.can_see_organisation(reader, world["out"])


# No role outside the policy ----------------------------------------------------------------------------------------

ROOT = Path(settings.BASE_DIR)
POLICY = "pilots/policy.py"
# Where a role may be named, and why; keep this list short.
EXEMPT = {
    "pilots/models/users.py": "the Role enum, the role field and the scope constraint that defines each role's scope",
    "pilots/demo.py": "the demonstration accounts' specifications: data, not a decision",
}
EXEMPT_PARTS = {
    "migrations": "migrations record the model as it was",
    "tests": "tests and their factories build users of every role",
}
SKIPPED_DIRS = {".venv", ".git", ".ruff_cache", "node_modules", "static", "locale", "htmlcov"}

ROLE_NAMES = "organisation|region|institute|director|ministry|admin"
PY_PATTERNS = [
    r"\.Role\b",  # User.Role.REGION, self.Role.ADMIN, an alias of User.Role
    r"\bimport\b.*\bRole\b",
    r"\.role\b",  # user.role
    rf"\brole(__in)?\s*=\s*[\[(]?\s*[\"']({ROLE_NAMES})[\"']",  # filter(role="region")
    r"\brole\s*(==|!=|\bin\b|\bnot in\b)",  # role == ..., role in (...)
    r"\buser_role\b",
    r"\b[A-Z_]*(_ROLES|READERS)\b",  # role tuples
]
HTML_PATTERNS = [r"\buser_role\b", r"\.role\b", r"\brole\s*(==|!=)", r"\.Role\b"]


def _role_lines(path: Path) -> list[str]:
    patterns = PY_PATTERNS if path.suffix == ".py" else HTML_PATTERNS
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if any(re.search(p, line) for p in patterns):
            found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def _sources():
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if path.suffix not in (".py", ".html") or not path.is_file():
            continue
        if any(part in SKIPPED_DIRS or part in EXEMPT_PARTS for part in relative.parts):
            continue
        yield path


def test_no_module_outside_the_policy_names_a_role():
    offenders = []
    scanned = 0
    for path in _sources():
        relative = path.relative_to(ROOT).as_posix()
        if relative == POLICY or relative in EXEMPT:
            continue
        scanned += 1
        offenders += _role_lines(path)
    assert scanned > 100, scanned  # the walk reached the project's modules and templates
    assert offenders == []


def test_the_role_grep_finds_the_roles_where_they_are_named():
    """Positive controls: the same grep finds the policy's roles, the exempt model's, and each kind of offence."""
    assert len(_role_lines(ROOT / POLICY)) >= 8
    assert _role_lines(ROOT / "pilots/models/users.py")
    assert (ROOT / "templates/base.html") in set(_sources())
    offences = [
        "if user.role == User.Role.REGION:",
        "User.objects.filter(role=User.Role.DIRECTOR)",
        'User.objects.filter(role="region")',
        'models.Q(role__in=["institute", "admin"])',
        "NATIONAL_ROLES = (1, 2)",
        "R = User.Role",
        "from pilots.models.users import Role",
        "if request.user.role not in READERS:",
    ]
    for line in offences:
        assert any(re.search(p, line) for p in PY_PATTERNS), line
    for line in ['{% if user_role == "region" %}', "{% if user.role == 'admin' %}"]:
        assert any(re.search(p, line) for p in HTML_PATTERNS), line
    # What is not a role: an ARIA role, a grouping by region, the admin's filter on the role field.
    for line in ['<div class="alert" role="status">', '{% if by == "region" %}']:
        assert not any(re.search(p, line) for p in HTML_PATTERNS), line
    for line in [
        'list_filter = ["role", "region", "is_active"]',
        '(_("Role and scope"), {"fields": ("role",)})',
        "f'<svg role=\"img\">'",
        'by="region"',
    ]:
        assert not any(re.search(p, line) for p in PY_PATTERNS), line
