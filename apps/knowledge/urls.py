from django.urls import path, re_path

from apps.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.search, name="search"),
    # HTML fragment for entity pickers: ?q=…&kind=…&name=…&field=…&limit=…&selected=…
    path("autocomplete/", views.autocomplete, name="autocomplete"),
    path("new/", views.entity_new, name="entity_new"),
    # Add from Wikidata: search (?q=…), preview a person, import them with their offices.
    path("wikidata/", views.wikidata_search, name="wikidata_search"),
    re_path(
        r"^wikidata/(?P<wikidata_id>Q[1-9][0-9]{0,11})/$",
        views.wikidata_preview,
        name="wikidata_preview",
    ),
    re_path(
        r"^wikidata/(?P<wikidata_id>Q[1-9][0-9]{0,11})/import/$",
        views.wikidata_import,
        name="wikidata_import",
    ),
    path("<uuid:entity_uuid>/", views.entity_detail, name="entity"),
    path("<uuid:entity_uuid>/edit/", views.entity_edit, name="entity_edit"),
    path("<uuid:entity_uuid>/aliases/", views.alias_add, name="alias_add"),
    path("<uuid:entity_uuid>/aliases/remove/", views.alias_remove, name="alias_remove"),
    path("<uuid:entity_uuid>/tenures/", views.tenure_add, name="tenure_add"),
    path("tenures/<uuid:tenure_uuid>/", views.tenure_edit, name="tenure_edit"),
    path("tenures/<uuid:tenure_uuid>/delete/", views.tenure_delete, name="tenure_delete"),
]
