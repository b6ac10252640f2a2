from django.urls import path

from apps.checks import views

app_name = "checks"
urlpatterns = [
    path("findings/<uuid:finding_uuid>/state/", views.finding_state, name="finding-state"),
    path(
        "findings/<uuid:finding_uuid>/title-alias/",
        views.finding_title_alias,
        name="finding-title-alias",
    ),
]
