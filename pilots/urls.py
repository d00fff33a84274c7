from django.urls import path

from .views import health, home, imports, membership, organisations, progress

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz/", health.healthz, name="healthz"),
    path("organisations/", organisations.organisation_list_view, name="organisation_list"),
    path("organisations/export.xlsx", organisations.organisation_list_export, name="organisation_list_export"),
    path("organisations/import/", imports.import_view, name="organisation_import"),
    path("organisations/import/template.xlsx", imports.template_view, name="organisation_import_template"),
    path("organisations/<str:bin>/leave/", membership.leave_pilot_view, name="organisation_leave"),
    path(
        "organisations/<str:bin>/activities/<slug:code>/",
        progress.activity_progress_edit,
        name="activity_progress_edit",
    ),
    path(
        "organisations/<str:bin>/activities/<slug:code>/evidence/",
        progress.activity_evidence_download,
        name="activity_evidence",
    ),
]
