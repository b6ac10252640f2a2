"""List endpoints: claims filters (incl. full-text search), pinned query counts, ETags."""

from __future__ import annotations

import pytest

from apps.annotations.services import (
    annotation_create,
    claim_verdict_propose,
    claim_verify,
    evidence_add,
)
from apps.articles.services import article_import
from tests.factories import annotate
from tests.services import require_postgres

pytestmark = pytest.mark.django_db


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _claim(article, user, text, **fields):
    return annotate(article, "claim", text, user, **fields)


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"state": "verified"}, {"claim_verified"}),
        ({"verdict_state": "proposed"}, {"claim_proposed"}),
        ({"verdict": "inaccurate"}, {"claim_verified", "claim_proposed"}),
        ({"kind": "event_date"}, {"claim", "claim_verified"}),
        ({"review_state": "approved"}, {"claim_verified"}),
        ({"kind": "event_date", "state": "unverified"}, {"claim"}),
        ({"q": "official"}, {"claim"}),
        ({"q": "primary source"}, set()),
    ],
)
def test_it_filters_claims(world, clients, query, expected):
    response = clients["read_key"].get("/api/v1/claims", query)

    assert _ids(response) == {str(getattr(world, name).uuid) for name in expected}


def test_it_filters_claims_by_article_and_entity(world, clients, annotator):
    other = article_import(title="Other", body="Keir Starmer spoke in Leeds.", created_by=annotator)
    in_other = _claim(other, annotator, "Keir Starmer spoke in Leeds.")
    about_starmer = _claim(
        world.article, annotator, "“We will not retreat,” Keir Starmer explained."
    )
    client = clients["read_key"]

    assert _ids(client.get("/api/v1/claims", {"article": str(other.uuid)})) == {str(in_other.uuid)}
    # Only claims whose text holds a mention linked to the entity (the world links one in its
    # article; the other article's "Keir Starmer" is not linked).
    assert _ids(client.get("/api/v1/claims", {"entity": str(world.person.uuid)})) == {
        str(about_starmer.uuid)
    }
    assert _ids(client.get("/api/v1/claims", {"entity": str(world.office.uuid)})) == set()


def test_it_searches_claims_with_postgres_full_text_search(world, clients):
    require_postgres()
    client = clients["read_key"]

    # Stemmed, any word order, web-search syntax: none of these is a substring of the claim.
    assert _ids(client.get("/api/v1/claims", {"q": "ending talk"})) == {
        str(world.claim_proposed.uuid)
    }
    assert _ids(client.get("/api/v1/claims", {"q": '"was a saturday" or official'})) == {
        str(world.claim_verified.uuid),
        str(world.claim.uuid),
    }
    assert _ids(client.get("/api/v1/claims", {"q": "talks -late"})) == set()


@pytest.mark.parametrize(
    "query,field",
    [
        ({"state": "done"}, "state"),
        ({"article": "not-a-uuid"}, "article"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "5000"}, "page_size"),
    ],
)
def test_it_answers_a_bad_filter_with_the_filter_named(world, clients, query, field):
    response = clients["read_key"].get("/api/v1/claims", query)

    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field
    assert field in body["message"]


def _verified_claims(world, annotator, reviewer, n: int) -> None:
    words = world.article.body.split()
    for i in range(n):
        claim = _claim(world.article, annotator, words[i % len(words)])
        evidence_add(claim=claim, user=annotator, url=f"https://example.org/{i}", note="source")
        claim = claim_verdict_propose(
            claim=claim, user=annotator, verdict="accurate", expected_version=1
        )
        claim_verify(claim=claim, user=reviewer, expected_version=2)


# The query counts are pinned: a page costs the same whatever it holds (no N+1).
# API key lookup + claims + their evidence.
VERIFIED_PAGE_QUERIES = 3


@pytest.mark.parametrize("n", [2, 12])
def test_it_reads_a_page_of_verified_claims_in_a_fixed_number_of_queries(
    world, clients, annotator, reviewer, django_assert_num_queries, n
):
    _verified_claims(world, annotator, reviewer, n)
    client = clients["read_key"]

    with django_assert_num_queries(VERIFIED_PAGE_QUERIES):
        response = client.get("/api/v1/claims", {"state": "verified", "page_size": 100})

    rows = response.json()["results"]
    assert len(rows) == n + 1
    assert all(row["evidence"] for row in rows[1:])


@pytest.mark.parametrize(
    "path,queries",
    [
        # key + article + claims + evidence + quotes + mentions + dates + findings
        ("/api/v1/articles/{article}", 8),
        ("/api/v1/articles", 2),
        # key + entities + aliases + tenures + holders
        ("/api/v1/entities", 5),
        ("/api/v1/quotes", 2),
        ("/api/v1/mentions", 2),
        ("/api/v1/dates", 2),
        ("/api/v1/findings", 2),
    ],
)
def test_it_reads_other_lists_in_a_fixed_number_of_queries(
    world, clients, annotator, django_assert_num_queries, path, queries
):
    # More of everything than the world has, to show the count does not grow.
    _claim(world.article, annotator, "Paris")
    start = world.article.body.index("Starmer explained")
    annotation_create(
        article=world.article,
        kind="mention",
        start=start,
        end=start + 7,
        exact="Starmer",
        user=annotator,
        fields={"entity": world.person},
    )
    with django_assert_num_queries(queries):
        response = clients["read_key"].get(path.replace("{article}", str(world.article.uuid)))
    assert response.status_code == 200


def test_it_answers_not_modified_to_a_client_that_has_the_current_etag(world, clients, reviewer):
    client = clients["read_key"]
    path = f"/api/v1/claims/{world.claim_proposed.uuid}"
    first = client.get(path)
    etag = first["ETag"]

    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""

    claim_verify(claim=world.claim_proposed, user=reviewer, expected_version=2)
    changed = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["verdict_state"] == "verified"


def test_an_answer_rendered_differently_has_an_etag_of_its_own(world, clients):
    """The ETag is a strong validator of the bytes sent: an indented answer (asked for in
    Accept) is not "not modified" for a client holding the compact one, and each keeps its own
    304."""
    client = clients["read_key"]
    path = f"/api/v1/articles/{world.article.uuid}"
    indented = {"HTTP_ACCEPT": "application/json; indent=2"}
    compact = client.get(path)
    wide = client.get(path, **indented)
    assert wide.content != compact.content
    assert wide.json() == compact.json()

    assert wide["ETag"] != compact["ETag"]
    assert client.get(path, HTTP_IF_NONE_MATCH=compact["ETag"], **indented).status_code == 200
    assert client.get(path, HTTP_IF_NONE_MATCH=wide["ETag"], **indented).status_code == 304
    assert client.get(path, HTTP_IF_NONE_MATCH=compact["ETag"]).status_code == 304


def test_it_pages_through_a_list_with_next_links(world, clients, annotator):
    for word in ("Paris", "Tuesday", "talks", "ended"):
        _claim(world.article, annotator, word)
    client = clients["read_key"]
    seen: list[str] = []
    url = "/api/v1/claims?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 7


def test_it_writes_claims_exactly_as_their_declared_fields_would(world, annotator, settings):
    """ClaimOut and EvidenceOut write their answer directly (speed); DRF's field-by-field
    serialization of the same declared fields must give the same answer."""
    from rest_framework import serializers

    from apps.api.serializers import ClaimOut, EvidenceOut
    from apps.api.views import claim_queryset

    evidence_add(claim=world.claim, user=annotator, quoted_passage="“Quoted.”", note="n")
    claims = list(claim_queryset().order_by("id"))
    assert len(claims) == 3 and any(c.verified_at for c in claims)
    for claim in claims:
        fast = ClaimOut(claim).data
        generic = serializers.ModelSerializer.to_representation(ClaimOut(), claim)
        generic["evidence"] = [
            serializers.ModelSerializer.to_representation(EvidenceOut(), e)
            for e in claim.evidence.all()
        ]
        assert fast == generic
        assert list(fast) == list(generic)


def test_it_searches_claims_through_the_gin_index_on_postgres(world):
    """apps/api/migrations/0001 indexes the very expression claim_search builds; if one changed
    without the other, PostgreSQL could not use the index and a search would scan every claim."""
    require_postgres()
    from django.db import connection, transaction

    from apps.annotations.models import Claim
    from apps.api.filters import claim_search

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = claim_search(Claim.objects.all(), "retreat").explain()
    assert "api_claim_search_idx" in plan
