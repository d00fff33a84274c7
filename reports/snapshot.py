"""The data of a report, read at one moment from the same figures the dashboards show.

All reads run in one transaction; on PostgreSQL it is REPEATABLE READ, so every query sees the
database as it was at the first one, whatever is saved meanwhile. That moment is printed on the
title page."""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from monitoring import figures
from monitoring.dashboards import dashboard_data
from monitoring.figures import FigureFilters
from monitoring.models import SUBMITTED_STATUSES, Indicator, Period, Submission, Value
from pilots import policy
from pilots.models import Organisation, User
from pilots.models.i18n import localized_from
from pilots.orders import order_current

from .models import Narrative, Report
from .selectors import summaries

Role = Indicator.FigureRole
# The key of the national figures among a regional report's by-region sums.
NATIONAL = "national"
# The PDF quotes at most this many texts per region and kind; the XLSX holds them all.
NARRATIVES_PER_REGION = 6
# Up to this many organisations the PDF's annex has a row for each; above it (a national rollout),
# one row per region, and the row per organisation lives in the XLSX: a 300-page table helps no
# reader and would take WeasyPrint gigabytes.
ANNEX_ROWS_IN_PDF = 1500


@dataclass
class AnnexRow:
    organisation: Organisation
    statuses: dict[str, str]
    children: object


@dataclass
class Snapshot:
    report: Report
    taken_at: object
    order: object
    periods: list[Period]
    dashboard: dict
    indicators: list[Indicator]
    by_region: dict  # (period code, indicator code, region code) → sum
    region_labels: dict[str, str]
    # The kinds of text the reports quote (Role.NARRATIVE), in the catalogue's order.
    narrative_kinds: list[Indicator] = field(default_factory=list)
    narratives: dict = field(default_factory=dict)  # region code → kind's code → [Quote]
    narrative_counts: dict = field(default_factory=dict)
    conclusions: str = ""
    recommendations: str = ""
    summary: Narrative | None = None  # a quarterly or regional report's summary of its quarter, if saved
    annex: dict = field(default_factory=dict)  # region code → [AnnexRow]
    # What the annex counts for each organisation: the first key total (the children in the pilot groups).
    annex_count: Indicator | None = None
    annex_by_region: list = field(default_factory=list)  # [(region code, organisations, {period: handed in})]
    organisation_count: int = 0
    # The final report heads with each organisation's latest accepted quarter (figures.latest_accepted_totals).
    latest: figures.LatestTotals | None = None
    # Outside the matched cohort of baseline against final: (organisation, has baseline, has final).
    cohort_missing: list = field(default_factory=list)
    # Whether any of the report's figures rests on accepted data; if none, the report says so
    # rather than printing its zeros as results.
    has_accepted_data: bool = True

    @property
    def annex_in_pdf(self) -> bool:
        return self.organisation_count <= ANNEX_ROWS_IN_PDF


def _scope_user(report: Report) -> User:
    """Whose scope the report is read in: the requester's, or for scheduled drafts the whole country."""
    if report.requested_by is not None:
        return report.requested_by
    return policy.national_reader()


def report_filters(report: Report) -> FigureFilters:
    return FigureFilters(
        region=report.region.code if report.region_id else "", period=report.period.code if report.period_id else ""
    )


@contextmanager
def one_moment():
    """Every read inside sees the database at one moment (PostgreSQL: REPEATABLE READ, read only).

    SQLite, the demo's database, has no such level without locking out the writers, so there the
    reads simply follow one another; production runs on PostgreSQL."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # Inside a transaction already (a test's, or a caller's), whose isolation stands.
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def take_snapshot(report: Report) -> Snapshot:
    """Read the report's data; call inside one_moment() together with everything that reads more."""
    return _read(report, timezone.now())


def _read(report: Report, taken_at) -> Snapshot:
    user = _scope_user(report)
    filters = report_filters(report)
    dashboard = dashboard_data(user=user, filters=filters, region=report.region, up_to=report.period)
    periods = dashboard["periods"]
    if report.period_id:
        periods = [p for p in periods if p.starts_on <= report.period.starts_on]
    numeric = list(
        Indicator.objects.filter(type__in=[Indicator.Type.INTEGER, Indicator.Type.DECIMAL, Indicator.Type.PERCENT])
        .exclude(aggregation=Indicator.Aggregation.NONE)
        .select_related("section")
        .order_by("section__position", "position")
    )
    by_region = figures.indicator_sums(user=user, filters=filters, codes=[i.code for i in numeric], by="region")
    if report.region_id:
        # A regional report sets its region beside the national figure; keyed like a region's.
        national = figures.indicator_sums(user=user, filters=filters.nationwide(), codes=[i.code for i in numeric])
        by_region |= {(period, code, NATIONAL): value for (period, code), value in national.items()}
    orgs = figures.organisations(user=user, filters=filters)
    region_labels = {r.key: r.label for r in dashboard["completeness_rows"]}
    snapshot = Snapshot(
        report=report,
        taken_at=taken_at,
        order=order_current(),
        periods=periods,
        dashboard=dashboard,
        indicators=numeric,
        by_region=by_region,
        region_labels=region_labels,
        organisation_count=orgs.count(),
        has_accepted_data=_has_accepted_data(orgs, report, periods),
    )
    named = figures.figure_indicators(Role.NARRATIVE, Role.KEY_TOTAL)
    snapshot.narrative_kinds = [i for i in named if i.figure_role == Role.NARRATIVE]
    snapshot.annex_count = next((i for i in named if i.figure_role == Role.KEY_TOTAL), None)
    _narratives(snapshot, orgs, report)
    _annex(snapshot, orgs, periods)
    _figures_bases(snapshot, user, filters, periods)
    if report.kind == Report.Kind.FINAL:
        texts = dict(Narrative.objects.filter(language=report.language, period=None).values_list("section", "text"))
        snapshot.conclusions = texts.get(Narrative.Section.CONCLUSIONS, "")
        snapshot.recommendations = texts.get(Narrative.Section.RECOMMENDATIONS, "")
    elif report.period_id:
        snapshot.summary = (
            summaries(period=report.period, region=report.region).filter(language=report.language).first()
        )
    return snapshot


def unwritten_texts(snapshot: Snapshot) -> list[str]:
    """The sections of written text the report prints that were empty in the snapshot, as Narrative.Section codes."""
    if snapshot.report.kind == Report.Kind.FINAL:
        texts = {
            Narrative.Section.CONCLUSIONS: snapshot.conclusions,
            Narrative.Section.RECOMMENDATIONS: snapshot.recommendations,
        }
        return [str(section) for section, text in texts.items() if not (text or "").strip()]
    if snapshot.report.period_id and not (snapshot.summary and snapshot.summary.text.strip()):
        return [str(Narrative.Section.SUMMARY)]
    return []


def _has_accepted_data(orgs, report: Report, periods: list[Period]) -> bool:
    """Accepted data in the report's quarter, or for the final report in any quarter."""
    accepted = Submission.objects.counted().filter(organisation__in=orgs)
    if report.period_id:
        return accepted.filter(period=report.period).exists()
    return accepted.filter(period__in=periods).exists()


@dataclass
class Quote:
    """One text as the PDF quotes it, once, with every organisation that wrote it word for word."""

    text: str
    organisations: list[str] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)

    def add(self, organisation: str, period: Period) -> None:
        if organisation not in self.organisations:
            self.organisations.append(organisation)
        if period not in self.periods:
            self.periods.append(period)


def _narratives(snapshot: Snapshot, orgs, report: Report) -> None:
    """What organisations wrote, grouped by region; the latest period's text of each organisation first.

    Identical texts (organisations often copy a template) are quoted once, naming who wrote them."""
    codes = [kind.code for kind in snapshot.narrative_kinds]
    values = (
        Value.objects.counted()
        .filter(
            submission__organisation__in=orgs,
            indicator__code__in=codes,
        )
        .exclude(text="")
    )
    if report.period_id:
        values = values.filter(submission__period=report.period)
    rows = values.values_list(
        "submission__organisation__region__code",
        "indicator__code",
        "submission__organisation__name_kk",
        "submission__organisation__name_ru",
        "submission__period__code",
        "text",
    ).order_by("submission__organisation__region__code", "indicator__code", "-submission__period__starts_on")
    periods = {p.code: p for p in Period.objects.all()}
    quoted = defaultdict(lambda: defaultdict(dict))  # region → kind → normalised text → Quote
    counts = defaultdict(lambda: defaultdict(int))
    for region, code, name_kk, name_ru, period, text in rows.iterator(chunk_size=2000):
        counts[region][code] += 1
        quotes = quoted[region][code]
        key = " ".join(text.split()).casefold()
        if key not in quotes and len(quotes) >= NARRATIVES_PER_REGION:
            continue
        name = localized_from({"kk": name_kk, "ru": name_ru})
        quotes.setdefault(key, Quote(text=text.strip())).add(name, periods[period])
    # Kinds in the catalogue's order (achievements, difficulties, proposals, best practice), not the codes'.
    snapshot.narratives = {
        region: {code: list(kinds[code].values()) for code in codes if code in kinds}
        for region, kinds in sorted(quoted.items())
    }
    snapshot.narrative_counts = {region: dict(kinds) for region, kinds in counts.items()}


def _annex(snapshot: Snapshot, orgs, periods: list[Period]) -> None:
    """One row per organisation, grouped by region: its status in each period and its children (last accepted)."""
    statuses = defaultdict(dict)
    for org_id, period_code, status in (
        Submission.objects.filter(organisation__in=orgs, period__in=periods)
        .values_list("organisation_id", "period__code", "status")
        .iterator(chunk_size=5000)
    ):
        statuses[org_id][period_code] = status
    children = {}
    for org_id, number in (
        Value.objects.counted()
        .filter(
            submission__organisation__in=orgs,
            submission__period__in=periods,
            indicator=snapshot.annex_count,
        )
        .order_by("submission__organisation_id", "submission__period__starts_on")
        .values_list("submission__organisation_id", "number")
        .iterator(chunk_size=5000)
    ):
        children[org_id] = number  # the last (latest period) wins
    annex = defaultdict(list)
    # In the pilot for some of the report's quarters: neither gone before the first nor come after the last.
    if periods:
        orgs = orgs.in_pilot_between(periods[0].starts_on, periods[-1].ends_on)
    for organisation in orgs.order_by("region__code", "name_kk", "bin").iterator(chunk_size=2000):
        annex[organisation.region.code].append(
            AnnexRow(
                organisation=organisation,
                statuses=statuses.get(organisation.pk, {}),
                children=children.get(organisation.pk),
            )
        )
    snapshot.annex = dict(annex)
    # The organisations of the report's own quarters, not those that came after them.
    snapshot.organisation_count = sum(len(rows) for rows in annex.values())
    snapshot.annex_by_region = [
        (
            region,
            len(rows),
            {p.code: sum(1 for r in rows if r.statuses.get(p.code) in SUBMITTED_STATUSES) for p in periods},
        )
        for region, rows in snapshot.annex.items()
    ]


def _figures_bases(snapshot: Snapshot, user: User, filters: FigureFilters, periods: list[Period]) -> None:
    """The final report's latest-accepted totals, and who is outside the baseline-against-final cohort."""
    if snapshot.report.kind == Report.Kind.FINAL:
        snapshot.latest = figures.latest_accepted_totals(user=user, filters=filters, periods=periods)
    data = snapshot.dashboard
    snapshot.cohort_missing = [
        (organisation, organisation.has_baseline, organisation.has_final)
        for organisation in figures.skills_cohort_missing(
            user=user, filters=filters, baseline=data["baseline"], final=data["final"]
        ).iterator(chunk_size=2000)
    ]


__all__ = ["Snapshot", "report_filters", "take_snapshot", "unwritten_texts"]
