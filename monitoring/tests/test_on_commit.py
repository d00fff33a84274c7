"""Review mail is handed over on commit: a transition rolled back with its caller's transaction queues no
mail, and the same transition committed queues it (Django's own on_commit, captured)."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from monitoring.models import Status, Submission
from monitoring.selectors import submission_get
from monitoring.services import submission_accept
from pilots.tests.factories import InstituteFactory

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


def _post_submit(client, organisation, period, values):
    version = Submission.objects.filter(organisation=organisation).values_list("version", flat=True).first() or 0
    url = reverse("submission", args=[organisation.bin, period.code])
    return client.post(url, {**values, "action": "submit", "version": version})


def _post_review(client, organisation, period, decision):
    url = reverse("submission_review", args=[organisation.bin, period.code])
    data = {"version": Submission.objects.get().version, "decision": decision, "comment": "Балалар санын тексеріңіз"}
    return client.post(url, data)


@pytest.mark.parametrize(
    ("transition", "moved_to", "mailed"),
    [
        ("submit", Status.SUBMITTED, "coordinator"),
        ("accept", Status.ACCEPTED, "staff"),
        ("return", Status.RETURNED, "staff"),
        ("reopen", Status.DRAFT, "staff"),
    ],
)
def test_each_transition_queues_its_mail_only_when_its_transaction_commits(
    client,
    staff,
    coordinator,
    period,
    catalogue,
    good_values,
    django_capture_on_commit_callbacks,
    transition,
    moved_to,
    mailed,
):
    organisation = staff.organisation
    institute = InstituteFactory()
    # Bring the submission to where the transition starts, committed (its own mail cleared).
    with django_capture_on_commit_callbacks(execute=True):
        if transition != "submit":
            client.force_login(staff)
            _post_submit(client, organisation, period, good_values)
        if transition == "reopen":
            client.force_login(coordinator)
            _post_review(client, organisation, period, "accept")
    mail.outbox.clear()
    start = Submission.objects.filter(organisation=organisation).values_list("status", flat=True).first()

    def run():
        if transition == "submit":
            client.force_login(staff)
            response = _post_submit(client, organisation, period, good_values)
        elif transition == "reopen":
            client.force_login(institute)
            url = reverse("submission_reopen", args=[organisation.bin, period.code])
            response = client.post(url, {"comment": "Қате табылды"})
        else:
            client.force_login(coordinator)
            response = _post_review(client, organisation, period, transition)
        assert response.status_code == 302

    with (
        django_capture_on_commit_callbacks(execute=True) as rolled_back,
        pytest.raises(CallerFailed),
        transaction.atomic(),
    ):
        run()
        raise CallerFailed
    assert rolled_back == [] and mail.outbox == []
    assert Submission.objects.filter(organisation=organisation).values_list("status", flat=True).first() == start

    # The positive control: the same transition, committed, moves the submission and mails the other side.
    with django_capture_on_commit_callbacks(execute=True) as committed:
        run()
    assert len(committed) == 1
    recipient = {"coordinator": coordinator, "staff": staff}[mailed]
    assert [m.to for m in mail.outbox] == [[recipient.email]]
    assert Submission.objects.get().status == moved_to
