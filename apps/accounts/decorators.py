"""View decorators for the HTML UI: sign-in and role gates that answer htmx requests in a way
the page's script understands (401 → go to the login page), and plain requests as Django does
(redirect to the login page, 403 page)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def login_required_htmx(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like login_required, but an htmx request from an expired session gets 401, on which
    static/js/app.js sends the whole page to the login form (a redirect would be swapped into
    the small region the request targeted)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if getattr(request, "htmx", False):
            response = HttpResponse("Your session has ended; log in again.", status=401)
            response["X-Login-Required"] = "1"
            return response
        return redirect_to_login(request.get_full_path())

    return wrapper


def role_required(
    allowed: Callable[[object], bool], message: str
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Sign-in, then a role predicate from apps.accounts.roles (can_review, can_edit, ...).
    The services check again; this only keeps people away from pages that are not for them."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not allowed(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return login_required_htmx(wrapper)

    return decorator
