"""The project's URLs plus two new patterns, for the crawl's own test: one whose argument the crawl
knows (bin), one it does not (widget)."""

from django.http import HttpResponse
from django.urls import path

from pilot_portal.urls import urlpatterns as project_urlpatterns


def _page(request, **kwargs):
    return HttpResponse("")


urlpatterns = [
    *project_urlpatterns,
    path("organisations/<str:bin>/card.txt", _page, name="crawl_test_known_argument"),
    path("widgets/<str:widget>/", _page, name="crawl_test_unknown_argument"),
]
