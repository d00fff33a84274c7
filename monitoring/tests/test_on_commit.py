"""Review mail is handed over on commit: a transition rolled back with its caller's transaction queues no
mail, and the same transition committed queues it (Django's own on_commit, captured)."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from monitoring.models import Status, Submission
from monitoring.selectors import submission_get
from monitoring.services import submission_accept

pytestmark = [pytest.mark.django_db, pytest.mark.on_commit_held]


class CallerFailed(Exception):
    pass


def test_a_rolled_back_accept_sends_no_mail_and_a_committed_one_does(
    client, staff, coordinator, period, catalogue, good_values, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True) as submitted:
        response = client.post(
            reverse("submission", args=[staff.organisation.bin, period.code]),
            {**good_values, "action": "submit", "version": 0},
        )
    assert response.status_code == 302
    assert len(submitted) == 1 and [m.to for m in mail.outbox] == [[coordinator.email]]
    mail.outbox.clear()
    version = Submission.objects.get().version

    def accept():
        context = submission_get(user=coordinator, bin=staff.organisation.bin, period_code=period.code)
        return submission_accept(user=coordinator, context=context, version=version)

    with (
        django_capture_on_commit_callbacks(execute=True) as rolled_back,
        pytest.raises(CallerFailed),
        transaction.atomic(),
    ):
        accept()
        raise CallerFailed
    assert rolled_back == [] and mail.outbox == []
    assert Submission.objects.get().status == Status.SUBMITTED

    # The positive control: the same accept, committed, hands one mail over, and it goes out.
    with django_capture_on_commit_callbacks(execute=True) as committed:
        accept()
    assert len(committed) == 1
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert Submission.objects.get().status == Status.ACCEPTED
