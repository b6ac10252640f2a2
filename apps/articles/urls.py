from django.urls import path

from apps.articles import views

app_name = "articles"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("import/", views.article_import_view, name="import"),
    path("<uuid:article_uuid>/", views.article_detail, name="detail"),
    path("<uuid:article_uuid>/annotations/", views.article_annotations, name="annotations"),
    path("<uuid:article_uuid>/findings/", views.article_findings, name="findings"),
    path("<uuid:article_uuid>/edit/", views.article_edit_body, name="edit-body"),
    path("<uuid:article_uuid>/details/", views.article_edit_details, name="edit-details"),
]
