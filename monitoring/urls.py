from django.urls import path

from .views import dashboards, history, homes, submission

urlpatterns = [
    path("dashboard/", dashboards.national_dashboard, name="national_dashboard"),
    path("dashboard/export/<slug:table>.xlsx", dashboards.national_export, name="national_export"),
    path("dashboard/<str:code>/", dashboards.regional_dashboard, name="regional_dashboard"),
    path("dashboard/<str:code>/export/<slug:table>.xlsx", dashboards.regional_export, name="regional_export"),
    path("monitoring/", homes.queue_view, name="monitoring_queue"),
    path("monitoring/export.xlsx", homes.queue_export, name="monitoring_queue_export"),
    path("monitoring/<str:bin>/<str:period>/", submission.submission_view, name="submission"),
    path("monitoring/<str:bin>/<str:period>/review/", submission.review_view, name="submission_review"),
    path("monitoring/<str:bin>/<str:period>/reopen/", submission.reopen_view, name="submission_reopen"),
    path("monitoring/<str:bin>/<str:period>/history/", history.history_view, name="submission_history"),
    path(
        "monitoring/<str:bin>/<str:period>/history/export.xlsx",
        history.history_export,
        name="submission_history_export",
    ),
    path(
        "monitoring/<str:bin>/<str:period>/files/<int:attachment_id>/",
        submission.attachment_download,
        name="submission_attachment",
    ),
]
