"""Requests no view should see, and answers no view wrote: a control character in the address,
the trailing slash most REST clients append to /api/v1/ paths, OPTIONS on a page, and the empty
error bodies Django leaves (a 405 from `require_GET`). Each answer says what was wrong in the
form the caller reads: JSON under /api/, a small HTML page elsewhere. And the Celery messages of
a request, sent once its answer is written (SendAfterResponseMiddleware)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

API_PREFIX = "/api/"
API_V1_PREFIX = "/api/v1/"

# C0 controls and DEL. In the path none has a meaning (and %0A/%0D invite header injection in
# whatever logs or redirects the path); in the query string tab, LF and CR are left alone because
# a search box may send them, the others (NUL above all, which PostgreSQL cannot store or compare)
# are refused.
PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
QUERY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

TITLES = {
    400: "Bad request",
    401: "Sign-in required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Request too large",
    415: "Unsupported media type",
    429: "Too many requests",
}


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def message_response(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """The API's error shape under /api/ (apps.api.errors.error_body), else a plain page. The page
    stands alone (no base layout): it may be answered before the session and the user are known."""
    if is_api(request):
        return JsonResponse({"status": status, "code": code, "message": message}, status=status)
    title = TITLES.get(status, "Error")
    body = render_to_string("error.html", {"title": title, "message": message, "status": status})
    response = HttpResponse(body, status=status)
    # htmx does not swap an error page; static/js/app.js shows this message instead.
    response["X-Message"] = quote(message)
    return response


def _describe(char: str) -> str:
    return f"%{ord(char):02X}"


class RequestGuardMiddleware:
    """Refuses an address with a control character (400, saying which), and serves /api/v1/
    paths with a trailing slash as the same path without it — in place, not by a redirect, which
    would turn a POST into a GET and lose its body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = PATH_CONTROL.search(request.path_info)
        if bad:
            return message_response(
                request,
                400,
                "invalid",
                f"The address contains a control character ({_describe(bad.group())}). Remove it "
                "from the address and try again.",
            )
        for key, values in request.GET.lists():
            for text in (key, *values):
                bad = QUERY_CONTROL.search(text)
                if bad:
                    return message_response(
                        request,
                        400,
                        "invalid",
                        f"The query parameter {key!r} contains a control character "
                        f"({_describe(bad.group())}). Remove it from the address and try again.",
                    )
        self._drop_api_trailing_slash(request)
        return self.get_response(request)

    @staticmethod
    def _drop_api_trailing_slash(request: HttpRequest) -> None:
        path = request.path_info
        if not path.startswith(API_V1_PREFIX) or not path.endswith("/") or path == API_V1_PREFIX:
            return
        from apps.api.errors import not_found

        candidate = path[:-1]
        try:
            match = resolve(candidate, getattr(request, "urlconf", None))
        except Resolver404:
            return
        if match.func is not_found:
            return
        request.path_info = candidate
        request.path = request.path[:-1]
        request.META["PATH_INFO"] = request.META.get("PATH_INFO", path)[:-1] or "/"


class ErrorMessageMiddleware:
    """Gives every error answer a body a person can read, and answers OPTIONS on a page.

    Django's method decorators (`require_GET`, `require_POST`) answer 405 with an empty body; an
    OPTIONS request to such a page is answered here with the methods it takes (the Allow header
    of that 405) instead. API views write their own JSON errors and are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if status < 400 or getattr(response, "streaming", False) or response.content:
            return response
        if request.method == "OPTIONS" and status == 405 and response.has_header("Allow"):
            allowed = [m.strip() for m in response["Allow"].split(",") if m.strip()]
            answer = HttpResponse(status=200)
            answer["Allow"] = ", ".join([*allowed, "OPTIONS"])
            return answer
        if status == 405:
            accepted = response.get("Allow", "")
            message = f"This address does not accept {request.method} requests" + (
                f"; it accepts {accepted}." if accepted else "."
            )
        elif status == 404:
            message = f"There is nothing at {request.path}. Check the address."
        else:
            message = f"The request was refused ({status}). Go back and try again."
        filled = message_response(request, status, "error", message)
        for header, value in response.items():
            if header.lower() not in ("content-type", "content-length"):
                filled[header] = value
        return filled


class SendAfterResponseMiddleware:
    """The Celery messages a request's commits send (apps.articles.processing: a check of the
    annotated article, an extraction) go out once the answer is written, not before it: the
    client does not wait for the broker. The answer's close() (called by the server after
    writing the body, also for a streamed answer) sends them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from apps.articles import processing

        with processing.sends_held() as held:
            try:
                response = self.get_response(request)
            except BaseException:
                processing.sends_release(held)
                raise
        if held:
            # Django runs a response's resource closers in close(), after the server wrote it.
            response._resource_closers.append(lambda: processing.sends_release(held))
        return response
