"""Body edits through article_update_body: revisions kept, spans re-anchored in the database,
orphans kept, approved spans whose text changed sent back to review."""

from __future__ import annotations

import pytest

from apps.annotations.models import AnchorState, Claim, EntityMention, Quote, ReviewState
from apps.annotations.services import annotation_create, annotation_review
from apps.articles.models import ArticleRevision
from apps.articles.services import article_import, article_update_body
from tests.factories import ArticleFactory, annotate

pytestmark = pytest.mark.django_db

BODY = (
    "Officials met in Paris on Tuesday, January 6, 2024. "
    "UK Prime Minister Keir Starmer said the talks were useful. "
    "“We will not retreat from our commitments,” Starmer explained. "
    "The meeting ended late in the evening."
)


@pytest.fixture
def article(annotator):
    return article_import(title="Talks in Paris", body=BODY, created_by=annotator)


def _approved(span, reviewer):
    return annotation_review(span=span, user=reviewer, approve=True, expected_version=span.version)


def _edit(article, user, new_body):
    article.refresh_from_db()
    return article_update_body(
        article=article, body=new_body, user=user, expected_revision=article.revision
    )


def test_it_keeps_every_earlier_revision_of_the_body(article, annotator):
    first = article.body
    second = first.replace("Officials met", "Senior officials met")
    third = second.replace("late in the evening", "at midnight")
    _edit(article, annotator, second)
    _edit(article, annotator, third)
    article.refresh_from_db()
    assert article.revision == 3
    assert article.body == third
    # ArticleRevision holds the earlier bodies; the current one is the article's own.
    revisions = list(ArticleRevision.objects.filter(article=article).order_by("number"))
    assert [(r.number, r.body) for r in revisions] == [(1, first), (2, second)]
    assert revisions[1].created_by == annotator  # who made revision 2
    # Revision 3 is kept in its turn when replaced: no body is ever lost.
    _edit(article, annotator, first)
    assert list(
        ArticleRevision.objects.filter(article=article)
        .order_by("number")
        .values_list("number", "body")
    ) == [(1, first), (2, second), (3, third)]


def test_an_edit_leaves_the_revision_rows_of_older_imports_as_they_are(article, annotator):
    """Imports before the body was stored once wrote a row for the current body: an edit keeps
    it as it is (no second row for the same number, nothing rewritten)."""
    legacy = ArticleRevision.objects.create(
        article=article,
        number=1,
        title=article.title,
        body=article.body,
        body_sha256=article.body_sha256,
        note="imported",
        created_by=annotator,
    )
    _edit(article, annotator, article.body + " More.")
    assert list(ArticleRevision.objects.filter(article=article).values_list("id", "number")) == [
        (legacy.pk, 1)
    ]


def test_it_keeps_the_first_body_of_an_article_that_was_not_imported(annotator):
    """An article made outside article_import (admin, fixtures) has no revision 1 yet: the edit
    must keep its body before replacing it."""
    article = ArticleFactory(body=BODY)
    _edit(article, annotator, BODY + " More later.")
    assert list(
        ArticleRevision.objects.filter(article=article)
        .order_by("number")
        .values_list("number", "body")
    ) == [(1, BODY)]


def test_it_shifts_spans_after_an_insertion_and_keeps_those_before(article, annotator):
    paris = annotate(article, "mention", "Paris", annotator)
    meeting = annotate(article, "claim", "The meeting ended late in the evening.", annotator)
    _edit(article, annotator, BODY.replace("UK Prime Minister", "The UK Prime Minister,"))
    article.refresh_from_db()
    paris.refresh_from_db()
    meeting.refresh_from_db()
    for span in (paris, meeting):
        assert article.body[span.start : span.end] == span.exact
        assert span.anchor_state == AnchorState.ANCHORED
        # Only moved: no new version, so nobody's open form goes stale.
        assert span.version == 1
    assert paris.start == BODY.index("Paris")
    assert meeting.start == article.body.index("The meeting ended")
    assert meeting.prefix == article.body[meeting.start - 32 : meeting.start]


def test_it_orphans_a_span_whose_sentence_was_deleted_and_keeps_it(article, annotator, reviewer):
    sentence = "The meeting ended late in the evening."
    claim = _approved(annotate(article, "claim", sentence, annotator), reviewer)
    _edit(article, annotator, BODY.replace(" " + sentence, ""))
    claim.refresh_from_db()  # still there: never deleted
    assert claim.anchor_state == AnchorState.ORPHANED
    assert claim.exact == sentence  # its last known text stays visible
    assert claim.review_state == ReviewState.PROPOSED
    assert "removed" in claim.review_note
    assert claim.version == 3
    last = claim.history.order_by("-history_id").first()
    assert last.history_user == annotator
    assert "orphaned" in last.history_change_reason


def test_it_lets_a_reviewer_reject_an_orphan_but_not_approve_it(
    article, annotator, reviewer, reviewer2
):
    from apps.annotations.services import AnnotationError

    claim = annotate(article, "claim", "The meeting ended late in the evening.", annotator)
    _edit(article, annotator, BODY.replace(" The meeting ended late in the evening.", ""))
    claim.refresh_from_db()
    with pytest.raises(AnnotationError, match="no longer in the article"):
        annotation_review(span=claim, user=reviewer, approve=True, expected_version=claim.version)
    claim.refresh_from_db()
    assert claim.review_state == ReviewState.PROPOSED
    annotation_review(
        span=claim, user=reviewer2, approve=False, expected_version=claim.version, note="gone"
    )
    claim.refresh_from_db()
    assert claim.review_state == ReviewState.REJECTED


def test_it_sends_an_approved_quote_back_to_review_when_its_text_is_edited(
    article, annotator, reviewer
):
    quote = _approved(
        annotate(article, "quote", "We will not retreat from our commitments", annotator), reviewer
    )
    new_body = BODY.replace("will not retreat", "will never retreat")
    _edit(article, annotator, new_body)
    quote.refresh_from_db()
    assert quote.exact == "We will never retreat from our commitments"
    assert new_body[quote.start : quote.end] == quote.exact
    assert quote.anchor_state == AnchorState.ANCHORED
    assert quote.review_state == ReviewState.PROPOSED
    assert "We will not retreat" in quote.review_note and "changed" in quote.review_note
    assert quote.version == 3
    history = list(quote.history.order_by("history_id"))
    assert [h.review_state for h in history] == ["proposed", "approved", "proposed"]
    assert history[-1].exact == quote.exact and history[-2].exact != quote.exact


def test_it_leaves_an_approved_span_approved_when_only_its_surroundings_change(
    article, annotator, reviewer
):
    claim = _approved(annotate(article, "claim", "Keir Starmer", annotator), reviewer)
    _edit(article, annotator, BODY.replace("UK Prime Minister", "British Prime Minister"))
    claim.refresh_from_db()
    assert claim.review_state == ReviewState.APPROVED
    assert claim.exact == "Keir Starmer"
    assert claim.prefix.endswith("British Prime Minister ")


def test_it_handles_several_edits_in_one_change(article, annotator):
    paris = annotate(article, "mention", "Paris", annotator)
    starmer = annotate(article, "claim", "Keir Starmer said the talks were useful", annotator)
    meeting = annotate(article, "claim", "ended late in the evening", annotator)
    new_body = (
        BODY.replace("Officials met", "Senior officials met")
        .replace("the talks were useful", "the long talks were useful")
        .replace("ended late in the evening", "ended at midnight")
    )
    _edit(article, annotator, new_body)
    for span in (paris, starmer, meeting):
        span.refresh_from_db()
    assert new_body[paris.start : paris.end] == "Paris"
    assert starmer.exact == "Keir Starmer said the long talks were useful"
    assert new_body[starmer.start : starmer.end] == starmer.exact
    assert meeting.anchor_state == AnchorState.ORPHANED


def test_it_refinds_an_orphan_when_the_edit_is_undone(article, annotator):
    claim = annotate(article, "claim", "The meeting ended late in the evening.", annotator)
    _edit(article, annotator, BODY.replace(" The meeting ended late in the evening.", ""))
    _edit(article, annotator, BODY)
    claim.refresh_from_db()
    assert claim.anchor_state == AnchorState.ANCHORED
    assert BODY[claim.start : claim.end] == claim.exact


def test_it_counts_offsets_in_code_points_with_emoji_before_the_span(annotator):
    body = "Fans 🎉 cheered. " + BODY
    article = article_import(title="Emoji", body=body, created_by=annotator)
    mention = annotate(article, "mention", "Keir Starmer", annotator)
    new_body = "🇬🇧🇫🇷 " + body.replace("🎉", "🎉🎉")
    _edit(article, annotator, new_body)
    mention.refresh_from_db()
    # 2 flags (4 code points) + space + 1 more emoji: 6 code points further on.
    assert mention.start == body.index("Keir Starmer") + 6
    assert new_body[mention.start : mention.end] == "Keir Starmer"


def test_it_moves_a_quotes_attribution_along_with_it(article, annotator):
    attribution = "Starmer explained"
    a_start = BODY.index(attribution)
    quote = annotate(
        article,
        "quote",
        "We will not retreat from our commitments",
        annotator,
        attribution_start=a_start,
        attribution_end=a_start + len(attribution),
    )
    assert quote.attribution_text == attribution
    new_body = "Update: " + BODY
    _edit(article, annotator, new_body)
    quote = Quote.objects.get(pk=quote.pk)
    assert new_body[quote.attribution_start : quote.attribution_end] == attribution


def test_it_drops_a_title_span_whose_text_was_removed_but_keeps_its_words(article, annotator):
    name = "Keir Starmer"
    title = "UK Prime Minister"
    mention = annotate(
        article,
        "mention",
        name,
        annotator,
        title_start=BODY.index(title),
        title_end=BODY.index(title) + len(title),
    )
    _edit(article, annotator, BODY.replace("UK Prime Minister Keir", "Keir"))
    mention = EntityMention.objects.get(pk=mention.pk)
    assert mention.exact == name and mention.anchor_state == AnchorState.ANCHORED
    assert (mention.title_start, mention.title_end) == (None, None)
    assert mention.title_text == title
    assert mention.version == 2


def test_it_changes_nothing_when_the_body_edit_is_refused(article, annotator):
    from apps.articles.services import ArticleConflict

    claim = annotate(article, "claim", "Keir Starmer", annotator)
    with pytest.raises(ArticleConflict):
        article_update_body(
            article=article, body="Other text entirely.", user=annotator, expected_revision=7
        )
    claim.refresh_from_db()
    article.refresh_from_db()
    assert article.body == BODY and article.revision == 1
    assert (claim.start, claim.version, claim.anchor_state) == (BODY.index("Keir"), 1, "anchored")
    assert Claim.objects.filter(article=article).count() == 1
    assert not ArticleRevision.objects.filter(article=article).exists()


def test_it_does_not_double_two_mentions_onto_one_name_when_a_sentence_goes(annotator):
    body = "Trump did not attend the summit. Trump later posted a statement."
    article = article_import(title="Summit", body=body, created_by=annotator)
    first = annotation_create(
        article=article, kind="mention", start=0, end=5, exact="Trump", user=annotator
    )
    second = annotation_create(
        article=article, kind="mention", start=33, end=38, exact="Trump", user=annotator
    )
    _edit(article, annotator, "Trump later posted a statement.")
    states = sorted(
        (m.anchor_state, m.start)
        for m in EntityMention.objects.filter(pk__in=[first.pk, second.pk])
    )
    # Which of the two words was deleted cannot be told from the text; that one name carries
    # one mention, and the other is kept as an orphan for a person to look at.
    assert states == [("anchored", 0), ("orphaned", 33)] or states == [
        ("anchored", 0),
        ("orphaned", 0),
    ]
