"""Undo of a delete (annotation_restore): the annotation comes back as it was — same id and uuid,
verdict, evidence, contributors (four eyes still holds) — with one history, and only for whoever
deleted it or an editor. Bad input changes nothing."""

from __future__ import annotations

import uuid

import pytest

from apps.annotations.models import AnchorState, Claim, Evidence, Quote
from apps.annotations.services import (
    AnnotationError,
    NotAllowed,
    annotation_create,
    annotation_delete,
    annotation_restore,
    annotation_review,
    claim_verdict_propose,
    evidence_add,
    evidence_remove,
)
from apps.articles.services import article_import, article_update_body
from tests.factories import UserFactory
from tests.snapshots import db_snapshot

pytestmark = pytest.mark.django_db

BODY = "Officials met in Paris on Tuesday. “We will not retreat,” Starmer explained."


@pytest.fixture
def article(annotator):
    return article_import(title="Talks", body=BODY, created_by=annotator)


def _create(article, user, kind, text):
    start = article.body.index(text)
    return annotation_create(
        article=article, kind=kind, start=start, end=start + len(text), exact=text, user=user
    )


@pytest.fixture
def claim(article, annotator):
    claim = _create(article, annotator, "claim", "Officials met in Paris")
    claim = claim_verdict_propose(
        claim=claim, user=annotator, verdict="inaccurate", expected_version=claim.version
    )
    evidence_add(claim=claim, user=annotator, url="https://example.org/a", title="A")
    removed = evidence_add(claim=claim, user=annotator, url="https://example.org/b", title="B")
    evidence_remove(evidence=removed, user=annotator)
    return Claim.objects.get(pk=claim.pk)


def test_it_restores_a_deleted_claim_with_its_identity_verdict_and_evidence(claim, annotator):
    pk, key, version = claim.pk, claim.uuid, claim.version
    annotation_delete(span=claim, user=annotator, expected_version=version)
    assert not Claim.objects.filter(uuid=key).exists()

    restored = annotation_restore(kind="claim", span_uuid=key, user=annotator)

    again = Claim.objects.get(uuid=key)
    assert (again.pk, restored.pk) == (pk, pk)
    assert (again.exact, again.verdict, again.verdict_state, again.rating) == (
        "Officials met in Paris",
        "inaccurate",
        "proposed",
        1,
    )
    assert again.anchor_state == AnchorState.ANCHORED
    assert again.version == version + 1
    # The evidence deleted with it comes back; the item removed before the delete stays removed.
    assert [e.url for e in again.evidence.all()] == ["https://example.org/a"]
    reasons = [h.history_change_reason for h in again.history.order_by("history_date")]
    assert reasons[-2:] == ["deleted", "restored (a delete undone)"]


def test_it_keeps_four_eyes_after_a_restore(claim, annotator, reviewer):
    annotation_delete(span=claim, user=annotator, expected_version=claim.version)
    restored = annotation_restore(kind="claim", span_uuid=claim.uuid, user=annotator)
    assert set(restored.contributors.values_list("pk", flat=True)) == {annotator.pk}
    # A reviewer who restores an editor's delete is not thereby a contributor.
    quote = _create(claim.article, annotator, "quote", "We will not retreat,")
    annotation_delete(span=quote, user=annotator, expected_version=quote.version)
    annotation_restore(kind="quote", span_uuid=quote.uuid, user=annotator)
    annotation_review(
        span=Quote.objects.get(uuid=quote.uuid),
        user=reviewer,
        approve=True,
        expected_version=quote.version + 1,
    )
    assert Quote.objects.get(uuid=quote.uuid).review_state == "approved"


def test_it_restores_an_item_whose_text_was_edited_away_as_an_orphan(article, annotator):
    quote = _create(article, annotator, "quote", "We will not retreat,")
    annotation_delete(span=quote, user=annotator, expected_version=quote.version)
    article_update_body(
        article=article,
        body=BODY.replace("We will not retreat,", "We stay,"),
        user=annotator,
        expected_revision=article.revision,
    )
    restored = annotation_restore(kind="quote", span_uuid=quote.uuid, user=annotator)
    assert restored.anchor_state == AnchorState.ORPHANED
    assert restored.exact == "We will not retreat,"


def test_it_refuses_a_restore_by_someone_else_and_changes_nothing(claim, annotator, editor):
    other = UserFactory(username="ann2", role="annotator")
    annotation_delete(span=claim, user=annotator, expected_version=claim.version)
    before = db_snapshot()
    with pytest.raises(NotAllowed, match="the person who deleted it"):
        annotation_restore(kind="claim", span_uuid=claim.uuid, user=other)
    assert db_snapshot() == before
    # An editor may.
    annotation_restore(kind="claim", span_uuid=claim.uuid, user=editor)
    assert Claim.objects.filter(uuid=claim.uuid).exists()


@pytest.mark.parametrize("which", ["existing", "unknown"])
def test_it_refuses_to_restore_what_is_not_deleted(claim, annotator, which):
    key = claim.uuid if which == "existing" else uuid.uuid4()
    before = db_snapshot()
    with pytest.raises(AnnotationError, match="nothing to undo|no deleted claim"):
        annotation_restore(kind="claim", span_uuid=key, user=annotator)
    assert db_snapshot() == before


def test_it_restores_twice_deleted_evidence_once(claim, annotator):
    annotation_delete(span=claim, user=annotator, expected_version=claim.version)
    annotation_restore(kind="claim", span_uuid=claim.uuid, user=annotator)
    claim = Claim.objects.get(uuid=claim.uuid)
    annotation_delete(span=claim, user=annotator, expected_version=claim.version)
    annotation_restore(kind="claim", span_uuid=claim.uuid, user=annotator)
    assert Evidence.objects.filter(claim__uuid=claim.uuid).count() == 1
