from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    verbose_name = _("Quarterly monitoring")

    def ready(self):
        from . import signals  # noqa: F401  (connects the summary's receivers)
