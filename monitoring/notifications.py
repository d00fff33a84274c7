"""Mail about submissions, each in its recipient's language. Called after commit; the sending is a Celery task."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from pilots.models import User

from .models import Status, Transition


def transition_mail(*, transition_id: int) -> None:
    """Queue the mail about a transition (runs in-process when there is no broker)."""
    from .tasks import send_transition_mail

    send_transition_mail.delay(transition_id)


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
    sent = 0
    for user in _recipients(transition):
        with translation.override(user.language):
            context = {
                "user": user,
                "transition": transition,
                "submission": submission,
                "organisation": submission.organisation,
                "period": submission.period,
                "url": f"{base_url}{path}",
                "field_comments": list(transition.field_comments.select_related("indicator")),
            }
            subject = render_to_string("monitoring/mail/transition_subject.txt", context).strip()
            body = render_to_string("monitoring/mail/transition_body.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        sent += 1
    return sent
