from django import forms
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
from .services import clause_execution_check_date, clause_execution_record


class ClauseInline(admin.StackedInline):
    model = Clause
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    formfield_overrides = ADMIN_NUMBER_FIELDS
    list_display = ["title_kk", "signed_on", "signatory", "final_report_due_on"]
    inlines = [ClauseInline]


class ClauseExecutionForm(forms.ModelForm):
    class Meta:
        model = ClauseExecution
        fields = ["clause", "done_on", "note", "reference", "document_number"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("done_on"):
            clause_execution_check_date(cleaned["done_on"])  # the service's own rule, on the form's field
        return cleaned


@admin.register(ClauseExecution)
class ClauseExecutionAdmin(admin.ModelAdmin):
    """Recorded here through the service, and never edited or deleted afterwards: the control card and the
    letters cite these records."""

    form = ClauseExecutionForm
    list_display = ["clause", "done_on", "note", "reference", "document_number", "recorded_by", "recorded_at"]
    list_filter = ["clause"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        recorded = clause_execution_record(user=request.user, **{f: form.cleaned_data[f] for f in form.Meta.fields})
        obj.pk, obj.recorded_by, obj.recorded_at = recorded.pk, recorded.recorded_by, recorded.recorded_at


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
    list_display = [
        "organisation",
        "event",
        "effective_on",
        "reason_shown",
        "replaced_by",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = ["event"]
    raw_id_fields = ["organisation", "replaced_by", "replaces"]
    list_select_related = ["organisation", "replaced_by", "replaces", "recorded_by"]
    readonly_fields = ["reason_shown"]

    @admin.display(description=_("reason"))
    def reason_shown(self, obj):
        # A reason the portal gave itself is stored as a code: the admin reads it in the admin's language too.
        return obj.reason_text

    # Leaving and replacing go through the organisation's card (pilots.services.organisation_leave_pilot),
    # which also ends the organisation's membership; a record typed here would not.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
    list_display = ["username", "full_name", "role", "region", "organisation", "is_active"]
    list_filter = ["role", "region", "is_active"]
    list_select_related = ["region", "organisation"]

    @admin.display(description=_("full name"), ordering="last_name")
    def full_name(self, user: User) -> str:
        return user.get_full_name()

    raw_id_fields = ["organisation"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ("role", "region", "organisation", "language")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ("role", "region", "organisation", "language")}),
    )
