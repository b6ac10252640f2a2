"""Automatic pre-annotation of an article: run the pipeline, write its proposals, request checks.

Proposals are annotations with origin "automatic", the extractor's version and state "proposed".
A re-run replaces only the automatic proposals nobody has touched; whatever a person created,
edited, approved or rejected is never changed or deleted, and no proposal is made again over
it (a proposal overlapping a touched annotation of the same type is dropped: the person has
dealt with that text), nor where a person deleted an automatic proposal. An untouched proposal
that the new run makes again is kept as it is (same id, no write), so re-running on an
unchanged article writes nothing but the timestamp."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.annotations.models import (
    SPAN_MODELS,
    AnchoredSpan,
    AnchorState,
    Origin,
)
from apps.annotations.services import AnnotationError, span_check, span_context
from apps.articles.models import Article
from apps.extraction import pipeline
from apps.extraction.pipeline import EXTRACTOR_VERSION, Extraction
from apps.extraction.selectors import kb_index_current

logger = logging.getLogger(__name__)

# The fields extraction fills, per annotation type; a proposal equal on all of them (and on
# offsets, confidence and extractor version) to an untouched one is the same proposal.
PROPOSAL_FIELDS: dict[str, tuple[str, ...]] = {
    "claim": ("kind", "reason", "check_worthiness"),
    "quote": (
        "speaker_id",
        "speaker_text",
        "speaker_confidence",
        "attribution_start",
        "attribution_end",
        "attribution_text",
        "verb",
    ),
    "mention": (
        "entity_id",
        "title_start",
        "title_end",
        "title_text",
        "title_modifier",
        "office_id",
    ),
    "date": ("value", "precision", "is_relative"),
}
# Offsets inside a proposal that point into the body too: (start field, end field, text field).
SUB_SPANS: dict[str, tuple[str, str, str]] = {
    "quote": ("attribution_start", "attribution_end", "attribution_text"),
    "mention": ("title_start", "title_end", "title_text"),
}


@dataclass
class ExtractionResult:
    article_id: int
    created: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def proposals_from(body: str, extraction: Extraction) -> dict[str, list[dict[str, Any]]]:
    """The pipeline's findings as annotation proposals (offsets, confidence, fields)."""
    dates = [
        {
            "start": d.start,
            "end": d.end,
            "confidence": _round(d.confidence),
            "value": d.value,
            "precision": d.precision,
            "is_relative": d.is_relative,
        }
        for d in extraction.dates
    ]
    mentions = []
    for m in extraction.mentions:
        title = m.title
        mentions.append(
            {
                "start": m.start,
                "end": m.end,
                "confidence": _round(m.confidence),
                "entity_id": m.entity_id,
                "title_start": title.start if title else None,
                "title_end": title.end if title else None,
                "title_modifier": title.modifier if title else "",
                "office_id": title.office_id if title else None,
            }
        )
    quotes = [
        {
            "start": q.start,
            "end": q.end,
            "confidence": _round(q.confidence),
            "speaker_id": q.speaker_id,
            "speaker_text": q.speaker_text,
            "speaker_confidence": _round(q.speaker_confidence),
            "attribution_start": q.attribution_start,
            "attribution_end": q.attribution_end,
            "verb": q.verb,
        }
        for q in extraction.quotes
    ]
    claims = [
        {
            "start": c.start,
            "end": c.end,
            "confidence": _round(c.check_worthiness),
            "kind": c.kind,
            "reason": c.reason,
            "check_worthiness": _round(c.check_worthiness),
        }
        for c in extraction.claims
    ]
    return {"date": dates, "mention": mentions, "quote": quotes, "claim": claims}


def _is_untouched_automatic(row: dict[str, Any]) -> bool:
    # Same rule as SpanQuerySet.untouched_automatic(), on rows already loaded.
    return (
        row["origin"] == Origin.AUTOMATIC
        and row["review_state"] == "proposed"
        and row["edited_at"] is None
        and row["reviewed_at"] is None
    )


def _checked(body: str, kind: str, model: type[AnchoredSpan], proposal: dict[str, Any]) -> dict:
    """Offsets validated like every other write (span_check), nested spans too; CharField
    lengths checked here because bulk_create skips Python validation."""
    values = dict(proposal)
    values["exact"] = span_check(
        body=body, start=values["start"], end=values["end"], exact=values.get("exact")
    )
    sub = SUB_SPANS.get(kind)
    if sub is not None:
        start_name, end_name, text_name = sub
        start, end = values.get(start_name), values.get(end_name)
        if (start is None) != (end is None):
            raise AnnotationError(f"{start_name} and {end_name} go together.", field=start_name)
        values[text_name] = (
            span_check(body=body, start=start, end=end, exact=None) if start is not None else ""
        )
    for name, max_length in _max_lengths(kind):
        value = values.setdefault(name, None)
        if max_length and isinstance(value, str) and len(value) > max_length:
            raise AnnotationError(f"{name} is longer than {max_length} characters.", field=name)
    return values


@functools.cache
def _max_lengths(kind: str) -> tuple[tuple[str, int | None], ...]:
    model = SPAN_MODELS[kind]
    return tuple(
        (name, getattr(model._meta.get_field(name.removesuffix("_id")), "max_length", None))
        for name in PROPOSAL_FIELDS[kind]
    )


def _key(values: dict[str, Any], kind: str) -> tuple:
    return (
        values["start"],
        values["end"],
        values["exact"],
        values["confidence"],
        values["extractor_version"],
        *(values[name] for name in PROPOSAL_FIELDS[kind]),
    )


def _proposals_replace(
    *, article: Article, kind: str, proposals: list[dict[str, Any]], result: ExtractionResult
) -> None:
    model = SPAN_MODELS[kind]
    body = article.body
    fields = PROPOSAL_FIELDS[kind]
    rows = list(
        model.objects.filter(article=article).values(
            "id",
            "start",
            "end",
            "exact",
            "confidence",
            "extractor_version",
            "origin",
            "review_state",
            "edited_at",
            "reviewed_at",
            "anchor_state",
            *fields,
        )
    )
    # Touched or manual spans that still point at their text: no proposal goes over them.
    protected = [
        (row["start"], row["end"])
        for row in rows
        if not _is_untouched_automatic(row) and row["anchor_state"] == AnchorState.ANCHORED
    ]
    untouched: dict[tuple, list[int]] = {}
    for row in rows:
        if _is_untouched_automatic(row):
            untouched.setdefault(_key(row, kind), []).append(row["id"])
    # Automatic proposals a person deleted: not proposed again at the same place. (An article
    # never extracted has none, and no query is needed.)
    dismissed = set()
    if article.extracted_at is not None:
        dismissed = set(
            _history_model(model)
            .objects.filter(
                article_id=article.pk,
                history_type="-",
                origin=Origin.AUTOMATIC,
                history_user__isnull=False,
            )
            .values_list("exact", "prefix", "suffix")
        )
    keep: set[int] = set()
    create: list[AnchoredSpan] = []
    seen: set[tuple[int, int]] = set()
    skipped = 0
    for proposal in proposals:
        values = _checked(body, kind, model, proposal)
        values["extractor_version"] = EXTRACTOR_VERSION
        span = (values["start"], values["end"])
        if span in seen or any(s < span[1] and span[0] < e for s, e in protected):
            skipped += 1
            continue
        seen.add(span)
        same = [pk for pk in untouched.get(_key(values, kind), []) if pk not in keep]
        if same:
            keep.add(same[0])
            continue
        prefix, suffix = span_context(body, values["start"], values["end"])
        if (values["exact"], prefix, suffix) in dismissed:
            skipped += 1
            continue
        create.append(
            model(
                article=article,
                start=values["start"],
                end=values["end"],
                exact=values["exact"],
                prefix=prefix,
                suffix=suffix,
                origin=Origin.AUTOMATIC,
                extractor_version=EXTRACTOR_VERSION,
                confidence=values["confidence"],
                **{name: values[name] for name in fields},
            )
        )
    stale = [pk for ids in untouched.values() for pk in ids if pk not in keep]
    if stale:
        # Through the ORM delete, so that the history records the removal.
        model.objects.filter(pk__in=stale).untouched_automatic().delete()
    if create:
        created = model.objects.bulk_create(create, batch_size=500)
        _history_created(model, [span.pk for span in created])
    result.created[kind] = len(create)
    result.kept[kind] = len(keep)
    result.deleted[kind] = len(stale)
    result.skipped[kind] = skipped


@functools.cache
def _history_model(model: type[AnchoredSpan]):
    # `model.history` builds a manager class on every access (0.5 ms): look it up once.
    return model.history.model


def _history_created(model: type[AnchoredSpan], ids: list[int]) -> None:
    """The "+" history rows of freshly inserted proposals, copied by the database from the rows
    themselves (INSERT … SELECT): the same rows simple-history's bulk_create_with_history
    writes, without building every historical instance in Python, which cost more than the
    proposals' own insert."""
    if not ids or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = _history_model(model)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in history.tracked_fields)
    for first in range(0, len(ids), 500):
        chunk = ids[first : first + 500]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({columns}, "
                f"{quote('history_date')}, {quote('history_change_reason')}, "
                f"{quote('history_type')}, {quote('history_user_id')}) "
                f"SELECT {columns}, %s, %s, '+', NULL FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(chunk))})",
                [timezone.now(), f"proposed by {EXTRACTOR_VERSION}", *chunk],
            )


@transaction.atomic
def article_extract(*, article_id: int) -> ExtractionResult | None:
    """Propose dates, entity mentions (with titles of office), quotes and candidate claims for
    one article, then request its checks. None when the article no longer exists."""
    from apps.checks.services import article_check_request

    article = Article.objects.select_for_update().filter(pk=article_id).first()
    if article is None:
        logger.info("extraction: article %s is gone, nothing to do", article_id)
        return None
    extraction = pipeline.extract(
        article.body, published_on=article.published_on, kb=kb_index_current()
    )
    result = ExtractionResult(article_id=article.pk)
    for kind, proposals in proposals_from(article.body, extraction).items():
        _proposals_replace(article=article, kind=kind, proposals=proposals, result=result)
    Article.objects.filter(pk=article.pk).update(
        extracted_sha256=article.body_sha256, extracted_at=timezone.now()
    )
    article_check_request(article=article)
    return result


def articles_extract(*, article_ids: Iterable[int]) -> list[ExtractionResult]:
    """Extract several articles, each in its own transaction (a failure keeps the others)."""
    results = []
    for article_id in article_ids:
        result = article_extract(article_id=article_id)
        if result is not None:
            results.append(result)
    return results
