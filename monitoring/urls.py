from django.urls import path

from .views import history, homes, submission

urlpatterns = [
    path("monitoring/", homes.queue_view, name="monitoring_queue"),
    path("monitoring/<str:bin>/<str:period>/", submission.submission_view, name="submission"),
    path("monitoring/<str:bin>/<str:period>/review/", submission.review_view, name="submission_review"),
    path("monitoring/<str:bin>/<str:period>/reopen/", submission.reopen_view, name="submission_reopen"),
    path("monitoring/<str:bin>/<str:period>/history/", history.history_view, name="submission_history"),
    path(
        "monitoring/<str:bin>/<str:period>/files/<int:attachment_id>/",
        submission.attachment_download,
        name="submission_attachment",
    ),
]
