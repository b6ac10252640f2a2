"""Exports in other people's formats: ClaimReview JSON-LD, W3C Web Annotations, CSV."""

from __future__ import annotations

import csv
import io

import pytest

from apps.annotations.services import (
    annotation_create,
    claim_verdict_propose,
    claim_verify,
)
from apps.articles.services import article_update_body

pytestmark = pytest.mark.django_db

# Google's ClaimReview documentation (developers.google.com/search/docs/appearance/structured-data/factcheck)
GOOGLE_REQUIRED = ["claimReviewed", "reviewRating", "url"]
GOOGLE_RECOMMENDED = ["author", "datePublished", "itemReviewed"]
RATING_REQUIRED = ["alternateName"]
RATING_RECOMMENDED = ["bestRating", "name", "ratingValue", "worstRating"]
CLAIM_RECOMMENDED = ["author", "datePublished", "appearance"]


def test_it_exports_a_verified_claim_as_a_complete_claimreview(world, clients, settings):
    settings.FACTDESK_ORG_NAME = "Example Fact Desk"
    settings.FACTDESK_ORG_URL = "https://facts.example.org"
    claim = world.claim_verified
    response = clients["read_key"].get(f"/api/v1/claims/{claim.uuid}/claimreview")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    review = response.json()
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    for name in GOOGLE_REQUIRED + GOOGLE_RECOMMENDED:
        assert review.get(name), name
    assert review["claimReviewed"] == claim.exact
    assert review["url"] == f"http://testserver/claims/{claim.uuid}/review/"  # our preview page
    assert review["author"] == {
        "@type": "Organization",
        "name": "Example Fact Desk",
        "url": "https://facts.example.org",
    }
    assert review["datePublished"] == claim.verified_at.date().isoformat()

    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    for name in RATING_REQUIRED + RATING_RECOMMENDED:
        assert rating.get(name) not in (None, ""), name
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    assert (rating["ratingValue"], rating["alternateName"]) == (1, "False")  # inaccurate

    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    for name in CLAIM_RECOMMENDED:
        assert item.get(name), name
    assert item["author"] == {"@type": "Person", "name": "Jane Reporter"}
    assert item["datePublished"] == "2026-01-07"
    assert item["appearance"]["url"] == "https://news.example.com/talks"
    assert item["appearance"]["headline"] == "Talks in Paris"


def test_it_names_the_speaker_as_the_author_of_a_claim_inside_a_quote(
    world, clients, annotator, reviewer
):
    text = "We will not retreat"
    start = world.article.body.index(text)
    claim = annotation_create(
        article=world.article,
        kind="claim",
        start=start,
        end=start + len(text),
        exact=text,
        user=annotator,
    )
    claim = claim_verdict_propose(
        claim=claim, user=annotator, verdict="misleading", expected_version=1
    )
    claim = claim_verify(claim=claim, user=reviewer, expected_version=2)

    review = clients["read_key"].get(f"/api/v1/claims/{claim.uuid}/claimreview").json()

    assert review["itemReviewed"]["author"] == {
        "@type": "Person",
        "name": "Keir Starmer",
        "sameAs": "https://www.wikidata.org/wiki/Q6279",
    }
    assert review["reviewRating"]["ratingValue"] == 2


def test_it_refuses_a_claimreview_for_a_claim_that_is_not_verified(world, clients):
    response = clients["read_key"].get(f"/api/v1/claims/{world.claim_proposed.uuid}/claimreview")

    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert "not verified" in body["message"]
    assert body["current"]["verdict_state"] == "proposed"


def _annotations(client, article) -> list[dict]:
    response = client.get(f"/api/v1/articles/{article.uuid}/annotations.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    collection = response.json()
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection"
    items = collection["first"]["items"]
    assert collection["total"] == len(items)
    return items


def _selectors(annotation: dict) -> tuple[dict, dict]:
    by_type = {s["type"]: s for s in annotation["target"]["selector"]}
    return by_type["TextQuoteSelector"], by_type["TextPositionSelector"]


def test_it_exports_annotations_whose_selectors_find_their_text_again(world, clients, annotator):
    # Astral characters (emoji, U+1D400) before the spans: code points, not UTF-16 units.
    body = "🙂 Officials met in 𝐏aris on Tuesday. “We will not retreat,” Starmer said. 🙂 End."
    article = article_update_body(
        article=world.article, body=body, user=annotator, expected_revision=1
    )
    for kind, text in [
        ("claim", "met in 𝐏aris"),
        ("quote", "“We will not retreat,”"),
        ("date", "Tuesday"),
    ]:
        start = body.index(text)
        annotation_create(
            article=article,
            kind=kind,
            start=start,
            end=start + len(text),
            exact=text,
            user=annotator,
        )

    items = _annotations(clients["read_key"], article)

    assert len(items) >= 3
    for annotation in items:
        assert annotation["type"] == "Annotation"
        assert annotation["id"].startswith("urn:uuid:")
        quote, position = _selectors(annotation)
        exact = quote["exact"]
        assert body[position["start"] : position["end"]] == exact
        assert body.count(quote["prefix"] + exact + quote["suffix"]) >= 1
        assert (
            body.index(quote["prefix"] + exact + quote["suffix"]) + len(quote["prefix"])
            == position["start"]
        )
    texts = {_selectors(a)[0]["exact"] for a in items}
    assert {"met in 𝐏aris", "“We will not retreat,”", "Tuesday"} <= texts


def test_it_leaves_orphaned_annotations_out_of_the_w3c_export(world, clients, annotator):
    body = world.article.body.replace("The talks ended late.", "")
    article_update_body(article=world.article, body=body, user=annotator, expected_revision=1)
    world.claim_proposed.refresh_from_db()
    assert world.claim_proposed.anchor_state == "orphaned"

    items = _annotations(clients["read_key"], world.article)

    ids = {a["id"] for a in items}
    assert f"urn:uuid:{world.claim_proposed.uuid}" not in ids
    assert f"urn:uuid:{world.claim.uuid}" in ids
    for annotation in items:
        quote, position = _selectors(annotation)
        assert body[position["start"] : position["end"]] == quote["exact"]


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_it_streams_the_claims_of_any_filter_as_csv(world, clients):
    rows = _csv(clients["read_key"].get("/api/v1/claims/export.csv?state=verified"))

    assert [r["id"] for r in rows] == [str(world.claim_verified.uuid)]
    row = rows[0]
    assert row["text"] == world.claim_verified.exact
    assert row["verdict"] == "inaccurate"
    assert row["article_id"] == str(world.article.uuid)
    assert row["article_url"] == "https://news.example.com/talks"

    everything = _csv(clients["read_key"].get("/api/v1/claims/export.csv"))
    assert {r["id"] for r in everything} == {
        str(c.uuid) for c in (world.claim, world.claim_proposed, world.claim_verified)
    }
    with_evidence = next(r for r in everything if r["id"] == str(world.claim.uuid))
    assert with_evidence["evidence_urls"] == "https://example.org/minutes"


def test_it_neutralises_spreadsheet_formulas_in_the_csv(world, clients, annotator):
    from apps.articles.services import article_import

    article = article_import(
        title="Formula", body='=HYPERLINK("http://evil.example") is a claim.', created_by=annotator
    )
    annotation_create(
        article=article, kind="claim", start=0, end=31, exact=article.body[:31], user=annotator
    )
    rows = _csv(clients["read_key"].get(f"/api/v1/claims/export.csv?article={article.uuid}"))

    assert rows[0]["text"] == "'" + article.body[:31]


def test_it_answers_a_bad_csv_filter_with_a_json_error(world, clients):
    response = clients["read_key"].get("/api/v1/claims/export.csv?state=true-ish")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["field"] == "state"


@pytest.mark.django_db(transaction=True)
def test_a_csv_download_in_progress_blocks_no_writer_and_sees_one_snapshot(annotator, monkeypatch):
    """A slow client holds the claims CSV open: people (and the worker) keep writing meanwhile,
    and the download is the claims as they were when it began. On SQLite a plain transaction
    would take the database's write lock for the whole download."""
    import threading

    from django.db import connection

    from apps.annotations import exports
    from apps.annotations.models import Claim
    from apps.articles.services import article_import

    monkeypatch.setattr(exports, "CSV_CHUNK", 1)
    article = article_import(
        title="Budget", body="Taxes rose. Spending fell.", created_by=annotator
    )
    for start, end in ((0, 11), (12, 26)):
        annotation_create(
            article=article,
            kind="claim",
            start=start,
            end=end,
            exact=article.body[start:end],
            user=annotator,
        )
    lines = exports.claim_csv_lines(Claim.objects.order_by("updated_at", "id"))
    received = [next(lines), next(lines)]  # the header and the first claim have left
    written = []

    def write() -> None:
        try:
            other = article_import(title="Later", body="Prices held.", created_by=annotator)
            annotation_create(
                article=other, kind="claim", start=0, end=11, exact="Prices held", user=annotator
            )
            written.append(True)
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        writer.join(timeout=10)
        assert written == [True]  # the writer did not wait for the download
        received += list(lines)
    finally:
        lines.close()  # ends the download's snapshot if the test failed half-way
        writer.join()
    texts = [row["text"] for row in csv.DictReader(io.StringIO("".join(received)))]
    assert texts == ["Taxes rose.", "Spending fell."]
