from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.checks.models import Finding


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ("code", "severity", "state", "article", "updated_at")
    list_filter = ("code", "severity", "state")
    search_fields = ("message",)
    readonly_fields = (
        "uuid",
        "article",
        "code",
        "check_version",
        "severity",
        "message",
        "spans",
        "kb_facts",
        "fingerprint",
        "inputs_sha256",
        "version",
    )
