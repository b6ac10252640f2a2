from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.annotations.models import Claim, DateMention, EntityMention, Evidence, Quote

# Spans are created and moved through the services (offsets are checked against the body there),
# so the admin shows them read-only apart from the review fields.
_SPAN_READONLY = (
    "uuid",
    "article",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "origin",
    "extractor_version",
    "created_by",
    "version",
    "anchor_state",
)


class SpanAdmin(SimpleHistoryAdmin):
    list_display = ("exact", "article", "review_state", "origin", "anchor_state", "updated_at")
    list_filter = ("review_state", "origin", "anchor_state")
    search_fields = ("exact",)
    readonly_fields = _SPAN_READONLY
    raw_id_fields = ("reviewed_by", "edited_by")


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("url", "title", "quoted_passage", "note")


@admin.register(Claim)
class ClaimAdmin(SpanAdmin):
    list_display = ("exact", "article", "kind", "verdict", "verdict_state", "review_state")
    list_filter = ("kind", "verdict", "verdict_state", "review_state")
    inlines = [EvidenceInline]
    raw_id_fields = ("reviewed_by", "edited_by", "verdict_by", "verified_by")


@admin.register(Quote)
class QuoteAdmin(SpanAdmin):
    raw_id_fields = ("reviewed_by", "edited_by", "speaker")


@admin.register(EntityMention)
class EntityMentionAdmin(SpanAdmin):
    raw_id_fields = ("reviewed_by", "edited_by", "entity", "office")


@admin.register(DateMention)
class DateMentionAdmin(SpanAdmin):
    pass
