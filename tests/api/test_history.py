"""The audit history over the API: who changed an item, when and what, as on its history page."""

from __future__ import annotations

import uuid

import pytest

from apps.annotations.services import annotation_delete

pytestmark = pytest.mark.django_db


def test_it_tells_who_verified_a_claim_and_what_changed(world, clients):
    response = clients["read_key"].get(f"/api/v1/claims/{world.claim_verified.uuid}/history")

    assert response.status_code == 200
    history = response.json()
    assert history["kind"] == "claim" and history["deleted"] is False
    newest, *older = history["entries"]
    assert (newest["user"], newest["action"]) == ("rob", "changed")
    assert {"field": "verdict state", "old": "verdict proposed", "new": "verified"} in newest[
        "changes"
    ]
    assert older[-1]["action"] == "created" and older[-1]["user"] == "anna"


def test_it_shows_a_claims_evidence_in_its_history(world, clients):
    entries = (
        clients["annotator"].get(f"/api/v1/claims/{world.claim.uuid}/history").json()["entries"]
    )

    added = [e for e in entries if e["subject"].startswith("evidence")]
    assert len(added) == 1 and added[0]["action"] == "created"
    assert {"field": "url", "old": "", "new": "https://example.org/minutes"} in added[0]["changes"]


def test_it_keeps_answering_for_a_deleted_item(world, clients, annotator):
    claim_id = world.claim_proposed.uuid
    annotation_delete(
        span=world.claim_proposed, user=annotator, expected_version=world.claim_proposed.version
    )

    assert clients["read_key"].get(f"/api/v1/claims/{claim_id}").status_code == 404
    history = clients["read_key"].get(f"/api/v1/claims/{claim_id}/history").json()
    assert history["deleted"] is True
    assert history["entries"][0]["action"] == "deleted"
    assert history["entries"][0]["user"] == "anna"


def test_it_answers_404_with_a_message_for_an_unknown_item_and_304_when_unchanged(world, clients):
    missing = clients["read_key"].get(f"/api/v1/quotes/{uuid.uuid4()}/history")
    assert missing.status_code == 404
    assert "has any history" in missing.json()["message"]

    url = f"/api/v1/articles/{world.article.uuid}/history"
    first = clients["read_key"].get(url)
    again = clients["read_key"].get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
