import datetime
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from outbox.models import Message
from outbox.services import mail_enqueue, message_deliver, messages_sweep, task_enqueue
from outbox.tasks import sweep_at_start_up
from pilots.models import Region
from pilots.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def _mail(key="mail:1", to="coordinator@example.org", subject="Submitted for review"):
    return mail_enqueue(key=key, subject=subject, body="Body", recipients=[to], language="ru")


def _time_passes():
    """Long enough for any rest after a failure to be over."""
    Message.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


def test_a_change_rolled_back_leaves_no_message_and_a_committed_one_leaves_its_message():
    with pytest.raises(Rollback), transaction.atomic():
        RegionFactory(code="T-901")
        _mail(key="about:T-901")
        raise Rollback
    assert not Region.objects.filter(code="T-901").exists()
    assert not Message.objects.exists() and mail.outbox == []

    with transaction.atomic():
        RegionFactory(code="T-902")
        _mail(key="about:T-902")
    assert Message.objects.get().key == "about:T-902"
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]


@pytest.mark.django_db(transaction=True)
def test_a_mail_goes_out_after_its_transaction_commits_not_before():
    with transaction.atomic():
        _mail()
        assert mail.outbox == []
    assert [m.subject for m in mail.outbox] == ["Submitted for review"]
    message = Message.objects.get()
    assert message.delivered_at is not None and message.attempts == 1


def test_the_same_key_written_twice_is_one_message_and_one_mail():
    with transaction.atomic():
        _mail(key="transition:7:3")
        _mail(key="transition:7:3")
    assert Message.objects.count() == 1 and len(mail.outbox) == 1


def test_a_failing_mail_server_keeps_the_mail_pending_with_its_error(settings):
    settings.EMAIL_BACKEND = "outbox.tests.backends.RefusingBackend"
    _mail()
    message = Message.objects.get()
    assert message.delivered_at is None
    assert (message.attempts, message.last_error) == (1, "SMTPServerDisconnected: Connection unexpectedly closed")
    assert message.next_attempt_at > timezone.now()  # rests before the sweep tries it again
    assert messages_sweep() == 0

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _time_passes()
    assert messages_sweep() == 1
    message.refresh_from_db()
    assert message.delivered_at is not None and message.attempts == 2
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]


def test_each_failure_doubles_the_rest_before_the_next_try(settings):
    settings.EMAIL_BACKEND = "outbox.tests.backends.RefusingBackend"
    rests = []
    _mail()
    for _ in range(3):
        message = Message.objects.get()
        rests.append(round((message.next_attempt_at - message.last_attempt_at).total_seconds()))
        _time_passes()
        messages_sweep()
    assert rests == [15, 30, 60]


def test_sweeping_twice_sends_each_mail_once(settings):
    settings.EMAIL_BACKEND = "outbox.tests.backends.RefusingBackend"
    _mail(key="a", to="a@example.org")
    _mail(key="b", to="b@example.org")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _time_passes()
    assert messages_sweep() == 2
    assert messages_sweep() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]


def test_a_second_sweeper_that_listed_the_mail_before_the_first_claimed_it_sends_nothing(settings, monkeypatch):
    settings.EMAIL_BACKEND = "outbox.tests.backends.RefusingBackend"
    message = _mail()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _time_passes()
    from django.core.mail import EmailMessage

    send, second_sweeper = EmailMessage.send, []

    def send_while_a_second_sweeper_tries_the_same_mail(self, *args, **kwargs):
        second_sweeper.append(message_deliver(message_id=message.pk))
        second_sweeper.append(messages_sweep())
        return send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send_while_a_second_sweeper_tries_the_same_mail)
    assert messages_sweep() == 1
    assert second_sweeper == [False, 0]
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_four_sweepers_at_once_send_each_mail_once(settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's in-memory test database locks whole tables)")
    settings.EMAIL_BACKEND = "outbox.tests.backends.RefusingBackend"
    for n in range(20):
        _mail(key=f"m{n}", to=f"m{n}@example.org")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _time_passes()
    start = threading.Barrier(4)
    delivered = []

    def sweeper():
        start.wait()
        try:
            delivered.append(messages_sweep())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(delivered) == 20
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"m{n}@example.org" for n in range(20))


def test_a_task_handed_over_while_the_broker_is_down_waits_and_the_sweep_sends_it_once(broker):
    broker.up = False
    task_enqueue(task="outbox.tasks.sweep_outbox", args=[], key="task:1")
    message = Message.objects.get()
    assert message.waits and "Connection refused" in message.last_error
    assert broker.sent == []

    broker.up = True
    _time_passes()
    assert messages_sweep() == 1
    assert messages_sweep() == 0
    assert broker.sent == [("outbox.tasks.sweep_outbox", [])]
    assert not Message.objects.get().waits


def test_a_mail_handed_to_the_worker_while_the_broker_is_down_is_sent_by_the_sweep(broker):
    broker.up = False
    _mail()
    message = Message.objects.get()
    assert message.waits and message.delivered_at is None
    assert mail.outbox == []
    broker.up = True
    messages_sweep()  # the sweep runs in the worker: it sends the mail itself
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
    assert Message.objects.get().delivered_at is not None


def test_a_worker_that_starts_sweeps_what_waited(settings):
    settings.EMAIL_BACKEND = "outbox.tests.backends.RefusingBackend"
    _mail()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _time_passes()
    assert mail.outbox == []
    sweep_at_start_up(sender=None)
    assert len(mail.outbox) == 1


def test_a_delivered_message_is_never_delivered_again():
    message = _mail()
    assert len(mail.outbox) == 1
    assert message_deliver(message_id=message.pk) is False
    assert len(mail.outbox) == 1


def test_asking_for_a_resting_mail_tries_it_at_once(settings):
    settings.EMAIL_BACKEND = "outbox.tests.backends.RefusingBackend"
    message = _mail()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert messages_sweep() == 0 and mail.outbox == []
    assert message_deliver(message_id=message.pk) is True
    assert len(mail.outbox) == 1


def test_the_command_lists_what_waits_and_sweeps_it(settings, capsys):
    settings.EMAIL_BACKEND = "outbox.tests.backends.RefusingBackend"
    _mail(key="transition:1:2")
    call_command("outbox")
    assert "not yet delivered: 1" in capsys.readouterr().out
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _time_passes()
    call_command("outbox", "--sweep")
    out = capsys.readouterr().out
    assert "Delivered now: 1" in out and "not yet delivered: 0" in out


def test_an_administrator_reads_the_outbox_and_delivers_what_waits(client, admin_user, settings):
    settings.EMAIL_BACKEND = "outbox.tests.backends.RefusingBackend"
    _mail(key="transition:9:9")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(admin_user)
    page = client.get(reverse("admin:outbox_message_changelist") + "?delivered=no").content.decode()
    assert "transition:9:9" in page and "SMTPServerDisconnected" in page
    client.post(
        reverse("admin:outbox_message_changelist"),
        {"action": "deliver_now", "_selected_action": [Message.objects.get().pk]},
    )
    assert len(mail.outbox) == 1


def test_the_beat_sweeps_the_outbox(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-sweep"]
    from pilot_portal.celery import app

    assert entry["task"] in app.tasks
    assert entry["schedule"] == settings.OUTBOX_SWEEP_SECONDS
