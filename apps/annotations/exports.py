"""Exports in other people's formats. Pure functions of already-loaded rows (no writes):

- a verified claim as schema.org ClaimReview JSON-LD (what Google's fact-check markup reads);
- an article's annotations as a W3C Web Annotation collection (TextQuoteSelector +
  TextPositionSelector; positions are Unicode code points into the article body, end exclusive);
- claims as CSV rows, one at a time, for a streamed download.

Both doors use them: the API (apps.api) and the claim pages (apps.annotations.claim_views)."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from apps.annotations.models import (
    AnchoredSpan,
    AnchorState,
    Claim,
    Evidence,
    ReviewState,
)
from apps.articles.models import Article
from apps.knowledge.models import Entity
from apps.snapshots import read_snapshot

SCHEMA_ORG = "https://schema.org"
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
BEST_RATING = 5
WORST_RATING = 1


def _organisation() -> dict[str, Any]:
    return {
        "@type": "Organization",
        "name": settings.FACTDESK_ORG_NAME,
        "url": settings.FACTDESK_ORG_URL,
    }


def _entity_url(entity: Entity) -> str | None:
    if entity.wikidata_id:
        return f"https://www.wikidata.org/wiki/{entity.wikidata_id}"
    return None


def claim_review_author(*, article: Article, speaker: Entity | None) -> dict[str, Any] | None:
    """Who made the claim: the speaker of the quote it sits in, else the article's byline, else
    the publication."""
    if speaker is not None:
        kind = "Organization" if speaker.kind == Entity.Kind.ORGANISATION else "Person"
        author: dict[str, Any] = {"@type": kind, "name": speaker.label}
        if url := _entity_url(speaker):
            author["sameAs"] = url
        return author
    if article.byline:
        return {"@type": "Person", "name": article.byline}
    if article.source:
        return {"@type": "Organization", "name": article.source}
    return None


def claim_review(
    *, claim: Claim, article: Article, speaker: Entity | None, url: str
) -> dict[str, Any]:
    """ClaimReview with Google's required properties (claimReviewed, reviewRating.alternateName,
    url) and the recommended ones (author, datePublished, itemReviewed with its author,
    datePublished and appearance, reviewRating's ratingValue/bestRating/worstRating/name)."""
    label = claim.rating_label or Claim.Verdict(claim.verdict).label.capitalize()
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": label, "name": label}
    if claim.rating is not None:
        rating.update(ratingValue=claim.rating, bestRating=BEST_RATING, worstRating=WORST_RATING)
    appearance: dict[str, Any] = {"@type": "NewsArticle", "headline": article.title}
    if article.url:
        appearance["url"] = article.url
    if article.published_on:
        appearance["datePublished"] = article.published_on.isoformat()
    if article.source:
        appearance["publisher"] = {"@type": "Organization", "name": article.source}
    item: dict[str, Any] = {"@type": "Claim", "appearance": appearance}
    item["firstAppearance"] = appearance
    if author := claim_review_author(article=article, speaker=speaker):
        item["author"] = author
    if article.published_on:
        item["datePublished"] = article.published_on.isoformat()
    review: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "ClaimReview",
        "@id": url,
        "url": url,
        "claimReviewed": claim.exact,
        "reviewRating": rating,
        "itemReviewed": item,
        "author": _organisation(),
        "inLanguage": article.language,
    }
    if claim.verified_at:
        review["datePublished"] = claim.verified_at.date().isoformat()
    if claim.summary:
        review["reviewBody"] = claim.summary
    return review


# --- W3C Web Annotation -------------------------------------------------------------------------


def _textual(value: str, purpose: str) -> dict[str, Any]:
    return {"type": "TextualBody", "value": value, "purpose": purpose, "format": "text/plain"}


def _entity_body(entity: Entity, purpose: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "SpecificResource",
        "purpose": purpose,
        "source": _entity_url(entity) or f"urn:uuid:{entity.uuid}",
    }
    body["label"] = entity.label
    return body


def _bodies(span: AnchoredSpan) -> tuple[str, list[dict[str, Any]]]:
    """(motivation, bodies) of one span: a model instance, or any object with the same attributes
    and `kind_name` (the corpus export reads rows as tuples, apps.api.corpus_export)."""
    bodies: list[dict[str, Any]] = []
    kind = span.kind_name
    if kind == "claim":
        bodies.append(_textual("claim", "tagging"))
        bodies.append(_textual(span.kind, "classifying"))
        motivation = "highlighting"
        if span.verdict != Claim.Verdict.NOT_RATED:
            motivation = "assessing"
            text = f"{span.verdict} ({span.verdict_state})"
            if span.summary:
                text += f": {span.summary}"
            bodies.append(_textual(text, "assessing"))
    elif kind == "quote":
        bodies.append(_textual("quote", "tagging"))
        motivation = "identifying" if span.speaker_id else "tagging"
        if span.speaker_id:
            bodies.append(_entity_body(span.speaker, "identifying"))
        elif span.speaker_text:
            bodies.append(_textual(f"speaker: {span.speaker_text}", "describing"))
    elif kind == "entitymention":
        bodies.append(_textual("mention", "tagging"))
        motivation = "identifying" if span.entity_id else "tagging"
        if span.entity_id:
            bodies.append(_entity_body(span.entity, "identifying"))
        if span.title_text:
            bodies.append(_textual(f"title: {span.title_text}", "describing"))
    elif kind == "datemention":
        bodies.append(_textual("date", "tagging"))
        motivation = "describing"
        if span.value:
            bodies.append(_textual(span.value.isoformat(), "describing"))
    else:  # pragma: no cover - SPAN_MODELS is closed
        raise TypeError(kind)
    if span.review_state != ReviewState.PROPOSED:
        bodies.append(_textual(span.review_state, "moderating"))
    return motivation, bodies


def web_annotation(span: AnchoredSpan, *, source: dict[str, Any]) -> dict[str, Any]:
    motivation, bodies = _bodies(span)
    return {
        "id": f"urn:uuid:{span.uuid}",
        "type": "Annotation",
        "motivation": motivation,
        "created": span.created_at.isoformat(),
        "modified": span.updated_at.isoformat(),
        "body": bodies,
        "target": {
            "source": source,
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": span.exact,
                    "prefix": span.prefix,
                    "suffix": span.suffix,
                },
                {"type": "TextPositionSelector", "start": span.start, "end": span.end},
            ],
        },
    }


def web_annotation_collection(
    *, article: Article, spans: Iterable[AnchoredSpan], collection_url: str, article_url: str
) -> dict[str, Any]:
    """Only anchored spans: an orphan's offsets no longer point at its text, so it could not be
    found again by a reader of the collection (orphans stay listed in the article's detail)."""
    source = {
        "id": article_url,
        "type": "Text",
        "format": "text/plain",
        "language": article.language,
        "title": article.title,
    }
    items = [
        web_annotation(span, source=source)
        for span in sorted(spans, key=lambda s: (s.start, s.end, s.kind_name, s.pk))
        if span.anchor_state == AnchorState.ANCHORED
    ]
    return {
        "@context": ANNO_CONTEXT,
        "id": collection_url,
        "type": "AnnotationCollection",
        "label": f"Factdesk annotations of {article.title!r} (revision {article.revision})",
        "total": len(items),
        "first": {
            "id": f"{collection_url}#page-1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }


# --- CSV ----------------------------------------------------------------------------------------

# What each CSV row is made of: (column, the claim field it is read from).
CSV_SOURCES = [
    ("id", "uuid"),
    ("article_id", "article__uuid"),
    ("article_title", "article__title"),
    ("article_url", "article__url"),
    ("published_on", "article__published_on"),
    ("kind", "kind"),
    ("text", "exact"),
    ("start", "start"),
    ("end", "end"),
    ("verdict", "verdict"),
    ("verdict_state", "verdict_state"),
    ("rating", "rating"),
    ("rating_label", "rating_label"),
    ("summary", "summary"),
    ("review_state", "review_state"),
    ("verified_at", "verified_at"),
    ("updated_at", "updated_at"),
]
CSV_COLUMNS = [column for column, _ in CSV_SOURCES] + ["evidence_urls"]
CSV_CHUNK = 2000
# Spreadsheets run a cell that starts with these as a formula; such cells get a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


class _Line:
    """csv.writer writes into this and gets the line back, so each row can be yielded."""

    def write(self, value: str) -> str:
        return value


def claim_csv_lines(claims: QuerySet) -> Iterator[str]:
    """The CSV of `claims` (a filtered, ordered queryset), one line at a time. The claims are read
    as tuples through one server-side cursor (one snapshot), CSV_CHUNK rows at a time, with one
    evidence query per chunk: memory stays flat however many claims there are. The read snapshot
    (apps.snapshots) lasts as long as the download, blocks no writer, and ends when the client
    goes away."""
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    fields = ["pk", *(source for _, source in CSV_SOURCES)]
    with read_snapshot():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # A cursor is planned to return its first rows fast (cursor_tuple_fraction 0.1):
                # an index walk in updated_at order with a random heap read per row, three times
                # slower over 100,000 claims than the scan and sort planned for reading them all.
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        rows = claims.values_list(*fields).iterator(chunk_size=CSV_CHUNK)
        while chunk := list(islice(rows, CSV_CHUNK)):
            urls: dict[int, list[str]] = defaultdict(list)
            evidence = (
                Evidence.objects.filter(claim_id__in=[row[0] for row in chunk])
                .exclude(url="")
                .order_by("claim_id", "id")
                .values_list("claim_id", "url")
            )
            for claim_id, url in evidence:
                urls[claim_id].append(url)
            for row in chunk:
                yield writer.writerow([*map(_cell, row[1:]), _cell(" ".join(urls[row[0]]))])
