from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from . import docs, pages, views

LIST = {"get": "list"}

urlpatterns = [
    path("api/v1/openapi.json", SpectacularJSONAPIView.as_view(), name="api_schema"),
    path("api/v1/docs/", docs.docs_view, name="api_docs"),
    # path() routes, not a router's regular expressions: the demo crawl fills and visits every one.
    path("api/v1/regions/", views.RegionViewSet.as_view(LIST), name="api-regions-list"),
    path("api/v1/organisations/", views.OrganisationViewSet.as_view(LIST), name="api-organisations-list"),
    path("api/v1/periods/", views.PeriodViewSet.as_view(LIST), name="api-periods-list"),
    path("api/v1/indicators/", views.IndicatorViewSet.as_view(LIST), name="api-indicators-list"),
    path("api/v1/submissions/", views.SubmissionViewSet.as_view(LIST), name="api-submissions-list"),
    path("api/v1/values/", views.ValueViewSet.as_view(LIST), name="api-values-list"),
    path("api/v1/completeness/", views.CompletenessView.as_view(), name="api-completeness-list"),
    path("api/v1/stages/", views.StageView.as_view(), name="api-stages-list"),
    path("api/v1/reports/", views.ReportViewSet.as_view(LIST), name="api-reports-list"),
    path("account/api-tokens/", pages.token_list_view, name="api_tokens"),
    path("account/api-tokens/<int:token_id>/revoke/", pages.token_revoke_view, name="api_token_revoke"),
]
