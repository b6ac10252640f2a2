from django.urls import path

from apps.annotations import review_views as views

app_name = "review"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk_action, name="bulk"),
    path("<str:kind>/<uuid:span_uuid>/", views.item_detail, name="item"),
    path("<str:kind>/<uuid:span_uuid>/<str:action>/", views.item_action, name="act"),
]
