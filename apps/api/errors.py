"""One exception handler for the whole API: every 4xx and 5xx is JSON with a message a person can
act on, in one shape:

    {"status": 409, "code": "conflict", "message": "...", "field": "version",
     "errors": {"version": ["..."]}, "current": {...the item as it is now...}}

The services' refusals (apps.errors) answer with the status of their kind: invalid input 400
(with the list of items at fault for a batch), NotAllowed 403, NotFound 404, Conflict 409 with
the item as it is now, TooLarge 413, Unavailable 502. Django's ValidationError is a 400."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse, UnreadablePostError
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

from apps.api.serializers import serialize_current
from apps.errors import Conflict, DomainError, InvalidItems

logger = logging.getLogger("apps.api")

CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "not_allowed",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
}


def error_body(
    status_code: int,
    message: str,
    *,
    code: str | None = None,
    field: str | None = None,
    errors: dict[str, list[str]] | None = None,
    current: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": status_code,
        "code": code or CODES.get(status_code, "error"),
        "message": message,
    }
    if field:
        body["field"] = field
    if errors:
        body["errors"] = errors
    if current is not None:
        body["current"] = current
    return body


def _flatten(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field.sub": ["message", ...]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = str(key) if key != "non_field_errors" else ""
            out.update(_flatten(value, f"{path}.{name}" if path and name else (path or name)))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {path or "request": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            out.update(_flatten(item, f"{path}[{index}]"))
        return out
    return {path or "request": [str(detail)]}


def _summary(errors: dict[str, list[str]]) -> str:
    parts = [
        f"{field}: {' '.join(messages)}" if field != "request" else " ".join(messages)
        for field, messages in errors.items()
    ]
    return "Invalid request. " + " ".join(
        part if part.endswith(".") else part + "." for part in parts
    )


def _current(obj: Any) -> dict[str, Any] | None:
    return serialize_current(obj)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    headers: dict[str, str] = {}

    if isinstance(exc, DomainError):
        current = exc.current if isinstance(exc, Conflict) else None
        body = error_body(
            exc.status,
            exc.message,
            code=exc.code,
            field=exc.field,
            current=_current(current) if current is not None else None,
        )
        if isinstance(exc, InvalidItems):
            body["errors"] = exc.errors  # a batch: [{"index", "field", "message"}]
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            errors = {"request": [str(m) for m in exc.messages]}
        body = error_body(400, _summary(errors), errors=errors, field=next(iter(errors), None))
    elif isinstance(exc, UnreadablePostError):
        # The client stopped sending its body (the web server's WEB_BODY_TIMEOUT) or went away.
        body = error_body(
            400,
            "The request body stopped arriving before it was complete; nothing was saved. "
            "Send the request again.",
        )
    elif isinstance(exc, RequestDataTooBig):
        body = error_body(
            413,
            "The request body is larger than the server accepts (DATA_UPLOAD_MAX_MEMORY_SIZE). "
            "Send a smaller file or split the article.",
        )
    elif isinstance(exc, Http404):
        body = error_body(404, _not_found_message(exc, context))
    elif isinstance(exc, DjangoPermissionDenied):
        body = error_body(403, str(exc) or "You are not allowed to do this.")
    elif isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        body = error_body(400, _summary(errors), errors=errors, field=next(iter(errors), None))
    elif isinstance(exc, exceptions.APIException):
        body = _api_exception_body(exc)
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(int(exc.wait))
    elif isinstance(exc, SuspiciousOperation):
        body = error_body(400, f"The request was refused: {exc}")
    else:
        return server_error_response(exc, context.get("request"))
    return Response(body, status=body["status"], headers=headers)


_MODEL_NAMES = {"EntityMention": "mention", "DateMention": "date"}


def _not_found_message(exc: Exception, context: dict[str, Any]) -> str:
    text = str(exc)
    generic = re.match(r"No (\w+) matches the given query", text)
    if generic:
        name = generic.group(1)
        what = _MODEL_NAMES.get(name, name.lower())
        return f"No {what} with this id. Ids are the UUIDs returned by the list endpoints."
    return text or "Not found."


def _api_exception_body(exc: exceptions.APIException) -> dict[str, Any]:
    code = exc.status_code
    if isinstance(exc, exceptions.NotAuthenticated):
        message = (
            "Authentication required: send an API key in the `X-Api-Key` header (editors create "
            "keys at /accounts/keys/), or sign in to Factdesk in this browser."
        )
    elif isinstance(exc, exceptions.ParseError):
        detail = str(exc.detail).rstrip(".")
        message = f"The request body could not be read: {detail}. Send valid JSON (or a multipart form for file uploads)."
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        message = f"{exc.detail} Send application/json, or multipart/form-data for a file upload."
    elif isinstance(exc, exceptions.Throttled):
        message = (
            f"Too many requests for this key or user; try again in {int(exc.wait or 1)} seconds."
        )
    elif isinstance(exc, exceptions.MethodNotAllowed):
        message = f"{exc.detail} See /api/docs/ for the methods of each endpoint."
    else:
        message = str(exc.detail)
    return error_body(code, message)


def server_error_response(exc: Exception | None, request) -> Response:
    reference = uuid.uuid4().hex[:12]
    logger.error(
        "API error %s on %s %s",
        reference,
        getattr(request, "method", "?"),
        getattr(request, "path", "?"),
        exc_info=exc,
    )
    body = error_body(
        500,
        f"Something went wrong on our side (reference {reference}); it has been logged. Try "
        "again later, and if it keeps happening send the reference to the Factdesk team.",
    )
    return Response(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


@csrf_exempt  # it changes nothing; without this an unsafe method got Django's HTML CSRF page
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any path under /api/ that no endpoint answers, whatever the method."""
    from django.urls import Resolver404, resolve

    hint = ""
    path = request.path
    alternative = path[:-1] if path.endswith("/") else path + "/"
    try:
        match = resolve(alternative)
        if match.func is not not_found:
            hint = f" Did you mean {alternative}?"
    except Resolver404:
        pass
    message = f"There is no API endpoint at {path}.{hint} The endpoints are listed at /api/docs/."
    return JsonResponse(error_body(404, message), status=404)
