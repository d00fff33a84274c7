"""Who is reminded of what, and when. Each reminder's key names its recipient, period, kind and
day, and is written in the same transaction as the reminder's mail in the outbox: a beat that fires
twice sends once, and a mail server that fails delays the mail without losing it."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import translation

from outbox.services import mail_enqueue
from pilots import policy
from pilots.models import Organisation, User

from .models import Period, ReminderLog, Status, Submission
from .selectors import organisations_missing

DAYS_BEFORE = (7, 1)
LATE_EVERY_DAYS = 3


def reminder_kind(period: Period, today: datetime.date) -> str | None:
    """'before-7', 'before-1', 'late' on the days a reminder is due, else None."""
    if period.locked or today < period.starts_on:
        return None
    days = period.days_to_due(today)
    if days in DAYS_BEFORE:
        return f"before-{days}"
    if days < 0 and (-days) % LATE_EVERY_DAYS == 0:
        return "late"
    return None


def _send_once(*, key: str, user: User, subject_template: str, body_template: str, context: dict) -> bool:
    """Write the reminder to the outbox unless one was written under `key`; the outbox sends it after
    commit, and again until it is sent. True if written now."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(key=key, recipient=user)
            with translation.override(user.language):
                subject = render_to_string(subject_template, context).strip()
                body = render_to_string(body_template, context)
            mail_enqueue(
                key=f"reminder:{key}", subject=subject, body=body, recipients=[user.email], language=user.language
            )
    except IntegrityError:
        return False  # written already under this key
    return True


def send_organisation_reminders(*, today: datetime.date) -> int:
    """Remind staff of organisations in the pilot that have not handed in the period's data."""
    sent = 0
    for period in Period.objects.filter(locked=False, starts_on__lte=today):
        kind = reminder_kind(period, today)
        if kind is None:
            continue
        organisations = organisations_missing(organisations=Organisation.objects.all(), period=period)
        staff = (
            policy.organisation_staff()
            .filter(organisation__in=organisations, is_active=True)
            .exclude(email="")
            .select_related("organisation")
        )
        for user in staff:
            context = {"user": user, "period": period, "kind": kind, "days": abs(period.days_to_due(today))}
            sent += _send_once(
                key=f"org:{user.pk}:{period.code}:{kind}:{today.isoformat()}",
                user=user,
                subject_template="monitoring/mail/reminder_subject.txt",
                body_template="monitoring/mail/reminder_body.txt",
                context=context,
            )
    return sent


def send_coordinator_digests(*, today: datetime.date) -> int:
    """One mail a day to each coordinator whose region has submissions waiting for review."""
    waiting = dict(
        Submission.objects.filter(status=Status.SUBMITTED)
        .values_list("organisation__region_id")
        .annotate(n=Count("pk"))
    )
    sent = 0
    coordinators = policy.coordinators().filter(region_id__in=waiting, is_active=True).exclude(email="")
    for user in coordinators.select_related("region"):
        sent += _send_once(
            key=f"digest:{user.pk}:{today.isoformat()}",
            user=user,
            subject_template="monitoring/mail/digest_subject.txt",
            body_template="monitoring/mail/digest_body.txt",
            context={"user": user, "waiting": waiting[user.region_id]},
        )
    return sent
