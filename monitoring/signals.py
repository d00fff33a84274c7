"""Receivers that keep the summary (monitoring.summary) in step with writes made outside monitoring's
services: an organisation joining, leaving or changing its cell, a period's dates, a submission or a value
saved or deleted through the ORM (the admin, a factory, a script, a submit's own save), and an activity of
the algorithm ticked or unticked (monitoring.progress_summary). Each
runs in the transaction of the write; connected in MonitoringConfig.ready().

The services' conditional UPDATEs (accept, return, reopen) send no signal: they call
summary_transition themselves. Writes that bypass both (QuerySet.update of a status, bulk_create)
leave the summary behind until `manage.py rebuild_summary`; `rebuild_summary --check` finds them.
A bulk load writes inside `summaries_summed_once()`, which sums both summaries once, at its end."""

import functools
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from pilots.events import organisations_written
from pilots.models import ActivityProgress, Organisation

from .models import Period, Submission, Value
from .progress_summary import (
    counted,
    progress_organisations_moved,
    progress_organisations_written,
    progress_rebuild,
    progress_tick_written,
)
from .summary import (
    Membership,
    Standing,
    summary_membership_changed,
    summary_organisations_written,
    summary_rebuild,
    summary_submission_written,
    summary_value_written,
)

# Set inside summaries_summed_once(), in its thread only: the receivers leave the summaries alone there.
_SUMMED_AT_THE_END = ContextVar("summaries_summed_at_the_end", default=False)


@contextmanager
def summaries_summed_once():
    """One transaction whose writes leave the summaries alone, which are then summed once from the rows, before
    it commits: a bulk load (load_demo) writes thousands of rows, and each would otherwise update them."""
    with transaction.atomic():
        token = _SUMMED_AT_THE_END.set(True)
        try:
            yield
        finally:
            _SUMMED_AT_THE_END.reset(token)
        summary_rebuild()
        progress_rebuild()


def _in_step(receiver_function):
    @functools.wraps(receiver_function)
    def receive(*args, **kwargs):
        if not _SUMMED_AT_THE_END.get():
            receiver_function(*args, **kwargs)

    return receive


@receiver(pre_save, sender=Organisation, dispatch_uid="monitoring.summary_organisation_before")
@_in_step
def organisation_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    stored = Organisation.objects.filter(pk=instance.pk).first()
    instance._summary_before = Membership.of(stored) if stored is not None else None


@receiver(post_save, sender=Organisation, dispatch_uid="monitoring.summary_organisation_after")
@_in_step
def organisation_after(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = None if created else getattr(instance, "_summary_before", None)
    # Read back as stored: a field set from a string (a form, a factory) is a date only in the database.
    after = Membership.of(Organisation.objects.get(pk=instance.pk))
    summary_membership_changed(organisation_id=instance.pk, before=before, after=after)
    progress_organisations_moved({instance.pk: (before and before.dims, after.dims)})
    instance._summary_before = after


@receiver(post_delete, sender=Organisation, dispatch_uid="monitoring.summary_organisation_deleted")
@_in_step
def organisation_deleted(sender, instance, **kwargs):
    summary_membership_changed(organisation_id=instance.pk, before=Membership.of(instance), after=None)
    progress_organisations_moved({instance.pk: (Membership.of(instance).dims, None)})


@receiver(organisations_written, dispatch_uid="monitoring.summary_organisations_written")
@_in_step
def organisations_written_in_bulk(sender, created, changed, **kwargs):
    summary_organisations_written(created=created, changed=changed)
    progress_organisations_written(created=created, changed=changed)


def _tick(progress: ActivityProgress) -> tuple | None:
    return (progress.organisation_id, progress.activity_id) if counted(progress.done, progress.done_on) else None


@receiver(pre_save, sender=ActivityProgress, dispatch_uid="monitoring.progress_tick_before")
@_in_step
def tick_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    stored = ActivityProgress.objects.filter(pk=instance.pk).first()
    instance._summary_before = _tick(stored) if stored is not None else None


@receiver(post_save, sender=ActivityProgress, dispatch_uid="monitoring.progress_tick_after")
@_in_step
def tick_after(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = None if created else getattr(instance, "_summary_before", None)
    after = _tick(instance)
    progress_tick_written(before=before, after=after)
    instance._summary_before = after


@receiver(post_delete, sender=ActivityProgress, dispatch_uid="monitoring.progress_tick_deleted")
@_in_step
def tick_deleted(sender, instance, **kwargs):
    progress_tick_written(before=_tick(instance), after=None)


def _dates(period: Period) -> tuple:
    return (period.starts_on, period.ends_on)


@receiver(pre_save, sender=Period, dispatch_uid="monitoring.summary_period_before")
@_in_step
def period_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    stored = Period.objects.filter(pk=instance.pk).values_list("starts_on", "ends_on").first()
    instance._summary_dates = stored


@receiver(post_save, sender=Period, dispatch_uid="monitoring.summary_period_after")
@_in_step
def period_after(sender, instance, created, raw=False, **kwargs):
    """Who is expected, and whose hand-in counts, depends on the period's dates, and so does which quarter
    comes before which (the like-for-like sums): a new period, or new dates, sum the summary again."""
    if raw:
        return
    # With no organisation there is nothing to count in any period (the usual case of a new installation).
    if (created or getattr(instance, "_summary_dates", None) != _dates(instance)) and Organisation.objects.exists():
        summary_rebuild()
    instance._summary_dates = _dates(instance)


@receiver(pre_save, sender=Submission, dispatch_uid="monitoring.summary_submission_before")
@_in_step
def submission_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    stored = Submission.objects.filter(pk=instance.pk).values_list(*Standing._fields).first()
    instance._summary_before = Standing(*stored) if stored is not None else None


@receiver(post_save, sender=Submission, dispatch_uid="monitoring.summary_submission_after")
@_in_step
def submission_after(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = None if created else getattr(instance, "_summary_before", None)
    after = Standing.of(instance)
    summary_submission_written(submission_id=instance.pk, before=before, after=after)
    instance._summary_before = after


@receiver(post_delete, sender=Submission, dispatch_uid="monitoring.summary_submission_deleted")
@_in_step
def submission_deleted(sender, instance, **kwargs):
    summary_submission_written(submission_id=instance.pk, before=Standing.of(instance), after=None)


def _submission_of(value: Value) -> Submission | None:
    # The services hand the submission over with the value (no query); elsewhere it is read once.
    if Value.submission.is_cached(value):
        return value.submission
    return Submission.objects.filter(pk=value.submission_id).first()


@receiver(pre_save, sender=Value, dispatch_uid="monitoring.summary_value_before")
@_in_step
def value_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    submission = _submission_of(instance)
    if submission is None or not submission.counts_in_figures:
        return
    instance._summary_before = Value.objects.filter(pk=instance.pk).values_list("indicator_id", "number").first()


@receiver(post_save, sender=Value, dispatch_uid="monitoring.summary_value_after")
@_in_step
def value_after(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    submission = _submission_of(instance)
    if submission is None or not submission.counts_in_figures:
        return
    before = None if created else getattr(instance, "_summary_before", None)
    after = (instance.indicator_id, None if instance.number is None else Decimal(instance.number))
    summary_value_written(submission=submission, before=before, after=after)
    instance._summary_before = after


@receiver(post_delete, sender=Value, dispatch_uid="monitoring.summary_value_deleted")
@_in_step
def value_deleted(sender, instance, **kwargs):
    submission = _submission_of(instance)
    if submission is None or not submission.counts_in_figures:
        return
    summary_value_written(submission=submission, before=(instance.indicator_id, instance.number), after=None)
