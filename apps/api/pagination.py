"""Keyset ("cursor") pagination in change order: ORDER BY updated_at, id.

Every page answers `cursor`, the position after its last row. A client that stores it and asks
again with `?cursor=` later receives exactly the rows changed since, each once (a row changed again
comes back once more, with its new state). `next` links to the following page while the current
one was full; on the last page `next` is null but `cursor` is still there to poll with.

Rows changed in the last API_SYNC_SETTLE_SECONDS are held back: a transaction that stamped
`updated_at` but has not committed yet would otherwise be skipped for good once the cursor moved
past its timestamp. Retrieve by id shows every change at once."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

CURSOR_PARAM = "cursor"
SIZE_PARAM = "page_size"


def encode_cursor(updated_at: dt.datetime, row_id: int) -> str:
    raw = json.dumps([updated_at.isoformat(), row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        stamp, row_id = json.loads(raw)
        when = dt.datetime.fromisoformat(stamp)
        if timezone.is_naive(when) or not isinstance(row_id, int) or isinstance(row_id, bool):
            raise ValueError
        return when.astimezone(dt.UTC), row_id
    except (ValueError, TypeError, OverflowError, json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError(
            {
                CURSOR_PARAM: [
                    "Not a cursor of this API. Use the `cursor` or `next` of an earlier page, "
                    "or start without one."
                ]
            }
        ) from None


class SyncCursorPagination(BasePagination):
    page_size = 100
    max_page_size = 1000

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list[Any]:
        self.request = request
        self.size = self._size(request)
        raw_cursor = request.query_params.get(CURSOR_PARAM) or None
        settle = getattr(settings, "API_SYNC_SETTLE_SECONDS", 0)
        if settle:
            queryset = queryset.filter(
                updated_at__lte=timezone.now() - dt.timedelta(seconds=settle)
            )
        if raw_cursor:
            after, after_id = decode_cursor(raw_cursor)
            # The first condition gives the (…, updated_at, id) index its range start.
            queryset = queryset.filter(updated_at__gte=after).filter(
                Q(updated_at__gt=after) | Q(id__gt=after_id)
            )
        rows = list(queryset.order_by("updated_at", "id")[: self.size + 1])
        self.has_more = len(rows) > self.size
        rows = rows[: self.size]
        if rows:
            self.cursor = encode_cursor(rows[-1].updated_at, rows[-1].id)
        else:
            self.cursor = raw_cursor
        return rows

    def _size(self, request) -> int:
        value = request.query_params.get(SIZE_PARAM)
        if value in (None, ""):
            return self.page_size
        try:
            size = int(value)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({SIZE_PARAM: [f"A whole number from 1 to {self.max_page_size}."]})
        return size

    def get_next_link(self) -> str | None:
        if not self.has_more:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, CURSOR_PARAM, self.cursor)

    def get_paginated_response(self, data) -> Response:
        return Response({"next": self.get_next_link(), "cursor": self.cursor, "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "cursor", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The following page; null when this page was the last one "
                    "for now.",
                    "example": "https://factdesk.example.org/api/v1/claims?state=verified"
                    "&cursor=WyIyMDI2LTAxLTA3VDEwOjAyOjEzLjU4MTIwNCswMDowMCIsNDJd",
                },
                "cursor": {
                    "type": "string",
                    "nullable": True,
                    "description": "Position after the last row of this page. Store it and "
                    "send it back as `?cursor=` to receive only what changed since.",
                    "example": "WyIyMDI2LTAxLTA3VDEwOjAyOjEzLjU4MTIwNCswMDowMCIsNDJd",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": CURSOR_PARAM,
                "required": False,
                "in": "query",
                "description": "Resume after this position (the `cursor` of an earlier page).",
                "schema": {"type": "string"},
            },
            {
                "name": SIZE_PARAM,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1–{self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
