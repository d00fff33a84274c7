"""Review mail goes through the outbox: written in the transition's transaction, sent after commit,
as it read at the time of the change."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from monitoring.models import Status, Submission, Transition
from monitoring.selectors import submission_get
from monitoring.services import submission_accept
from outbox.models import Message
from outbox.services import messages_sweep

pytestmark = pytest.mark.django_db


class CallerFailed(Exception):
    pass


def _submit(client, staff, period, values):
    client.force_login(staff)
    url = reverse("submission", args=[staff.organisation.bin, period.code])
    return client.post(url, {**values, "action": "submit", "version": 0})


def _context(user, organisation, period):
    return submission_get(user=user, bin=organisation.bin, period_code=period.code)


def test_an_accept_rolled_back_with_its_callers_transaction_leaves_no_mail_and_one_committed_leaves_one(
    client, staff, coordinator, period, catalogue, good_values
):
    _submit(client, staff, period, good_values)
    mail.outbox.clear()
    submission = Submission.objects.get()

    with pytest.raises(CallerFailed), transaction.atomic():
        context = _context(coordinator, staff.organisation, period)
        submission_accept(user=coordinator, context=context, version=submission.version)
        raise CallerFailed
    assert Submission.objects.get().status == Status.SUBMITTED
    assert not Transition.objects.filter(to_status=Status.ACCEPTED).exists()
    assert not Message.objects.filter(recipients=[staff.email]).exists() and mail.outbox == []

    transition = submission_accept(
        user=coordinator, context=_context(coordinator, staff.organisation, period), version=submission.version
    )
    assert Message.objects.get(recipients=[staff.email]).key == f"transition:{transition.pk}:{staff.pk}"
    assert [m.to for m in mail.outbox] == [[staff.email]]


def test_a_submit_while_the_mail_server_is_down_commits_and_its_mail_goes_out_later_as_written_then(
    client, staff, coordinator, period, catalogue, good_values, settings
):
    settings.EMAIL_BACKEND = "outbox.tests.backends.RefusingBackend"
    response = _submit(client, staff, period, good_values)
    assert response.status_code == 302
    assert Submission.objects.get().status == Status.SUBMITTED
    message = Message.objects.get()
    assert (message.recipients, message.language, message.delivered_at) == ([coordinator.email], "ru", None)
    assert "SMTPServerDisconnected" in message.last_error
    old_name = staff.organisation.name_ru
    type(staff.organisation).objects.filter(pk=staff.organisation.pk).update(name_ru="Переименованная организация")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Message.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    assert messages_sweep() == 1
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert old_name in mail.outbox[0].subject and "Отправлено на проверку" in mail.outbox[0].subject
    assert "Переименованная" not in mail.outbox[0].subject
    assert Transition.objects.count() == 1
