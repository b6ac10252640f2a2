"""Exports in other people's formats. Pure functions of already-loaded rows (no writes):

- a verified claim as schema.org ClaimReview JSON-LD (what Google's fact-check markup reads);
- an article's annotations as a W3C Web Annotation collection (TextQuoteSelector +
  TextPositionSelector; positions are Unicode code points into the article body, end exclusive);
- claims as CSV rows, one at a time, for a streamed download."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings

from apps.annotations.models import (
    AnchoredSpan,
    AnchorState,
    Claim,
    DateMention,
    EntityMention,
    Quote,
    ReviewState,
)
from apps.articles.models import Article
from apps.knowledge.models import Entity

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
    """(motivation, bodies) of one span."""
    bodies: list[dict[str, Any]] = []
    if isinstance(span, Claim):
        bodies.append(_textual("claim", "tagging"))
        bodies.append(_textual(span.kind, "classifying"))
        motivation = "highlighting"
        if span.verdict != Claim.Verdict.NOT_RATED:
            motivation = "assessing"
            text = f"{span.verdict} ({span.verdict_state})"
            if span.summary:
                text += f": {span.summary}"
            bodies.append(_textual(text, "assessing"))
    elif isinstance(span, Quote):
        bodies.append(_textual("quote", "tagging"))
        motivation = "identifying" if span.speaker_id else "tagging"
        if span.speaker_id:
            bodies.append(_entity_body(span.speaker, "identifying"))
        elif span.speaker_text:
            bodies.append(_textual(f"speaker: {span.speaker_text}", "describing"))
    elif isinstance(span, EntityMention):
        bodies.append(_textual("mention", "tagging"))
        motivation = "identifying" if span.entity_id else "tagging"
        if span.entity_id:
            bodies.append(_entity_body(span.entity, "identifying"))
        if span.title_text:
            bodies.append(_textual(f"title: {span.title_text}", "describing"))
    elif isinstance(span, DateMention):
        bodies.append(_textual("date", "tagging"))
        motivation = "describing"
        if span.value:
            bodies.append(_textual(span.value.isoformat(), "describing"))
    else:  # pragma: no cover - SPAN_MODELS is closed
        raise TypeError(type(span))
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

CSV_COLUMNS = [
    "id",
    "article_id",
    "article_title",
    "article_url",
    "published_on",
    "kind",
    "text",
    "start",
    "end",
    "verdict",
    "verdict_state",
    "rating",
    "rating_label",
    "summary",
    "review_state",
    "verified_at",
    "updated_at",
    "evidence_urls",
]
# The claim columns the CSV reads (the export loads only these).
CLAIM_CSV_FIELDS = [
    "uuid",
    "article",
    "kind",
    "exact",
    "start",
    "end",
    "verdict",
    "verdict_state",
    "rating",
    "rating_label",
    "summary",
    "review_state",
    "verified_at",
    "updated_at",
]
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


def claim_csv_lines(claims: Iterable[Claim]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    for claim in claims:
        article = claim.article
        yield writer.writerow(
            [
                _cell(claim.uuid),
                _cell(article.uuid),
                _cell(article.title),
                _cell(article.url),
                _cell(article.published_on),
                _cell(claim.kind),
                _cell(claim.exact),
                _cell(claim.start),
                _cell(claim.end),
                _cell(claim.verdict),
                _cell(claim.verdict_state),
                _cell(claim.rating),
                _cell(claim.rating_label),
                _cell(claim.summary),
                _cell(claim.review_state),
                _cell(claim.verified_at),
                _cell(claim.updated_at),
                _cell(" ".join(e.url for e in claim.evidence.all() if e.url)),
            ]
        )
