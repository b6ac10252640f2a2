"""POST /api/v1/articles/bulk: the parsers, the OpenAPI description and the answer of the bulk
import; the rules are the service's (apps.articles.bulk.articles_import_bulk).

The body is a JSON list, or JSON Lines (one article object per line), read with orjson: the
stdlib decoder and DRF's field-by-field validation were most of the time of a 1,000-article
import. The request may be larger than DATA_UPLOAD_MAX_MEMORY_SIZE, up to BULK_IMPORT_MAX_BYTES
(config.security.RequestSizeLimitMiddleware lets this one path through up to that size)."""

from __future__ import annotations

import threading
from typing import Any

import orjson
from django.conf import settings
from django.core.signals import request_finished
from django.db import connection
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.response import Response

from apps.api.examples import ARTICLE_ID
from apps.api.serializers import KEPT_WHEN_LEFT_OUT
from apps.articles.bulk import (
    BulkImportError,
    BulkImportTooLarge,
    Imported,
    articles_import_bulk,
)

JSON_LINES_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")


def _read(stream, parser_context: dict[str, Any] | None) -> bytes:
    limit = settings.BULK_IMPORT_MAX_BYTES
    if stream is None:
        return b""
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise BulkImportTooLarge(too_large_message(len(raw), limit))
    return raw


def too_large_message(length: int, limit: int) -> str:
    from config.security import _sizes

    size, most = _sizes(length, limit)
    return (
        f"The import is too large ({size}); the limit is {most} (BULK_IMPORT_MAX_BYTES). "
        "Split the articles over several requests; nothing was imported."
    )


class BulkJSONParser(BaseParser):
    """A JSON list of article objects."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        raw = _read(stream, parser_context)
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ParseError(
                f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None


class BulkJSONLinesParser(BaseParser):
    """JSON Lines: one article object per line; blank lines are skipped."""

    media_type = JSON_LINES_TYPES[0]

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        raw = _read(stream, parser_context)
        items: list[Any] = []
        errors: list[dict[str, Any]] = []
        for number, line in enumerate(raw.split(b"\n"), start=1):
            if not line.strip():
                continue
            try:
                items.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                message = f"Line {number} is not valid JSON (column {exc.colno}): {exc.msg}"
                errors.append({"index": len(items), "field": None, "message": message})
                items.append(None)
        if errors:
            raise BulkImportError(
                f"{len(errors)} of {len(items)} lines are not valid JSON; nothing was imported. "
                f"First: {errors[0]['message']}",
                errors=errors,
            )
        return items


def _jsonl_parser(name: str) -> type[BaseParser]:
    return type(f"BulkJSONLinesParser_{name}", (BulkJSONLinesParser,), {"media_type": name})


PARSERS = [BulkJSONParser, *(_jsonl_parser(name) for name in JSON_LINES_TYPES)]


# --- Schema --------------------------------------------------------------------------------------


class BulkArticleIn(serializers.Serializer):
    """For the schema only: the service checks each item (apps.articles.bulk)."""

    title = serializers.CharField(max_length=500)
    body = serializers.CharField(trim_whitespace=False, help_text="The article text.")
    source = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=KEPT_WHEN_LEFT_OUT + '"".'
    )
    byline = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text=KEPT_WHEN_LEFT_OUT + '"".'
    )
    url = serializers.URLField(
        max_length=2000, required=False, allow_blank=True, help_text=KEPT_WHEN_LEFT_OUT + '"".'
    )
    language = serializers.CharField(
        max_length=16, required=False, help_text=KEPT_WHEN_LEFT_OUT + '"en".'
    )
    published_on = serializers.DateField(
        required=False, allow_null=True, help_text=KEPT_WHEN_LEFT_OUT + "null."
    )
    event_on = serializers.DateField(
        required=False, allow_null=True, help_text=KEPT_WHEN_LEFT_OUT + "null."
    )
    external_id = serializers.CharField(
        max_length=200,
        required=False,
        allow_null=True,
        help_text="Your own id for the article: a known one updates that article (a new "
        "revision when the body changed) instead of creating a second one; the fields the item "
        'leaves out are kept as they are (send one empty, "" or null, to clear it). At most '
        "once per request.",
    )


class BulkImportedOut(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in the request, from 0.")
    id = serializers.UUIDField(help_text="The article id.")
    url = serializers.URLField(help_text="The article in the API (GET it for its state).")
    external_id = serializers.CharField(allow_null=True)
    result = serializers.ChoiceField(
        choices=["created", "updated", "unchanged"],
        help_text="created; updated (metadata or body changed: a changed body is a new "
        "revision, its annotations re-anchored); unchanged (nothing differed, nothing written).",
    )
    revision = serializers.IntegerField()


class BulkImportOut(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    articles = BulkImportedOut(many=True, help_text="One entry per item, in request order.")


class BulkImportErrorItemOut(serializers.Serializer):
    index = serializers.IntegerField(allow_null=True, help_text="The item, from 0.")
    field = serializers.CharField(allow_null=True, help_text="The item's field at fault, if one.")
    message = serializers.CharField()


class BulkImportErrorOut(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField(help_text="How many items are invalid, and the first.")
    errors = BulkImportErrorItemOut(many=True, required=False)


_EXAMPLE_ITEM = {
    "title": "Starmer visits Kyiv",
    "body": "UK Prime Minister Keir Starmer arrived in Kyiv on Tuesday. …",
    "source": "Example Post",
    "url": "https://news.example.com/2026/01/starmer-kyiv",
    "published_on": "2026-01-07",
    "external_id": "cms-48213",
}

SCHEMA = extend_schema(
    summary="Import many articles at once",
    description="A JSON list of articles (`application/json`), or JSON Lines, one article per "
    f"line (`{'`, `'.join(JSON_LINES_TYPES)}`), each with the fields of the single import's "
    "JSON body (POST /articles). **All or nothing**: every item is checked as the single import "
    "checks it, and if any is invalid nothing is imported and the 400 lists each problem by "
    "`index` (from 0) and `field`; the same `external_id` twice in one request is an error. "
    "A known `external_id` updates its article as the single import does (a changed body is a "
    "new revision and its annotations are re-anchored; the fields an item leaves out are kept; "
    "an item that changes nothing is `unchanged` and writes nothing); the others are created, "
    f"each with its history row. At most {settings.BULK_IMPORT_MAX_ITEMS:,} articles "
    f"(BULK_IMPORT_MAX_ITEMS) and {settings.BULK_IMPORT_MAX_BYTES / 1048576:.0f} MB "
    "(BULK_IMPORT_MAX_BYTES) per request; more: 413 before anything is read. Extraction and "
    "the checks of all the articles are requested together and run in the background (poll "
    "each article's `extraction_state`). Answers 201 when at least one article was created, "
    "else 200. Annotators, editors and write keys.",
    request={
        "application/json": BulkArticleIn(many=True),
        **{
            name: {
                "type": "string",
                "description": "JSON Lines: one article object (as in the JSON list) per line.",
            }
            for name in JSON_LINES_TYPES
        },
    },
    responses={201: BulkImportOut, 200: BulkImportOut, 400: BulkImportErrorOut},
    examples=[
        OpenApiExample(
            "Two articles",
            value=[_EXAMPLE_ITEM, {"title": "Budget vote delayed", "body": "The vote …"}],
            request_only=True,
            media_type="application/json",
        ),
        OpenApiExample(
            "Imported",
            value={
                "created": 1,
                "updated": 1,
                "unchanged": 0,
                "articles": [
                    {
                        "index": 0,
                        "id": ARTICLE_ID,
                        "url": f"https://factdesk.example.org/api/v1/articles/{ARTICLE_ID}",
                        "external_id": "cms-48213",
                        "result": "updated",
                        "revision": 2,
                    },
                    {
                        "index": 1,
                        "id": "5d0c9e1b-2f4a-4e8b-9c61-3a7f0e2d4b19",
                        "url": "https://factdesk.example.org/api/v1/articles/"
                        "5d0c9e1b-2f4a-4e8b-9c61-3a7f0e2d4b19",
                        "external_id": None,
                        "result": "created",
                        "revision": 1,
                    },
                ],
            },
            response_only=True,
            status_codes=["201"],
        ),
        OpenApiExample(
            "Invalid items",
            value={
                "status": 400,
                "code": "invalid",
                "message": "2 of 2 articles are invalid; nothing was imported. First: item 0, "
                "body: This field is required.",
                "errors": [
                    {"index": 0, "field": "body", "message": "This field is required."},
                    {
                        "index": 1,
                        "field": "published_on",
                        "message": "Date has wrong format. Use one of these formats instead: "
                        "YYYY-MM-DD.",
                    },
                ],
            },
            response_only=True,
            status_codes=["400"],
        ),
    ],
    tags=["articles"],
)


# --- The answer ------------------------------------------------------------------------------------


def _sqlite_checkpoint_after_response() -> None:
    """On SQLite, this request's commit leaves the WAL checkpoint to after the answer is sent.

    A 1,000-article import writes ~8 MB of pages (each body is stored twice: the article and its
    history row) to the write-ahead log; committing it went over the WAL's
    auto-checkpoint size (1,000 pages), so the commit also copied all of it into the database
    file and synced it: 40-50 % of the request (bench/README.md, peer operations). The commit
    itself is as durable either way (synchronous=NORMAL: the WAL holds the committed pages); the
    copy into the database file runs once the answer has been sent (request_finished, on the
    same thread and connection), and the connection's auto-checkpoint is put back."""
    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    wrapper = connection.connection  # the checkpoint needs this very connection (not a new one)
    (pages,) = wrapper.execute("PRAGMA wal_autocheckpoint").fetchone()
    wrapper.execute("PRAGMA wal_autocheckpoint = 0")
    thread = threading.get_ident()

    def checkpoint(**kwargs) -> None:
        if threading.get_ident() != thread:  # another request (runserver's threads) finished
            return
        request_finished.disconnect(checkpoint)
        try:
            wrapper.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
            wrapper.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # noqa: BLE001 (closed meanwhile: closing checkpointed already)
            pass

    request_finished.connect(checkpoint, weak=False)


_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def bulk_import_response(request) -> Response:
    items = request.data
    if request.stream is None:  # no body at all: DRF gives an empty form, not a list
        items = []
    _sqlite_checkpoint_after_response()
    outcomes = articles_import_bulk(items=items, created_by=request.user)
    return Response(
        imported_body(request, outcomes),
        status=status.HTTP_201_CREATED
        if any(o.result == "created" for o in outcomes)
        else status.HTTP_200_OK,
    )


def imported_body(request, outcomes: list[Imported]) -> dict[str, Any]:
    # One reverse() for all: the detail address with the id put in (reverse costs ~10 µs each).
    prefix, suffix = request.build_absolute_uri(
        reverse("api:article-detail", kwargs={"id": _PLACEHOLDER})
    ).split(_PLACEHOLDER)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    rows = []
    for outcome in outcomes:
        counts[outcome.result] += 1
        article_id = str(outcome.uuid)
        rows.append(
            {
                "index": outcome.index,
                "id": article_id,
                "url": f"{prefix}{article_id}{suffix}",
                "external_id": outcome.external_id,
                "result": outcome.result,
                "revision": outcome.revision,
            }
        )
    return {**counts, "articles": rows}
