from django.urls import path, register_converter

from apps.annotations import views


class SpanKindConverter:
    """The four annotation types as they appear in URLs (and in the workspace's span keys)."""

    regex = "claim|quote|mention|date"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SpanKindConverter, "spankind")

app_name = "annotations"
urlpatterns = [
    path("", views.annotation_index, name="index"),
    path("new/<uuid:article_uuid>/", views.annotation_create, name="create"),
    path("evidence/<uuid:evidence_uuid>/remove/", views.evidence_remove, name="evidence-remove"),
    path("claim/<uuid:span_uuid>/verdict/", views.claim_verdict, name="verdict"),
    path("claim/<uuid:span_uuid>/verify/", views.claim_verify, name="verify"),
    path("claim/<uuid:span_uuid>/return/", views.claim_return, name="return"),
    path("claim/<uuid:span_uuid>/evidence/", views.evidence_add, name="evidence-add"),
    path("<spankind:kind>/<uuid:span_uuid>/", views.annotation_detail, name="detail"),
    path("<spankind:kind>/<uuid:span_uuid>/edit/", views.annotation_update, name="update"),
    path("<spankind:kind>/<uuid:span_uuid>/review/", views.annotation_review, name="review"),
    path(
        "<spankind:kind>/<uuid:span_uuid>/reattach/",
        views.annotation_reattach,
        name="reattach",
    ),
    path("<spankind:kind>/<uuid:span_uuid>/delete/", views.annotation_delete, name="delete"),
    path("<spankind:kind>/<uuid:span_uuid>/restore/", views.annotation_restore, name="restore"),
]
