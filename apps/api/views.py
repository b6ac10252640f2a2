"""REST API v1. Each view parses its input with a plain serializer, makes one service call (the same
services as the UI, so the same rules: roles, four eyes, conflicts, open findings) and shapes the
answer with an output serializer. Reads go through the querysets below, which bundle their
select_related/prefetch_related so that a page costs a fixed number of queries."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from apps.accounts.permissions import APIAccess, CanImportArticles, CanRequestChecks, PeopleOnly
from apps.annotations import exports
from apps.annotations import services as annotation_services
from apps.annotations.claim_selectors import claim_speaker
from apps.annotations.models import Claim, DateMention, EntityMention, Evidence, Quote
from apps.api import bulk_import, filters, readers
from apps.api import examples as ex
from apps.api import serializers as s
from apps.api.errors import error_body
from apps.api.pagination import SyncCursorPagination
from apps.api.parsers import JSONParser
from apps.api.schema import example
from apps.articles import services as article_services
from apps.articles.formats import text_from_upload
from apps.articles.models import Article
from apps.checks import services as check_services
from apps.checks.models import Finding
from apps.knowledge.models import Entity, EntityAlias, Tenure
from apps.ops.history import item_history_unchecked

UUID_REGEX = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"

ID_PARAM = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Item id.")
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of an earlier answer: 304 with no body if the item has not changed.",
)
VERSION_QUERY = OpenApiParameter(
    "version",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=True,
    description=s.VERSION_HELP,
)
NOT_MODIFIED = OpenApiResponse(description="Not modified since the ETag sent in If-None-Match.")


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class CSVRenderer(BaseRenderer):
    """Only for content negotiation: the CSV itself is streamed by the view."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode()


def etag_response(request, data: Any) -> Response:
    """200 with an ETag, or 304 when the client already has this exact representation. The
    answer is rendered here, once: the ETag is a hash of the bytes sent (a strong validator: an
    answer rendered differently, e.g. indented on request, has its own), and the response goes
    out as rendered (DRF does not render it again)."""
    response = Response(data)
    response.accepted_renderer = request.accepted_renderer
    response.accepted_media_type = request.accepted_media_type
    response.renderer_context = request.parser_context["view"].get_renderer_context()
    content = response.rendered_content
    tag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    sent = request.headers.get("If-None-Match", "")
    candidates = {t.strip().removeprefix("W/") for t in sent.split(",") if t.strip()}
    if tag in candidates or "*" in candidates:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
    response.content = content
    response["ETag"] = tag
    return response


class FactdeskViewSet(viewsets.GenericViewSet):
    permission_classes = [APIAccess]
    parser_classes = [JSONParser]
    pagination_class = SyncCursorPagination
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_REGEX
    # In the schema: a read that can answer 409 (an action passes may_conflict=True).
    may_conflict = False

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors and OPTIONS are JSON whatever the endpoint's own format (CSV, JSON-LD).
        if isinstance(response, Response) and (
            response.status_code >= 400 or request.method == "OPTIONS"
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def valid(self, serializer_class: type, data: Any = None) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data if data is None else data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def paged(self, queryset: QuerySet, serializer_class: type) -> Response:
        rows = self.paginate_queryset(self.filter_queryset(queryset))
        return self.get_paginated_response(serializer_class(rows, many=True).data)

    def created(self, data: dict[str, Any], *, url_name: str, item_id) -> Response:
        location = self.request.build_absolute_uri(reverse(url_name, kwargs={"id": item_id}))
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})


class HistoryMixin:
    """`GET …/{id}/history`: who changed the item, when and what (field by field), newest first,
    as on the item's history page; readable by every key and role that can read the item, and
    kept after the item is deleted."""

    history_kind: str

    @extend_schema(
        summary="History of the item",
        description="Every change to the item (and to its dependents: a claim's evidence, an "
        "entity's aliases): who, when, what changed field by field, newest first. History is "
        "append-only and outlives the item: a deleted item's history still answers.",
        parameters=[ID_PARAM],
        responses={200: s.HistoryOut},
        examples=[example("History", ex.HISTORY)],
        tags=["history"],
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, id=None):
        return etag_response(
            request,
            s.HistoryOut(item_history_unchecked(kind=self.history_kind, item_uuid=id)).data,
        )


# --- Articles -----------------------------------------------------------------------------------


def article_detail_queryset() -> QuerySet:
    def spans(model, *related: str) -> QuerySet:
        return (
            model.objects.select_related(*related)
            .annotate(article_uuid=F("article__uuid"))
            .order_by("start", "end", "id")
        )

    return Article.objects.prefetch_related(
        Prefetch(
            "claims",
            queryset=spans(Claim).prefetch_related(
                Prefetch("evidence", queryset=Evidence.objects.order_by("created_at", "id"))
            ),
            to_attr="api_claims",
        ),
        Prefetch("quotes", queryset=spans(Quote, "speaker"), to_attr="api_quotes"),
        Prefetch(
            "entitymentions",
            queryset=spans(EntityMention, "entity", "office"),
            to_attr="api_mentions",
        ),
        Prefetch("datementions", queryset=spans(DateMention), to_attr="api_dates"),
        Prefetch(
            "findings",
            queryset=Finding.objects.annotate(article_uuid=F("article__uuid")).order_by(
                "code", "created_at", "id"
            ),
            to_attr="api_findings",
        ),
    )


@extend_schema_view(
    list=extend_schema(
        summary="List articles",
        description="Articles in change order (updated_at, id), without their bodies.",
        responses=s.ArticleOut(many=True),
        examples=[example("A page of articles", ex.ARTICLE)],
        tags=["articles"],
    ),
    retrieve=extend_schema(
        summary="An article with its body, annotations and findings",
        parameters=[ID_PARAM, IF_NONE_MATCH],
        responses={200: s.ArticleDetailOut, 304: NOT_MODIFIED},
        examples=[example("Article", ex.ARTICLE_DETAIL)],
        tags=["articles"],
    ),
)
class ArticleViewSet(HistoryMixin, FactdeskViewSet):
    history_kind = "article"
    # Only `create` reads a body: JSON, or a multipart form with the file.
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_class = filters.ArticleFilter
    may_be_too_large = True

    def get_queryset(self) -> QuerySet:
        if self.action == "retrieve":
            return article_detail_queryset()
        return Article.objects.defer("body")

    def get_permissions(self):
        if self.action == "create":
            return [APIAccess(), CanImportArticles()]
        if self.action == "recheck":
            return [APIAccess(), CanRequestChecks()]
        return super().get_permissions()

    def list(self, request):
        # Shaped by the compiled plan of s.ArticleOut (same answer, tests/api/test_fast_fetch.py).
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(readers.instances_data(s.ArticleOut, rows))

    def retrieve(self, request, id=None):
        # The hot read of issue 15: plain rows instead of instances and DRF serialization, the
        # same answer as s.ArticleDetailOut (apps/api/readers.py; tests/api/test_fast_fetch.py).
        data = readers.article_detail_data(article_uuid=id)
        if data is None:
            raise Http404("No Article matches the given query.")
        return etag_response(request, data)

    @extend_schema(
        summary="Import an article",
        description="From a JSON body with `body`, or a multipart upload with `file` (.txt, .md, "
        "or .html, whose main text is extracted). The text is normalised (Unicode NFC, `\\n` "
        "newlines). With an `external_id` seen before, the article is updated instead (200): "
        'the fields you leave out are kept as they are (send one empty, "" or null, to clear '
        "it), and a changed body becomes a new revision whose annotations are re-anchored. "
        "Extraction "
        "and the consistency checks then run in the background.",
        request={"application/json": s.ArticleIn, "multipart/form-data": s.ArticleIn},
        responses={201: s.ArticleOut, 200: s.ArticleOut},
        examples=[
            example(
                "JSON body",
                {
                    "title": "Starmer visits Kyiv",
                    "body": ex.CLAIM["exact"] + " The two leaders discussed …",
                    "source": "Example Post",
                    "byline": "Jane Reporter",
                    "url": "https://news.example.com/2026/01/starmer-kyiv",
                    "published_on": "2026-01-07",
                    "external_id": "cms-48213",
                },
                request=True,
            ),
            example("Imported", ex.ARTICLE),
        ],
        tags=["articles"],
    )
    def create(self, request):
        data = self.valid(s.ArticleIn)
        upload = data.pop("file", None)
        if upload is not None:
            data["body"] = text_from_upload(filename=upload.name, data=upload.read())
        existed = bool(data.get("external_id")) and (
            Article.objects.filter(external_id=data["external_id"]).exists()
        )
        article = article_services.article_import(**data, created_by=request.user)
        body = s.ArticleOut(article).data
        if existed:
            return Response(body)
        return self.created(body, url_name="api:article-detail", item_id=article.uuid)

    # --- Bulk import (issue 15): parsers, schema and answer in apps/api/bulk_import.py -----------
    @bulk_import.SCHEMA
    @action(
        detail=False,
        methods=["post"],
        url_path="bulk",
        parser_classes=bulk_import.PARSERS,
        permission_classes=[APIAccess, CanImportArticles],
        filter_backends=[],
        pagination_class=None,
    )
    def bulk(self, request):
        return bulk_import.bulk_import_response(request)

    @extend_schema(
        summary="Run the consistency checks again",
        description="Marks the article's checks pending and runs them in the background; poll "
        "the article (check_state, findings) for the result.",
        request=None,
        responses={202: s.RecheckOut},
        examples=[
            example(
                "Queued",
                {
                    "id": ex.ARTICLE_ID,
                    "check_state": "pending",
                    "check_requested_at": "2026-01-07T11:00:00Z",
                },
                status="202",
            )
        ],
        parameters=[ID_PARAM],
        tags=["articles"],
    )
    @action(detail=True, methods=["post"])
    def recheck(self, request, id=None):
        article = self.get_object()
        check_services.article_check_request(article=article)
        article.refresh_from_db(fields=["check_state", "check_requested_at"])
        return Response(
            s.RecheckOut(
                {
                    "id": article.uuid,
                    "check_state": article.check_state,
                    "check_requested_at": article.check_requested_at,
                }
            ).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        summary="Create many annotations at once",
        description="A JSON list of spans of any types (`type`: claim, quote, mention, date), "
        "each with the fields of that type's single create (POST /claims, /quotes, /mentions, "
        "/dates) without `article`. All or nothing: every item is checked as the single create "
        f"checks it, and if any is invalid nothing is created and the 400 lists each bad item "
        f"by `index` (from 0) and `field`. At most {annotation_services.BULK_MAX_ITEMS} items "
        "(more: 413). Answers 201 with the created items in request order, each shaped as its "
        "type's single create answers. One transaction, one consistency-check run for the "
        "article, history rows as for single creates. Annotators, editors and write keys.",
        parameters=[ID_PARAM],
        request=s.BulkListIn(
            child=s.BulkAnnotationIn(),
            min_length=1,
            max_length=annotation_services.BULK_MAX_ITEMS,
        ),
        responses={
            # A plain schema: drf-spectacular would wrap the example list in a second list.
            201: {
                "type": "array",
                "items": {
                    "oneOf": [
                        {"$ref": f"#/components/schemas/{name}"}
                        for name in ("ClaimOut", "QuoteOut", "MentionOut", "DateOut")
                    ]
                },
            },
            400: s.BulkErrorOut,
        },
        examples=[
            example("Spans of three types", ex.BULK_REQUEST, request=True),
            example("Created", ex.BULK_CREATED, status="201"),
            example("An invalid item", ex.BULK_ERROR, status="400"),
        ],
        tags=["annotations"],
    )
    # Named to sort after annotations_jsonld: the router lists actions by name, and this route's
    # format-suffix variant (annotations.<format>) would otherwise catch annotations.jsonld.
    @action(
        detail=True,
        methods=["post"],
        url_path="annotations",
        parser_classes=[JSONParser],
        filter_backends=[],
        pagination_class=None,
    )
    def bulk_annotations(self, request, id=None):
        # get_object()'s lookup (Article.objects.defer("body")), compiled once per connection.
        article = readers.article_instance(article_uuid=id)
        if article is None:
            raise Http404("No Article matches the given query.")
        self.check_object_permissions(request, article)
        items = request.data
        if not isinstance(items, list):
            raise annotation_services.BulkAnnotationError(
                "Send a JSON list of annotations, each with its `type`.",
                errors=[{"index": None, "field": None, "message": "A JSON list is expected."}],
            )
        if len(items) > annotation_services.BULK_MAX_ITEMS:
            # Refused before checking each item: the cap bounds the work of one request.
            raise annotation_services.BulkTooLarge(
                f"{len(items)} annotations in one request; the limit is "
                f"{annotation_services.BULK_MAX_ITEMS}. Split them over several requests."
            )
        # One list serializer: its child's fields are built once, not once per item.
        serializer = s.BulkAnnotationIn(data=items, many=True, allow_empty=True)
        errors = []
        if not serializer.is_valid():
            found = serializer.errors
            # DRF lists one entry per item, or (newer releases) maps only the bad items' indexes.
            pairs = found.items() if isinstance(found, dict) else enumerate(found)
            for index, item_errors in sorted(
                pairs, key=lambda p: p[0] if isinstance(p[0], int) else -1
            ):
                if not isinstance(item_errors, dict):
                    item_errors = {"non_field_errors": item_errors}
                for name, messages in item_errors.items():
                    field = None if name == "non_field_errors" else name
                    errors.append(
                        {
                            "index": index if isinstance(index, int) else None,
                            "field": field,
                            "message": " ".join(messages),
                        }
                    )
        if errors:
            first = errors[0]
            where = f"item {first['index']}" + (f", {first['field']}" if first["field"] else "")
            raise annotation_services.BulkAnnotationError(
                f"{len({e['index'] for e in errors})} of {len(items)} annotations are invalid; "
                f"nothing was created. First: {where}: {first['message']}",
                errors=errors,
            )
        spans = annotation_services.annotations_create_bulk(
            article=article, user=request.user, items=[dict(v) for v in serializer.validated_data]
        )
        # The answer costs no query: the article's id is known, a claim created by this request
        # has no evidence yet, linked entities are the loaded instances. Shaped by the compiled
        # plans of the output serializers (readers.new_spans_data: the same answer, in request
        # order; tests/api/test_bulk.py compares both).
        for span in spans:
            span.article_uuid = article.uuid
        return Response(readers.new_spans_data(spans), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The article's annotations as W3C Web Annotations (JSON-LD)",
        description="An AnnotationCollection; every annotation targets the article text with a "
        "TextQuoteSelector (exact, prefix, suffix) and a TextPositionSelector (start, end in "
        "Unicode code points, end exclusive). Orphaned annotations (their text was edited away) "
        "are left out.",
        parameters=[ID_PARAM],
        responses={
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
            (200, "application/json"): OpenApiTypes.OBJECT,
        },
        examples=[example("Collection", ex.WEB_ANNOTATIONS)],
        tags=["exports"],
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="annotations.jsonld",
        renderer_classes=[JSONLDRenderer, JSONRenderer],
    )
    def annotations_jsonld(self, request, id=None):
        article = get_object_or_404(article_detail_queryset(), uuid=self.kwargs["id"])
        spans = [
            *article.api_claims,
            *article.api_quotes,
            *article.api_mentions,
            *article.api_dates,
        ]
        data = exports.web_annotation_collection(
            article=article,
            spans=spans,
            collection_url=request.build_absolute_uri(),
            article_url=request.build_absolute_uri(
                reverse("api:article-detail", kwargs={"id": article.uuid})
            ),
        )
        return Response(data)


# --- Annotations --------------------------------------------------------------------------------


class SpanViewSet(HistoryMixin, FactdeskViewSet):
    """List, read, create, edit, delete and review one kind of annotation."""

    kind: str
    model: type
    output: type
    create_in: type
    update_in: type
    related: tuple[str, ...] = ()

    @property
    def history_kind(self) -> str:
        return self.kind

    def get_queryset(self) -> QuerySet:
        return self.model.objects.select_related(*self.related).annotate(
            article_uuid=F("article__uuid")
        )

    def list(self, request):
        return self.paged(self.get_queryset(), self.output)

    def retrieve(self, request, id=None):
        return etag_response(request, self.output(self.get_object()).data)

    def create(self, request):
        data = self.valid(self.create_in)
        article = Article.objects.filter(uuid=data.pop("article")).first()
        if article is None:
            raise ValidationError(
                {"article": ["No article with this id; ids are listed at /api/v1/articles."]}
            )
        span = annotation_services.annotation_create(
            article=article,
            kind=self.kind,
            start=data.pop("start"),
            end=data.pop("end"),
            exact=data.pop("exact"),
            user=request.user,
            fields=data,
        )
        return self.created(
            self.output(span).data, url_name=f"api:{self.basename}-detail", item_id=span.uuid
        )

    def partial_update(self, request, id=None):
        span = self.get_object()
        data = self.valid(self.update_in)
        version = data.pop("version")
        if not data:
            fields = ", ".join(n for n in self.update_in().fields if n != "version")
            message = f"Nothing to change: send at least one of {fields}."
            # Fields of the item that PATCH does not change are ignored; name them, so that a
            # client that sent only those learns where they are changed.
            ignored = (
                sorted(set(request.data) - {"version"}) if isinstance(request.data, dict) else []
            )
            if ignored:
                message += f" Not changed here: {', '.join(k[:40] for k in ignored[:10])}."
            if "verdict" in ignored and self.kind == "claim":
                url = reverse("api:claim-verdict", kwargs={"id": span.uuid})
                message += f" A verdict is proposed with POST {url}."
            return Response(error_body(400, message), status=400)
        span = annotation_services.annotation_update(
            span=span, user=request.user, expected_version=version, fields=data
        )
        return Response(self.output(span).data)

    def destroy(self, request, id=None):
        span = self.get_object()
        version = self.valid(s.VersionQuery, data=request.query_params)["version"]
        annotation_services.annotation_delete(
            span=span, user=request.user, expected_version=version
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"], permission_classes=[APIAccess, PeopleOnly])
    def review(self, request, id=None):
        span = self.get_object()
        data = self.valid(s.ReviewIn)
        span = annotation_services.annotation_review(
            span=span,
            user=request.user,
            approve=data["approve"],
            expected_version=data["version"],
            note=data["note"],
        )
        return Response(self.output(span).data)


def span_schema(kind: str, plural: str, output: type, create_in, update_in, sample: dict):
    """The OpenAPI description of one SpanViewSet (kept beside the views it documents)."""
    tag = [plural]
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {plural}",
            description=f"{plural.capitalize()} in change order (updated_at, id). Store the "
            "answer's `cursor` and send it back later to receive only what changed since.",
            responses=output(many=True),
            examples=[example(f"A page of {plural}", sample)],
            tags=tag,
        ),
        retrieve=extend_schema(
            summary=f"One {kind}",
            parameters=[ID_PARAM, IF_NONE_MATCH],
            responses={200: output, 304: NOT_MODIFIED},
            examples=[example(kind.capitalize(), sample)],
            tags=tag,
        ),
        create=extend_schema(
            summary=f"Create a {kind}",
            description="Offsets are Unicode code points into the article body (end exclusive); "
            "`exact` must be the text at those offsets. Annotators, editors and write keys.",
            request=create_in,
            responses={201: output},
            examples=[
                example(
                    f"New {kind}",
                    {
                        "article": ex.ARTICLE_ID,
                        "start": sample["start"],
                        "end": sample["end"],
                        "exact": sample["exact"],
                    },
                    request=True,
                ),
                example(f"Created {kind}", sample),
            ],
            tags=tag,
        ),
        partial_update=extend_schema(
            summary=f"Edit a {kind}",
            description="Send the `version` you saw: if someone changed the item since, nothing is "
            "saved and the answer is 409 with the current state. An edited rejected item goes back "
            "to proposed.",
            parameters=[ID_PARAM],
            request=update_in,
            responses={200: output},
            examples=[
                example(
                    "Edit",
                    {"version": sample["version"], **_first_field(update_in, sample)},
                    request=True,
                ),
                example(f"Edited {kind}", sample),
            ],
            tags=tag,
        ),
        destroy=extend_schema(
            summary=f"Delete a {kind}",
            description="Editors, or the author of an unreviewed annotation.",
            parameters=[ID_PARAM, VERSION_QUERY],
            responses={204: None},
            tags=tag,
        ),
        review=extend_schema(
            summary=f"Approve or reject a {kind}",
            description="Reviewers and editors signed in to Factdesk, never on their own work "
            "(four eyes); API keys cannot review. Rejecting needs a note.",
            parameters=[ID_PARAM],
            request=s.ReviewIn,
            responses={200: output},
            examples=[
                example("Approve", {"approve": True, "version": 2}, request=True),
                example(
                    "Reject",
                    {"approve": False, "note": "Wrong speaker.", "version": 2},
                    request=True,
                ),
                example(f"Reviewed {kind}", sample),
            ],
            tags=tag,
        ),
    )


def _first_field(serializer_class, sample: dict) -> dict:
    for name in serializer_class().fields:
        if name != "version" and name in sample and not isinstance(sample[name], dict):
            return {name: sample[name]}
    return {}


def claim_queryset() -> QuerySet:
    return Claim.objects.annotate(article_uuid=F("article__uuid")).prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("created_at", "id"))
    )


@span_schema("claim", "claims", s.ClaimOut, s.ClaimCreateIn, s.ClaimUpdateIn, ex.CLAIM)
class ClaimViewSet(SpanViewSet):
    kind = "claim"
    model = Claim
    output = s.ClaimOut
    create_in = s.ClaimCreateIn
    update_in = s.ClaimUpdateIn
    filterset_class = filters.ClaimFilter

    def get_queryset(self) -> QuerySet:
        return claim_queryset()

    def _claim_answer(self, claim: Claim) -> Response:
        return Response(self.output(claim_queryset().get(pk=claim.pk)).data)

    @extend_schema(
        summary="Propose a verdict",
        description="Annotators, editors and write keys. The verdict then waits for a reviewer "
        "to verify it. Without `rating`, accurate = 5, misleading = 2, inaccurate = 1.",
        parameters=[ID_PARAM],
        request=s.VerdictIn,
        responses={200: s.ClaimOut},
        examples=[
            example(
                "Inaccurate",
                {
                    "verdict": "inaccurate",
                    "summary": ex.CLAIM["summary"],
                    "version": 1,
                },
                request=True,
            ),
            example("Claim with a proposed verdict", {**ex.CLAIM, "verdict_state": "proposed"}),
        ],
        tags=["claims"],
    )
    @action(detail=True, methods=["post"])
    def verdict(self, request, id=None):
        claim = self.get_object()
        data = self.valid(s.VerdictIn)
        claim = annotation_services.claim_verdict_propose(
            claim=claim,
            user=request.user,
            verdict=data["verdict"],
            expected_version=data["version"],
            rating=data.get("rating"),
            rating_label=data["rating_label"],
            summary=data["summary"],
        )
        return self._claim_answer(claim)

    @extend_schema(
        summary="Verify the proposed verdict",
        description="A reviewer signed in to Factdesk who neither proposed the verdict nor created "
        "the claim (four eyes); API keys cannot verify. Refused (400) while the article has open "
        "error findings.",
        parameters=[ID_PARAM],
        request=s.VersionIn,
        responses={200: s.ClaimOut},
        examples=[
            example("Verify", {"version": 3}, request=True),
            example("Verified claim", ex.CLAIM),
        ],
        tags=["claims"],
    )
    @action(detail=True, methods=["post"], permission_classes=[APIAccess, PeopleOnly])
    def verify(self, request, id=None):
        claim = self.get_object()
        data = self.valid(s.VersionIn)
        claim = annotation_services.claim_verify(
            claim=claim, user=request.user, expected_version=data["version"]
        )
        return self._claim_answer(claim)

    @extend_schema(
        summary="Send a verdict back",
        description="Reviewers and editors signed in to Factdesk, with a note saying why.",
        parameters=[ID_PARAM],
        request=s.ReturnIn,
        responses={200: s.ClaimOut},
        examples=[
            example(
                "Send back",
                {"note": "The source is a blog; find a primary one.", "version": 3},
                request=True,
            ),
            example("Returned claim", {**ex.CLAIM, "verdict_state": "returned"}),
        ],
        tags=["claims"],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="return",
        permission_classes=[APIAccess, PeopleOnly],
    )
    def send_back(self, request, id=None):
        claim = self.get_object()
        data = self.valid(s.ReturnIn)
        claim = annotation_services.claim_verdict_return(
            claim=claim, user=request.user, expected_version=data["version"], note=data["note"]
        )
        return self._claim_answer(claim)

    @extend_schema(
        summary="Add evidence",
        description="A URL, a quoted passage or a note (at least one). Annotators, editors and "
        "write keys.",
        parameters=[ID_PARAM],
        request=s.EvidenceIn,
        responses={201: s.EvidenceOut},
        examples=[
            example(
                "Evidence",
                {k: v for k, v in ex.EVIDENCE.items() if k not in {"id", "created_at"}},
                request=True,
            ),
            example("Added", ex.EVIDENCE),
        ],
        tags=["claims"],
    )
    @action(detail=True, methods=["post"], url_path="evidence")
    def evidence_add(self, request, id=None):
        claim = self.get_object()
        data = self.valid(s.EvidenceIn)
        evidence = annotation_services.evidence_add(claim=claim, user=request.user, **data)
        return Response(s.EvidenceOut(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remove evidence",
        description="By the person (or API key) who added it, a reviewer or an editor (403 "
        "otherwise); not while the claim is verified (send the verdict back first).",
        parameters=[
            ID_PARAM,
            OpenApiParameter(
                "evidence_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Evidence id."
            ),
        ],
        request=None,
        responses={204: None},
        tags=["claims"],
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=f"evidence/(?P<evidence_id>{UUID_REGEX})",
    )
    def evidence_remove(self, request, id=None, evidence_id=None):
        claim = self.get_object()
        evidence = get_object_or_404(Evidence, uuid=evidence_id, claim=claim)
        annotation_services.evidence_remove(evidence=evidence, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="The claim as schema.org ClaimReview (JSON-LD)",
        description="Only for a verified claim (409 otherwise). `author` is the fact-checking "
        "organisation (FACTDESK_ORG_NAME / FACTDESK_ORG_URL); `itemReviewed.author` is who "
        "made the claim: the speaker of the quote it sits in, else the byline, else the "
        "publication. `url` is the claim's ClaimReview preview page in Factdesk "
        "(`/claims/{id}/review/`): a CMS that publishes the check should put the URL of its own "
        "page instead.",
        parameters=[ID_PARAM],
        responses={
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
            (200, "application/json"): OpenApiTypes.OBJECT,
        },
        examples=[example("ClaimReview", ex.CLAIM_REVIEW)],
        tags=["exports"],
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONLDRenderer, JSONRenderer],
        may_conflict=True,  # not verified (yet)
    )
    def claimreview(self, request, id=None):
        claim = get_object_or_404(Claim.objects.select_related("article"), uuid=self.kwargs["id"])
        if claim.verdict_state != Claim.VerdictState.VERIFIED:
            body = error_body(
                409,
                f"This claim is not verified (it is {claim.verdict_state}); a ClaimReview is "
                "published only for verified claims.",
                current=s.ClaimOut(claim_queryset().get(pk=claim.pk)).data,
            )
            return Response(body, status=409)
        # pages: `url` is the page of ours that shows the check (claims:review), not this endpoint.
        data = exports.claim_review(
            claim=claim,
            article=claim.article,
            speaker=claim_speaker(claim=claim),
            url=request.build_absolute_uri(reverse("claims:review", args=[claim.uuid])),
        )
        return Response(data)

    @extend_schema(
        summary="Claims as CSV",
        description="Every claim that matches the filters (the same as the list), in change "
        "order, streamed: the download starts at once and the server's memory stays flat "
        "however many rows there are. Cells that a spreadsheet would run as a formula (starting "
        "with = + - @) get a leading apostrophe.",
        responses={
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR,
                examples=[example("CSV", ex.CSV_SAMPLE)],
            )
        },
        tags=["exports"],
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="export.csv",
        renderer_classes=[CSVRenderer, JSONRenderer],
        pagination_class=None,
    )
    def export_csv(self, request):
        claims = self.filter_queryset(Claim.objects.all()).order_by("updated_at", "id")
        response = StreamingHttpResponse(
            exports.claim_csv_lines(claims), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="claims.csv"'
        return response


@span_schema("quote", "quotes", s.QuoteOut, s.QuoteCreateIn, s.QuoteUpdateIn, ex.QUOTE)
class QuoteViewSet(SpanViewSet):
    kind = "quote"
    model = Quote
    output = s.QuoteOut
    create_in = s.QuoteCreateIn
    update_in = s.QuoteUpdateIn
    related = ("speaker",)
    filterset_class = filters.QuoteFilter


@span_schema("mention", "mentions", s.MentionOut, s.MentionCreateIn, s.MentionUpdateIn, ex.MENTION)
class MentionViewSet(SpanViewSet):
    kind = "mention"
    model = EntityMention
    output = s.MentionOut
    create_in = s.MentionCreateIn
    update_in = s.MentionUpdateIn
    related = ("entity", "office")
    filterset_class = filters.MentionFilter


@span_schema("date", "dates", s.DateOut, s.DateCreateIn, s.DateUpdateIn, ex.DATE)
class DateViewSet(SpanViewSet):
    kind = "date"
    model = DateMention
    output = s.DateOut
    create_in = s.DateCreateIn
    update_in = s.DateUpdateIn
    filterset_class = filters.DateFilter


# --- Knowledge base -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List entities",
        description="People, offices, organisations and places of the knowledge base, with "
        "their aliases, the offices a person held (`tenures`) and who held an office "
        "(`holders`). Edited by editors in Factdesk; read-only here.",
        responses=s.EntityOut(many=True),
        examples=[example("A page of entities", ex.ENTITY)],
        tags=["entities"],
    ),
    retrieve=extend_schema(
        summary="One entity with its tenures",
        parameters=[ID_PARAM, IF_NONE_MATCH],
        responses={200: s.EntityOut, 304: NOT_MODIFIED},
        examples=[example("Entity", ex.ENTITY)],
        tags=["entities"],
    ),
)
class EntityViewSet(HistoryMixin, FactdeskViewSet):
    history_kind = "entity"
    filterset_class = filters.EntityFilter

    def get_queryset(self) -> QuerySet:
        return Entity.objects.prefetch_related(
            Prefetch("aliases", queryset=EntityAlias.objects.order_by("-is_label", "alias", "id")),
            Prefetch(
                "tenures",
                queryset=Tenure.objects.select_related("office").order_by("start", "id"),
            ),
            Prefetch(
                "holder_tenures",
                queryset=Tenure.objects.select_related("person").order_by("start", "id"),
            ),
        )

    def list(self, request):
        return self.paged(self.get_queryset(), s.EntityOut)

    def retrieve(self, request, id=None):
        return etag_response(request, s.EntityOut(self.get_object()).data)


# --- Findings -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List findings",
        description="Findings of the consistency checks in change order (updated_at, id).",
        responses=s.FindingOut(many=True),
        examples=[example("A page of findings", ex.FINDING)],
        tags=["findings"],
    ),
    retrieve=extend_schema(
        summary="One finding",
        parameters=[ID_PARAM, IF_NONE_MATCH],
        responses={200: s.FindingOut, 304: NOT_MODIFIED},
        examples=[example("Finding", ex.FINDING)],
        tags=["findings"],
    ),
)
class FindingViewSet(HistoryMixin, FactdeskViewSet):
    history_kind = "finding"
    filterset_class = filters.FindingFilter

    def get_queryset(self) -> QuerySet:
        return Finding.objects.annotate(article_uuid=F("article__uuid"))

    def list(self, request):
        return self.paged(self.get_queryset(), s.FindingOut)

    def retrieve(self, request, id=None):
        return etag_response(request, s.FindingOut(self.get_object()).data)

    @extend_schema(
        summary="Acknowledge, resolve or dismiss a finding",
        description="Reviewers and editors signed in to Factdesk; API keys cannot. Dismissing "
        "needs a reason. An open error finding blocks the verification of the article's claims.",
        parameters=[ID_PARAM],
        request=s.FindingStateIn,
        responses={200: s.FindingOut},
        examples=[
            example(
                "Dismiss",
                {
                    "state": "dismissed",
                    "reason": "The article quotes the 2024 visit on purpose.",
                    "version": 1,
                },
                request=True,
            ),
            example("Dismissed", {**ex.FINDING, "state": "dismissed", "version": 2}),
        ],
        tags=["findings"],
    )
    @action(detail=True, methods=["post"], permission_classes=[APIAccess, PeopleOnly])
    def state(self, request, id=None):
        finding = self.get_object()
        data = self.valid(s.FindingStateIn)
        finding = check_services.finding_set_state(
            finding=finding,
            user=request.user,
            state=data["state"],
            reason=data["reason"],
            expected_version=data["version"],
        )
        return Response(s.FindingOut(self.get_queryset().get(pk=finding.pk)).data)
