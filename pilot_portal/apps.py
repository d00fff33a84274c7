"""App configurations the portal gives to third-party apps, and the admin's yes/no icons in the reader's language."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    # django-axes names its app "Axes" in every language; the admin's index shows that label to kk and ru readers.
    verbose_name = _("Sign-in attempts")

    def ready(self):
        super().ready()
        _translate_boolean_icons()


def _translate_boolean_icons() -> None:
    """The admin's boolean columns draw an icon whose alt text is the Python value ("True", "False"): a screen
    reader reads English on a Kazakh page. Every caller imports the helper from admin_list when it runs, so
    replacing it there gives each icon a translated alt."""
    from django.contrib.admin.templatetags import admin_list
    from django.templatetags.static import static
    from django.utils.html import format_html

    def boolean_icon(value):
        icon = {True: "yes", False: "no", None: "unknown"}[value]
        label = {True: _("Yes"), False: _("No"), None: _("Unknown")}[value]
        return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), label)

    admin_list._boolean_icon = boolean_icon
