"""The answer to a refused page request (Django's handler403): the refusal's own message, never
Django's bare "403 Forbidden". An htmx request gets a fragment (htmx swaps no 403; the message
travels in X-Message, which static/js/app.js shows in place of the page's message line), a plain
request the small error page of config.middleware."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html

from config.middleware import message_response

DEFAULT_MESSAGE = "You are not allowed to do this."


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception or "").strip() or DEFAULT_MESSAGE
    if request.headers.get("HX-Request") == "true" and not request.path_info.startswith("/api/"):
        response = HttpResponse(
            format_html('<p class="msg msg-error" role="alert">{}</p>', message), status=403
        )
        response["X-Message"] = quote(message)
        return response
    return message_response(request, 403, "forbidden", message)
