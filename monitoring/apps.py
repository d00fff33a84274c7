from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def fill_an_empty_summary(sender, using="default", **kwargs):
    """An installation that had data before the summary existed (or whose summary a migration emptied)
    gets it summed from the values once migrated, so no dashboard reads an empty summary as zeros."""
    from pilots.models import Organisation

    from .models import SummedCounts, SummedOrganisations, SummedRegionValue, SummedValue
    from .progress_summary import progress_rebuild
    from .summary import summary_rebuild

    if not Organisation.objects.using(using).exists():
        return
    # The regions' rows came after the cells (monitoring 0012): an installation with cells gets them summed too.
    regions_missing = SummedValue.objects.using(using).exists() and not SummedRegionValue.objects.using(using).exists()
    if not SummedCounts.objects.using(using).exists() or regions_missing:
        summary_rebuild()
    if not SummedOrganisations.objects.using(using).exists():
        progress_rebuild()


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    verbose_name = _("Quarterly monitoring")

    def ready(self):
        from . import signals  # noqa: F401  (connects the summary's receivers)

        post_migrate.connect(fill_an_empty_summary, sender=self, dispatch_uid="monitoring.fill_an_empty_summary")
