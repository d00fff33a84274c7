"""Receivers that keep the summary (monitoring.summary) in step with writes the registry and the admin
make outside monitoring's services: an organisation joining, leaving or changing its cell, a period's
dates. Each runs in the transaction of the write; connected in MonitoringConfig.ready()."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from pilots.events import organisations_written
from pilots.models import Organisation

from .models import Period
from .summary import (
    Membership,
    summary_membership_changed,
    summary_organisations_written,
    summary_rebuild,
)


@receiver(pre_save, sender=Organisation, dispatch_uid="monitoring.summary_organisation_before")
def organisation_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    stored = Organisation.objects.filter(pk=instance.pk).first()
    instance._summary_before = Membership.of(stored) if stored is not None else None


@receiver(post_save, sender=Organisation, dispatch_uid="monitoring.summary_organisation_after")
def organisation_after(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = None if created else getattr(instance, "_summary_before", None)
    # Read back as stored: a field set from a string (a form, a factory) is a date only in the database.
    after = Membership.of(Organisation.objects.get(pk=instance.pk))
    summary_membership_changed(organisation_id=instance.pk, before=before, after=after)
    instance._summary_before = after


@receiver(post_delete, sender=Organisation, dispatch_uid="monitoring.summary_organisation_deleted")
def organisation_deleted(sender, instance, **kwargs):
    summary_membership_changed(organisation_id=instance.pk, before=Membership.of(instance), after=None)


@receiver(organisations_written, dispatch_uid="monitoring.summary_organisations_written")
def organisations_written_in_bulk(sender, created, changed, **kwargs):
    summary_organisations_written(created=created, changed=changed)


def _dates(period: Period) -> tuple:
    return (period.starts_on, period.ends_on)


@receiver(pre_save, sender=Period, dispatch_uid="monitoring.summary_period_before")
def period_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    stored = Period.objects.filter(pk=instance.pk).values_list("starts_on", "ends_on").first()
    instance._summary_dates = stored


@receiver(post_save, sender=Period, dispatch_uid="monitoring.summary_period_after")
def period_after(sender, instance, created, raw=False, **kwargs):
    """Who is expected, and whose hand-in counts, depends on the period's dates: a new period, or new
    dates, recount that period (the rest of the summary is untouched)."""
    if raw:
        return
    if created or getattr(instance, "_summary_dates", None) != _dates(instance):
        summary_rebuild(periods=[instance])
    instance._summary_dates = _dates(instance)
