"""The order's control card: each clause with a live status computed from the portal's data."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pilots import policy
from pilots.models import Activity, Clause, ClauseExecution, Order, Organisation, Region, Stage, User

from .models import Period
from .progress_summary import organisations_on


class State:
    DONE = "done"
    IN_PROGRESS = "in_progress"
    PENDING = "pending"
    OVERDUE = "overdue"


STATE_LABELS = {
    State.DONE: gettext_lazy("done"),
    State.IN_PROGRESS: gettext_lazy("in progress"),
    State.PENDING: gettext_lazy("not started"),
    State.OVERDUE: gettext_lazy("overdue"),
}


@dataclass
class ClauseStatus:
    clause: Clause
    state: str
    summary: str
    days_left: int | None
    executions: list
    # The span the card prints: the clause's own, except for clause 3.1, whose last report is due
    # when the periods say (the quarter's end decides it), so the span and "next due" agree.
    starts_on: datetime.date | None = None
    due_on: datetime.date | None = None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def quarter_report_due_dates() -> dict[str, datetime.date]:
    """Each reporting period's code with the day its quarterly report to the Department is due,
    from the periods as the Institute set them (data, not code)."""
    return {p.code: p.report_due_on for p in Period.objects.order_by("starts_on")}


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _by_deadline(clause: Clause, today: datetime.date, done: bool) -> str:
    if done:
        return State.DONE
    if clause.starts_on and today < clause.starts_on:
        return State.PENDING
    if clause.due_on and today > clause.due_on:
        return State.OVERDUE
    return State.IN_PROGRESS


# The clauses whose summary counts organisations and coordinators nationwide.
NATIONAL_FIGURES = (Clause.Kind.PILOT, Clause.Kind.ORGANISATION_LIST, Clause.Kind.REGIONS)


def order_control_card(*, order: Order, today: datetime.date, user: User) -> list[ClauseStatus]:
    """Every clause of the order with its state and a one-line summary, in a fixed number of queries.

    National counts are summarised only for a user who may read national aggregates (as
    pilots.selectors.national_aggregate_scope): organisation staff see the clause and its state alone."""
    national = policy.can_read_national_aggregates(user)
    clauses = list(order.clauses.all())
    executions: dict[int, list] = {}
    for execution in ClauseExecution.objects.filter(clause__order=order).select_related("recorded_by"):
        executions.setdefault(execution.clause_id, []).append(execution)

    # From the summary of organisations by cell (monitoring.progress_summary), not by counting all of them.
    in_pilot = organisations_on(cells=Q(), day=today, by=("region_id", "ownership"))
    counts = {
        "total": sum(in_pilot.values()),
        "state": sum(n for (_region, ownership), n in in_pilot.items() if ownership == Organisation.Ownership.STATE),
        "private": sum(
            n for (_region, ownership), n in in_pilot.items() if ownership == Organisation.Ownership.PRIVATE
        ),
        "regions": len({region for region, _ownership in in_pilot}),
    }
    region_total = Region.objects.count()
    regions_with_coordinator = policy.coordinators().filter(is_active=True).values("region").distinct().count()
    stage_count = Stage.objects.count()
    activity_count = Activity.objects.count()

    statuses = []
    for clause in clauses:
        done_records = executions.get(clause.pk, [])
        starts_on, due_on = clause.starts_on, clause.due_on
        days_left = (clause.due_on - today).days if clause.due_on else None
        kind = clause.kind
        if kind == Clause.Kind.PILOT:
            state = _by_deadline(clause, today, done=bool(clause.due_on and today > clause.due_on))
            summary = ngettext(
                "%(count)d organisation in the pilot today "
                "(%(state)d state, %(private)d private) in %(regions)d regions.",
                "%(count)d organisations in the pilot today "
                "(%(state)d state, %(private)d private) in %(regions)d regions.",
                counts["total"],
            ) % {
                "count": counts["total"],
                "state": counts["state"],
                "private": counts["private"],
                "regions": counts["regions"],
            }
        elif kind == Clause.Kind.ALGORITHM:
            state = State.DONE if activity_count else _by_deadline(clause, today, done=False)
            summary = _("%(stages)d stages and %(activities)d activities in the portal.") % {
                "stages": stage_count,
                "activities": activity_count,
            }
        elif kind == Clause.Kind.ORGANISATION_LIST:
            complete = counts["total"] >= order.planned_organisations and counts["regions"] >= region_total
            state = State.DONE if complete else _by_deadline(clause, today, done=False)
            summary = _(
                "%(count)d of %(planned)d organisations listed, in %(regions)d of %(total_regions)d regions."
            ) % {
                "count": counts["total"],
                "planned": order.planned_organisations,
                "regions": counts["regions"],
                "total_regions": region_total,
            }
        elif kind == Clause.Kind.MONITORING:
            dues = quarter_report_due_dates()
            if dues:
                due_on = max(dues.values())
                days_left = (due_on - today).days
            due_so_far = sum(1 for d in dues.values() if d < today)
            # A quarter counts once, however many records name it; a record that names no quarter is
            # listed on the card but proves no quarter sent.
            sent_refs = {e.reference for e in done_records if e.reference in dues}
            sent = len(sent_refs)
            unsent = sorted(d for code, d in dues.items() if code not in sent_refs)
            next_due = next((d for d in unsent if d >= today), None)
            all_sent = bool(dues) and not unsent
            overdue = any(d < today for d in unsent)
            state = State.DONE if all_sent else (State.OVERDUE if overdue else State.IN_PROGRESS)
            summary = _("Quarterly reports sent to the Department: %(sent)d of %(due)d due so far.") % {
                "sent": sent,
                "due": due_so_far,
            }
            if next_due and not all_sent:
                summary += " " + _("The next is due on %(date)s.") % {"date": _date(next_due)}
                days_left = (next_due - today).days
        elif kind == Clause.Kind.REGIONS:
            state = _by_deadline(clause, today, done=bool(clause.due_on and today > clause.due_on))
            summary = _(
                "Organisations in %(regions)d of %(total)d regions; coordinators named in %(coordinators)d."
            ) % {
                "regions": counts["regions"],
                "total": region_total,
                "coordinators": regions_with_coordinator,
            }
        elif kind == Clause.Kind.ENTRY_INTO_FORCE:
            state = State.DONE if today >= order.signed_on else State.PENDING
            summary = _("In force since %(date)s.") % {"date": _date(order.signed_on)}
        elif kind == Clause.Kind.CONTROL:
            state = State.DONE if today > order.pilot_ends_on else State.IN_PROGRESS
            summary = _("Continuous, until the end of the pilot on %(date)s.") % {"date": _date(order.pilot_ends_on)}
        else:
            # The final report and the notification are done when their execution is recorded.
            state = _by_deadline(clause, today, done=bool(done_records))
            if done_records:
                summary = _("Done on %(date)s.") % {"date": _date(done_records[-1].done_on)}
            elif clause.due_on:
                summary = _("No record of execution yet.")
            else:
                summary = _("Ongoing.")
        if state == State.DONE:
            days_left = None
        if kind in NATIONAL_FIGURES and not national:
            summary = ""
        statuses.append(
            ClauseStatus(
                clause=clause,
                state=state,
                summary=summary,
                days_left=days_left,
                executions=done_records,
                starts_on=starts_on,
                due_on=due_on,
            )
        )
    return statuses
