"""What a browser or an attacker sees of the hardening: the CSP header, login throttling, the
upload limit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from apps.articles.models import Article
from tests.snapshots import db_snapshot

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"  # tests.factories.UserFactory


def _csp(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _inline_scripts(html: str) -> list[str]:
    """<script> elements without src, and on* event handler attributes: what CSP would block."""
    inline = [tag for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I) if "src=" not in tag]
    inline += re.findall(r"\son[a-z]+\s*=", html, flags=re.I)
    return inline


def test_it_sends_a_csp_that_allows_only_our_own_scripts(client):
    response = client.get(reverse("accounts:login"))
    csp = _csp(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]


def test_it_keeps_pages_working_under_that_csp(client, annotator):
    """The pages themselves carry no inline script the policy would block."""
    login_page = client.get(reverse("accounts:login")).content.decode()
    assert "<script" in login_page  # htmx and our module are there, from our own origin
    assert _inline_scripts(login_page) == []
    client.force_login(annotator)
    response = client.get(reverse("ops:dashboard"))
    assert response.status_code == 200
    assert _csp(response)["script-src"] == ["'self'"]
    assert _inline_scripts(response.content.decode()) == []


def _login(client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_it_locks_an_account_at_the_sixth_wrong_password(client, annotator):
    for attempt in range(1, 6):
        response = _login(client, "anna", f"wrong-{attempt}")
        assert response.status_code == 200, f"attempt {attempt}"
        assert "didn't match" in response.content.decode()
    response = _login(client, "anna", "wrong-6")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins: this account is locked for 15 minutes" in page
    assert "<h1>Log in to Factdesk</h1>" in page
    assert _csp(response)["script-src"] == ["'self'"]
    # Locked means locked: the right password is refused too, and nobody is signed in.
    response = _login(client, "anna", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_does_not_lock_other_accounts_and_unlocks_after_the_cool_off(
    client, annotator, reviewer
):
    for attempt in range(6):
        _login(client, "anna", f"wrong-{attempt}")
    response = _login(client, "rita", PASSWORD)
    assert response.status_code == 302  # another user from the same computer is not locked out
    client.logout()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        response = _login(client, "anna", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(annotator.pk)


def test_it_answers_a_locked_out_api_style_request_in_json(client, annotator):
    for attempt in range(6):
        response = client.post(
            reverse("accounts:login"),
            {"username": "anna", "password": f"wrong-{attempt}"},
            headers={"x-requested-with": "XMLHttpRequest"},
        )
    assert response.status_code == 429
    assert response.json()["code"] == "locked"
    assert "locked for 15 minutes" in response.json()["message"]


def test_it_refuses_an_oversized_form_post_with_a_clear_page_and_saves_nothing(
    client, annotator, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    client.force_login(annotator)
    before = db_snapshot()
    response = client.post(
        reverse("articles:import"),
        {"title": "Huge", "body": "word " * 40_000, "format": "text"},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "The upload is too large (0.2 MB); the limit is 0.1 MB." in page
    assert "<h1>Upload too large</h1>" in page
    assert db_snapshot() == before
    assert not Article.objects.filter(title="Huge").exists()


def test_it_refuses_an_oversized_file_upload(client, annotator, settings):
    """Django itself only limits the non-file part of a request; files are refused here too."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    client.force_login(annotator)
    upload = SimpleUploadedFile("huge.txt", b"word " * 40_000, content_type="text/plain")
    response = client.post(reverse("articles:import"), {"title": "Huge", "file": upload})
    assert response.status_code == 413
    assert not Article.objects.filter(title="Huge").exists()


def test_it_refuses_an_oversized_api_request_in_json(client, annotator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    client.force_login(annotator)
    response = client.post(
        "/api/v1/articles",
        data='{"title": "Huge", "body": "' + "word " * 40_000 + '"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json() == {
        "status": 413,
        "code": "too_large",
        "message": "The upload is too large (0.2 MB); the limit is 0.1 MB. Split the article, "
        "or send its plain text instead of the whole page.",
    }
    assert not Article.objects.filter(title="Huge").exists()


def test_it_lets_a_request_under_the_limit_through(client, annotator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    response = _login(client, "anna", PASSWORD)
    assert response.status_code == 302


def test_it_sends_hsts_and_secure_cookies_with_the_production_values(client, annotator, settings):
    """The production values (see test_deploy) take effect through the middleware."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("accounts:login")).status_code == 301  # plain HTTP goes to HTTPS
    response = client.get(reverse("accounts:login"), secure=True)
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]
    response = client.post(
        reverse("accounts:login"), {"username": "anna", "password": PASSWORD}, secure=True
    )
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
