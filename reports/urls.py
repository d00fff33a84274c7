from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.report_list_view, name="report_list"),
    path("reports/conclusions/", views.narrative_view, name="report_narrative"),
    path("reports/summaries/", views.summary_list_view, name="report_summaries"),
    path("reports/summaries/<str:period>/", views.summary_view, name="report_quarter_summary"),
    path("reports/summaries/<str:period>/<str:region>/", views.summary_view, name="report_region_summary"),
    path("reports/<int:report_id>/", views.report_detail_view, name="report_detail"),
    path("reports/<int:report_id>/requeue/", views.report_requeue_view, name="report_requeue"),
    path("reports/verify/", views.report_verify_view, name="report_verify"),
    path("reports/<int:report_id>/approve/", views.report_approve_view, name="report_approve"),
    path("reports/<int:report_id>/send/", views.report_send_view, name="report_send"),
    path("reports/<int:report_id>/letter/", views.report_letter_view, name="report_letter"),
    path("reports/<int:report_id>/pdf/", views.report_pdf_view, name="report_pdf"),
    path("reports/<int:report_id>/xlsx/", views.report_xlsx_view, name="report_xlsx"),
    path("reports/<int:report_id>/docx/", views.report_docx_view, name="report_docx"),
    path("reports/<int:report_id>/v<int:number>/pdf/", views.report_pdf_view, name="report_version_pdf"),
    path("reports/<int:report_id>/v<int:number>/xlsx/", views.report_xlsx_view, name="report_version_xlsx"),
    path("reports/<int:report_id>/v<int:number>/docx/", views.report_docx_view, name="report_version_docx"),
    path("reports/<int:report_id>/values/", views.report_values_view, name="report_values"),
    path("reports/<int:report_id>/v<int:number>/values/", views.report_values_view, name="report_version_values"),
]
