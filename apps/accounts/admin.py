from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect
from rest_framework_api_key.admin import APIKeyModelAdmin

from apps.accounts.models import ScopedAPIKey


@admin.register(ScopedAPIKey)
class ScopedAPIKeyAdmin(APIKeyModelAdmin):
    list_display = [*APIKeyModelAdmin.list_display, "scope"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class FactdeskUserAdmin(UserAdmin):
    """Accounts are deactivated, never deleted. Deleting one makes Django set history_user to NULL
    in every historical table (on_delete=SET_NULL, an UPDATE even when no record names the account),
    and history is append-only: the app's database role may not UPDATE it at all, and the triggers
    refuse it to anyone. Who did what stays on record; a deactivated account cannot sign in."""

    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Deactivate the selected users (they can no longer sign in)")
    def deactivate(self, request, queryset):
        count = queryset.update(is_active=False)
        self.message_user(request, f"{count} user(s) deactivated.", messages.SUCCESS)

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, object_id)
        if user is None:
            return super().delete_view(request, object_id, extra_context)  # its own 404 answer
        self.message_user(
            request,
            f"The account {user.get_username()} cannot be deleted: the history of the items keeps "
            "who changed what, for good. Untick “Active” to stop it signing in instead.",
            messages.ERROR,
        )
        return redirect("admin:auth_user_change", user.pk)
