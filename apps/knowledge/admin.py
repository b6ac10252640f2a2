from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.knowledge.models import Entity, EntityAlias, Tenure


class AliasInline(admin.TabularInline):
    model = EntityAlias
    extra = 0
    fields = ("alias", "language", "is_label")


class TenureInline(admin.TabularInline):
    model = Tenure
    fk_name = "person"
    extra = 0
    raw_id_fields = ("office",)
    fields = (
        "office",
        "start",
        "start_precision",
        "end",
        "end_precision",
        "end_unknown",
        "source_url",
    )


@admin.register(Entity)
class EntityAdmin(SimpleHistoryAdmin):
    list_display = ("label", "kind", "wikidata_id", "updated_at")
    list_filter = ("kind",)
    search_fields = ("label", "wikidata_id", "aliases__alias")
    inlines = [AliasInline, TenureInline]


@admin.register(Tenure)
class TenureAdmin(SimpleHistoryAdmin):
    list_display = ("person", "office", "start", "end", "end_unknown")
    raw_id_fields = ("person", "office")
    search_fields = ("person__label", "office__label")
