"""API keys: created and revoked by editors (page and command), stored hashed, shown once."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from apps.accounts.models import ScopedAPIKey
from tests.api.conftest import key_client

pytestmark = pytest.mark.django_db

KEY = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}")


def test_it_lets_an_editor_create_a_key_that_is_shown_once_and_stored_hashed(client, editor):
    client.force_login(editor)

    created = client.post("/accounts/keys/", {"name": "CMS fact box", "scope": "write"})

    # Post/redirect/get: reloading the page after creating does not post again.
    assert created.status_code == 302 and created["Location"] == "/accounts/keys/"
    response = client.get("/accounts/keys/")
    assert response["Cache-Control"] == "no-store"
    secret = KEY.search(response.content.decode()).group(0)
    key = ScopedAPIKey.objects.get(name="CMS fact box")
    assert key.scope == "write" and key.created_by == editor
    assert secret not in key.hashed_key and secret not in key.id
    assert key.hashed_key.startswith("sha512$$")
    # Shown once: the list does not show it again.
    assert secret not in client.get("/accounts/keys/").content.decode()
    # And it works, as the annotator it stands for.
    api = key_client(secret)
    assert api.get("/api/v1/claims").status_code == 200
    assert key.user.groups.filter(name="annotator").exists()


def test_it_shows_the_form_again_with_the_error_for_a_bad_key_request(client, editor):
    client.force_login(editor)

    response = client.post("/accounts/keys/", {"name": "  ", "scope": "admin"})

    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
    assert "admin is not one of the available choices" in response.content.decode()
    assert ScopedAPIKey.objects.count() == 0


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
def test_it_keeps_everyone_but_editors_away_from_keys(client, request, role, read_key):
    client.force_login(request.getfixturevalue(role))

    assert client.get("/accounts/keys/").status_code == 403
    assert client.post("/accounts/keys/", {"name": "Mine", "scope": "write"}).status_code == 403
    assert client.post(f"/accounts/keys/{read_key.key.prefix}/revoke").status_code == 403
    assert client.get(f"/accounts/keys/{read_key.key.prefix}/revoke").status_code == 403
    assert ScopedAPIKey.objects.filter(revoked=False).count() == 1


def test_it_asks_before_revoking_a_key_and_revokes_only_when_confirmed(client, editor, read_key):
    client.force_login(editor)
    prefix = read_key.key.prefix
    listing = client.get("/accounts/keys/").content.decode()
    assert f'href="/accounts/keys/{prefix}/revoke"' in listing  # a link to the question, no form

    asked = client.get(f"/accounts/keys/{prefix}/revoke")

    html = asked.content.decode()
    assert asked.status_code == 200
    assert "Revoke the key “" in html and "stops working at once" in html
    assert f'action="/accounts/keys/{prefix}/revoke"' in html and 'method="post"' in html
    assert 'href="/accounts/keys/"' in html  # cancel
    read_key.key.refresh_from_db()
    assert not read_key.key.revoked  # asking revoked nothing

    client.post(f"/accounts/keys/{prefix}/revoke")
    read_key.key.refresh_from_db()
    assert read_key.key.revoked
    assert (
        f'href="/accounts/keys/{prefix}/revoke"'
        not in client.get("/accounts/keys/").content.decode()
    )


def test_it_shows_a_new_keys_secret_once_after_the_redirect(client, editor):
    client.force_login(editor)
    client.post("/accounts/keys/", {"name": "CMS fact box", "scope": "read"})

    first = client.get("/accounts/keys/").content.decode()
    reloaded = client.get("/accounts/keys/").content.decode()

    assert KEY.search(first) and "shown only this once" in first
    assert not KEY.search(reloaded) and "shown only this once" not in reloaded
    assert ScopedAPIKey.objects.filter(name="CMS fact box").count() == 1


def test_it_sends_an_anonymous_visitor_to_the_login_page(client):
    response = client.get("/accounts/keys/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_stops_a_revoked_key_at_once(client, editor, read_key):
    api = key_client(read_key.secret)
    assert api.get("/api/v1/claims").status_code == 200
    client.force_login(editor)

    response = client.post(f"/accounts/keys/{read_key.key.prefix}/revoke", follow=True)

    assert "is revoked" in response.content.decode()
    refused = api.get("/api/v1/claims")
    assert refused.status_code == 401
    assert "revoked" in refused.json()["message"]
    read_key.key.user.refresh_from_db()
    assert not read_key.key.user.is_active


def test_it_creates_a_key_from_the_command_line_and_prints_it_once():
    out, err = io.StringIO(), io.StringIO()

    call_command("create_api_key", "Data desk", "--scope", "read", stdout=out, stderr=err)

    secret = out.getvalue().strip()
    assert KEY.fullmatch(secret)
    assert "cannot be shown again" in err.getvalue()
    key = ScopedAPIKey.objects.get(name="Data desk")
    assert key.scope == "read" and key.created_by is None
    api = key_client(secret)
    assert api.get("/api/v1/claims").status_code == 200
    refused = api.post("/api/v1/articles", {"title": "T", "body": "B"}, format="json")
    assert refused.status_code == 403
    assert "read-only" in refused.json()["message"]


def test_it_refuses_a_bad_command_line_name():
    with pytest.raises(CommandError, match="name"):
        call_command("create_api_key", "   ", "--scope", "read")
    assert ScopedAPIKey.objects.count() == 0


@pytest.mark.parametrize(
    "headers,words",
    [
        ({"HTTP_X_API_KEY": "garbage"}, "not an API key"),
        ({"HTTP_X_API_KEY": "AbCd1234.wrongwrongwrongwrongwrongwrong"}, "Unknown API key"),
        ({"HTTP_AUTHORIZATION": "Api-Key"}, "Malformed"),
    ],
)
def test_it_explains_why_a_key_is_refused(client, read_key, headers, words):
    response = client.get("/api/v1/claims", **headers)

    assert response.status_code == 401
    assert words in response.json()["message"]
    assert response["WWW-Authenticate"].startswith("Api-Key")


def test_it_accepts_the_key_in_the_authorization_header_too(client, read_key):
    response = client.get("/api/v1/claims", HTTP_AUTHORIZATION=f"Api-Key {read_key.secret}")

    assert response.status_code == 200


def test_it_refuses_a_key_whose_secret_half_is_wrong(client, read_key):
    prefix = read_key.key.prefix
    response = client.get("/api/v1/claims", HTTP_X_API_KEY=f"{prefix}.{'x' * 32}")

    assert response.status_code == 401


def test_it_stops_an_expired_key_at_its_next_request(read_key):
    api = key_client(read_key.secret)
    assert api.get("/api/v1/claims").status_code == 200

    ScopedAPIKey.objects.filter(pk=read_key.key.pk).update(
        expiry_date=timezone.now() - dt.timedelta(minutes=1)
    )

    refused = api.get("/api/v1/claims")
    assert refused.status_code == 401
    assert "expired" in refused.json()["message"]


def test_it_stops_a_key_whose_service_user_was_deactivated_at_its_next_request(read_key):
    api = key_client(read_key.secret)
    assert api.get("/api/v1/claims").status_code == 200

    User.objects.filter(pk=read_key.key.user_id).update(is_active=False)

    refused = api.get("/api/v1/claims")
    assert refused.status_code == 401
    assert "no active service user" in refused.json()["message"]
