"""Reads of monitoring data. Every submission is reached through the organisation's scope (pilots.selectors)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import formats
from django.utils.translation import gettext as _

from pilots import policy
from pilots.filters import OrganisationFilter
from pilots.models import Organisation, User
from pilots.selectors import organisation_get, organisation_scope

from .models import (
    EDITABLE_STATUSES,
    SUBMITTED_STATUSES,
    Attachment,
    FieldComment,
    Indicator,
    Period,
    Section,
    Status,
    Submission,
    Transition,
    Value,
)
from .summary import summary_cells, summary_counts


def period_get(*, code: str) -> Period:
    try:
        return Period.objects.get(code=code)
    except Period.DoesNotExist:
        raise Http404("No such period.") from None


def period_current(*, today) -> Period | None:
    """The period whose form people should be filling now: the latest that has started and is not locked."""
    return Period.objects.filter(starts_on__lte=today, locked=False).order_by("-starts_on").first()


@dataclass
class SubmissionContext:
    organisation: Organisation
    period: Period
    submission: Submission | None


def submission_get(*, user: User, bin: str, period_code: str) -> SubmissionContext:
    """The submission of an organisation the user may see; out of scope looks like not found."""
    organisation = organisation_get(user=user, bin=bin)
    period = period_get(code=period_code)
    submission = Submission.objects.filter(organisation=organisation, period=period).select_related("period").first()
    return SubmissionContext(organisation=organisation, period=period, submission=submission)


def submission_can_edit(*, user: User, context: SubmissionContext, today) -> bool:
    """The organisation's own staff, while the submission is a draft or returned and the period is open."""
    s = context.submission
    return (
        policy.can_edit_submission(user, context.organisation)
        and context.period.is_open(today)
        and (s is None or s.status in EDITABLE_STATUSES)
    )


def organisation_reviewer(*, user: User, organisation: Organisation) -> bool:
    """Whose decision an organisation's submissions wait for: its region's coordinator, or the Institute."""
    return policy.can_review(user, organisation)


def submission_can_review(*, user: User, context: SubmissionContext) -> bool:
    """The region's coordinator or the Institute, on a submitted submission in an open period."""
    s = context.submission
    if s is None or s.status != Status.SUBMITTED or context.period.locked:
        return False
    return organisation_reviewer(user=user, organisation=context.organisation)


def submission_can_reopen(*, user: User, context: SubmissionContext) -> bool:
    s = context.submission
    return policy.can_reopen(user) and s is not None and s.status == Status.ACCEPTED and not context.period.locked


def form_indicators(*, period: Period, submission: Submission | None) -> list[Indicator]:
    """The indicators asked in the period, plus any the submission already holds a value for (so none is lost)."""
    # Two subqueries on the period's own link rows and the submission's own values, not a join of each
    # indicator to its values across the country (filtered after the join, then made distinct): that
    # grew with the number of organisations, 2.3 s of a 2.4 s form at 11,000 (docs/performance.md).
    query = Q(pk__in=Indicator.periods.through.objects.filter(period=period).values("indicator_id"))
    if submission is not None:
        query |= Q(pk__in=Value.objects.filter(submission=submission).values("indicator_id"))
    return list(
        Indicator.objects.filter(query).select_related("section").order_by("section__position", "position", "pk")
    )


def sections_with(indicators: list[Indicator]) -> list[tuple[Section, list[Indicator]]]:
    grouped: dict[int, tuple[Section, list[Indicator]]] = {}
    for indicator in indicators:
        grouped.setdefault(indicator.section_id, (indicator.section, []))[1].append(indicator)
    return list(grouped.values())


def value_of(indicator: Indicator, value: Value):
    """A stored value as the form and JSON want it: Decimal or int for numbers, bool, or text."""
    if indicator.is_numeric:
        if value.number is None:
            return None
        return int(value.number) if indicator.type == Indicator.Type.INTEGER else value.number
    if indicator.type == Indicator.Type.BOOLEAN:
        return None if value.number is None else bool(value.number)
    return value.text


def display_value(indicator: Indicator, value) -> str:
    """A value as a person reads it, in the active language: 1 234,5 · yes · the choice's label · the text."""
    if value is None or value == "":
        return ""
    if indicator.type == Indicator.Type.BOOLEAN:
        return _("yes") if value else _("no")
    if indicator.type == Indicator.Type.CHOICE:
        return indicator.choice_label(value)
    if indicator.is_numeric:
        return formats.number_format(
            value,
            decimal_pos=None if indicator.type == Indicator.Type.INTEGER else 2,
            use_l10n=True,
            force_grouping=True,
        )
    return str(value)


def display_with_unit(indicator: Indicator, value) -> str:
    """A value as display_value words it, with its unit in the form the number asks for: «3 группы»."""
    shown = display_value(indicator, value)
    if shown and indicator.is_numeric and indicator.unit:
        return f"{shown}\u00a0{indicator.unit_for(value)}"  # a no-break space: the unit never wraps apart
    return shown


def submission_values(*, submission: Submission | None) -> tuple[dict, dict]:
    """({code: value}, {code: explanation}) of a submission, in one query."""
    if submission is None:
        return {}, {}
    values, explanations = {}, {}
    for v in Value.objects.filter(submission=submission).select_related("indicator"):
        values[v.indicator.code] = value_of(v.indicator, v)
        if v.explanation:
            explanations[v.indicator.code] = v.explanation
    return values, explanations


def previous_values(*, organisation: Organisation, period: Period) -> dict[str, Decimal]:
    """Numbers of the organisation's previous period's submission, whatever its status, for comparison."""
    previous = Period.objects.filter(starts_on__lt=period.starts_on).order_by("-starts_on").first()
    if previous is None:
        return {}
    rows = Value.objects.filter(
        submission__organisation=organisation, submission__period=previous, number__isnull=False
    ).values_list("indicator__code", "number")
    return dict(rows)


def submission_timeline(*, submission: Submission | None) -> list[Transition]:
    if submission is None:
        return []
    return list(
        submission.transitions.select_related("by").prefetch_related(
            Prefetch("field_comments", queryset=FieldComment.objects.select_related("indicator"))
        )
    )


def field_reasons_of_last_return(*, submission: Submission | None) -> dict[str, str]:
    """{indicator code: the reviewer's reason} from the latest return, to show beside each field."""
    if submission is None:
        return {}
    last = submission.transitions.filter(to_status=Status.RETURNED).order_by("-at", "-pk").first()
    if last is None:
        return {}
    return {c.indicator.code: c.comment for c in last.field_comments.select_related("indicator")}


def submission_attachments(*, submission: Submission | None) -> list[Attachment]:
    return [] if submission is None else list(submission.attachments.select_related("uploaded_by"))


def attachment_get(*, user: User, bin: str, period_code: str, attachment_id: int) -> Attachment:
    context = submission_get(user=user, bin=bin, period_code=period_code)
    if context.submission is None:
        raise Http404("No submission.")
    try:
        return context.submission.attachments.get(pk=attachment_id)
    except Attachment.DoesNotExist:
        raise Http404("No such file.") from None


def changes_since_return(*, submission: Submission | None, values: dict) -> dict[str, object]:
    """For a resubmitted submission: {code: value at the return} for every value changed since."""
    if submission is None:
        return {}
    last_return = submission.transitions.filter(to_status=Status.RETURNED).order_by("-at", "-pk").first()
    if last_return is None:
        return {}
    before = last_return.values_snapshot
    changed = {}
    for code in set(before) | set(values):
        old, new = before.get(code), values.get(code)
        if _comparable(old) != _comparable(new):
            changed[code] = old
    return changed


def _comparable(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return str(value)


def submission_queue(*, user: User, period: Period) -> dict:
    """Counts for the reviewer's queue in a period: waiting, returned, accepted, late, and missing.

    Read from the summary's cells of the user's scope (one query), else counted from the submissions."""
    cells = summary_cells(user=user, filters=OrganisationFilter())
    if cells is not None:
        summed = summary_counts(cells=cells, periods=[period], by=None).get(("", period.pk))
        summed = summed or dict.fromkeys(("expected", "handed_in", "waiting", "returned", "late"), 0)
        counts = {
            "waiting": summed["waiting"],
            "returned": summed["returned"],
            "accepted": summed["handed_in"] - summed["waiting"],
            "late": summed["late"],
        }
        expected = summed["expected"]
    else:
        counts, expected = queue_counted(user=user, period=period)
    handed_in = counts["waiting"] + counts["accepted"]
    # Missing: expected but not handed in (no submission, a draft, or returned and not resubmitted),
    # the same definition as organisations_missing() and docs/monitoring.md.
    # Not started: of those, the ones not returned (no submission or a draft). The queue's tabs are
    # waiting, returned, not started and accepted: they partition the expected organisations, so they add
    # up to `expected`; late is a part of those handed in, shown apart.
    counts.update(
        expected=expected, missing=expected - handed_in, not_started=expected - handed_in - counts["returned"]
    )
    return counts


def queue_rows(*, user: User, period: Period, shown: str) -> QuerySet:
    """The rows of one tab of the reviewer's queue: organisations not handed in yet ("missing"), those handed
    in late ("late"), else the submissions of that status."""
    if shown == "missing":
        return organisations_not_started(organisations=organisation_scope(user=user), period=period)
    if shown == "late":
        return submission_list(user=user, period=period).handed_in().filter(is_late=True)
    return submission_list(user=user, period=period, status=shown)


def queue_counted(*, user: User, period: Period) -> tuple[dict, int]:
    """submission_queue's counts from the submissions themselves (the summary's oracle for them)."""
    organisations = organisation_scope(user=user).expected_in(period)
    counts = Submission.objects.filter(period=period, organisation__in=organisations).aggregate(
        waiting=Count("pk", filter=Q(status=Status.SUBMITTED)),
        returned=Count("pk", filter=Q(status=Status.RETURNED)),
        accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
        late=Count("pk", filter=Q(is_late=True, status__in=SUBMITTED_STATUSES)),
    )
    return counts, organisations.count()


def organisations_not_started(*, organisations: QuerySet[Organisation], period: Period) -> QuerySet[Organisation]:
    """Of `organisations`, those expected in the period that have not handed in and were not returned either:
    no submission, or a draft (the queue's "not handed in yet" tab)."""
    returned = Submission.objects.filter(period=period, status=Status.RETURNED, organisation=OuterRef("pk"))
    return organisations_missing(organisations=organisations, period=period).filter(~Exists(returned))


def submission_list(*, user: User, period: Period, status: str = "") -> QuerySet:
    """The user's organisations' submissions in a period, optionally of one status."""
    scope = organisation_scope(user=user)
    qs = Submission.objects.filter(period=period).select_related("organisation", "organisation__region")
    # A scope with no condition is every organisation (the Institute's, the ministry's): filtering by it would
    # only join all of them (11,000 at national scale) to find the quarter's submissions.
    if scope.query.where:
        qs = qs.filter(organisation__in=scope)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("organisation__region__code", "organisation__name_kk")


def organisations_missing(*, organisations: QuerySet[Organisation], period: Period) -> QuerySet[Organisation]:
    """Of `organisations` (a scope), those expected in the period that have not handed in: no submission,
    a draft, or returned and not resubmitted. The coordinators' "missing", the dashboard's "not handed
    in" and the reminders' recipients are this one rule."""
    # NOT EXISTS, one probe of the (organisation, period) index each: NOT IN read every submission of the
    # country handed in that quarter (10,000 at national scale) to list one region's.
    handed_in = Submission.objects.handed_in().filter(period=period, organisation=OuterRef("pk"))
    return organisations.expected_in(period).filter(~Exists(handed_in)).order_by("region__code", "name_kk")


@dataclass
class ValueChange:
    at: object
    by: object
    indicator: Indicator
    before: str
    after: str


def submission_audit(*, submission: Submission) -> list[ValueChange]:
    """Each recorded change of each value, newest first, with the value before and after (two queries)."""
    indicators = {i.pk: i for i in Indicator.objects.filter(values__submission=submission).distinct()}
    records = (
        Value.history.filter(submission_id=submission.pk)
        .select_related("history_user")
        .order_by("indicator_id", "history_date", "history_id")
    )
    changes, last = [], {}
    for record in records:
        indicator = indicators.get(record.indicator_id)
        if indicator is None:
            continue
        raw = (
            None
            if record.history_type == "-"
            else (record.text if indicator.type in (Indicator.Type.TEXT, Indicator.Type.CHOICE) else record.number)
        )
        if indicator.type == Indicator.Type.BOOLEAN and raw is not None:
            raw = bool(raw)
        elif indicator.type == Indicator.Type.INTEGER and raw is not None:
            raw = int(raw)
        after = display_value(indicator, raw)
        before = last.get(indicator.pk, "")
        if before != after or record.history_type == "+":
            changes.append(ValueChange(record.history_date, record.history_user, indicator, before, after))
        last[indicator.pk] = after
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


@dataclass
class FileEvent:
    at: datetime.datetime
    by: User | None
    name: str
    removed: bool


def submission_file_events(*, submission: Submission) -> list[FileEvent]:
    """Each file attached to the submission and each removed, newest first (one query)."""
    records = (
        Attachment.history.filter(submission_id=submission.pk, history_type__in=("+", "-"))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    return [FileEvent(r.history_date, r.history_user, r.original_name, r.history_type == "-") for r in records]


@dataclass
class PeriodStatus:
    period: Period
    submission: Submission | None
    missing_required: int | None  # for the current period: required values not yet filled


def organisation_periods(*, organisation: Organisation, today) -> list[PeriodStatus]:
    """Every period that has started, with this organisation's submission and, for the open one, what is missing."""
    periods = list(Period.objects.filter(starts_on__lte=today))
    submissions = {s.period_id: s for s in Submission.objects.filter(organisation=organisation)}
    current = period_current(today=today)
    rows = []
    for period in periods:
        submission = submissions.get(period.pk)
        missing = None
        if current is not None and period.pk == current.pk:
            from .validation import required_codes, rules_for

            asked = list(Indicator.objects.filter(periods=period))
            required = required_codes(indicators=asked, rules=rules_for(period))
            filled = 0
            if submission is not None:
                filled = (
                    Value.objects.filter(submission=submission, indicator__code__in=required)
                    .filter(Q(number__isnull=False) | ~Q(text=""))
                    .count()
                )
            missing = len(required) - filled
        rows.append(PeriodStatus(period=period, submission=submission, missing_required=missing))
    return rows
