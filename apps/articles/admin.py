from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.articles.models import Article, ArticleRevision


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = (
        "title",
        "source",
        "published_on",
        "status",
        "extraction_state",
        "check_state",
        "revision",
    )
    list_filter = ("status", "extraction_state", "check_state", "source")
    search_fields = ("title", "byline", "url", "external_id")
    # The body is edited through the workspace so that annotations are re-anchored.
    readonly_fields = (
        "uuid",
        "body",
        "body_sha256",
        "revision",
        # Processing state: written by apps.articles.processing and the runs only.
        "extraction_state",
        "extraction_requested_at",
        "extracted_at",
        "extraction_failed_at",
        "extraction_error",
        "check_state",
        "check_requested_at",
        "check_done_at",
        "check_failed_at",
        "check_error",
    )


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(admin.ModelAdmin):
    list_display = ("article", "number", "created_by", "created_at")
    readonly_fields = [f.name for f in ArticleRevision._meta.fields]
