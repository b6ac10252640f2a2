from django.urls import path

from apps.annotations import claim_views as views

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("<uuid:claim_uuid>/review/", views.claim_review_preview, name="review"),
]
