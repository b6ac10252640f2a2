from django.urls import path

from apps.accounts import keys_views

app_name = "keys"
urlpatterns = [
    path("", keys_views.key_list, name="list"),
    path("<str:prefix>/revoke", keys_views.key_revoke, name="revoke"),
]
