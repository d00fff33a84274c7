"""Mail about submissions, each in its recipient's language. Called after commit; the sending is a Celery task."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from pilots.models import User

from .models import ReminderLog, Status, Transition

log = logging.getLogger(__name__)


def transition_mail(*, transition_id: int) -> None:
    """Queue the mail about a transition (in-process when there is no broker).

    The transition is already committed: a mail server or broker that fails must not turn the
    person's successful action into an error page, so the failure is logged, not raised."""
    from .tasks import send_transition_mail

    try:
        send_transition_mail.delay(transition_id)
    except Exception:
        log.exception("Mail about transition %s could not be sent or queued", transition_id)


def _recipients(transition: Transition) -> list[User]:
    organisation = transition.submission.organisation
    if transition.to_status == Status.SUBMITTED:
        users = User.objects.filter(role=User.Role.REGION, region_id=organisation.region_id)
    else:
        users = User.objects.filter(role=User.Role.ORGANISATION, organisation=organisation)
    return [u for u in users.filter(is_active=True).exclude(email="")]


def send_for_transition(transition: Transition, *, base_url: str = "") -> int:
    """Mail everyone on the other side of a transition; returns how many mails were sent."""
    submission = transition.submission
    path = reverse("submission", args=[submission.organisation.bin, submission.period.code])
    base_url = base_url or settings.SITE_URL
    sent = 0
    for user in _recipients(transition):
        sent += _send_once(transition, user, submission, f"{base_url}{path}")
    return sent


def _send_once(transition: Transition, user: User, submission, url: str) -> int:
    """One mail per transition and recipient: a retried task skips those already sent."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(key=f"transition:{transition.pk}:{user.pk}", recipient=user)
            with translation.override(user.language):
                context = {
                    "user": user,
                    "transition": transition,
                    "submission": submission,
                    "organisation": submission.organisation,
                    "period": submission.period,
                    "url": url,
                    "field_comments": list(transition.field_comments.select_related("indicator")),
                }
                subject = render_to_string("monitoring/mail/transition_subject.txt", context).strip()
                body = render_to_string("monitoring/mail/transition_body.txt", context)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except IntegrityError:
        return 0  # sent by an earlier try of the same task
    return 1
