import datetime
import random
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from monitoring.demo import _values_for
from monitoring.models import Indicator, Period, Status, Submission, Value
from monitoring.progress_summary import progress_rebuild
from monitoring.reference import load_catalogue
from monitoring.summary import summary_rebuild
from pilots.bin import valid_bin_from
from pilots.models import Activity, ActivityProgress, Organisation
from pilots.reference import load_algorithm, load_order, load_regions

BATCH = 5000


def synthetic_bin(n: int) -> str:
    """Valid BINs in a range no real organisation has (registered "99" month "13"): never mistaken for a real one."""
    return valid_bin_from(f"9913{n * 3:07d}")


class Command(BaseCommand):
    help = (
        "Synthetic national-scale data for benchmarks: N organisations with a year of monitoring. Never in production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off (a benchmark server)")

    def handle(self, *args, organisations, seed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: synthetic data does not belong in production. Use --force on a benchmark server."
            )
        started = time.monotonic()
        rng = random.Random(seed)
        load_order()
        regions = list(load_regions().values())
        load_algorithm()
        load_catalogue()
        existing = set(Organisation.objects.filter(bin__startswith="9913").values_list("bin", flat=True))
        new = []
        for n in range(organisations):
            bin_ = synthetic_bin(n)
            if bin_ in existing:
                continue
            region = regions[n % len(regions)]
            groups = rng.randint(3, 12)
            new.append(
                Organisation(
                    bin=bin_,
                    name_kk=f"Синтетикалық ұйым №{n + 1}",
                    name_ru=f"Синтетическая организация №{n + 1}",
                    region=region,
                    district_kk=region.centre_kk,
                    district_ru=region.centre_ru,
                    settlement=rng.choice(["urban", "urban", "rural"]),
                    ownership="private" if rng.random() < 0.38 else "state",
                    language=rng.choice(["kk", "kk", "ru", "mixed"]),
                    groups=groups,
                    children=groups * rng.randint(18, 25),
                    in_pilot_from=datetime.date(2026, 1, 1),
                    is_demo=True,
                )
            )
        with transaction.atomic():
            Organisation.objects.bulk_create(new, batch_size=BATCH)
        created = (
            Organisation.objects.filter(bin__in=[o.bin for o in new])
            if len(new) < 1000
            else Organisation.objects.filter(bin__startswith="9913")
        )
        self._monitoring(list(created.exclude(submissions__isnull=False)), rng)
        # The planner's statistics, as autovacuum would gather them soon after a load this size; without them
        # it plans joins for empty tables (a million index probes): the summary's own sums took minutes, and
        # the report's joins seconds more. Again once the summary is written, for its tables.
        self._analyze()
        # Organisations, submissions and values were written in bulk, past the services that keep the
        # dashboards' summary: it is computed once from what was written.
        summary_rebuild()
        progress_rebuild()
        self._analyze()
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(new)} synthetic organisations added ({Organisation.objects.count()} in all) "
                f"in {time.monotonic() - started:.0f} s."
            )
        )

    def _analyze(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _monitoring(self, organisations, rng):
        today = datetime.date.today()
        periods = list(Period.objects.filter(starts_on__lte=today).prefetch_related("indicators"))
        activities = list(Activity.objects.select_related("stage"))
        for start in range(0, len(organisations), 500):
            chunk = organisations[start : start + 500]
            with transaction.atomic():
                submissions = []
                for organisation in chunk:
                    for period in periods:
                        roll = rng.random()
                        if roll < 0.04:
                            continue
                        status = Status.ACCEPTED if roll < 0.9 else Status.SUBMITTED if roll < 0.95 else Status.DRAFT
                        submissions.append(
                            Submission(
                                organisation=organisation, period=period, status=status, is_late=rng.random() < 0.1
                            )
                        )
                Submission.objects.bulk_create(submissions, batch_size=BATCH)
                values = []
                asked = {p.pk: list(p.indicators.all()) for p in periods}
                for submission in submissions:
                    numbers = _values_for(submission.organisation, submission.period, rng)
                    for indicator in asked[submission.period_id]:
                        if indicator.code not in numbers:
                            continue
                        raw = numbers[indicator.code]
                        text_kind = indicator.type in (Indicator.Type.TEXT, Indicator.Type.CHOICE)
                        values.append(
                            Value(
                                submission=submission,
                                indicator=indicator,
                                number=None if text_kind else Decimal(int(raw) if isinstance(raw, bool) else raw),
                                text=raw if text_kind else "",
                            )
                        )
                Value.objects.bulk_create(values, batch_size=BATCH)
                ActivityProgress.objects.bulk_create(
                    [
                        ActivityProgress(organisation=o, activity=a, done=True, done_on=a.stage.starts_on)
                        for o in chunk
                        for a in activities
                        if rng.random() < 0.8 and a.stage.starts_on <= today
                    ],
                    batch_size=BATCH,
                )
