"""Removing evidence (issue 10): its author, reviewers and editors only; anyone else gets a
clear refusal (403 through both doors) and nothing changes."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.accounts.api_keys import api_key_create
from apps.annotations.models import Evidence
from apps.annotations.services import (
    NotAllowed,
    annotation_create,
    evidence_add,
    evidence_remove,
)
from apps.articles.services import article_import
from tests.api.conftest import key_client
from tests.factories import UserFactory
from tests.snapshots import db_snapshot

pytestmark = pytest.mark.django_db

BODY = "The committee met on Monday. The talks ended late in the evening."
SENTENCE = "The talks ended late in the evening."


@pytest.fixture
def claim(annotator):
    article = article_import(title="Talks", body=BODY, created_by=annotator)
    start = BODY.index(SENTENCE)
    return annotation_create(
        article=article,
        kind="claim",
        start=start,
        end=start + len(SENTENCE),
        exact=SENTENCE,
        user=annotator,
    )


@pytest.mark.parametrize("remover", ["author", "reviewer", "editor"])
def test_its_author_a_reviewer_or_an_editor_removes_evidence(
    claim, annotator, reviewer, editor, remover
):
    evidence = evidence_add(claim=claim, user=annotator, url="https://example.org/a")
    user = {"author": annotator, "reviewer": reviewer, "editor": editor}[remover]
    evidence_remove(evidence=evidence, user=user)
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    claim.refresh_from_db()
    assert claim.touched_by == user  # the removal is a person's write on the claim
    assert claim.contributors.filter(pk=user.pk).exists()


@pytest.mark.parametrize("remover", ["other annotator", "outsider"])
def test_anyone_else_is_refused_and_nothing_changes(claim, annotator, outsider, remover):
    evidence = evidence_add(claim=claim, user=annotator, url="https://example.org/a")
    user = outsider if remover == "outsider" else UserFactory(username="ann2", role="annotator")
    before = db_snapshot()
    with pytest.raises(NotAllowed, match="Only the person who added this evidence"):
        evidence_remove(evidence=evidence, user=user)
    assert db_snapshot() == before


def test_through_the_api_a_key_removes_its_own_evidence_only(claim):
    ours = api_key_create(name="CMS", scope="write", by=None)
    theirs = api_key_create(name="Other CMS", scope="write", by=None)
    added = key_client(ours.secret).post(
        f"/api/v1/claims/{claim.uuid}/evidence", {"url": "https://example.org/a"}, format="json"
    )
    assert added.status_code == 201, added.content
    url = f"/api/v1/claims/{claim.uuid}/evidence/{added.json()['id']}"

    refused = key_client(theirs.secret).delete(url)
    assert refused.status_code == 403, refused.content
    assert "Only the person who added this evidence" in refused.json()["message"]
    assert Evidence.objects.count() == 1

    assert key_client(ours.secret).delete(url).status_code == 204
    assert not Evidence.objects.exists()


def test_through_the_api_a_reviewer_removes_an_annotators_evidence(claim, annotator, reviewer):
    evidence = evidence_add(claim=claim, user=annotator, url="https://example.org/a")
    url = f"/api/v1/claims/{claim.uuid}/evidence/{evidence.uuid}"
    other = APIClient()
    other.force_login(UserFactory(username="ann2", role="annotator"))
    refused = other.delete(url)
    assert refused.status_code == 403
    assert "a reviewer or an editor" in refused.json()["message"]
    client = APIClient()
    client.force_login(reviewer)
    assert client.delete(url).status_code == 204
    assert not Evidence.objects.exists()
