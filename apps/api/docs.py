"""/api/docs/: Swagger UI from drf-spectacular-sidecar's files (served by our static files, no
CDN), with its start-up script loaded from a URL rather than inline, so that the site's
Content-Security-Policy (scripts from 'self' only) holds. Swagger UI sets inline styles on its
elements, so this one page allows inline styles."""

from __future__ import annotations

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
