"""Writes of the outbox. A message is written in the transaction of the change that causes it, handed
over right after commit, and swept until delivered. A sender claims a message with a conditional
UPDATE before it sends, so two senders (a sweep on two workers, a sweep and the hand-over after
commit) never deliver one message twice; this holds on PostgreSQL and on SQLite alike."""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from . import in_process
from .models import Message
from .selectors import messages_pending

log = logging.getLogger(__name__)

# Longer than a send can take (EMAIL_TIMEOUT bounds the mail server): a sender that dies holding a
# message frees it after this.
LEASE = datetime.timedelta(minutes=5)
# After a failure the sweep leaves the message 15 s, then 30 s, 1 min, … and at most an hour between
# tries, so a mail server that refuses one address is not asked every minute for ever.
FIRST_RETRY_SECONDS = 15
LAST_RETRY_SECONDS = 60 * 60
# A broker that does not answer must not hold the page: one quick retry, then it is the sweep's turn.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


def mail_enqueue(
    *, key: str, subject: str, body: str, recipients: list[str], language: str, attachments: list[dict] | None = None
) -> Message:
    """A mail as written now, sent once the caller's transaction commits. A second call with the same
    key writes nothing."""
    message, created = Message.objects.get_or_create(
        key=key,
        defaults={
            "kind": Message.Kind.MAIL,
            "subject": subject[:500],
            "body": body,
            "recipients": list(recipients),
            "from_email": settings.DEFAULT_FROM_EMAIL,
            "language": language,
            "attachments": list(attachments or []),
        },
    )
    if created:
        _dispatch_after_commit(message)
    return message


def task_enqueue(*, task: str, args: list, key: str) -> Message:
    """A task (its import path) for the worker, handed over once the caller's transaction commits."""
    message, created = Message.objects.get_or_create(
        key=key, defaults={"kind": Message.Kind.TASK, "task": task, "args": list(args)}
    )
    if created:
        _dispatch_after_commit(message)
    return message


def _dispatch_after_commit(message: Message) -> None:
    # Robust: the change has committed; whatever goes wrong now is the sweep's to repair, never the
    # person's error page.
    transaction.on_commit(partial(message_dispatch, message_id=message.pk, kind=message.kind), robust=True)


def message_dispatch(*, message_id: int, kind: str) -> None:
    """Right after commit. A task goes to the broker from here; a mail is handed to the worker, which
    sends it, so that no page waits on the mail server."""
    if kind == Message.Kind.TASK:
        message_deliver(message_id=message_id)
        return
    from .tasks import deliver_message

    try:
        hand_over(deliver_message, [message_id])
    except Exception as error:  # noqa: BLE001 -- whatever the broker raises, the message waits for the sweep
        # Not claimed, so not held back either: the sweep sends it on its next turn.
        log.warning("Mail %s waits for the broker: %s", message_id, error)
        Message.objects.filter(pk=message_id, delivered_at__isnull=True).update(
            attempts=F("attempts") + 1, last_attempt_at=timezone.now(), last_error=_describe(error)
        )


def hand_over(task, args: list) -> None:
    """Give a task to the worker through the broker, or run it in this process when there is none."""
    if in_process.active():
        in_process.run(task, args)
    else:
        task.apply_async(args=args, retry=True, retry_policy=PUBLISH_RETRY)


def message_deliver(*, message_id: int) -> bool:
    """Deliver one message now unless it is delivered already or another sender holds it. True if this
    call delivered it; a failure to deliver is recorded on the message, never raised (a task run inline
    in-process is delivered once it starts: its own exception propagates, as in Celery's eager mode)."""
    now = timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id, delivered_at__isnull=True)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .update(locked_until=now + LEASE, attempts=F("attempts") + 1, last_attempt_at=now)
    )
    if not claimed:
        return False
    message = Message.objects.get(pk=message_id)
    if message.kind == Message.Kind.TASK and in_process.active():
        # Nothing can refuse a task that runs in this process: it is delivered when it starts.
        _mark_delivered(message)
        in_process.run(import_string(message.task), message.args)
        return True
    try:
        if message.kind == Message.Kind.MAIL:
            mail = EmailMessage(
                subject=message.subject,
                body=message.body,
                from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
                to=message.recipients,
            )
            for item in message.attachments:
                with default_storage.open(item["name"], "rb") as handle:
                    mail.attach(item["filename"], handle.read(), item["mimetype"])
            mail.send()
        else:
            hand_over(import_string(message.task), message.args)
    except Exception as error:  # noqa: BLE001 -- whatever the mail server or broker raises, the message waits
        pause = min(FIRST_RETRY_SECONDS * 2 ** (message.attempts - 1), LAST_RETRY_SECONDS)
        log.warning("Outbox message %s (%s) not delivered, next try in %s s: %s", message.pk, message.key, pause, error)
        Message.objects.filter(pk=message.pk).update(
            last_error=_describe(error),
            locked_until=None,
            next_attempt_at=timezone.now() + datetime.timedelta(seconds=pause),
        )
        return False
    _mark_delivered(message)
    return True


def _mark_delivered(message: Message) -> None:
    # The last error stays: it says why the message was late.
    Message.objects.filter(pk=message.pk).update(delivered_at=timezone.now(), locked_until=None, next_attempt_at=None)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def messages_sweep(*, limit: int = 500) -> int:
    """Deliver what is still owed, oldest first, except what rests after a failure; returns how many
    this sweep delivered."""
    now = timezone.now()
    due = messages_pending().filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
    )
    return sum(message_deliver(message_id=pk) for pk in list(due.values_list("pk", flat=True)[:limit]))
