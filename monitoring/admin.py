from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from pilot_portal.numbers import ADMIN_NUMBER_FIELDS
from pilots import policy

from .models import Attachment, Indicator, Period, ReminderLog, Section, Submission, Transition, ValidationRule, Value
from .services import period_lock, period_unlock


@admin.register(Period)
class PeriodAdmin(SimpleHistoryAdmin):
    list_display = ["code", "starts_on", "ends_on", "due_on", "review_due_on", "locked", "locked_at", "locked_by"]
    # The lock goes through the services, which record who locked and when in the period's history.
    readonly_fields = ["locked", "locked_at", "locked_by"]
    actions = ["lock", "unlock"]

    @admin.action(description=gettext_lazy("Lock the selected periods"))
    def lock(self, request, queryset):
        self._set_locked(request, queryset, period_lock, _("Locked: %(periods)s."))

    @admin.action(description=gettext_lazy("Unlock the selected periods"))
    def unlock(self, request, queryset):
        self._set_locked(request, queryset, period_unlock, _("Unlocked: %(periods)s."))

    def _set_locked(self, request, queryset, service, done):
        if not policy.can_lock_period(request.user):
            raise PermissionDenied
        periods = [service(user=request.user, period=period) for period in queryset.order_by("starts_on")]
        self.message_user(request, done % {"periods": ", ".join(p.code for p in periods)}, messages.SUCCESS)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    formfield_overrides = ADMIN_NUMBER_FIELDS
    list_display = ["code", "position", "name_kk", "name_ru"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    formfield_overrides = ADMIN_NUMBER_FIELDS
    list_display = ["code", "section", "position", "name_kk", "type", "required", "aggregation", "figure_role"]
    list_filter = ["section", "type", "required", "figure_role", "periods"]
    search_fields = ["code", "name_kk", "name_ru"]
    filter_horizontal = ["periods"]


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    formfield_overrides = ADMIN_NUMBER_FIELDS
    list_display = ["code", "kind", "target", "active"]
    list_filter = ["kind", "active"]
    filter_horizontal = ["periods"]


class ValueInline(admin.TabularInline):
    model = Value
    extra = 0
    raw_id_fields = ["indicator"]
    formfield_overrides = ADMIN_NUMBER_FIELDS


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    readonly_fields = ["from_status", "to_status", "by", "at", "comment"]
    exclude = ["values_snapshot"]
    can_delete = False


@admin.register(Submission)
class SubmissionAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "period", "status", "version", "is_late", "submitted_at", "accepted_at"]
    list_filter = ["period", "status", "is_late", "organisation__region"]
    search_fields = ["organisation__bin", "organisation__name_kk", "organisation__name_ru"]
    raw_id_fields = ["organisation"]
    # Status moves only through the portal's review services, which keep the history and send mail.
    readonly_fields = ["status", "version", "first_submitted_at", "submitted_at", "accepted_at", "is_late"]
    inlines = [ValueInline, TransitionInline]
    list_select_related = ["organisation", "period"]


@admin.register(Value)
class ValueAdmin(SimpleHistoryAdmin):
    list_display = ["submission", "indicator", "number", "text"]
    formfield_overrides = ADMIN_NUMBER_FIELDS
    list_filter = ["indicator__section", "submission__period"]
    raw_id_fields = ["submission", "indicator"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "submission", "kind", "size", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["submission"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["key", "recipient", "sent_at"]
    search_fields = ["key"]
