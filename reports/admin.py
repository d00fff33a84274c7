"""Reports in the admin: read-only for everyone. A report's status moves only through the portal's
services (queue, compile, restart, fail), which keep its attempt and its files consistent."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Approval, CoverLetter, Report, ReportVersion


class ReadOnlyAdmin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReportVersionInline(ReadOnlyAdmin, admin.TabularInline):
    model = ReportVersion
    extra = 0
    # The files are linked through the portal's downloads, which check the reader's scope;
    # MEDIA_ROOT is never served.
    fields = [
        "number",
        "snapshot_at",
        "compiled_at",
        "seconds",
        "pdf_download",
        "pdf_pages",
        "pdf_size",
        "pdf_sha256",
        "xlsx_download",
        "xlsx_size",
        "xlsx_sha256",
        "values_csv_download",
        "values_csv_rows",
        "values_csv_size",
        "values_csv_sha256",
        "attempt",
    ]
    readonly_fields = fields

    @admin.display(description=_("PDF"))
    def pdf_download(self, version):
        url = reverse("report_version_pdf", args=[version.report_id, version.number])
        return format_html('<a href="{}">{}</a>', url, version.pdf.name)

    @admin.display(description=_("XLSX"))
    def xlsx_download(self, version):
        url = reverse("report_version_xlsx", args=[version.report_id, version.number])
        return format_html('<a href="{}">{}</a>', url, version.xlsx.name)

    @admin.display(description=_("values (CSV)"))
    def values_csv_download(self, version):
        if not version.values_csv:
            return "—"
        url = reverse("report_version_values", args=[version.report_id, version.number])
        return format_html('<a href="{}">{}</a>', url, version.values_csv.name)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "period",
        "region",
        "language",
        "status",
        "progress",
        "heartbeat_at",
        "stale_restarts",
        "requested_at",
        "finished_at",
    ]
    list_filter = ["status", "kind", "language", "source"]
    list_select_related = ["period", "region"]
    date_hierarchy = "requested_at"
    fields = [
        "portal_page",
        "kind",
        "period",
        "region",
        "language",
        "source",
        "requested_by",
        "requested_at",
        "status",
        "progress",
        "current_step",
        "heartbeat_at",
        "stale_restarts",
        "attempt",
        "started_at",
        "finished_at",
        "failure",
        "sent_at",
        "sent_by",
    ]
    readonly_fields = fields
    inlines = [ReportVersionInline]

    @admin.display(description=_("page in the portal"))
    def portal_page(self, report):
        url = reverse("report_detail", args=[report.pk])
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description=_("step"))
    def current_step(self, report):
        return report.step_label

    @admin.display(description=_("reason of failure"))
    def failure(self, report):
        return report.error_label


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Approvals are written by the director's approval alone, with their signed file; never edited here."""

    list_display = ["version", "approver_name", "approved_at", "demonstration", "signed_sha256"]
    list_select_related = ["version__report__period", "version__report__region"]
    fields = [
        "version",
        "approved_by",
        "approved_at",
        "approver_name",
        "approver_position",
        "pdf_sha256",
        "signed_sha256",
        "signed_size",
        "certificate_subject",
        "certificate_serial",
        "demonstration",
    ]
    readonly_fields = fields


@admin.register(CoverLetter)
class CoverLetterAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["number", "date", "report", "signatory_name", "sent_by", "mailed_to"]
    list_select_related = ["report__period", "report__region", "sent_by"]
    search_fields = ["number"]
    fields = [
        "report",
        "number",
        "date",
        "addressee",
        "signatory_name",
        "signatory_position",
        "pdf_sha256",
        "docx_sha256",
        "sent_by",
        "recorded_at",
        "mailed_to",
    ]
    readonly_fields = fields
