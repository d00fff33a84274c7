from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """Something the portal owes the world once a change commits: a mail to send, or a task to hand to
    the worker. Written in the change's own transaction, so the two stand or fall together; delivered
    after commit, and by the sweep for as long as it is not."""

    class Kind(models.TextChoices):
        MAIL = "mail", _("mail")
        TASK = "task", _("background task")

    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    # Names what the message is about (transition:12:5, reminder:…, reports.compile_report:3:<attempt>):
    # a change that is retried writes its message once.
    key = models.CharField(_("key"), max_length=200, unique=True)
    # A mail as it was written when the change committed, in its recipient's language.
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    body = models.TextField(_("body"), blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    from_email = models.CharField(_("sender"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    # Files a mail carries, by their names in the portal's storage: [{"name", "filename", "mimetype"}].
    # Read when the mail is sent, so a message stays small however large its files.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # A task: its import path and its arguments.
    task = models.CharField(_("task"), max_length=200, blank=True)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Claimed by a sender, which alone may deliver it until then (a sender that died frees it then).
    locked_until = models.DateTimeField(_("held by a sender until"), null=True, blank=True)
    # After a failure the sweep leaves it alone until then; a person who asks for it tries at once.
    next_attempt_at = models.DateTimeField(_("swept again from"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The sweep reads only what is still owed, which is few rows among many delivered ones.
            models.Index(fields=["created_at"], condition=models.Q(delivered_at__isnull=True), name="outbox_pending"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def waits(self) -> bool:
        """Tried and not delivered: the broker or the mail server did not take it yet."""
        return self.delivered_at is None and self.attempts > 0
