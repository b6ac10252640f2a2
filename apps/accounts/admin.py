from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin

from apps.accounts.models import ScopedAPIKey


@admin.register(ScopedAPIKey)
class ScopedAPIKeyAdmin(APIKeyModelAdmin):
    list_display = [*APIKeyModelAdmin.list_display, "scope"]
