"""Every rule of apps.annotations.services: bad input gets a clear error and changes nothing."""

from __future__ import annotations

import uuid

import pytest

from apps.annotations.models import AnchorState, Claim, EntityMention, Evidence, Quote, ReviewState
from apps.annotations.services import (
    AnnotationError,
    Conflict,
    NotAllowed,
    annotation_create,
    annotation_delete,
    annotation_review,
    annotation_update,
    claim_verdict_propose,
    claim_verdict_return,
    claim_verify,
    evidence_add,
    evidence_remove,
)
from apps.articles.services import article_import
from apps.checks.models import Finding
from tests.factories import EntityFactory, UserFactory
from tests.snapshots import db_snapshot

pytestmark = pytest.mark.django_db

BODY = (
    "Officials met in Paris on Tuesday, January 6, 2024.   "
    "“We will not retreat,” Starmer explained. The talks ended late."
)


@pytest.fixture
def article(annotator):
    return article_import(title="Talks", body=BODY, created_by=annotator)


@pytest.fixture
def claim(article, annotator):
    return _create(article, annotator, "claim", "Officials met in Paris")


@pytest.fixture
def proposed_verdict(claim, annotator):
    return claim_verdict_propose(
        claim=claim, user=annotator, verdict="inaccurate", expected_version=claim.version
    )


def _create(article, user, kind, text, **kwargs):
    start = article.body.index(text)
    return annotation_create(
        article=article,
        kind=kind,
        start=start,
        end=start + len(text),
        exact=text,
        user=user,
        **kwargs,
    )


def _refused(exc_type, call, *, match: str, field: str | None = None):
    """The call raises `exc_type` with a message a person can act on, and changes nothing."""
    before = db_snapshot()
    with pytest.raises(exc_type, match=match) as caught:
        call()
    assert db_snapshot() == before
    if field is not None:
        assert caught.value.field == field
    return caught.value


# --- creating spans -----------------------------------------------------------------------------


def test_it_creates_a_span_with_its_context_and_author(article, annotator):
    claim = _create(article, annotator, "claim", "Starmer explained")
    assert BODY[claim.start : claim.end] == "Starmer explained"
    assert claim.prefix == BODY[claim.start - 32 : claim.start]
    assert claim.suffix == BODY[claim.end : claim.end + 32]
    assert (claim.created_by, claim.review_state, claim.version) == (annotator, "proposed", 1)
    assert claim.history.get().history_user == annotator


@pytest.mark.parametrize(
    ("start", "end", "match", "field"),
    [
        (-1, 5, "cannot be negative", "start"),
        (10, 5, "must be greater than start", "end"),
        (7, 7, "must be greater than start", "end"),
        (0, len(BODY) + 1, "past the end of the article", "end"),
        ("0", 5, "whole numbers", "start"),
        (0.0, 5, "whole numbers", "start"),
        (True, 5, "whole numbers", "start"),
        (None, 5, "whole numbers", "start"),
    ],
)
def test_it_refuses_offsets_out_of_range_or_inverted(article, annotator, start, end, match, field):
    _refused(
        AnnotationError,
        lambda: annotation_create(
            article=article, kind="claim", start=start, end=end, exact=None, user=annotator
        ),
        match=match,
        field=field,
    )


def test_it_refuses_an_exact_text_that_does_not_match_the_offsets(article, annotator):
    error = _refused(
        AnnotationError,
        lambda: annotation_create(
            article=article, kind="claim", start=0, end=9, exact="Ministers", user=annotator
        ),
        match="may have changed",
        field="exact",
    )
    assert "'Officials'" in error.message


def test_it_refuses_a_selection_of_only_whitespace(article, annotator):
    gap = BODY.index("   ")
    _refused(
        AnnotationError,
        lambda: annotation_create(
            article=article, kind="claim", start=gap, end=gap + 3, exact=None, user=annotator
        ),
        match="only whitespace",
    )


@pytest.mark.parametrize(
    ("kind", "fields", "match"),
    [
        ("gossip", None, "Unknown annotation type 'gossip'"),
        ("claim", {"verdict": "accurate"}, "Unknown field"),
        ("claim", {"kind": "rumour"}, "kind"),
        ("claim", {"reason": "x" * 301}, "reason"),
        ("date", {"precision": "week"}, "precision"),
        ("mention", {"entity": str(uuid.uuid4())}, "Unknown entity"),
        ("mention", {"entity": "not an id"}, "Unknown entity"),
        ("mention", {"title_modifier": "future"}, "title modifier"),
        ("claim", {"reason": "nul\x00byte"}, "NUL"),
    ],
)
def test_it_refuses_bad_fields(article, annotator, kind, fields, match):
    _refused(
        AnnotationError,
        lambda: _create(article, annotator, kind, "Paris", fields=fields),
        match=match,
    )


def test_it_links_an_entity_given_by_its_uuid(article, annotator):
    paris = EntityFactory(label="Paris")
    mention = _create(article, annotator, "mention", "Paris", fields={"entity": str(paris.uuid)})
    assert EntityMention.objects.get(pk=mention.pk).entity == paris


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"attribution_start": 5}, "needs both"),
        ({"attribution_start": 60, "attribution_end": 999}, "past the end"),
        ({"attribution_start": 80, "attribution_end": 70}, "greater than start"),
        (
            {"attribution_start": 0, "attribution_end": 9, "attribution_text": "Starmer"},
            "not 'Starmer'",
        ),
    ],
)
def test_it_refuses_a_bad_attribution_span(article, annotator, fields, match):
    _refused(
        AnnotationError,
        lambda: _create(article, annotator, "quote", "We will not retreat", fields=fields),
        match=f"attribution span.*{match}",
        field="attribution_start",
    )


def test_it_takes_the_attribution_text_from_the_body(article, annotator):
    start = BODY.index("Starmer explained")
    quote = _create(
        article,
        annotator,
        "quote",
        "We will not retreat",
        fields={"attribution_start": start, "attribution_end": start + 17},
    )
    assert Quote.objects.get(pk=quote.pk).attribution_text == "Starmer explained"


@pytest.mark.parametrize("role", ["reviewer", None])
def test_it_refuses_to_let_anyone_but_annotators_create(article, role):
    user = UserFactory(role=role)
    _refused(NotAllowed, lambda: _create(article, user, "claim", "Paris"), match="Only annotators")


def test_it_refuses_an_automatic_annotation_sent_by_a_person_without_the_role(article, outsider):
    _refused(
        NotAllowed,
        lambda: _create(article, outsider, "claim", "Paris", origin="automatic"),
        match="Only annotators",
    )
    _refused(
        AnnotationError,
        lambda: _create(article, None, "claim", "Paris", origin="oracle"),
        match="Unknown origin",
    )


def test_it_lets_extraction_create_automatic_proposals_without_a_user(article):
    span = _create(article, None, "date", "January 6, 2024", origin="automatic")
    assert (span.origin, span.created_by, span.review_state) == ("automatic", None, "proposed")


def test_it_checks_offsets_against_the_current_body_not_a_stale_copy(article, annotator):
    """A view holding an old Article instance cannot anchor a span in text that is gone."""
    from apps.articles.services import article_update_body

    stale = type(article).objects.get(pk=article.pk)
    article_update_body(
        article=article,
        body="Talks were held. " + BODY,
        user=annotator,
        expected_revision=1,
    )
    _refused(
        AnnotationError,
        lambda: annotation_create(
            article=stale, kind="claim", start=0, end=9, exact="Officials", user=annotator
        ),
        match="may have changed",
    )


# --- review -------------------------------------------------------------------------------------


def test_it_approves_with_who_and_when_and_a_history_entry(claim, reviewer):
    approved = annotation_review(span=claim, user=reviewer, approve=True, expected_version=1)
    assert (approved.review_state, approved.reviewed_by, approved.version) == (
        "approved",
        reviewer,
        2,
    )
    assert approved.reviewed_at is not None
    latest = approved.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (reviewer, "approved")


def test_it_refuses_review_to_an_annotator(claim):
    other = UserFactory(role="annotator")
    _refused(
        NotAllowed,
        lambda: annotation_review(span=claim, user=other, approve=True, expected_version=1),
        match="Only reviewers",
    )


def test_it_refuses_to_let_a_reviewer_approve_their_own_work(article):
    both = UserFactory(role="editor")
    mine = _create(article, both, "claim", "Paris")
    _refused(
        NotAllowed,
        lambda: annotation_review(span=mine, user=both, approve=True, expected_version=1),
        match="your own work",
    )


def test_it_refuses_approval_by_the_last_person_who_edited_it(claim, editor, reviewer):
    edited = annotation_update(span=claim, user=editor, expected_version=1, fields={"kind": "role"})
    _refused(
        NotAllowed,
        lambda: annotation_review(
            span=edited, user=editor, approve=True, expected_version=edited.version
        ),
        match="your own work",
    )
    annotation_review(span=edited, user=reviewer, approve=True, expected_version=edited.version)


def test_it_refuses_a_review_of_a_stale_version_and_shows_the_current_state(
    claim, reviewer, reviewer2
):
    annotation_review(span=claim, user=reviewer, approve=True, expected_version=1)
    error = _refused(
        Conflict,
        lambda: annotation_review(
            span=claim, user=reviewer2, approve=False, expected_version=1, note="wrong"
        ),
        match="changed by someone else.*approved, version 2",
    )
    assert error.current.review_state == "approved"
    assert error.status == 409


def test_it_refuses_to_reject_without_a_reason(claim, reviewer):
    _refused(
        AnnotationError,
        lambda: annotation_review(
            span=claim, user=reviewer, approve=False, expected_version=1, note="   "
        ),
        match="reason",
        field="note",
    )


def test_it_refuses_to_approve_twice(claim, reviewer, reviewer2):
    annotation_review(span=claim, user=reviewer, approve=True, expected_version=1)
    _refused(
        Conflict,
        lambda: annotation_review(span=claim, user=reviewer2, approve=True, expected_version=None),
        match="already approved",
    )


def test_it_refuses_a_nul_in_a_review_note(claim, reviewer):
    _refused(
        AnnotationError,
        lambda: annotation_review(
            span=claim, user=reviewer, approve=False, expected_version=1, note="bad\x00"
        ),
        match="NUL",
    )


# --- editing and deleting ------------------------------------------------------------------------


def test_it_sends_an_edited_approved_annotation_back_to_review(claim, annotator, reviewer):
    annotation_review(span=claim, user=reviewer, approve=True, expected_version=1)
    edited = annotation_update(
        span=claim, user=annotator, expected_version=2, fields={"kind": "event_date"}
    )
    assert (edited.review_state, edited.kind, edited.version) == ("proposed", "event_date", 3)
    assert "approved" in edited.review_note


def test_it_sends_an_edited_rejected_annotation_back_to_review(claim, annotator, reviewer):
    annotation_review(span=claim, user=reviewer, approve=False, expected_version=1, note="vague")
    edited = annotation_update(
        span=claim, user=annotator, expected_version=2, fields={"kind": "role"}
    )
    assert edited.review_state == "proposed"


def test_it_refuses_an_edit_of_a_stale_version(claim, annotator, editor):
    annotation_update(span=claim, user=editor, expected_version=1, fields={"kind": "role"})
    _refused(
        Conflict,
        lambda: annotation_update(
            span=claim, user=annotator, expected_version=1, fields={"kind": "quantity"}
        ),
        match="changed by someone else",
    )


def test_it_refuses_an_edit_by_a_reviewer(claim, reviewer):
    _refused(
        NotAllowed,
        lambda: annotation_update(
            span=claim, user=reviewer, expected_version=1, fields={"kind": "role"}
        ),
        match="Only annotators",
    )


def test_it_lets_only_the_author_or_an_editor_delete(claim, annotator, editor):
    other = UserFactory(role="annotator")
    _refused(
        NotAllowed,
        lambda: annotation_delete(span=claim, user=other, expected_version=1),
        match="author of an unreviewed",
    )
    annotation_delete(span=claim, user=annotator, expected_version=1)
    assert not Claim.objects.filter(pk=claim.pk).exists()
    deleted = Claim.history.filter(id=claim.pk).order_by("-history_id").first()
    assert (deleted.history_type, deleted.history_user) == ("-", annotator)


def test_it_refuses_the_author_deleting_a_reviewed_annotation(claim, annotator, reviewer):
    annotation_review(span=claim, user=reviewer, approve=True, expected_version=1)
    _refused(
        NotAllowed,
        lambda: annotation_delete(span=claim, user=annotator, expected_version=2),
        match="Only an editor",
    )


# --- verdicts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("verdict", ["true-ish", "not_rated", "", "ACCURATE"])
def test_it_refuses_a_verdict_outside_its_choices(claim, annotator, verdict):
    _refused(
        AnnotationError,
        lambda: claim_verdict_propose(
            claim=claim, user=annotator, verdict=verdict, expected_version=1
        ),
        match="Unknown verdict",
        field="verdict",
    )


@pytest.mark.parametrize("rating", [0, 6, -1, "3", 2.5, True])
def test_it_refuses_a_rating_outside_1_to_5(claim, annotator, rating):
    _refused(
        AnnotationError,
        lambda: claim_verdict_propose(
            claim=claim, user=annotator, verdict="misleading", expected_version=1, rating=rating
        ),
        match="1 \\(false\\) to 5 \\(true\\)",
        field="rating",
    )


def test_it_refuses_a_rating_label_that_does_not_fit(claim, annotator):
    _refused(
        AnnotationError,
        lambda: claim_verdict_propose(
            claim=claim,
            user=annotator,
            verdict="misleading",
            expected_version=1,
            rating_label="x" * 101,
        ),
        match="longer than 100",
    )


def test_it_proposes_a_verdict_with_the_rating_of_its_verdict(claim, annotator):
    proposed = claim_verdict_propose(
        claim=claim, user=annotator, verdict="inaccurate", expected_version=1, summary=" Wrong. "
    )
    assert (proposed.verdict_state, proposed.rating, proposed.rating_label) == (
        "proposed",
        1,
        "False",
    )
    assert (proposed.summary, proposed.verdict_by) == ("Wrong.", annotator)


def test_it_refuses_a_verdict_from_a_reviewer(claim, reviewer):
    _refused(
        NotAllowed,
        lambda: claim_verdict_propose(
            claim=claim, user=reviewer, verdict="accurate", expected_version=1
        ),
        match="Only annotators",
    )


def test_it_verifies_with_four_eyes_and_approves_the_claim(proposed_verdict, reviewer):
    verified = claim_verify(claim=proposed_verdict, user=reviewer, expected_version=2)
    assert (verified.verdict_state, verified.verified_by, verified.review_state) == (
        "verified",
        reviewer,
        "approved",
    )


def test_it_refuses_to_let_the_proposer_verify(article):
    both = UserFactory(role="editor")
    claim = _create(article, UserFactory(role="annotator"), "claim", "Paris")
    claim_verdict_propose(claim=claim, user=both, verdict="accurate", expected_version=1)
    _refused(
        NotAllowed,
        lambda: claim_verify(claim=claim, user=both, expected_version=2),
        match="claim you wrote part of",
    )


def test_it_refuses_to_let_the_claims_author_verify(article):
    both = UserFactory(role="editor")
    claim = _create(article, both, "claim", "Paris")
    claim_verdict_propose(
        claim=claim, user=UserFactory(role="annotator"), verdict="accurate", expected_version=1
    )
    _refused(
        NotAllowed,
        lambda: claim_verify(claim=claim, user=both, expected_version=2),
        match="claim you wrote part of",
    )


def test_it_refuses_to_verify_without_a_proposed_verdict(claim, reviewer):
    _refused(
        Conflict,
        lambda: claim_verify(claim=claim, user=reviewer, expected_version=1),
        match="no proposed verdict",
    )


def test_it_refuses_to_verify_a_stale_version(proposed_verdict, annotator, reviewer):
    claim_verdict_propose(
        claim=proposed_verdict, user=annotator, verdict="misleading", expected_version=2
    )
    _refused(
        Conflict,
        lambda: claim_verify(claim=proposed_verdict, user=reviewer, expected_version=2),
        match="changed by someone else",
    )


def test_it_refuses_to_verify_while_the_article_has_an_open_error(
    proposed_verdict, article, reviewer
):
    Finding.objects.create(
        article=article,
        code="ROLE_AT_DATE",
        check_version="1",
        severity="error",
        message="Keir Starmer was not UK Prime Minister on 6 January 2024",
        fingerprint="x",
    )
    _refused(
        AnnotationError,
        lambda: claim_verify(claim=proposed_verdict, user=reviewer, expected_version=2),
        match="open error findings about it: ROLE_AT_DATE: Keir Starmer was not UK Prime Minister",
    )
    Finding.objects.update(state="dismissed", state_reason="the KB is out of date")
    claim_verify(claim=proposed_verdict, user=reviewer, expected_version=2)


def test_it_refuses_a_new_verdict_on_a_verified_claim(proposed_verdict, annotator, reviewer):
    claim_verify(claim=proposed_verdict, user=reviewer, expected_version=2)
    _refused(
        Conflict,
        lambda: claim_verdict_propose(
            claim=proposed_verdict, user=annotator, verdict="accurate", expected_version=3
        ),
        match="already verified",
    )


def test_it_sends_a_verdict_back_only_with_a_reason(proposed_verdict, reviewer):
    _refused(
        AnnotationError,
        lambda: claim_verdict_return(
            claim=proposed_verdict, user=reviewer, expected_version=2, note=""
        ),
        match="Say why",
    )
    returned = claim_verdict_return(
        claim=proposed_verdict, user=reviewer, expected_version=2, note="Source is a blog."
    )
    assert (returned.verdict_state, returned.verdict_note) == ("returned", "Source is a blog.")


# --- evidence -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match", "field"),
    [
        ({}, "needs a URL, a quoted passage or a note", "url"),
        ({"title": "Only a title"}, "needs a URL", "url"),
        ({"url": "javascript:alert(1)"}, "url: Enter a valid URL", "url"),
        ({"url": "not a url"}, "Enter a valid URL", "url"),
        ({"note": "ok", "title": "t" * 501}, "title", "title"),
        ({"note": "nul\x00"}, "NUL", "note"),
    ],
)
def test_it_refuses_evidence_without_usable_content(claim, annotator, kwargs, match, field):
    _refused(
        AnnotationError,
        lambda: evidence_add(claim=claim, user=annotator, **kwargs),
        match=match,
        field=field,
    )


def test_it_adds_evidence_with_its_author(claim, annotator):
    evidence = evidence_add(
        claim=claim, user=annotator, url=" https://gov.uk/pm ", quoted_passage="took office"
    )
    assert (evidence.url, evidence.created_by) == ("https://gov.uk/pm", annotator)
    assert evidence.history.get().history_user == annotator


def test_it_refuses_evidence_from_a_reviewer(claim, reviewer):
    _refused(
        NotAllowed,
        lambda: evidence_add(claim=claim, user=reviewer, note="seen"),
        match="Only annotators",
    )


def test_it_keeps_the_evidence_of_a_verified_claim(proposed_verdict, annotator, reviewer):
    evidence = evidence_add(claim=proposed_verdict, user=annotator, note="Gov record")
    claim_verify(claim=proposed_verdict, user=reviewer, expected_version=2)
    _refused(
        AnnotationError,
        lambda: evidence_remove(evidence=evidence, user=annotator),
        match="verified claim cannot be removed",
    )
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_it_keeps_orphans_out_of_approval_but_listed(article, annotator, reviewer):
    from apps.articles.services import article_update_body

    claim = _create(article, annotator, "claim", "The talks ended late.")
    article_update_body(
        article=article,
        body=BODY.replace(" The talks ended late.", ""),
        user=annotator,
        expected_revision=1,
    )
    assert Claim.objects.filter(article=article, anchor_state=AnchorState.ORPHANED).get() == claim
    _refused(
        AnnotationError,
        lambda: annotation_review(span=claim, user=reviewer, approve=True, expected_version=2),
        match="no longer in the article",
    )
    assert Claim.objects.get(pk=claim.pk).review_state == ReviewState.PROPOSED
