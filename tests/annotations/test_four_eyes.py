"""Four eyes means anyone who wrote any part of the item (issue 10): whoever created, edited,
proposed the verdict of, or added (or removed) evidence to a claim may not approve or verify it
— also when someone else wrote after them. Through the services, the API and the queue."""

from __future__ import annotations

from itertools import combinations

import pytest
from rest_framework.test import APIClient

from apps.annotations.models import Claim, ReviewState
from apps.annotations.review_selectors import queue_counts_for_reviewer
from apps.annotations.services import (
    NotAllowed,
    annotation_create,
    annotation_review,
    annotation_update,
    claim_verdict_propose,
    claim_verify,
    evidence_add,
    evidence_remove,
)
from apps.articles.services import article_import
from tests.snapshots import db_snapshot

pytestmark = pytest.mark.django_db

BODY = "The committee met on Monday. The talks ended late in the evening."
SENTENCE = "The talks ended late in the evening."
CONTRIBUTIONS = ("created", "edited", "verdict", "evidence")
# Every non-empty combination of earlier contributions.
COMBINATIONS = [
    combo
    for size in range(1, len(CONTRIBUTIONS) + 1)
    for combo in combinations(CONTRIBUTIONS, size)
]


@pytest.fixture
def article(annotator):
    return article_import(title="Talks", body=BODY, created_by=annotator)


def _claim_with(article, *, contributor, other, contributions: tuple[str, ...]) -> Claim:
    """A claim to which `contributor` made `contributions`, then `other` wrote last (edited it
    and proposed its verdict): the contributor is never the last writer."""
    start = BODY.index(SENTENCE)
    claim = annotation_create(
        article=article,
        kind="claim",
        start=start,
        end=start + len(SENTENCE),
        exact=SENTENCE,
        user=contributor if "created" in contributions else other,
    )
    if "edited" in contributions:
        claim = annotation_update(
            span=claim, user=contributor, expected_version=claim.version, fields={"kind": "other"}
        )
    if "verdict" in contributions:
        claim = claim_verdict_propose(
            claim=claim, user=contributor, verdict="accurate", expected_version=claim.version
        )
    if "evidence" in contributions:
        evidence_add(claim=claim, user=contributor, url="https://example.org/minutes")
    claim.refresh_from_db()
    claim = annotation_update(
        span=claim, user=other, expected_version=claim.version, fields={"kind": "quantity"}
    )
    return claim_verdict_propose(
        claim=claim, user=other, verdict="inaccurate", expected_version=claim.version
    )


@pytest.mark.parametrize("action", ["approve", "verify"])
@pytest.mark.parametrize("contributions", COMBINATIONS, ids="+".join)
def test_a_contributor_can_neither_approve_nor_verify(
    article, editor, annotator, action, contributions
):
    claim = _claim_with(article, contributor=editor, other=annotator, contributions=contributions)
    before = db_snapshot()
    with pytest.raises(NotAllowed, match="another reviewer has to"):
        if action == "approve":
            annotation_review(span=claim, user=editor, approve=True, expected_version=claim.version)
        else:
            claim_verify(claim=claim, user=editor, expected_version=claim.version)
    assert db_snapshot() == before


@pytest.mark.parametrize("action", ["approve", "verify"])
def test_a_reviewer_who_wrote_nothing_can_approve_and_verify(
    article, editor, annotator, reviewer, action
):
    claim = _claim_with(article, contributor=editor, other=annotator, contributions=CONTRIBUTIONS)
    if action == "approve":
        done = annotation_review(
            span=claim, user=reviewer, approve=True, expected_version=claim.version
        )
        assert done.review_state == ReviewState.APPROVED
    else:
        done = claim_verify(claim=claim, user=reviewer, expected_version=claim.version)
        assert done.verdict_state == Claim.VerdictState.VERIFIED
    # A review touches the claim but does not make the reviewer one of its contributors.
    assert done.touched_by == reviewer
    assert not done.contributors.filter(pk=reviewer.pk).exists()


def test_removing_evidence_makes_a_reviewer_a_contributor(article, annotator, reviewer):
    claim = _claim_with(article, contributor=annotator, other=annotator, contributions=("created",))
    evidence = evidence_add(claim=claim, user=annotator, url="https://example.org/a")
    evidence_remove(evidence=evidence, user=reviewer)
    claim.refresh_from_db()
    with pytest.raises(NotAllowed):
        claim_verify(claim=claim, user=reviewer, expected_version=claim.version)


def test_the_api_refuses_verification_by_an_earlier_evidence_author(article, editor, annotator):
    claim = _claim_with(article, contributor=editor, other=annotator, contributions=("evidence",))
    client = APIClient()
    client.force_login(editor)
    response = client.post(
        f"/api/v1/claims/{claim.uuid}/verify", {"version": claim.version}, format="json"
    )
    assert response.status_code == 403, response.content
    assert "wrote part of" in response.json()["message"]
    claim.refresh_from_db()
    assert claim.verdict_state == Claim.VerdictState.PROPOSED

    approve = client.post(
        f"/api/v1/claims/{claim.uuid}/review",
        {"approve": True, "version": claim.version},
        format="json",
    )
    assert approve.status_code == 403, approve.content
    assert "another reviewer" in approve.json()["message"]


def test_the_queue_offers_approve_and_verify_only_to_those_who_wrote_nothing(
    client, article, editor, annotator, reviewer
):
    claim = _claim_with(article, contributor=editor, other=annotator, contributions=("edited",))
    verify_url = f"/review/claim/{claim.uuid}/verify/"
    approve_url = f"/review/claim/{claim.uuid}/approve/"

    client.force_login(editor)
    page = client.get("/review/").content.decode()
    assert SENTENCE in page  # listed...
    assert verify_url not in page and approve_url not in page  # ...but not for them to pass
    assert "You wrote part of this claim" in page
    assert queue_counts_for_reviewer(user=editor) == {
        "claim": 0,
        "quote": 0,
        "mention": 0,
        "date": 0,
        "verdict": 0,
    }

    client.force_login(reviewer)
    page = client.get("/review/").content.decode()
    assert verify_url in page and approve_url in page
    assert queue_counts_for_reviewer(user=reviewer)["verdict"] == 1


def test_the_workspace_does_not_offer_approve_or_verify_to_an_earlier_editor(
    client, article, editor, annotator
):
    claim = _claim_with(article, contributor=editor, other=annotator, contributions=("edited",))
    client.force_login(editor)
    page = client.get(f"/articles/{article.uuid}/?open=claim/{claim.uuid}").content.decode()
    assert "This is your work: another reviewer has to approve or reject it." in page
    assert f"/annotations/claim/{claim.uuid}/verify/" not in page
