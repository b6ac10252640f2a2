"""Request-level protections that are not part of any domain: the login lockout page and the
request size limit. (Which user may do what is decided in the services, not here.)"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def _wants_json(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def _error(status: int, code: str, message: str) -> dict[str, object]:
    """The API's error shape (apps.api.errors.error_body)."""
    return {"status": status, "code": code, "message": message}


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the API throttles see it (DRF's get_ident with NUM_PROXIES =
    TRUSTED_PROXY_COUNT): X-Forwarded-For only as far as our own proxies wrote it."""
    from rest_framework.throttling import BaseThrottle

    if request is None or not hasattr(request, "META"):
        return None
    return BaseThrottle().get_ident(request)


def _minutes(hours: float | int) -> int:
    return max(1, round(float(hours) * 60))


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """django-axes calls this once a username has failed too often from one address: the login
    page again, saying why and for how long (axes answers 429 Too Many Requests)."""
    minutes = _minutes(settings.AXES_COOLOFF_TIME)
    message = (
        "Too many failed logins: this account is locked for "
        f"{minutes} minutes on this computer. Try again later, or ask an editor to unlock it."
    )
    if _wants_json(request) or request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return JsonResponse(_error(429, "locked", message), status=429)
    return render(
        request,
        "accounts/locked.html",
        {"message": message, "username": (credentials or {}).get("username", "")},
        status=429,
    )


BULK_IMPORT_PATH = "/api/v1/articles/bulk"


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than DATA_UPLOAD_MAX_MEMORY_SIZE before anything reads it,
    with a message a person can act on (413), uploaded files included: Django itself only limits
    the non-file part, and answers a bare "Bad Request (400)" when that is too large."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.path_info.rstrip("/") == BULK_IMPORT_PATH:
            # The bulk import reads its body itself (apps/api/bulk_import.py), up to its own limit.
            limit = settings.BULK_IMPORT_MAX_BYTES
            if length > limit:
                from apps.api.bulk_import import too_large_message

                message = too_large_message(length, limit)
                return JsonResponse(_error(413, "too_large", message), status=413)
            return self.get_response(request)
        if limit is not None and length > limit:
            return self.too_large(request, length, limit)
        return self.get_response(request)

    @staticmethod
    def too_large(request: HttpRequest, length: int, limit: int) -> HttpResponse:
        size, most = _sizes(length, limit)
        message = (
            f"The upload is too large ({size}); the limit is {most}. "
            "Split the article, or send its plain text instead of the whole page."
        )
        if _wants_json(request):
            response: HttpResponse = JsonResponse(_error(413, "too_large", message), status=413)
        else:
            response = render(request, "413.html", {"message": message}, status=413)
            # htmx does not swap a 413 page; static/js/app.js shows this message instead.
            response["X-Message"] = quote(message)
        # No "Connection: close" although the body was not read: a WSGI application may not set
        # hop-by-hop headers (runserver's wsgiref answered 500 instead), and the servers discard
        # an unread body themselves (gunicorn and runserver read past it before the next request).
        return response


def _sizes(length: int, limit: int) -> tuple[str, str]:
    """Both sizes in MB, with as many decimals as it takes for them to differ."""
    for digits in (1, 2, 3):
        shown = (f"{length / 1048576:.{digits}f} MB", f"{limit / 1048576:.{digits}f} MB")
        if shown[0] != shown[1]:
            return shown
    return f"{length:,} bytes", f"{limit:,} bytes"
