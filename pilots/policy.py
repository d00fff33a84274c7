"""Who may see or do what: the portal's one policy.

Every decision that depends on a user's role is a named predicate here; views, selectors, services,
forms, templates (through pilots.context_processors) and the recipients of mail ask these functions and
never name a role themselves (pilots/tests/test_policy.py greps the source tree for it).

The roles, once:
- organisation staff see and fill their own organisation's forms, and nothing national;
- a regional coordinator sees their region and reviews its submissions, and may read national aggregates;
- the Institute's analysts see everything, review any submission, reopen accepted ones, edit the registry,
  write the final report's narrative and send reports;
- the Institute's director reads everything and is the only one who approves (signs) a report;
- the Ministry reads everything and does nothing else;
- the administrator does what the Institute's analysts do except review and reopen, and keeps the admin.

Anonymous and inactive users may do nothing: every predicate answers False for them.
Scope (which organisation, which region) is the caller's data: a predicate that takes an object answers
for that object, and the selectors narrow querysets with the user's own region or organisation.
"""

from django.db.models import QuerySet

from .models import Organisation, Region, User

_NATIONAL = (User.Role.INSTITUTE, User.Role.DIRECTOR, User.Role.MINISTRY, User.Role.ADMIN)
_INSTITUTE_OR_ADMIN = (User.Role.INSTITUTE, User.Role.ADMIN)


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _is(user, *roles) -> bool:
    return _active(user) and user.role in roles


# Who the user is ---------------------------------------------------------------------------------------------------


def is_organisation_staff(user) -> bool:
    """The user works in one organisation of the pilot and sees only it."""
    return _is(user, User.Role.ORGANISATION)


def is_organisation_staff_of(user, organisation: Organisation) -> bool:
    return is_organisation_staff(user) and user.organisation_id == organisation.pk


def is_coordinator(user) -> bool:
    """The user coordinates the pilot in one region and sees only it (and national aggregates)."""
    return _is(user, User.Role.REGION)


def is_coordinator_of(user, region: Region | None) -> bool:
    return region is not None and _coordinates(user, region.pk)


def _coordinates(user, region_id) -> bool:
    return is_coordinator(user) and region_id is not None and user.region_id == region_id


def own_region(user) -> Region | None:
    """The region a coordinator answers for; None for everyone else."""
    return user.region if is_coordinator(user) else None


# Reading ------------------------------------------------------------------------------------------------------------


def can_read_national(user) -> bool:
    """Every organisation, every region, every report: the Institute, its director, the Ministry, the administrator."""
    return _is(user, *_NATIONAL)


def can_read_national_aggregates(user) -> bool:
    """National totals and averages (never rows): everyone signed in but organisation staff.
    A national average is no secret to a coordinator; organisation staff are shown their own data only."""
    return _active(user) and not is_organisation_staff(user)


def can_read_dashboards(user) -> bool:
    """Dashboards exist for national readers and coordinators; organisation staff have their own page."""
    return can_read_national(user) or is_coordinator(user)


def can_read_region(user, region: Region) -> bool:
    """A region's dashboard and exports: national readers, and the region's own coordinator."""
    return can_read_national(user) or is_coordinator_of(user, region)


def can_see_organisation(user, organisation: Organisation) -> bool:
    """An organisation's page and data: national readers, its region's coordinator, its own staff."""
    return (
        can_read_national(user)
        or _coordinates(user, organisation.region_id)
        or is_organisation_staff_of(user, organisation)
    )


def can_read_queue(user) -> bool:
    """The monitoring queue (counts and lists of submissions) is for everyone but organisation staff."""
    return can_read_national(user) or is_coordinator(user)


def can_read_history(user) -> bool:
    """The audit history of a submission's values: the Institute and the administrator."""
    return _is(user, *_INSTITUTE_OR_ADMIN)


def can_read_reports(user) -> bool:
    """Reports are read by national readers (all of them) and coordinators (their region's)."""
    return can_read_national(user) or is_coordinator(user)


# Monitoring --------------------------------------------------------------------------------------------------------


def can_edit_submission(user, organisation: Organisation) -> bool:
    """Only an organisation's own staff fill its form (the period and the status decide the rest)."""
    return is_organisation_staff_of(user, organisation)


def can_review(user, organisation: Organisation) -> bool:
    """Whose decision an organisation's submissions wait for: its region's coordinator, or the Institute."""
    return _is(user, User.Role.INSTITUTE) or _coordinates(user, organisation.region_id)


def can_reopen(user) -> bool:
    """Only the Institute reopens an accepted submission."""
    return _is(user, User.Role.INSTITUTE)


def can_lock_period(user) -> bool:
    """Locking a quarter (no form of it changes any more) and unlocking it: the Institute and the administrator."""
    return _is(user, *_INSTITUTE_OR_ADMIN)


# Registry ----------------------------------------------------------------------------------------------------------


def can_edit_registry(user) -> bool:
    """The Institute and the administrator keep the list of organisations: import it, record leaving and replacing."""
    return _is(user, *_INSTITUTE_OR_ADMIN)


def can_import(user) -> bool:
    """Loading the list of organisations from a workbook is editing the registry."""
    return can_edit_registry(user)


def can_edit_progress(user, organisation: Organisation) -> bool:
    """Only an organisation's own staff tick its activities (while it is in the pilot, which the caller checks)."""
    return is_organisation_staff_of(user, organisation)


# Reports -----------------------------------------------------------------------------------------------------------


def can_queue_report(user, *, regional: bool, region: Region | None) -> bool:
    """The Institute (and the administrator) compile any report; a coordinator only their own region's
    regional report."""
    if _is(user, *_INSTITUTE_OR_ADMIN):
        return True
    return regional and is_coordinator_of(user, region)


def can_queue_any_report(user) -> bool:
    """Whether the list of reports offers the form to compile one."""
    return _is(user, *_INSTITUTE_OR_ADMIN) or is_coordinator(user)


def can_approve_report(user) -> bool:
    """Only the Institute's director approves, and so signs with the Institute's key: not the analysts
    who wrote the report, not the Ministry that receives it, not a region, not an administrator."""
    return _is(user, User.Role.DIRECTOR)


def can_send_report(user) -> bool:
    """The Institute (and the administrator) send reports to the Department (the kind is the caller's check)."""
    return _is(user, *_INSTITUTE_OR_ADMIN)


def can_write_final_narrative(user) -> bool:
    """The final report's conclusions and recommendations: the Institute and the administrator."""
    return _is(user, *_INSTITUTE_OR_ADMIN)


def can_write_summary(user, region: Region | None) -> bool:
    """The Institute writes its summary of a quarter (region None); a region's summary only that region's
    coordinator writes, since clause 4 makes the regional department answer for the pilot on its ground."""
    if region is None:
        return _is(user, *_INSTITUTE_OR_ADMIN)
    return is_coordinator_of(user, region)


# Where each user starts --------------------------------------------------------------------------------------------


def home_url(user) -> tuple[str, dict]:
    """The URL name (and its arguments) of the page the user starts their day on."""
    if is_organisation_staff(user):
        return "organisation_detail", {"bin": user.organisation.bin}
    if is_coordinator(user) or _is(user, User.Role.INSTITUTE):
        return "monitoring_queue", {}
    if can_approve_report(user):
        return "report_list", {}  # where versions wait for approval
    if _is(user, User.Role.ADMIN):
        return "admin:index", {}
    if _is(user, User.Role.MINISTRY):
        return "national_dashboard", {}
    return "order", {}


def national_reader() -> User:
    """An unsaved user who reads the whole country: whose scope a scheduled report is compiled in."""
    return User(role=User.Role.INSTITUTE, is_active=True)


# Who is told -------------------------------------------------------------------------------------------------------


def coordinators() -> QuerySet[User]:
    """Every regional coordinator's account, active or not (the caller narrows by region and activity)."""
    return User.objects.filter(role=User.Role.REGION)


def organisation_staff() -> QuerySet[User]:
    """Every account of organisation staff, active or not."""
    return User.objects.filter(role=User.Role.ORGANISATION)


def institute_analysts() -> QuerySet[User]:
    """Every account of the Institute's analysts, active or not."""
    return User.objects.filter(role=User.Role.INSTITUTE)


def active_director() -> User | None:
    """The Institute's director who signs: the active one who joined last."""
    return User.objects.filter(role=User.Role.DIRECTOR, is_active=True).order_by("-date_joined", "-pk").first()
