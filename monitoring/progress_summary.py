"""The algorithm's progress, kept summed by cell (monitoring.models.summary: SummedOrganisations, SummedActivities).

figures.stage_progress_by_region counts, for a day, the organisations in the pilot on that day and the
activities they ticked done with a date on or before it. Both depend on the day, so the summary keeps what
does not: every organisation of each cell, and every tick done with a date, whatever the dates. The figure
of a day is the summary less two small live counts (`progress_counts`): the ticks dated after the day (none,
on today's dashboards: a date in the future is refused) and the organisations not in the pilot on it, with
their ticks (those who left or have not joined yet, a handful). Each is read through an index of its date.

The rows change in the transaction of the write that changes them (monitoring.signals: a tick saved or
deleted, an organisation created, moved to another cell or deleted), by an increment in the database, as
monitoring.summary's own rows are. `progress_differences` compares them with the ticks, `progress_rebuild`
sums them again (`manage.py rebuild_summary` does both, with the rest of the summary)."""

import datetime
from collections import Counter

from django.db import transaction
from django.db.models import Count, Q, Sum

from pilots.models import ActivityProgress, Organisation, Region

from .models import SummedActivities, SummedOrganisations
from .summary import upsert_add

CELL = ("region", "ownership", "settlement", "language")
_ORG_DIMS = ("region_id", "ownership", "settlement", "language")
_TICK_DIMS = tuple(f"organisation__{d}" for d in _ORG_DIMS)
Dims = tuple  # (region_id, ownership, settlement, language)


def counted(done: bool, done_on: datetime.date | None) -> bool:
    """A tick the figures can count on some day: done, with the date it was done."""
    return bool(done) and done_on is not None


def _counted_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}done": True, f"{prefix}done_on__isnull": False})


def progress_apply(*, organisations: Counter, activities: Counter) -> None:
    """Add {dims: n} organisations and {(dims, activity_id): n} ticks to their cells, in one statement per
    table; rows in one order, so two transactions touching the same cells wait rather than deadlock."""
    orgs = sorted((*dims, n) for dims, n in organisations.items() if n)
    ticks = sorted((activity_id, *dims, n) for (dims, activity_id), n in activities.items() if n)
    if not orgs and not ticks:
        return
    with transaction.atomic():
        if orgs:
            upsert_add(SummedOrganisations, CELL, ("organisations",), orgs)
        if ticks:
            upsert_add(SummedActivities, ("activity", *CELL), ("done",), ticks)


def _dims_of(organisation_id: int) -> Dims | None:
    return Organisation.objects.filter(pk=organisation_id).values_list(*_ORG_DIMS).first()


Tick = tuple  # (organisation_id, activity_id) of a tick that counts (see `counted`)


def progress_tick_written(*, before: Tick | None, after: Tick | None) -> None:
    """A tick saved or deleted: what it counted as before and after (None: nothing)."""
    if before == after:
        return
    activities = Counter()
    for tick, sign in ((before, -1), (after, 1)):
        if tick is None:
            continue
        dims = _dims_of(tick[0])
        if dims is not None:  # else the organisation is gone, and its cell lost it when it went
            activities[(dims, tick[1])] += sign
    progress_apply(organisations=Counter(), activities=activities)


def _ticks_of(organisation_ids) -> dict[int, list[int]]:
    found = {}
    rows = ActivityProgress.objects.filter(_counted_q(), organisation_id__in=organisation_ids).values_list(
        "organisation_id", "activity_id"
    )
    for organisation_id, activity_id in rows:
        found.setdefault(organisation_id, []).append(activity_id)
    return found


def progress_organisations_moved(moves: dict[int, tuple[Dims | None, Dims | None]]) -> None:
    """Organisations created (before None), moved to another cell, or deleted (after None): each takes
    itself and its ticks from the cell before to the cell after. A deleted organisation's ticks are deleted
    with it, each through its own signal, before it: so it takes only itself."""
    moves = {pk: (before, after) for pk, (before, after) in moves.items() if before != after}
    if not moves:
        return
    organisations, activities = Counter(), Counter()
    ticks = _ticks_of([pk for pk, (before, after) in moves.items() if before is not None and after is not None])
    for pk, (before, after) in moves.items():
        for dims, sign in ((before, -1), (after, 1)):
            if dims is None:
                continue
            organisations[dims] += sign
            for activity_id in ticks.get(pk, []):
                activities[(dims, activity_id)] += sign
    progress_apply(organisations=organisations, activities=activities)


def progress_organisations_written(*, created: list[Organisation], changed: dict[int, dict]) -> None:
    """After a bulk write of organisations (pilots.events.organisations_written): the new ones join their
    cells; an updated one whose cell changed moves, with its ticks. `changed` holds each one's old values."""
    moves = {o.pk: (None, tuple(getattr(o, d) for d in _ORG_DIMS)) for o in created}
    moved = {pk: old for pk, old in changed.items() if set(old) & set(CELL)}
    for pk, *dims in Organisation.objects.filter(pk__in=moved).values_list("pk", *_ORG_DIMS):
        old = {f"{name}_id" if name == "region" else name: getattr(v, "pk", v) for name, v in moved[pk].items()}
        moves[pk] = (tuple(old.get(d, now) for d, now in zip(_ORG_DIMS, dims, strict=True)), tuple(dims))
    progress_organisations_moved(moves)


# Reading.


def _away(cells: Q, day: datetime.date):
    """The organisations of `cells` not in the pilot on the day: joined after it, or left before it (the two
    dates' indexes find them)."""
    return Organisation.objects.filter(cells).filter(Q(in_pilot_from__gt=day) | Q(in_pilot_until__lt=day))


def organisations_on(*, cells: Q, day: datetime.date, by: tuple[str, ...] = ("region_id",)) -> Counter:
    """How many organisations of `cells` are in the pilot on `day`, by the dimensions `by` ({(values): n});
    two small queries, whatever the number of organisations."""
    found = Counter(
        {
            tuple(row[:-1]): row[-1]
            for row in SummedOrganisations.objects.filter(cells).values_list(*by).annotate(n=Sum("organisations"))
        }
    )
    for *key, n in _away(cells, day).order_by().values_list(*by).annotate(n=Count("pk")):
        found[tuple(key)] -= n
    return +found


def progress_counts(*, cells: Q, day: datetime.date) -> tuple[dict[int, int], Counter]:
    """For the organisations of `cells` in the pilot on `day`: how many in each region ({region_id: n}), and
    the activities they ticked done on or before it ({(region_id, activity_id): n}); six small queries."""
    in_cells = Organisation.objects.filter(cells)
    away = _away(cells, day)
    by_region = {key[0]: n for key, n in organisations_on(cells=cells, day=day).items()}
    done = Counter()
    for region_id, activity_id, n in (
        SummedActivities.objects.filter(cells).values_list("region_id", "activity_id").annotate(n=Sum("done"))
    ):
        done[(region_id, activity_id)] += n
    taken = (
        ActivityProgress.objects.filter(_counted_q(), organisation__in=away).values_list(
            "organisation__region_id", "activity_id"
        ),
        ActivityProgress.objects.filter(
            done=True, done_on__gt=day, organisation__in=in_cells.in_pilot_on(day)
        ).values_list("organisation__region_id", "activity_id"),
    )
    for rows in taken:
        for region_id, activity_id, n in rows.order_by().annotate(n=Count("pk")):
            done[(region_id, activity_id)] -= n
    return by_region, +done


# The oracle, and the rebuild.


def progress_from_ticks() -> tuple[Counter, Counter]:
    """({dims: organisations}, {(dims, activity_id): ticks}) from the organisations and ticks; two queries."""
    organisations = Counter(
        {tuple(row[:4]): row[4] for row in Organisation.objects.values_list(*_ORG_DIMS).annotate(n=Count("pk"))}
    )
    activities = Counter(
        {
            (tuple(row[:4]), row[4]): row[5]
            for row in ActivityProgress.objects.filter(_counted_q())
            .values_list(*_TICK_DIMS, "activity_id")
            .annotate(n=Count("pk"))
            .order_by()
        }
    )
    return +organisations, +activities


def progress_stored() -> tuple[Counter, Counter]:
    organisations = Counter(
        {tuple(row[:4]): row[4] for row in SummedOrganisations.objects.values_list(*_ORG_DIMS, "organisations")}
    )
    activities = Counter(
        {
            (tuple(row[:4]), row[4]): row[5]
            for row in SummedActivities.objects.values_list(*_ORG_DIMS, "activity_id", "done")
        }
    )
    return +organisations, +activities


def progress_differences() -> list[str]:
    """Every cell where the progress summary differs from the ticks, one line each; empty when they agree."""
    live_orgs, live_ticks = progress_from_ticks()
    stored_orgs, stored_ticks = progress_stored()
    regions = dict(Region.objects.values_list("pk", "code"))

    def cell(dims) -> str:
        return " ".join([regions.get(dims[0], str(dims[0])), *dims[1:]])

    lines = [
        f"{cell(dims)} organisations: summary {stored_orgs[dims]}, registry {live_orgs[dims]}"
        for dims in sorted(live_orgs.keys() | stored_orgs.keys(), key=str)
        if live_orgs[dims] != stored_orgs[dims]
    ]
    lines += [
        f"{cell(dims)} activity {activity_id} done: summary {stored_ticks[key]}, ticks {live_ticks[key]}"
        for key in sorted(live_ticks.keys() | stored_ticks.keys(), key=str)
        for dims, activity_id in [key]
        if live_ticks[key] != stored_ticks[key]
    ]
    return lines


@transaction.atomic
def progress_rebuild() -> tuple[int, int]:
    """Replace the progress summary with what the organisations and ticks give; (organisation cells, tick cells)."""
    organisations, activities = progress_from_ticks()
    SummedOrganisations.objects.all().delete()
    SummedActivities.objects.all().delete()
    SummedOrganisations.objects.bulk_create(
        [
            SummedOrganisations(**dict(zip(_ORG_DIMS, dims, strict=True)), organisations=n)
            for dims, n in organisations.items()
        ],
        batch_size=2000,
    )
    SummedActivities.objects.bulk_create(
        [
            SummedActivities(**dict(zip(_ORG_DIMS, dims, strict=True)), activity_id=activity_id, done=n)
            for (dims, activity_id), n in activities.items()
        ],
        batch_size=2000,
    )
    return len(organisations), len(activities)
