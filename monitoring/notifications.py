"""Mail about submissions, each in its recipient's language. Written to the outbox inside the
transition's own transaction, so a committed transition always has its mail and a rolled-back one
never does; the outbox sends it after commit, and again until it is sent."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from outbox.services import mail_enqueue
from pilots import policy
from pilots.models import User

from .models import Status, Transition


def _recipients(transition: Transition) -> list[User]:
    organisation = transition.submission.organisation
    if transition.to_status == Status.SUBMITTED:
        users = policy.coordinators().filter(region_id=organisation.region_id)
    else:
        users = policy.organisation_staff().filter(organisation=organisation)
    return [u for u in users.filter(is_active=True).exclude(email="")]


def transition_mail(*, transition: Transition) -> int:
    """Write the mail about a transition to everyone on the other side of it, as it reads now; call it
    inside the transition's transaction. Returns how many mails were written."""
    submission = transition.submission
    url = settings.SITE_URL + reverse("submission", args=[submission.organisation.bin, submission.period.code])
    field_comments = list(transition.field_comments.select_related("indicator"))
    written = 0
    for user in _recipients(transition):
        with translation.override(user.language):
            context = {
                "user": user,
                "transition": transition,
                "submission": submission,
                "organisation": submission.organisation,
                "period": submission.period,
                "url": url,
                "field_comments": field_comments,
            }
            subject = render_to_string("monitoring/mail/transition_subject.txt", context).strip()
            body = render_to_string("monitoring/mail/transition_body.txt", context)
        mail_enqueue(
            key=f"transition:{transition.pk}:{user.pk}",
            subject=subject,
            body=body,
            recipients=[user.email],
            language=user.language,
        )
        written += 1
    return written
