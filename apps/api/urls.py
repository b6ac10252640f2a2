"""Mounted at /api/: v1 under /api/v1/, the OpenAPI schema at /api/schema/, the docs at /api/docs/
(Swagger UI from drf-spectacular-sidecar's local files, no CDN). Any other path under /api/ is a
JSON 404."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from apps.api import views
from apps.api.corpus_views import CorpusExportViewSet
from apps.api.docs import DocsView
from apps.api.errors import not_found

app_name = "api"

router = DefaultRouter(trailing_slash="")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("quotes", views.QuoteViewSet, basename="quote")
router.register("mentions", views.MentionViewSet, basename="mention")
router.register("dates", views.DateViewSet, basename="date")
router.register("entities", views.EntityViewSet, basename="entity")
router.register("findings", views.FindingViewSet, basename="finding")
# Whole-corpus export (issue 15): GET /api/v1/articles/export?format=jsonl|w3c
router.register("articles/export", CorpusExportViewSet, basename="corpus-export")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    # No "$": Django would match it with fullmatch, and "." stops at a newline.
    re_path(r"^.*", not_found),
]
