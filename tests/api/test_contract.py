"""Every endpoint × method × role: the allowed ones succeed, the others get 401/403, never a 500.

Roles: anonymous, read key, write key (acts as an annotator), annotator, reviewer, editor. The
data is made by the annotator "anna" (tests/api/conftest.py World), so the reviewer and the editor
review someone else's work; review and verification are for people only, never for a key."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction

from tests.api.conftest import ROLES

pytestmark = pytest.mark.django_db

KEYS_AND_PEOPLE = {"read_key", "write_key", "annotator", "reviewer", "editor"}
ANNOTATORS = {"write_key", "annotator", "editor"}
REVIEWERS = {"reviewer", "editor"}
CHECK_REQUESTERS = {"write_key", "annotator", "reviewer", "editor"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    allowed: frozenset[str]
    ok: int = 200
    body: dict[str, Any] | list[Any] | None = None
    # Fields to read back after a successful call, checked against the world (see the test).
    expect: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def E(method, path, allowed, ok=200, body=None, **expect) -> Endpoint:
    return Endpoint(method, path, frozenset(allowed), ok, body, expect)


SPAN_BODIES = {
    "claims": {"start": 0, "end": 9, "exact": "Officials", "kind": "quantity"},
    "quotes": {"start": 0, "end": 9, "exact": "Officials", "speaker_text": "officials"},
    "mentions": {"start": 17, "end": 22, "exact": "Paris"},
    "dates": {"start": 26, "end": 33, "exact": "Tuesday", "precision": "day"},
}
SPAN_EDITS = {
    "claims": {"kind": "role"},
    "quotes": {"verb": "explained"},
    "mentions": {"title_text": "UK Prime Minister"},
    "dates": {"is_relative": True},
}
SPAN_ID = {"claims": "claim", "quotes": "quote", "mentions": "mention", "dates": "date"}

ENDPOINTS: list[Endpoint] = [
    E("GET", "/api/v1/", KEYS_AND_PEOPLE),
    # Articles
    E("GET", "/api/v1/articles", KEYS_AND_PEOPLE, results=1),
    E(
        "POST",
        "/api/v1/articles",
        ANNOTATORS,
        201,
        {"title": "Another", "body": "Ministers met on Monday.", "published_on": "2026-01-08"},
        title="Another",
    ),
    # Bulk import (tests/api/test_bulk_import.py has its rules).
    E(
        "POST",
        "/api/v1/articles/bulk",
        ANNOTATORS,
        201,
        [{"title": "Bulk", "body": "Ministers met on Monday.", "external_id": "bulk-1"}],
        created=1,
    ),
    E("GET", "/api/v1/articles/{article}", KEYS_AND_PEOPLE, id="{article}"),
    # The whole corpus, streamed (tests/api/test_corpus_export.py has its rules).
    E("GET", "/api/v1/articles/export?format=w3c", KEYS_AND_PEOPLE),
    E("GET", "/api/v1/articles/{article}/history", KEYS_AND_PEOPLE, id="{article}"),
    E("POST", "/api/v1/articles/{article}/recheck", CHECK_REQUESTERS, 202, check_state="pending"),
    # Bulk annotation (tests/api/test_bulk.py has its rules); the answer is a list.
    E(
        "POST",
        "/api/v1/articles/{article}/annotations",
        ANNOTATORS,
        201,
        [{"type": "claim", **SPAN_BODIES["claims"]}, {"type": "date", **SPAN_BODIES["dates"]}],
    ),
    E(
        "GET",
        "/api/v1/articles/{article}/annotations.jsonld",
        KEYS_AND_PEOPLE,
        type="AnnotationCollection",
    ),
    # Claim workflow
    E("GET", "/api/v1/claims/export.csv", KEYS_AND_PEOPLE),
    E(
        "GET",
        "/api/v1/claims/{claim_verified}/claimreview",
        KEYS_AND_PEOPLE,
        **{"@type": "ClaimReview"},
    ),
    E(
        "POST",
        "/api/v1/claims/{claim}/verdict",
        ANNOTATORS,
        body={"verdict": "accurate", "version": "{v:claim}"},
        verdict_state="proposed",
    ),
    E(
        "POST",
        "/api/v1/claims/{claim_proposed}/verify",
        REVIEWERS,
        body={"version": "{v:claim_proposed}"},
        verdict_state="verified",
    ),
    E(
        "POST",
        "/api/v1/claims/{claim_proposed}/return",
        REVIEWERS,
        body={"note": "Find a primary source.", "version": "{v:claim_proposed}"},
        verdict_state="returned",
    ),
    E(
        "POST",
        "/api/v1/claims/{claim}/evidence",
        ANNOTATORS,
        201,
        {"url": "https://example.org/source", "note": "primary source"},
        url="https://example.org/source",
    ),
    # Its author (the annotator added it in World), reviewers and editors (issue 10).
    E("DELETE", "/api/v1/claims/{claim}/evidence/{evidence}", {"annotator", *REVIEWERS}, 204),
    # Knowledge base
    E("GET", "/api/v1/entities", KEYS_AND_PEOPLE, results=2),
    E("GET", "/api/v1/entities/{entity}", KEYS_AND_PEOPLE, label="Keir Starmer"),
    E("GET", "/api/v1/entities/{entity}/history", KEYS_AND_PEOPLE, kind="entity"),
    # Findings
    E("GET", "/api/v1/findings", KEYS_AND_PEOPLE, results=1),
    E("GET", "/api/v1/findings/{finding}", KEYS_AND_PEOPLE, id="{finding}"),
    E("GET", "/api/v1/findings/{finding}/history", KEYS_AND_PEOPLE, kind="finding"),
    E(
        "POST",
        "/api/v1/findings/{finding}/state",
        REVIEWERS,
        body={"state": "dismissed", "reason": "Intended.", "version": 1},
        state="dismissed",
    ),
]
for plural, singular in SPAN_ID.items():
    ENDPOINTS += [
        E("GET", f"/api/v1/{plural}", KEYS_AND_PEOPLE),
        E(
            "POST",
            f"/api/v1/{plural}",
            ANNOTATORS,
            201,
            {"article": "{article}", **SPAN_BODIES[plural]},
            exact=SPAN_BODIES[plural]["exact"],
        ),
        E("GET", f"/api/v1/{plural}/{{{singular}}}", KEYS_AND_PEOPLE, id=f"{{{singular}}}"),
        E("GET", f"/api/v1/{plural}/{{{singular}}}/history", KEYS_AND_PEOPLE, kind=singular),
        E(
            "PATCH",
            f"/api/v1/{plural}/{{{singular}}}",
            ANNOTATORS,
            body={"version": f"{{v:{singular}}}", **SPAN_EDITS[plural]},
            **SPAN_EDITS[plural],
        ),
        E(
            "POST",
            f"/api/v1/{plural}/{{{singular}}}/review",
            REVIEWERS,
            body={"approve": True, "version": f"{{v:{singular}}}"},
            review_state="approved",
        ),
        # Deleting: editors, or the author (anna, the annotator) while unreviewed.
        E(
            "DELETE",
            f"/api/v1/{plural}/{{{singular}}}?version={{v:{singular}}}",
            {"annotator", "editor"},
            204,
        ),
    ]


def fill(value: Any, world) -> Any:
    ids = world.ids()
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    if not isinstance(value, str):
        return value
    for name, item_id in ids.items():
        value = value.replace("{" + name + "}", item_id)
    for name in ids:
        token = "{v:" + name + "}"
        if token in value:
            version = getattr(world, name).version
            if value == token:
                return version
            value = value.replace(token, str(version))
    return value


def call(client, endpoint: Endpoint, world):
    body = fill(endpoint.body, world)
    return client.generic(
        endpoint.method,
        fill(endpoint.path, world),
        data="" if body is None else json.dumps(body),
        content_type="application/json",
    )


def problems_for(role: str, endpoint: Endpoint, response, world) -> list[str]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    said = f"{role}: {endpoint} -> {response.status_code} {content[:300]!r}"
    if role not in endpoint.allowed:
        expected = 401 if role == "anonymous" else 403
        if response.status_code != expected:
            return [f"expected {expected}; {said}"]
        error = response.json()
        if error["status"] != expected or not error["message"]:
            return [f"not a JSON error with a message; {said}"]
        return []
    if response.status_code != endpoint.ok:
        return [f"expected {endpoint.ok}; {said}"]
    data = response.json() if endpoint.expect else {}
    problems = []
    for name, expected in fill(endpoint.expect, world).items():
        if name == "results":
            if len(data["results"]) < expected:
                problems.append(f"fewer than {expected} results; {said}")
        elif data.get(name) != expected:
            problems.append(f"{name} is {data.get(name)!r}, not {expected!r}; {said}")
    return problems


def test_it_allows_exactly_the_roles_of_the_matrix(clients, world):
    """Every (endpoint, role) pair acts on the same starting state: each request runs in a
    savepoint that is rolled back afterwards. All failing pairs are reported together."""
    problems: list[str] = []
    for endpoint in ENDPOINTS:
        for role in ROLES:
            with transaction.atomic():
                response = call(clients[role], endpoint, world)
                problems += problems_for(role, endpoint, response, world)
                transaction.set_rollback(True)
    assert not problems, f"{len(problems)} of {len(ENDPOINTS) * len(ROLES)} pairs:\n" + "\n".join(
        problems
    )


def test_it_covers_every_endpoint_and_method_of_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if path.startswith("/api/v1/")
    }
    tested = set()
    for endpoint in ENDPOINTS:
        path = endpoint.path.split("?")[0]
        for name in (
            "article",
            "claim_verified",
            "claim_proposed",
            "claim",
            "quote",
            "mention",
            "date",
            "entity",
            "finding",
        ):
            path = path.replace("{" + name + "}", "{id}")
        tested.add((endpoint.method, path.replace("{evidence}", "{evidence_id}")))
    assert documented - tested == set()


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/api/v1/claims"),
        ("GET", "/api/v1/articles/{article}"),
        ("POST", "/api/v1/articles"),
    ],
)
def test_it_refuses_a_signed_in_person_without_a_role(method, path, world, outsider):
    from tests.api.conftest import user_client

    response = user_client(outsider).generic(
        method, fill(path, world), data="{}", content_type="application/json"
    )
    assert response.status_code == 403
    assert "role" in response.json()["message"]


def test_it_lets_a_write_key_delete_only_what_it_wrote(world, clients, write_key):
    client = clients["write_key"]
    created = client.post(
        "/api/v1/claims",
        {"article": str(world.article.uuid), "start": 0, "end": 9, "exact": "Officials"},
        format="json",
    ).json()
    assert created["id"]
    theirs = client.delete(f"/api/v1/claims/{world.claim.uuid}?version={world.claim.version}")
    mine = client.delete(f"/api/v1/claims/{created['id']}?version={created['version']}")
    assert theirs.status_code == 403
    assert mine.status_code == 204
    assert client.get(f"/api/v1/claims/{created['id']}").status_code == 404


def test_it_attributes_what_a_write_key_writes_to_its_service_user(world, clients, write_key):
    from apps.annotations.models import Claim

    response = clients["write_key"].post(
        "/api/v1/claims",
        {"article": str(world.article.uuid), "start": 0, "end": 9, "exact": "Officials"},
        format="json",
    )
    claim = Claim.objects.get(uuid=response.json()["id"])
    assert claim.created_by == write_key.key.user
    assert claim.created_by.username.startswith("api-key-cms-")
    assert not claim.created_by.has_usable_password()


def test_it_refuses_review_to_a_key_even_if_its_service_user_became_a_reviewer(
    world, clients, write_key
):
    from django.contrib.auth.models import Group

    write_key.key.user.groups.add(Group.objects.get(name="reviewer"))
    response = clients["write_key"].post(
        f"/api/v1/claims/{world.claim_proposed.uuid}/verify",
        {"version": world.claim_proposed.version},
        format="json",
    )
    assert response.status_code == 403
    assert "four-eyes" in response.json()["message"]
    world.claim_proposed.refresh_from_db()
    assert world.claim_proposed.verdict_state == "proposed"
