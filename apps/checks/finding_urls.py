from django.urls import path

from apps.checks import finding_views as views

app_name = "findings"
urlpatterns = [
    path("", views.finding_list, name="list"),
]
