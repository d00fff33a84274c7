from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    """The pilot programme as a whole: pages and commands that combine the registry, monitoring and reports.

    It sits above the other apps and imports them; none of them imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "programme"
    verbose_name = _("Pilot programme")
