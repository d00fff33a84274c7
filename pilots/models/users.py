from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .organisations import Organisation
from .regions import Region


class User(AbstractUser):
    """A portal user with exactly one role and, for staff and coordinators, one scope."""

    class Role(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation staff")
        REGION = "region", _("Regional coordinator")
        INSTITUTE = "institute", _("Institute analyst")
        DIRECTOR = "director", _("Institute director")
        MINISTRY = "ministry", _("Ministry viewer")
        ADMIN = "admin", _("Administrator")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MINISTRY)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("organisation"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="coordinators", verbose_name=_("region")
    )
    language = models.CharField(
        _("language"), max_length=2, choices=[("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")], default="kk"
    )
    position = models.CharField(
        pgettext_lazy("a person's job", "position"),
        max_length=200,
        blank=True,
        help_text=_("As the person signs, e.g. chief specialist."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="organisation", organisation__isnull=False, region__isnull=True)
                    | models.Q(role="region", region__isnull=False, organisation__isnull=True)
                    | (
                        models.Q(role__in=["institute", "director", "ministry", "admin"])
                        & models.Q(region__isnull=True, organisation__isnull=True)
                    )
                ),
                name="user_scope_matches_role",
            ),
        ]

    @property
    def display_name(self) -> str:
        """The person's name, or the account's name for an account that has none (a greeting, a signature)."""
        return self.get_full_name() or self.get_username()

    @property
    def person(self) -> str:
        """Who did something, as a page names them: the name and position, the account's name only as a fallback."""
        return f"{self.display_name}, {self.position}" if self.position and self.get_full_name() else self.display_name

    def clean(self):
        super().clean()
        if self.role == self.Role.ORGANISATION:
            if not self.organisation_id:
                raise ValidationError(
                    {"organisation": ValidationError(_("Organisation staff need an organisation."), code="scope")}
                )
            self.region = None
        elif self.role == self.Role.REGION:
            if not self.region_id:
                raise ValidationError(
                    {"region": ValidationError(_("A regional coordinator needs a region."), code="scope")}
                )
            self.organisation = None
        else:
            self.organisation = None
            self.region = None
