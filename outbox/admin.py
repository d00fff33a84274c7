from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Message
from .services import message_deliver


class DeliveredFilter(admin.SimpleListFilter):
    title = _("delivered")
    parameter_name = "delivered"

    def lookups(self, request, model_admin):
        return [("no", _("not yet")), ("yes", _("delivered"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(delivered_at__isnull=self.value() == "no")
        return queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: a message is what was written at the time of the change; only its delivery can be asked for."""

    list_display = [
        "created_at",
        "kind",
        "key",
        "recipients",
        "task",
        "attempts",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = [DeliveredFilter, "kind"]
    search_fields = ["key", "subject", "task"]
    date_hierarchy = "created_at"
    actions = ["deliver_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Deliver now the selected messages not yet delivered"))
    def deliver_now(self, request, queryset):
        delivered = sum(message_deliver(message_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d message delivered.", "%(count)d messages delivered.", delivered) % {"count": delivered},
            messages.SUCCESS if delivered else messages.WARNING,
        )
