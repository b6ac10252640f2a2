from django.urls import path

from apps.ops import history_views as views

app_name = "history"
urlpatterns = [
    # kind: article, claim, quote, mention, date, evidence, finding, entity, tenure
    path("<slug:kind>/<uuid:item_uuid>/", views.detail, name="detail"),
]
