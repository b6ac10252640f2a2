"""A person's touch is structural (issue 10): every write of a person or an API key marks the
annotation touched, and extraction never replaces or deletes what a person touched."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.accounts.api_keys import api_key_create
from apps.annotations.models import AnchorState, Claim
from apps.annotations.services import (
    AnnotationError,
    Conflict,
    NotAllowed,
    annotation_reattach,
    claim_verdict_propose,
    evidence_add,
)
from apps.articles.models import Article
from apps.articles.services import article_import, article_update_body
from tests.api.conftest import key_client
from tests.factories import annotate
from tests.snapshots import db_snapshot

SEED = "seed:paris-coalition-meeting.txt"


@pytest.fixture
def seed(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("loadseeds", verbosity=0)
    return Article.objects.get(external_id=SEED)


@pytest.fixture
def write_key(db):
    return api_key_create(name="CMS", scope="write", by=None)


def test_a_verdict_and_evidence_given_through_the_api_survive_a_reimport(
    seed, write_key, django_capture_on_commit_callbacks
):
    client = key_client(write_key.secret)
    claim = Claim.objects.get(article=seed, exact__startswith="Starmer stated that allied nations")
    assert claim.origin == "automatic"
    url = f"/api/v1/claims/{claim.uuid}"
    proposed = client.post(
        f"{url}/verdict",
        {"verdict": "inaccurate", "summary": "No such agreement.", "version": claim.version},
        format="json",
    )
    assert proposed.status_code == 200, proposed.content
    added = client.post(f"{url}/evidence", {"url": "https://example.org/communique"}, format="json")
    assert added.status_code == 201, added.content

    body = seed.body.replace("Starmer stated that allied", "Keir Starmer stated that allied")
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            "/api/v1/articles",
            {"title": seed.title, "body": body, "external_id": SEED},
            format="json",
        )
    assert again.status_code == 200, again.content
    seed.refresh_from_db()
    assert seed.revision == 2 and seed.extracted_sha256 == seed.body_sha256

    answer = client.get(url)
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["verdict"] == "inaccurate"
    assert data["verdict_state"] == "proposed"
    assert [e["url"] for e in data["evidence"]] == ["https://example.org/communique"]
    # Its words are all still there (the edit added the first name before them): re-anchored.
    assert data["exact"].startswith("Starmer stated that allied nations")
    assert seed.body[data["start"] : data["end"]] == data["exact"]


# --- A person re-attaches an orphan ---------------------------------------------------------------

BODY = "The committee met on Monday. The talks ended late in the evening. Nobody spoke."
SENTENCE = "The talks ended late in the evening."


@pytest.fixture
def orphan(annotator, editor):
    """A claim with a verdict and evidence whose sentence an edit rewrote beyond recognition."""
    article = article_import(title="Talks", body=BODY, created_by=annotator)
    claim = annotate(article, "claim", SENTENCE, annotator)
    claim = claim_verdict_propose(
        claim=claim, user=annotator, verdict="inaccurate", expected_version=claim.version
    )
    evidence_add(claim=claim, user=annotator, url="https://example.org/minutes")
    article_update_body(
        article=article,
        body=BODY.replace(SENTENCE, "Talks went on until midnight, officials said."),
        user=editor,
        expected_revision=1,
    )
    claim.refresh_from_db()
    assert claim.anchor_state == AnchorState.ORPHANED
    # Automatic re-anchoring is not a person's touch: still the annotator's verdict.
    assert claim.touched_by == annotator
    return claim


def test_a_person_reattaches_an_orphan_and_keeps_its_verdict_and_evidence(orphan, editor):
    words = "Talks went on until midnight"
    body = orphan.article.body
    start = body.index(words)
    moved = annotation_reattach(
        span=orphan,
        user=editor,
        expected_version=orphan.version,
        start=start,
        end=start + len(words),
        exact=words,
    )
    moved.refresh_from_db()
    assert (moved.start, moved.end, moved.exact) == (start, start + len(words), words)
    assert moved.anchor_state == AnchorState.ANCHORED
    assert moved.prefix == body[max(0, start - 32) : start]
    assert moved.verdict == "inaccurate" and moved.evidence.count() == 1
    assert moved.touched_by == editor and moved.contributors.filter(pk=editor.pk).exists()
    assert moved.version == orphan.version + 1
    assert moved.history.first().history_change_reason == "re-attached to a new selection"


def test_reattaching_is_refused_to_reviewers_and_for_words_not_in_the_text(orphan, reviewer):
    before = db_snapshot()
    with pytest.raises(NotAllowed, match="Only annotators and editors"):
        annotation_reattach(
            span=orphan, user=reviewer, expected_version=orphan.version, start=0, end=3, exact="The"
        )
    with pytest.raises(AnnotationError, match="not 'Nobody'"):
        annotation_reattach(
            span=orphan,
            user=orphan.created_by,
            expected_version=orphan.version,
            start=0,
            end=6,
            exact="Nobody",
        )
    with pytest.raises(Conflict):
        annotation_reattach(
            span=orphan,
            user=orphan.created_by,
            expected_version=orphan.version - 1,
            start=0,
            end=3,
            exact="The",
        )
    assert db_snapshot() == before


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_workspace_reattaches_an_orphan_from_its_words(client, orphan, annotator, htmx):
    client.force_login(annotator)
    workspace = f"/articles/{orphan.article.uuid}/?open=claim/{orphan.uuid}"
    assert f"/annotations/claim/{orphan.uuid}/reattach/" in client.get(workspace).content.decode()
    response = client.post(
        f"/annotations/claim/{orphan.uuid}/reattach/",
        {"m-version": orphan.version, "m-exact": "officials said", "m-occurrence": 1},
        headers={"HX-Request": "true"} if htmx else {},
    )
    assert response.status_code == (200 if htmx else 302), response.content[:300]
    orphan.refresh_from_db()
    assert orphan.exact == "officials said" and orphan.anchor_state == AnchorState.ANCHORED

    # Words that are not in the article: a message, nothing changed.
    refused = client.post(
        f"/annotations/claim/{orphan.uuid}/reattach/",
        {"m-version": orphan.version, "m-exact": "not in the text", "m-occurrence": 1},
        headers={"HX-Request": "true"} if htmx else {},
    )
    assert refused.status_code == 422
    assert "does not occur" in refused.content.decode()
    assert Claim.objects.get(pk=orphan.pk).exact == "officials said"


def test_reviewers_cannot_reattach_through_the_workspace(client, orphan, reviewer):
    client.force_login(reviewer)
    response = client.post(
        f"/annotations/claim/{orphan.uuid}/reattach/",
        {"m-version": orphan.version, "m-exact": "officials said"},
    )
    assert response.status_code == 403
    assert Claim.objects.get(pk=orphan.pk).anchor_state == AnchorState.ORPHANED


def test_the_workspace_reattaches_an_orphan_to_a_selection_by_its_offsets(
    client, orphan, annotator
):
    """Re-attach here: the selection's offsets are sent with its text; offsets that do not
    hold the text are refused (422, nothing changed)."""
    article = orphan.article
    article.refresh_from_db()
    first = article.body.index("Talks")
    before = db_snapshot()
    client.force_login(annotator)
    refused = client.post(
        f"/annotations/claim/{orphan.uuid}/reattach/",
        {"m-version": orphan.version, "m-exact": "Talks", "m-start": first + 1, "m-end": first + 6},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 422
    assert db_snapshot() == before
    response = client.post(
        f"/annotations/claim/{orphan.uuid}/reattach/",
        {"m-version": orphan.version, "m-exact": "Talks", "m-start": first, "m-end": first + 5},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    moved = Claim.objects.get(pk=orphan.pk)
    assert (moved.start, moved.end, moved.exact) == (first, first + 5, "Talks")
    assert moved.anchor_state == AnchorState.ANCHORED
