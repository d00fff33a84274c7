from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outbox"
    verbose_name = _("Outbox")

    def ready(self):
        # The start-up sweep is a worker signal: it must be connected before any worker starts.
        from . import tasks  # noqa: F401  (connects the start-up sweep)
