from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from pilot_portal.numbers import ADMIN_NUMBER_FIELDS

from .models import (
    Activity,
    ActivityProgress,
    Clause,
    ClauseExecution,
    Order,
    Organisation,
    PilotMembershipChange,
    Region,
    Stage,
    User,
)


class ClauseInline(admin.StackedInline):
    model = Clause
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    formfield_overrides = ADMIN_NUMBER_FIELDS
    list_display = ["title_kk", "signed_on", "signatory", "final_report_due_on"]
    inlines = [ClauseInline]


@admin.register(ClauseExecution)
class ClauseExecutionAdmin(admin.ModelAdmin):
    list_display = ["clause", "done_on", "note", "recorded_by"]
    list_filter = ["clause"]

    def save_model(self, request, obj, form, change):
        if not obj.recorded_by_id:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru", "name_en"]
    search_fields = ["code", "name_kk", "name_ru"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    formfield_overrides = ADMIN_NUMBER_FIELDS
    list_display = [
        "bin",
        "name_kk",
        "region",
        "ownership",
        "settlement",
        "language",
        "in_pilot_from",
        "in_pilot_until",
    ]
    list_filter = ["region", "ownership", "settlement", "language", "is_demo"]
    search_fields = ["bin", "name_kk", "name_ru"]
    list_select_related = ["region"]
    # Leaving the pilot goes through the organisation's card, which logs the reason and who recorded it.
    readonly_fields = ["in_pilot_until"]


@admin.register(PilotMembershipChange)
class PilotMembershipChangeAdmin(admin.ModelAdmin):
    list_display = ["organisation", "event", "effective_on", "replaced_by", "recorded_by", "recorded_at"]
    list_filter = ["event"]
    raw_id_fields = ["organisation", "replaced_by"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request, obj, form, change):
        if not obj.recorded_by_id:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    formfield_overrides = ADMIN_NUMBER_FIELDS
    list_display = ["position", "name_kk", "name_ru", "starts_on", "ends_on"]
    inlines = [ActivityInline]


@admin.register(ActivityProgress)
class ActivityProgressAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "activity", "done", "done_on", "updated_by", "updated_at"]
    list_filter = ["done", "activity__stage", "organisation__region"]
    raw_id_fields = ["organisation"]
    list_select_related = ["organisation", "activity", "updated_by"]


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "get_full_name", "role", "region", "organisation", "is_active"]
    list_filter = ["role", "region", "is_active"]
    list_select_related = ["region", "organisation"]
    raw_id_fields = ["organisation"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ("role", "region", "organisation", "language")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ("role", "region", "organisation", "language")}),
    )
