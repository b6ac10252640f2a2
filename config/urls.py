from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("apps.ops.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("accounts/keys/", include("apps.accounts.keys_urls")),
    path("articles/", include("apps.articles.urls")),
    path("annotations/", include("apps.annotations.urls")),
    path("review/", include("apps.annotations.review_urls")),
    path("history/", include("apps.ops.history_urls")),
    path("kb/", include("apps.knowledge.urls")),
    path("checks/", include("apps.checks.urls")),
    # pages: claims and findings across articles (and a claim's ClaimReview preview).
    path("claims/", include("apps.annotations.claim_urls")),
    path("findings/", include("apps.checks.finding_urls")),
    path("api/", include("apps.api.urls")),
    path("admin/", admin.site.urls),
]

# A refusal says why, also to htmx (config/errors.py).
handler403 = "config.errors.permission_denied"
