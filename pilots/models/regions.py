from django.db import models
from django.utils.translation import gettext_lazy as _

from .i18n import LocalizedNameMixin


class Region(LocalizedNameMixin, models.Model):
    """One of the 17 oblasts or 3 cities of republican significance, by ISO 3166-2 code."""

    code = models.CharField(_("ISO code"), max_length=5, unique=True, help_text=_("For example KZ-71"))
    name_kk = models.CharField(_("name (Kazakh)"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    centre_kk = models.CharField(_("administrative centre (Kazakh)"), max_length=100, blank=True)
    centre_ru = models.CharField(_("administrative centre (Russian)"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
