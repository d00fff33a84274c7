from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pilots"
    verbose_name = _("Pilot registry")

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
