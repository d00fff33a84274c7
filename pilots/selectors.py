"""Reads of the pilot's registry. The scope functions here are the one door to organisations:
every view, export, download, dashboard and report reaches rows through them."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.utils.translation import get_language

from . import policy
from .filters import OrganisationFilter
from .models import Activity, ActivityProgress, Organisation, Region, Stage, User
from .models.i18n import FALLBACK_ORDER


def organisation_scope(*, user: User) -> QuerySet[Organisation]:
    """Every organisation the user may see; none for an anonymous or inactive user."""
    qs = Organisation.objects.select_related("region")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if policy.is_organisation_staff(user):
        return qs.filter(pk=user.organisation_id)
    if policy.is_coordinator(user):
        return qs.filter(region_id=user.region_id)
    if policy.can_read_national(user):
        return qs
    return qs.none()


def national_aggregate_scope(*, user: User) -> QuerySet[Organisation]:
    """All organisations, for national totals shown beside a region's own figures.

    Only aggregates computed over this scope may be shown to a coordinator, never its rows:
    a national average is no secret, another region's organisation is."""
    if not policy.can_read_national_aggregates(user):
        return Organisation.objects.none()
    return Organisation.objects.all()


def region_scope(*, user: User) -> QuerySet[Region]:
    """The regions whose data the user may see."""
    qs = Region.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if policy.is_coordinator(user):
        return qs.filter(pk=user.region_id)
    if policy.is_organisation_staff(user):
        return qs.filter(organisations__pk=user.organisation_id)
    if policy.can_read_national(user):
        return qs
    return qs.none()


def organisation_get(*, user: User, bin: str) -> Organisation:
    """One organisation by BIN; out of scope looks exactly like not found."""
    try:
        return organisation_scope(user=user).get(bin=bin)
    except Organisation.DoesNotExist:
        raise Http404("No such organisation.") from None


def organisation_list(*, user: User, filters: OrganisationFilter | None = None) -> QuerySet[Organisation]:
    """The user's organisations, narrowed by the filters; a filter never widens the scope."""
    qs = (filters or OrganisationFilter()).apply(organisation_scope(user=user))
    return qs.order_by("region__code", name_in_active_language(), "bin")


def name_in_active_language(field: str = "name"):
    """An expression for `<field>_<lang>` in the active language, else the first one filled: what a reader sorts by."""
    lang = (get_language() or "kk")[:2]
    codes = [lang, *(code for code in FALLBACK_ORDER if code != lang)]
    return Coalesce(*(NullIf(f"{field}_{code}", Value("")) for code in codes), Value(""))


def organisation_can_edit_progress(*, user: User, organisation: Organisation) -> bool:
    """Only the organisation's own staff tick its activities, and only while it is in the pilot."""
    return policy.can_edit_progress(user, organisation) and organisation.is_in_pilot


def organisation_can_manage_membership(*, user: User) -> bool:
    """Only the Institute (and the administrator) record an organisation leaving or being replaced."""
    return policy.can_edit_registry(user)


@dataclass
class StageProgress:
    stage: Stage
    rows: list  # (activity, progress or None)
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def organisation_algorithm_progress(*, organisation: Organisation) -> list[StageProgress]:
    """Each stage with its activities and this organisation's progress on them, in three queries."""
    progress = {
        p.activity_id: p
        for p in ActivityProgress.objects.filter(organisation=organisation).select_related("updated_by")
    }
    stages = Stage.objects.prefetch_related(Prefetch("activities", queryset=Activity.objects.order_by("position")))
    result = []
    for stage in stages:
        rows = [(a, progress.get(a.pk)) for a in stage.activities.all()]
        done = sum(1 for _, p in rows if p and p.done)
        result.append(StageProgress(stage=stage, rows=rows, done=done, total=len(rows)))
    return result


def activity_progress_get(
    *, user: User, bin: str, activity_code: str
) -> tuple[Organisation, Activity, ActivityProgress | None]:
    """An activity of an organisation the user may see, with its progress row if any."""
    organisation = organisation_get(user=user, bin=bin)
    try:
        activity = Activity.objects.select_related("stage").get(code=activity_code)
    except Activity.DoesNotExist:
        raise Http404("No such activity.") from None
    progress = ActivityProgress.objects.filter(organisation=organisation, activity=activity).first()
    return organisation, activity, progress
