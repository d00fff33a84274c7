from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import pages, views

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="api-regions")
router.register("organisations", views.OrganisationViewSet, basename="api-organisations")
router.register("periods", views.PeriodViewSet, basename="api-periods")
router.register("indicators", views.IndicatorViewSet, basename="api-indicators")
router.register("submissions", views.SubmissionViewSet, basename="api-submissions")
router.register("values", views.ValueViewSet, basename="api-values")
router.register("reports", views.ReportViewSet, basename="api-reports")

urlpatterns = [
    path("api/v1/openapi.json", SpectacularJSONAPIView.as_view(), name="api_schema"),
    # The split view serves its start-up script as a file of its own: no inline script, as the CSP requires.
    path(
        "api/v1/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema", template_name="api/swagger_ui.html"),
        name="api_docs",
    ),
    path("api/v1/completeness/", views.CompletenessView.as_view(), name="api-completeness-list"),
    path("api/v1/stages/", views.StageView.as_view(), name="api-stages-list"),
    path("api/v1/", include(router.urls)),
    path("account/api-tokens/", pages.token_list_view, name="api_tokens"),
    path("account/api-tokens/<int:token_id>/revoke/", pages.token_revoke_view, name="api_token_revoke"),
]
