"""article_extract: proposals written in bulk, re-runs that keep people's work, checks requested."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from apps.annotations.models import (
    SPAN_MODELS,
    AnchorState,
    Claim,
    DateMention,
    EntityMention,
    Origin,
    Quote,
    ReviewState,
)
from apps.annotations.services import (
    annotation_create,
    annotation_delete,
    annotation_review,
    annotation_update,
    claim_verdict_propose,
    evidence_add,
    span_context,
)
from apps.articles.models import Article
from apps.articles.services import article_import, article_update_body
from apps.extraction.pipeline import EXTRACTOR_VERSION
from apps.extraction.services import article_extract
from apps.knowledge.models import Entity
from tests.factories import ArticleFactory, EntityFactory, TenureFactory

BODY = (
    "UK Prime Minister Keir Starmer met Emmanuel Macron in Paris on January 6, 2024.\n"
    "Macron said, “We are ready to act together with all of our partners.” Starmer agreed, "
    "and 30 countries signed."
)


@pytest.fixture
def kb(db):
    starmer = EntityFactory(label="Keir Starmer", aliases=["Starmer"])
    macron = EntityFactory(label="Emmanuel Macron", aliases=["Macron"])
    uk_pm = EntityFactory(
        label="Prime Minister of the United Kingdom",
        kind=Entity.Kind.OFFICE,
        aliases=["UK Prime Minister", "Prime Minister"],
    )
    french_president = EntityFactory(
        label="President of France", kind=Entity.Kind.OFFICE, aliases=["French President"]
    )
    TenureFactory(person=starmer, office=uk_pm, start=dt.date(2024, 7, 5))
    TenureFactory(person=macron, office=french_president, start=dt.date(2017, 5, 14))
    EntityFactory(label="Paris", kind=Entity.Kind.PLACE)
    return {"starmer": starmer, "macron": macron, "uk_pm": uk_pm}


@pytest.fixture
def article(kb):
    return ArticleFactory(body=BODY, published_on=dt.date(2026, 1, 7))


def all_spans(article: Article) -> list[tuple]:
    """Every span of the article as (type, id, start, end, version)."""
    return sorted(
        (kind, span.pk, span.start, span.end, span.version)
        for kind, model in SPAN_MODELS.items()
        for span in model.objects.filter(article=article)
    )


def test_it_writes_automatic_proposals_that_point_at_their_text(article, kb):
    result = article_extract(article_id=article.pk)
    assert result.created == {"date": 1, "mention": 5, "quote": 1, "claim": 3}
    for model in SPAN_MODELS.values():
        for span in model.objects.filter(article=article):
            assert article.body[span.start : span.end] == span.exact
            assert (span.prefix, span.suffix) == span_context(article.body, span.start, span.end)
            assert span.origin == Origin.AUTOMATIC
            assert span.extractor_version == EXTRACTOR_VERSION
            assert span.review_state == ReviewState.PROPOSED
            assert span.created_by is None
            (created,) = span.history.all()  # its creation is on its history
            assert (created.history_type, created.exact) == ("+", span.exact)
    mention = EntityMention.objects.get(article=article, exact="Keir Starmer")
    assert (mention.title_text, mention.office, mention.entity) == (
        "UK Prime Minister",
        kb["uk_pm"],
        kb["starmer"],
    )
    quote = Quote.objects.get(article=article)
    assert (quote.speaker, quote.attribution_text, quote.verb) == (
        kb["macron"],
        "Macron said",
        "said",
    )
    claims = list(Claim.objects.filter(article=article).order_by("-check_worthiness", "start"))
    assert [c.kind for c in claims] == ["role", "attribution", "quantity"]
    assert "January 6, 2024" in claims[0].reason


def test_it_records_the_extracted_body_and_requests_the_checks(
    article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        article_extract(article_id=article.pk)
    article.refresh_from_db()
    assert article.extracted_sha256 == article.body_sha256
    assert article.extracted_at is not None
    assert article.check_state == Article.CheckState.PENDING
    assert len(callbacks) == 1  # the checks task, sent once the extraction is committed


def test_it_changes_nothing_when_run_again(article):
    article_extract(article_id=article.pk)
    before = all_spans(article)
    result = article_extract(article_id=article.pk)
    assert all_spans(article) == before
    assert sum(result.created.values()) == 0
    assert sum(result.deleted.values()) == 0


def test_it_never_changes_what_a_person_edited_approved_or_rejected(article, annotator, reviewer):
    article_extract(article_id=article.pk)
    mention = EntityMention.objects.get(article=article, exact="Keir Starmer")
    edited = annotation_update(
        span=mention, user=annotator, expected_version=1, fields={"title_modifier": "acting"}
    )
    quote = annotation_review(
        span=Quote.objects.get(article=article), user=reviewer, approve=True, expected_version=1
    )
    date = annotation_review(
        span=DateMention.objects.get(article=article),
        user=reviewer,
        approve=False,
        expected_version=1,
        note="wrong date",
    )
    touched = {(type(s), s.pk): (s.start, s.end, s.version) for s in (edited, quote, date)}

    article_extract(article_id=article.pk)

    for (model, pk), state in touched.items():
        span = model.objects.get(pk=pk)
        assert (span.start, span.end, span.version) == state
    assert EntityMention.objects.get(pk=edited.pk).title_modifier == "acting"
    assert Quote.objects.get(pk=quote.pk).review_state == ReviewState.APPROVED
    assert DateMention.objects.get(pk=date.pk).review_state == ReviewState.REJECTED
    # No duplicate proposal next to them.
    assert EntityMention.objects.filter(article=article, exact="Keir Starmer").count() == 1
    assert Quote.objects.filter(article=article).count() == 1
    assert DateMention.objects.filter(article=article).count() == 1


def test_it_proposes_nothing_over_a_manual_annotation(article, annotator):
    start = article.body.index("January 6, 2024")
    manual = annotation_create(
        article=article,
        kind="date",
        start=start,
        end=start + len("January 6"),
        exact="January 6",
        user=annotator,
        fields={"value": dt.date(2024, 1, 6)},
    )
    article_extract(article_id=article.pk)
    assert list(DateMention.objects.filter(article=article)) == [manual]


def test_it_does_not_bring_back_a_proposal_a_person_deleted(article, editor):
    article_extract(article_id=article.pk)
    paris = EntityMention.objects.get(article=article, exact="Paris")
    annotation_delete(span=paris, user=editor, expected_version=1)
    article_extract(article_id=article.pk)
    assert not EntityMention.objects.filter(article=article, exact="Paris").exists()
    assert EntityMention.objects.filter(article=article, exact="Keir Starmer").exists()


def test_it_replaces_untouched_proposals_after_a_body_edit_and_keeps_reviewed_ones(
    article, reviewer, editor, django_capture_on_commit_callbacks
):
    article_extract(article_id=article.pk)
    quote = annotation_review(
        span=Quote.objects.get(article=article), user=reviewer, approve=True, expected_version=1
    )
    new_body = article.body.replace("January 6, 2024", "Tuesday, January 9, 2024")
    with django_capture_on_commit_callbacks(execute=True):
        article_update_body(article=article, body=new_body, user=editor, expected_revision=1)
    article.refresh_from_db()
    assert list(DateMention.objects.filter(article=article).values_list("exact", "value")) == [
        ("Tuesday, January 9, 2024", dt.date(2024, 1, 9))
    ]
    kept = Quote.objects.get(article=article)
    assert kept.pk == quote.pk
    assert kept.review_state == ReviewState.APPROVED
    assert article.body[kept.start : kept.end] == kept.exact
    assert article.extracted_sha256 == article.body_sha256
    # Each proposal's creation is on its history once, those of either run.
    for model in SPAN_MODELS.values():
        for span in model.objects.filter(article=article):
            assert span.history.filter(history_type="+").count() == 1


def test_it_uses_the_knowledge_base_as_it_is_now(kb):
    body = "Olaf Scholz arrived in Paris."
    other = ArticleFactory(body=body)
    article_extract(article_id=other.pk)
    assert list(EntityMention.objects.filter(article=other).values_list("exact", flat=True)) == [
        "Paris"
    ]
    EntityFactory(label="Olaf Scholz")
    article_extract(article_id=other.pk)
    assert sorted(EntityMention.objects.filter(article=other).values_list("exact", flat=True)) == [
        "Olaf Scholz",
        "Paris",
    ]


def test_it_does_nothing_for_an_article_that_is_gone(db):
    assert article_extract(article_id=987654) is None


def test_it_runs_after_an_import(kb, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = article_import(title="Talks", body=BODY, published_on=dt.date(2026, 1, 7))
    assert Quote.objects.filter(article=article).count() == 1
    assert DateMention.objects.filter(article=article).count() == 1


def test_the_command_extracts_the_named_articles(article, capsys):
    other = ArticleFactory(body="Emmanuel Macron spoke.")
    call_command("extract", str(article.uuid))
    assert EntityMention.objects.filter(article=article).exists()
    assert not EntityMention.objects.filter(article=other).exists()
    assert "Extracted 1 article(s)" in capsys.readouterr().out
    call_command("extract", "--all")
    assert EntityMention.objects.filter(article=other).exists()


def test_the_command_refuses_unknown_or_missing_ids_and_changes_nothing(article):
    with pytest.raises(CommandError, match="No article with id"):
        call_command("extract", str(article.uuid), "00000000-0000-0000-0000-000000000000")
    with pytest.raises(CommandError, match="Not an article id"):
        call_command("extract", "42")
    with pytest.raises(CommandError, match="or --all"):
        call_command("extract")
    assert not EntityMention.objects.filter(article=article).exists()


def test_it_leaves_orphaned_proposals_for_a_reviewer(
    article, editor, django_capture_on_commit_callbacks
):
    article_extract(article_id=article.pk)
    # The edit removes the sentence that held the quantity claim: that proposal is orphaned.
    new_body = article.body.replace(" Starmer agreed, and 30 countries signed.", "")
    with django_capture_on_commit_callbacks(execute=False):
        article_update_body(article=article, body=new_body, user=editor, expected_revision=1)
    orphan = Claim.objects.get(article=article, kind="quantity")
    assert orphan.anchor_state == AnchorState.ORPHANED
    assert orphan.origin == Origin.AUTOMATIC and orphan.edited_at is None
    before = {
        (kind, span.pk): (span.start, span.end, span.exact, span.version, span.anchor_state)
        for kind, model in SPAN_MODELS.items()
        for span in model.objects.filter(article=article, anchor_state=AnchorState.ORPHANED)
    }

    result = article_extract(article_id=article.pk)

    after = {
        (kind, span.pk): (span.start, span.end, span.exact, span.version, span.anchor_state)
        for kind, model in SPAN_MODELS.items()
        for span in model.objects.filter(article=article, anchor_state=AnchorState.ORPHANED)
    }
    assert after == before  # still there, unchanged
    assert result.orphans["claim"] == 1
    assert result.deleted["claim"] == 0
    # Nothing proposed twice: each anchored claim is on its own text, once.
    anchored = list(
        Claim.objects.filter(article=article, anchor_state=AnchorState.ANCHORED).values_list(
            "start", "end"
        )
    )
    assert len(anchored) == len(set(anchored)) == 2
    assert Claim.objects.filter(article=article, kind="quantity").count() == 1
    # A reviewer can still reject it.
    rejected = annotation_review(
        span=orphan, user=editor, approve=False, expected_version=orphan.version, note="gone"
    )
    assert rejected.review_state == ReviewState.REJECTED


def test_a_body_edit_keeps_an_automatic_claim_a_person_gave_a_verdict_and_evidence(
    article, annotator, editor, django_capture_on_commit_callbacks
):
    """Issue 10: a verdict and evidence make an automatic proposal a person's; the edit of its
    sentence and the re-extraction after it re-anchor it, never delete or replace it."""
    article_extract(article_id=article.pk)
    claim = Claim.objects.get(article=article, exact__contains="January 6, 2024")
    claim = claim_verdict_propose(
        claim=claim, user=annotator, verdict="inaccurate", expected_version=claim.version
    )
    evidence = evidence_add(claim=claim, user=annotator, url="https://example.org/minutes")
    # Without the title the sentence is another proposal for the extractor (another reason).
    new_body = article.body.replace("UK Prime Minister Keir Starmer met", "Keir Starmer met")
    with django_capture_on_commit_callbacks(execute=True):
        article_update_body(article=article, body=new_body, user=editor, expected_revision=1)
    article.refresh_from_db()
    assert article.extracted_sha256 == article.body_sha256  # the re-extraction did run

    kept = Claim.objects.get(pk=claim.pk)
    assert kept.verdict == "inaccurate" and kept.verdict_state == Claim.VerdictState.PROPOSED
    assert list(kept.evidence.values_list("pk", flat=True)) == [evidence.pk]
    assert kept.exact.startswith("Keir Starmer met Emmanuel Macron")
    assert article.body[kept.start : kept.end] == kept.exact
    # No fresh, unrated proposal over the same sentence next to it.
    overlapping = Claim.objects.filter(
        article=article, start__lt=kept.end, end__gt=kept.start
    ).values_list("pk", flat=True)
    assert list(overlapping) == [kept.pk]
    assert not kept.history.filter(history_type="-").exists()


@pytest.mark.parametrize(
    "touch",
    ["verdict", "evidence", "note", "speaker", "review"],
)
def test_any_write_of_a_person_makes_a_proposal_theirs(
    article, annotator, reviewer, editor, kb, touch, django_capture_on_commit_callbacks
):
    """Each kind of write marks the span touched, and re-extraction after an edit of its text
    keeps it (re-anchored or orphaned), where an untouched one would be replaced."""
    article_extract(article_id=article.pk)
    if touch == "speaker":
        span = Quote.objects.get(article=article)
        annotation_update(
            span=span, user=annotator, expected_version=1, fields={"speaker": kb["starmer"]}
        )
    else:
        span = Claim.objects.get(article=article, exact__contains="January 6, 2024")
        if touch == "verdict":
            claim_verdict_propose(
                claim=span, user=annotator, verdict="accurate", expected_version=1
            )
        elif touch == "evidence":
            evidence_add(claim=span, user=annotator, note="Minutes of the meeting.")
        elif touch == "note":
            annotation_review(
                span=span, user=reviewer, approve=False, expected_version=1, note="Too vague."
            )
        else:
            annotation_review(span=span, user=reviewer, approve=True, expected_version=1)
    span.refresh_from_db()
    assert span.touched_at is not None
    assert span.touched_by in (annotator, reviewer)
    new_body = article.body.replace(
        "UK Prime Minister Keir Starmer met", "Keir Starmer met"
    ).replace("Macron said,", "Macron told reporters,")
    with django_capture_on_commit_callbacks(execute=True):
        article_update_body(article=article, body=new_body, user=editor, expected_revision=1)
    assert type(span).objects.filter(pk=span.pk).exists()


def test_an_edit_next_to_a_deleted_proposal_does_not_bring_it_back(
    article, editor, django_capture_on_commit_callbacks
):
    article_extract(article_id=article.pk)
    paris = EntityMention.objects.get(article=article, exact="Paris")
    annotation_delete(span=paris, user=editor, expected_version=1)
    # The words before "Paris" change (so does its prefix); those after it do not.
    new_body = article.body.replace("Macron in Paris", "Macron in central Paris")
    with django_capture_on_commit_callbacks(execute=True):
        article_update_body(article=article, body=new_body, user=editor, expected_revision=1)
    article.refresh_from_db()
    assert article.extracted_sha256 == article.body_sha256
    assert not EntityMention.objects.filter(article=article, exact="Paris").exists()
    assert EntityMention.objects.filter(article=article, exact="Keir Starmer").exists()


def test_it_does_not_propose_again_what_a_person_deleted_of_their_own(article, annotator):
    article_extract(article_id=article.pk)
    proposed = DateMention.objects.get(article=article)
    mine = annotation_create(
        article=article,
        kind="date",
        start=proposed.start,
        end=proposed.end,
        exact=proposed.exact,
        user=annotator,
    )
    # The person's date replaces the untouched proposal on the same words...
    article_extract(article_id=article.pk)
    assert list(DateMention.objects.filter(article=article)) == [mine]
    # ...and once they delete it, extraction does not put a proposal back there.
    annotation_delete(span=mine, user=annotator, expected_version=mine.version)
    article_extract(article_id=article.pk)
    assert not DateMention.objects.filter(article=article).exists()


def test_it_reads_genders_and_the_publications_date_order_from_the_database(kb):
    # Two men named, then "she": only a woman in the KB can be meant; with genders unknown
    # the pronoun would fall to the last man named.
    may = EntityFactory(label="Theresa May", gender=Entity.Gender.FEMALE)
    Entity.objects.filter(pk__in=[kb["starmer"].pk, kb["macron"].pk]).update(gender="male")
    body = (
        "Theresa May listened as Keir Starmer spoke with Emmanuel Macron on 07/08/2025.\n\n"
        "“Nobody asked the country,” she said."
    )
    article = ArticleFactory(body=body, published_on=dt.date(2025, 9, 1), language="en-US")
    article_extract(article_id=article.pk)
    quote = Quote.objects.get(article=article)
    assert quote.speaker == may
    date = DateMention.objects.get(article=article)
    assert date.value == dt.date(2025, 7, 8)
