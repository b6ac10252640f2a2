"""Helpers for the workspace view tests (articles, annotations, checks): sign in as a role, send
a request the plain way or the htmx way, and check what each role and an anonymous user get."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

ROLES = ["annotator", "reviewer", "editor", "outsider", "anonymous"]
HTMX = pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
EACH_ROLE = pytest.mark.parametrize("role", ROLES)


def sign_in(client, request, role: str):
    """Sign `client` in as the fixture user for `role` (none for "anonymous"); returns the user."""
    if role == "anonymous":
        return None
    user = request.getfixturevalue(role)
    client.force_login(user)
    return user


def hx(htmx: bool, target: str = "") -> dict[str, str]:
    headers = {"HX-Request": "true"} if htmx else {}
    if htmx and target:
        headers["HX-Target"] = target
    return headers


def assert_refused(response, role: str, htmx: bool) -> None:
    """What a person without the right gets: the login page (anonymous) or 403."""
    if role == "anonymous":
        if htmx:
            # A redirect would be swapped into the small region; app.js sends the page to login.
            assert response.status_code == 401
            assert response["X-Login-Required"] == "1"
        else:
            assert response.status_code == 302
            assert urlsplit(response["Location"]).path == "/accounts/login/"
    else:
        assert response.status_code == 403, response.content[:500]


def redirect_path(response) -> str:
    assert response.status_code == 302, response.content[:500]
    location = urlsplit(response["Location"])
    return location.path + (f"?{location.query}" if location.query else "")


def text_of(response) -> str:
    return response.content.decode()
