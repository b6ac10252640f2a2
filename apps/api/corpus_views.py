"""`GET /api/v1/articles/export?format=jsonl|w3c&…`: the whole corpus, or the articles of the
list's filters, streamed (apps.api.corpus_export). Readable by whoever may read articles."""

from __future__ import annotations

import json

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer

from apps.api import corpus_export, filters
from apps.api import examples as ex
from apps.api.schema import example
from apps.api.views import FactdeskViewSet, JSONLDRenderer
from apps.articles.models import Article


class JSONLinesRenderer(BaseRenderer):
    """Only for content negotiation: the lines themselves are streamed by the view."""

    media_type = "application/jsonl"
    format = "jsonl"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):  # pragma: no cover
        return JSONRenderer().render(data)


class NDJSONRenderer(JSONLinesRenderer):
    media_type = "application/x-ndjson"


def _line_example() -> str:
    return json.dumps(ex.ARTICLE_DETAIL, ensure_ascii=False) + "\n"


def export_filters(query_params) -> dict[str, str]:
    """The list filters a request gives (for the export's own address)."""
    return {
        name: query_params[name]
        for name in filters.ArticleFilter.base_filters
        if query_params.get(name) is not None
    }


class CorpusExportViewSet(FactdeskViewSet):
    filterset_class = filters.ArticleFilter
    pagination_class = None
    renderer_classes = [JSONLinesRenderer, NDJSONRenderer, JSONLDRenderer, JSONRenderer]

    def get_queryset(self):
        return Article.objects.all()

    @extend_schema(
        operation_id="articles_export",
        summary="Export the corpus (JSON Lines or W3C Web Annotations), streamed",
        description="Every article that matches the filters (the same as the article list), "
        "in id order, streamed: the download starts at once and the server's memory stays flat "
        "however large the corpus. `format=jsonl` (the default): one article per line, shaped "
        "as `GET /articles/{id}` answers (body, annotations with verdicts and evidence, "
        "findings). `format=w3c`: one W3C Web Annotation `AnnotationCollection` whose "
        "annotations are those of each article's `annotations.jsonld`, article after article "
        "(orphaned annotations left out); `total` comes last. The whole export is one "
        "consistent snapshot. `manage.py export_corpus` writes the same bytes to a file.",
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=list(corpus_export.FORMATS),
                required=False,
                description="jsonl (default): JSON Lines of articles; w3c: a W3C Web Annotation "
                "AnnotationCollection.",
            )
        ],
        responses={
            (200, "application/jsonl"): OpenApiResponse(
                response=OpenApiTypes.STR,
                examples=[example("JSON Lines (one article per line)", _line_example())],
            ),
            (200, "application/ld+json"): OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                examples=[example("AnnotationCollection", ex.WEB_ANNOTATIONS)],
            ),
        },
        tags=["exports"],
    )
    def list(self, request):
        export_format = request.query_params.get("format", "jsonl")
        if export_format not in corpus_export.FORMATS:
            raise ValidationError(
                {"format": [f"Unknown format {export_format!r}: use jsonl or w3c."]}
            )
        articles = self.filter_queryset(self.get_queryset())
        stream = corpus_export.corpus_export_stream(
            articles=articles,
            export_format=export_format,
            base_url=request.build_absolute_uri("/"),
            filters=export_filters(request.query_params),
        )
        response = StreamingHttpResponse(
            stream, content_type=corpus_export.CONTENT_TYPES[export_format]
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{corpus_export.FILE_NAMES[export_format]}"'
        )
        return response
