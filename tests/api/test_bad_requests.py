"""Malformed requests to the API: whatever a client sends, the answer is a 4xx (or the documented
success) in JSON with a message a person can act on, never a 500 nor an HTML page, and nothing
changes. The cases are those a newsroom's systems (or a scanner) send in practice: OPTIONS, JSON
nested a thousand deep, an unsafe method on a path that does not exist, control characters in the
address, and the trailing slash that most REST clients append."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.annotations.models import Claim
from apps.articles.models import Article
from tests.api.conftest import ROLES
from tests.snapshots import db_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def safe_clients(clients):
    """Every role's client, answering an exception with the 500 a real server would send instead
    of raising it into the test."""
    for client in clients.values():
        client.raise_request_exception = False
    return clients


def endpoint_paths(world) -> list[str]:
    ids = world.ids()
    claim = ids["claim"]
    return [
        "/api/v1/articles",
        f"/api/v1/articles/{ids['article']}",
        f"/api/v1/articles/{ids['article']}/recheck",
        f"/api/v1/articles/{ids['article']}/annotations.jsonld",
        f"/api/v1/articles/{ids['article']}/annotations",
        f"/api/v1/articles/{ids['article']}/history",
        "/api/v1/claims",
        "/api/v1/claims/export.csv",
        f"/api/v1/claims/{claim}",
        f"/api/v1/claims/{claim}/verdict",
        f"/api/v1/claims/{claim}/verify",
        f"/api/v1/claims/{claim}/return",
        f"/api/v1/claims/{claim}/evidence",
        f"/api/v1/claims/{claim}/evidence/{ids['evidence']}",
        f"/api/v1/claims/{claim}/review",
        f"/api/v1/claims/{ids['claim_verified']}/claimreview",
        "/api/v1/quotes",
        f"/api/v1/quotes/{ids['quote']}",
        "/api/v1/mentions",
        f"/api/v1/mentions/{ids['mention']}",
        "/api/v1/dates",
        f"/api/v1/dates/{ids['date']}",
        "/api/v1/entities",
        f"/api/v1/entities/{ids['entity']}",
        "/api/v1/findings",
        f"/api/v1/findings/{ids['finding']}",
        f"/api/v1/findings/{ids['finding']}/state",
    ]


def assert_json_message(response, status: int | tuple[int, ...], *says: str) -> dict:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    for part in says:
        assert part in body["message"], body["message"]
    return body


# --- OPTIONS --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_answers_options_on_every_endpoint_for_every_role(world, safe_clients, role):
    client = safe_clients[role]
    for path in endpoint_paths(world):
        response = client.options(path)
        if role == "anonymous":
            assert_json_message(response, 401, "Authentication required")
            continue
        if response.status_code == 403:  # a key on review work: refused before anything else
            assert role.endswith("_key") and path.endswith(
                ("/verify", "/return", "/review", "/state")
            )
            assert_json_message(response, 403, "API keys cannot")
            continue
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        body = response.json()
        # What the client may do here: the methods, and where they are described.
        allowed = {m.strip() for m in response["Allow"].split(",")}
        assert "OPTIONS" in allowed and set(body["methods"]) == allowed, (path, body)
        assert body["docs"] == "/api/docs/"


def test_options_does_not_run_the_operation(world, safe_clients):
    before = db_snapshot()
    for path in endpoint_paths(world):
        safe_clients["editor"].options(path, {"title": "x", "body": "y"}, format="json")
        safe_clients["write_key"].options(path, {"title": "x", "body": "y"}, format="json")
    assert db_snapshot() == before


# --- Deeply nested JSON ---------------------------------------------------------------------------

DEEP_LIST = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"title": ' * 1000 + '"x"' + "}" * 1000
DEEP_FIELD = '{"title": "Nested", "body": "Some text.", "source": ' + DEEP_LIST + "}"


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT, DEEP_FIELD], ids=["list", "obj", "field"])
def test_it_refuses_json_nested_a_thousand_deep(world, safe_clients, body):
    before = db_snapshot()
    client = safe_clients["write_key"]
    claim = world.claim
    for method, path in [
        ("post", "/api/v1/articles"),
        ("patch", f"/api/v1/claims/{claim.uuid}"),
        ("post", f"/api/v1/claims/{claim.uuid}/evidence"),
    ]:
        response = getattr(client, method)(path, body, content_type="application/json")
        assert_json_message(response, 400, "nested more than", "levels deep")
    assert db_snapshot() == before


def test_it_still_reads_ordinary_nesting(world, clients):
    """The depth limit is far above what any real request of this API needs."""
    response = clients["write_key"].post(
        "/api/v1/articles",
        {"title": "Shallow", "body": "Officials met in Rome.", "published_on": "2026-01-07"},
        format="json",
    )
    assert response.status_code == 201, response.content


# --- Unknown paths --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/nope", "/api/v1/nope", "/api/v2/articles"])
def test_an_unsafe_method_on_an_unknown_api_path_is_a_json_404(editor, method, path):
    anonymous = APIClient(enforce_csrf_checks=True, raise_request_exception=False)
    session = APIClient(enforce_csrf_checks=True, raise_request_exception=False)
    session.force_login(editor)
    for client in (anonymous, session):
        response = getattr(client, method)(path, {"a": 1}, format="json")
        assert_json_message(response, 404, f"There is no API endpoint at {path}", "/api/docs/")


# --- Control characters ---------------------------------------------------------------------------

CONTROL = ["%0A", "%0D", "%00", "%09", "%1B", "%7F", "%0D%0ASet-Cookie:%20a=b"]


@pytest.mark.parametrize("char", CONTROL)
def test_control_characters_in_an_api_address_are_refused_in_json(world, safe_clients, char):
    claim = world.claim.uuid
    before = db_snapshot()
    for path in [
        f"/api/v1/articles{char}",
        f"/api/v1/claims/{claim}{char}",
        f"/api/v1/claims/{char}{claim}",
        f"/api/{char}",
    ]:
        for method in ("get", "post", "delete"):
            response = getattr(safe_clients["write_key"], method)(path)
            assert_json_message(response, 400, "control character", "Remove it")
            assert "Set-Cookie" not in response
    response = safe_clients["write_key"].get(f"/api/v1/claims?q=a{char}b")
    if char in ("%0A", "%0D", "%09", "%0D%0ASet-Cookie:%20a=b"):  # whitespace in a search term
        assert response.status_code == 200, response.content
    else:
        assert_json_message(response, 400, "control character", "Remove it")
    assert db_snapshot() == before


# --- Trailing slash -------------------------------------------------------------------------------


def test_every_endpoint_answers_with_or_without_a_trailing_slash(world, clients):
    client = clients["write_key"]
    for path in endpoint_paths(world):
        if path.endswith(
            ("/recheck", "/verdict", "/verify", "/return", "/review", "/state", "/annotations")
        ):
            continue  # POST only: below
        if path.endswith(f"/evidence/{world.evidence.uuid}"):
            continue  # DELETE only: below
        if path.endswith("/evidence"):
            continue
        plain = client.get(path)
        slashed = client.get(path + "/")
        assert plain.status_code == 200, (path, plain.content[:200])
        assert slashed.status_code == 200, (path + "/", slashed.content[:200])


def test_unsafe_methods_with_a_trailing_slash_are_served_without_a_redirect(world, clients):
    client = clients["write_key"]
    response = client.post(
        "/api/v1/articles/",
        {"title": "Slash", "body": "Officials met in Rome.", "published_on": "2026-01-07"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Article.objects.filter(title="Slash").exists()
    # The Location of the new article is the canonical address (no slash).
    assert response["Location"].endswith(
        reverse("api:article-detail", args=[response.json()["id"]])
    )

    claim = world.claim
    response = client.patch(
        f"/api/v1/claims/{claim.uuid}/",
        {"kind": "other", "version": claim.version},
        format="json",
    )
    assert response.status_code == 200, response.content
    claim.refresh_from_db()
    assert claim.kind == "other"

    response = client.post(
        f"/api/v1/claims/{claim.uuid}/evidence/",
        {"url": "https://example.org/report", "title": "Report"},
        format="json",
    )
    assert response.status_code == 201, response.content

    text = "The talks ended late."
    start = world.article.body.index(text)
    response = client.post(
        "/api/v1/claims/",
        {
            "article": str(world.article.uuid),
            "start": start,
            "end": start + len(text),
            "exact": text,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    mine = response.json()
    bulk = client.post(
        f"/api/v1/articles/{world.article.uuid}/annotations/",
        [{"type": "date", "start": start, "end": start + len(text), "exact": text}],
        format="json",
    )
    assert bulk.status_code == 201, bulk.content
    response = client.delete(f"/api/v1/claims/{mine['id']}/?version={mine['version']}")
    assert response.status_code == 204, response.content
    assert not Claim.objects.filter(uuid=mine["id"]).exists()
