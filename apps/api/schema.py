"""OpenAPI details drf-spectacular cannot infer: the API key security scheme and the JSON error
responses every operation can give."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample

ERROR_SCHEMA = {
    "type": "object",
    "required": ["status", "code", "message"],
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status, repeated."},
        "code": {
            "type": "string",
            "description": "Stable machine-readable kind: invalid, not_authenticated, "
            "not_allowed, not_found, conflict, too_large, throttled, server_error, ...",
        },
        "message": {"type": "string", "description": "What went wrong and what to do about it."},
        "field": {"type": "string", "description": "The input field at fault, when there is one."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Every invalid field with its messages.",
        },
        "current": {
            "type": "object",
            "additionalProperties": True,
            "description": "409 only: the item as it is now (someone changed it first).",
        },
    },
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input or a broken rule; `message` says which and how to fix it.",
    "401": "No or invalid credentials: send `X-Api-Key: <key>`.",
    "403": "The key or user may not do this (read-only key, role, four-eyes rule).",
    "404": "No item with this id.",
    "409": "Someone changed the item first, or its state does not allow this; `current` holds "
    "the item as it is now and nothing was saved.",
    "413": "The article or upload is too large.",
    "429": "Too many requests; retry after the `Retry-After` seconds.",
}

ERROR_EXAMPLES = {
    "400": {
        "status": 400,
        "code": "invalid",
        "message": "The text at 0–5 is 'Offic', not 'Paris'; the article may have changed.",
        "field": "exact",
    },
    "401": {
        "status": 401,
        "code": "not_authenticated",
        "message": "Authentication required: send an API key in the `X-Api-Key` header.",
    },
    "403": {
        "status": 403,
        "code": "not_allowed",
        "message": "The API key 'cms' is read-only; this request changes data.",
    },
    "404": {"status": 404, "code": "not_found", "message": "No claim with this id."},
    "409": {
        "status": 409,
        "code": "conflict",
        "message": "This claim was changed by someone else while you were looking at it (it is "
        "now approved, version 3). Nothing was saved.",
        "current": {"id": "6f1c0c1e-8d0e-4a84-9d7c-0a4f4b2b8d11", "version": 3},
    },
    "413": {
        "status": 413,
        "code": "too_large",
        "message": "The article body has 612,000 characters; the limit is 500,000.",
    },
    "429": {
        "status": 429,
        "code": "throttled",
        "message": "Too many requests for this key or user; try again in 12 seconds.",
    },
}


class FactdeskAutoSchema(AutoSchema):
    """Adds the JSON error responses to every operation: 401/403/429 always, 400 for input, 404
    for an item, 409 for writes to an item, 413 for imports."""

    def _error_codes(self) -> list[str]:
        codes = ["401", "403", "429"]
        has_item = "{" in self.path
        write = self.method in {"POST", "PUT", "PATCH", "DELETE"}
        codes.append("400")
        if has_item:
            codes.append("404")
        if write and has_item or getattr(self.view, "may_conflict", False):
            codes.append("409")
        if write and getattr(self.view, "may_be_too_large", False):
            codes.append("413")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            responses.setdefault(
                code,
                {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Error"},
                            "examples": {"error": {"value": ERROR_EXAMPLES[code]}},
                        }
                    },
                },
            )
        return responses


def add_error_component(result, generator, request, public):
    """drf-spectacular postprocessing hook: the shared Error schema."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    return result


class APIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.APIKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Api-Key",
            "description": "An API key from /accounts/keys/ or `manage.py create_api_key`. A read "
            "key may only read; a write key may also import articles, annotate and propose "
            "verdicts, like an annotator. Reviewing and verifying are for people only.",
        }


def example(
    name: str, value, *, request: bool = False, summary: str = "", status: str | None = None
) -> OpenApiExample:
    return OpenApiExample(
        name,
        value=value,
        request_only=request,
        response_only=not request,
        summary=summary or name,
        status_codes=[status] if status else None,
    )


# --- OpenAPI links: what a client can do next with the id (and version) a write answered --------

_ID = "$response.body#/id"
_VERSION = "$response.body#/version"


def _span_links(collection: str) -> dict[str, dict[str, Any]]:
    links = {
        "GetIt": {"operationId": f"v1_{collection}_retrieve", "parameters": {"id": _ID}},
        "ItsHistory": {
            "operationId": f"v1_{collection}_history_retrieve",
            "parameters": {"id": _ID},
        },
        "UpdateIt": {
            "operationId": f"v1_{collection}_partial_update",
            "parameters": {"id": _ID},
            "requestBody": {"version": _VERSION},
        },
        "DeleteIt": {
            "operationId": f"v1_{collection}_destroy",
            "parameters": {"id": _ID, "version": _VERSION},
        },
        "ReviewIt": {
            "operationId": f"v1_{collection}_review_create",
            "parameters": {"id": _ID},
            "requestBody": {"version": _VERSION},
        },
    }
    if collection == "claims":
        links["ProposeVerdict"] = {
            "operationId": "v1_claims_verdict_create",
            "parameters": {"id": _ID},
            "requestBody": {"version": _VERSION},
        }
        links["AddEvidence"] = {
            "operationId": "v1_claims_evidence_create",
            "parameters": {"id": _ID},
        }
    return links


def _links() -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """(operationId, status) → the links of that answer."""
    links = {
        ("v1_articles_create", status): {
            "GetIt": {"operationId": "v1_articles_retrieve", "parameters": {"id": _ID}},
            "ItsHistory": {
                "operationId": "v1_articles_history_retrieve",
                "parameters": {"id": _ID},
            },
            "ItsAnnotations": {
                "operationId": "v1_articles_annotations.jsonld_retrieve",
                "parameters": {"id": _ID},
            },
            "RecheckIt": {"operationId": "v1_articles_recheck_create", "parameters": {"id": _ID}},
        }
        for status in ("200", "201")
    }
    for collection in ("claims", "quotes", "mentions", "dates"):
        spans = _span_links(collection)
        links[(f"v1_{collection}_create", "201")] = spans
        links[(f"v1_{collection}_partial_update", "200")] = {
            name: link for name, link in spans.items() if name != "UpdateIt"
        }
    links[("v1_claims_evidence_create", "201")] = {
        "RemoveIt": {
            "operationId": "v1_claims_evidence_destroy",
            "parameters": {"id": "$request.path.id", "evidence_id": _ID},
        }
    }
    return links


def add_links(result, generator, request, public):
    """drf-spectacular has no way to declare OpenAPI links on a view; they are added here, so that
    the docs show them and a stateful client (schemathesis) can follow create → read, update,
    review, delete with the real id and version."""
    links = _links()
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            for status, response in operation.get("responses", {}).items():
                found = links.get((operation["operationId"], status))
                if found:
                    response["links"] = found
    return result
