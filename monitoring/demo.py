"""Plausible demo submissions, generated on the catalogue that monitoring.reference loads."""

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from pilots import policy
from pilots.models import Organisation

from .models import Indicator, Period, Status, Submission, Transition, Value

ALMATY = ZoneInfo("Asia/Almaty")

NARRATIVES = {
    "achievements": (
        "Балалар өзіне-өзі қызмет көрсету дағдыларын меңгерді; ата-аналармен бірге «Кәсіптер әлемі» апталығы өтті.",
        "Дети освоили навыки самообслуживания; совместно с родителями прошла неделя «Мир профессий».",
    ),
    "difficulties": (
        "Практикалық аймақтарға арналған құрал-жабдық жеткіліксіз.",
        "Не хватает оборудования для практических зон.",
    ),
    "proposals": (
        "Педагогтерге арналған қысқа мерзімді курстарды жалғастыру қажет.",
        "Необходимо продолжить краткосрочные курсы для педагогов.",
    ),
    "best_practice": (
        "«Кішкентай аспаз» жобасы: балалар апта сайын қарапайым тағам дайындайды.",
        "Проект «Маленький повар»: дети еженедельно готовят простые блюда.",
    ),
}


def _values_for(organisation: Organisation, period: Period, rng: random.Random) -> dict[str, object]:
    """One quarter's numbers for an organisation, consistent with every hard rule."""
    base = random.Random(organisation.bin)  # what stays the same all year for this organisation
    q = period.quarter
    groups = max(1, min(organisation.groups, base.randint(2, 4)))
    children = groups * base.randint(18, 24) + rng.randint(-2, 2)
    age4 = round(children * base.uniform(0.4, 0.55))
    teachers = groups * 2 + base.randint(0, 2)
    values = {
        "pilot_groups": groups,
        "children_total": children,
        "children_age4": age4,
        "children_age5": children - age4,
        "children_sen": base.randint(0, 3),
        "parents_involved": round(children * min(0.95, 0.3 + 0.15 * q + rng.uniform(0, 0.1))),
        "teachers_involved": teachers,
        "teachers_trained": min(teachers, rng.randint(1, teachers)),
        "method_materials": rng.randint(1, 6),
        "sessions_selfservice": rng.randint(40, 70),
        "sessions_household": rng.randint(20, 40),
        "sessions_nature": rng.randint(12, 20) if q == 1 else rng.randint(20, 35),  # winter: less work outdoors
        "sessions_manual": rng.randint(20, 40),
        "excursions": rng.randint(1, 4),
        "professional_meetings": rng.randint(1, 4),
        "roleplay_sessions": rng.randint(10, 30),
        "labour_projects": rng.randint(0, 3),
        "avg_session_minutes": Decimal(rng.randint(30, 60)) / 2,
        "groups_labour_corner": min(groups, q + base.randint(0, 1)),
        "partner_agreements": min(q + base.randint(0, 2), 6),
        "methodological_support": base.choice(["regular", "regular", "occasional", "none"]),
        "attendance_percent": Decimal(rng.randint(750, 950)) / 10,
    }
    for zone in ("jewellery", "cooking", "sewing", "engineering", "building", "greenhouse", "arts"):
        values[f"zone_{zone}"] = base.random() < (0.25 + 0.12 * q)
    if q in (1, 4):
        assessed = children - rng.randint(0, 3)
        high_share, medium_share = (0.15, 0.45) if q == 1 else (0.38, 0.45)
        high = round(assessed * (high_share + rng.uniform(-0.05, 0.05)))
        medium = round(assessed * (medium_share + rng.uniform(-0.05, 0.05)))
        values.update(
            children_assessed=assessed, skills_high=high, skills_medium=medium, skills_low=assessed - high - medium
        )
    lang = 1 if organisation.language == Organisation.Language.RUSSIAN else 0
    for code, texts in NARRATIVES.items():
        if code in ("achievements", "difficulties") or rng.random() < 0.5:
            values[code] = texts[lang]
    return values


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(9, 17), rng.randint(0, 59)), tzinfo=ALMATY)


def _plan(period: Period, today: datetime.date, rng: random.Random) -> str | None:
    """What the demo shows for one organisation in one period: a status, or None for nothing handed in.

    The last quarter stays partly filled whatever the date, so that queues, reminders and the final
    report's gaps have something to show."""
    roll = rng.random()
    if (
        period.due_on < today and period.quarter < 4
    ):  # a past quarter: nearly all accepted, a few returned, waiting, or missing
        if roll < 0.03:
            return None
        if roll < 0.06:
            return Status.RETURNED
        if roll < 0.09 and period.quarter == 3:
            return Status.SUBMITTED
        return Status.ACCEPTED
    if roll < 0.15:
        return None
    if roll < 0.35:
        return Status.DRAFT
    if roll < 0.40:
        return Status.RETURNED
    if roll < 0.80:
        return Status.SUBMITTED
    return Status.ACCEPTED


def load_demo_submissions(*, today: datetime.date) -> int:
    """Q1–Q3 mostly accepted (a few returned, late or missing), the current quarter partly filled. Idempotent."""
    indicators = {i.code: i for i in Indicator.objects.prefetch_related("periods")}
    staff = {u.organisation_id: u for u in policy.organisation_staff().filter(username__startswith="org-")}
    coordinators = {u.region_id: u for u in policy.coordinators().filter(username__startswith="region-")}
    done = set(Submission.objects.values_list("organisation_id", "period_id"))
    created = 0
    for period in Period.objects.filter(starts_on__lte=today):
        asked = [i for i in indicators.values() if any(p.pk == period.pk for p in i.periods.all())]
        for organisation in Organisation.objects.filter(is_demo=True).order_by("bin"):
            author, reviewer = staff.get(organisation.pk), coordinators.get(organisation.region_id)
            if (organisation.pk, period.pk) in done or author is None or reviewer is None:
                continue
            rng = random.Random(f"{organisation.bin}:{period.code}")
            status = _plan(period, today, rng)
            if status is None:
                continue
            _create_submission(organisation, period, status, asked, author, reviewer, rng, today)
            created += 1
    return created


def _create_submission(organisation, period, status, asked, author, reviewer, rng, today) -> None:
    values = _values_for(organisation, period, rng)
    late = rng.random() < 0.1 and period.due_on < today
    submitted_day = (
        period.due_on + datetime.timedelta(days=rng.randint(1, 6))
        if late
        else (min(period.due_on, today) - datetime.timedelta(days=rng.randint(0, 6)))
    )
    now = timezone.now()
    submitted_at = min(_moment(max(submitted_day, period.ends_on - datetime.timedelta(days=3)), rng), now)
    review_at = submitted_at + datetime.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 5))
    if review_at > now and status in (Status.ACCEPTED, Status.RETURNED):
        status = Status.SUBMITTED  # a review cannot have happened yet: the submission still waits
    submission = Submission.objects.create(
        organisation=organisation,
        period=period,
        status=status,
        updated_by=author,
        is_late=late and status != Status.DRAFT,
    )
    # With history rows, so the Institute's audit page shows where every demo value came from.
    bulk_create_with_history(
        [
            Value(
                submission=submission,
                indicator=i,
                number=None
                if i.type in (Indicator.Type.TEXT, Indicator.Type.CHOICE)
                else Decimal(int(values[i.code]) if i.type == Indicator.Type.BOOLEAN else values[i.code]),
                text=values[i.code] if i.type in (Indicator.Type.TEXT, Indicator.Type.CHOICE) else "",
            )
            for i in asked
            if i.code in values
        ],
        Value,
        default_user=author,
    )
    if status == Status.DRAFT:
        return
    snapshot = {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}
    steps = [(Status.DRAFT, Status.SUBMITTED, author, "", submitted_at)]
    if status == Status.RETURNED:
        steps.append(
            (
                Status.SUBMITTED,
                Status.RETURNED,
                reviewer,
                "Балалар санын тексеріңіз: жас топтарының қосындысы сәйкес келмейді.",
                review_at,
            )
        )
    elif status == Status.ACCEPTED:
        steps.append((Status.SUBMITTED, Status.ACCEPTED, reviewer, "", review_at))
    for from_status, to_status, by, comment, at in steps:
        transition = Transition.objects.create(
            submission=submission,
            from_status=from_status,
            to_status=to_status,
            by=by,
            comment=comment,
            values_snapshot=snapshot,
        )
        Transition.objects.filter(pk=transition.pk).update(at=at)  # auto_now_add ignores a given time
    Submission.objects.filter(pk=submission.pk).update(
        first_submitted_at=submitted_at,
        submitted_at=submitted_at,
        accepted_at=review_at if status == Status.ACCEPTED else None,
        return_comment=steps[-1][3] if status == Status.RETURNED else "",
        version=len(steps) + 1,
    )
