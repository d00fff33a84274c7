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
    path("reports/<int:report_id>/sent/", views.report_mark_sent_view, name="report_mark_sent"),
    path("reports/<int:report_id>/pdf/", views.report_pdf_view, name="report_pdf"),
    path("reports/<int:report_id>/xlsx/", views.report_xlsx_view, name="report_xlsx"),
    path("reports/<int:report_id>/docx/", views.report_docx_view, name="report_docx"),
    path("reports/<int:report_id>/v<int:number>/pdf/", views.report_pdf_view, name="report_version_pdf"),
    path("reports/<int:report_id>/v<int:number>/xlsx/", views.report_xlsx_view, name="report_version_xlsx"),
    path("reports/<int:report_id>/v<int:number>/docx/", views.report_docx_view, name="report_version_docx"),
    path("reports/<int:report_id>/values/", views.report_values_view, name="report_values"),
    path("reports/<int:report_id>/v<int:number>/values/", views.report_values_view, name="report_version_values"),
]
