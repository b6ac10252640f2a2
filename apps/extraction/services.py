"""Automatic pre-annotation of an article: run the pipeline, write its proposals, request checks.

Proposals are annotations with origin "automatic", the extractor's version and state "proposed".
A re-run replaces only the automatic proposals nobody has touched that still point at their
text (apps.annotations.models.is_untouched_automatic: a person or an API key wrote no part of
it — no field, link, verdict, evidence, review or note); whatever a person touched is never
changed or deleted, and no proposal is made again over it (a proposal overlapping a touched
annotation of the same type is dropped: the person has dealt with that text), nor where a
person deleted an annotation of that type (automatic or their own) on the same words in the
same context. An untouched proposal that the new run makes again is kept as it is (same id, no
write), so re-running on an unchanged article writes nothing but the timestamp. An orphan (a
proposal whose text a body edit removed, anchor_state "orphaned") is never deleted or changed by
a re-run, touched or not: it stays listed for a reviewer to reject (issue 7).

Database work, for speed (bench/README.md, "Extraction"): one transaction per call, for one
article (the Celery task on import or edit) or for a batch of articles (`articles_extract`:
`manage.py extract`), locked in id order. On PostgreSQL the existing spans of the whole batch are
read in one round trip, new proposals are written by COPY, and their "+" history rows and the
articles' extracted_sha256 by one statement (`_pg_write`); the commit does not wait for its
WAL flush (`_COMMIT_WITHOUT_FLUSH_WAIT`, with the trade-off). Elsewhere (SQLite) the ORM does it
with bulk_create.

Processing state (apps.articles.processing): imports and body edits record that extraction is
pending; `extraction_drain` (the `extraction.extract_pending` task) takes pending articles, oldest
request first, BATCH_SIZE per transaction (SKIP LOCKED on PostgreSQL, so several workers share
the work). The transaction that writes an article's proposals also marks it done, guarded by the
body hash the run read, and requests its checks (one UPDATE and one message per batch); a run
killed midway commits nothing and leaves the request pending. An article a bug trips on is
marked failed with the reason; the others of its batch are extracted."""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.annotations.models import (
    SPAN_MODELS,
    UNTOUCHED_RULE_FIELDS,
    AnchoredSpan,
    AnchorState,
    Origin,
    is_untouched_automatic,
)
from apps.annotations.services import AnnotationError, span_check, span_context
from apps.articles import processing
from apps.articles.models import Article
from apps.bulk_rows import objects_insert
from apps.extraction import pipeline
from apps.extraction.pipeline import EXTRACTOR_VERSION, Extraction
from apps.extraction.selectors import kb_index_current, kb_people_current

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
    # The body the run read (its hash): what "done" is recorded for.
    body_sha256: str = ""
    created: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    # Orphaned untouched proposals left as they are for a reviewer (never replaced).
    orphans: dict[str, int] = field(default_factory=dict)


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


# Articles per transaction in `articles_extract`: the per-statement and per-commit costs are
# shared by the batch; a batch holds its articles' row locks until it commits (~1 s for 50).
BATCH_SIZE = 50

# The annotation type of a row read for all types at once ("kind" is a claim field).
_TYPE = "annotation_type"
_ROW_FIELDS = (
    "id",
    "article_id",
    "start",
    "end",
    "exact",
    "confidence",
    "extractor_version",
    *UNTOUCHED_RULE_FIELDS,  # read for is_untouched_automatic, the one "touched" rule
    "anchor_state",
)


@dataclass
class _Writes:
    """What one transaction writes for one annotation type, over all its articles."""

    create: list[dict[str, Any]] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)


def _proposals_plan(
    *,
    article: Article,
    kind: str,
    proposals: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    dismissed: set[tuple[str, str, str]],
    writes: _Writes,
    result: ExtractionResult,
) -> None:
    """Decide, for one article and type, which proposals are new, which existing untouched ones
    are made again (kept, no write) and which are stale (deleted); the writes are done later for
    the whole transaction."""
    model = SPAN_MODELS[kind]
    body = article.body
    fields = PROPOSAL_FIELDS[kind]
    # Touched or manual spans that still point at their text: no proposal goes over them.
    protected = [
        (row["start"], row["end"])
        for row in rows
        if not is_untouched_automatic(row) and row["anchor_state"] == AnchorState.ANCHORED
    ]
    # Untouched proposals that point at their text may be replaced; orphaned ones are left for
    # a reviewer (their text is gone, so no new proposal lands on it either).
    untouched: dict[tuple, list[int]] = {}
    orphans = 0
    for row in rows:
        if is_untouched_automatic(row):
            if row["anchor_state"] == AnchorState.ANCHORED:
                untouched.setdefault(_key(row, kind), []).append(row["id"])
            else:
                orphans += 1
    keep: set[int] = set()
    created = 0
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
        if _dismissed(dismissed, values["exact"], prefix, suffix):
            skipped += 1
            continue
        row = {name: values[name] for name in fields}
        row.update(
            article_id=article.pk,
            start=values["start"],
            end=values["end"],
            exact=values["exact"],
            prefix=prefix,
            suffix=suffix,
            origin=Origin.AUTOMATIC.value,
            extractor_version=EXTRACTOR_VERSION,
            confidence=values["confidence"],
        )
        writes.create.append(row)
        created += 1
    stale = [pk for ids in untouched.values() for pk in ids if pk not in keep]
    writes.stale.extend(stale)
    result.created[kind] = created
    result.kept[kind] = len(keep)
    result.deleted[kind] = len(stale)
    result.skipped[kind] = skipped
    result.orphans[kind] = orphans


def _dismissed(dismissed: set[tuple[str, str, str]], exact: str, prefix: str, suffix: str) -> bool:
    """A person deleted an annotation of this type on these words, with the same text before or
    after them: an edit on one side of the words (which changes that side's context) does not
    bring it back. (Same words far elsewhere in the article may still be proposed.)"""
    return any(
        exact == gone and (prefix == before or suffix == after) for gone, before, after in dismissed
    )


@functools.cache
def _history_model(model: type[AnchoredSpan]):
    # `model.history` builds a manager class on every access (0.5 ms): look it up once.
    return model.history.model


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@functools.cache
def _insert_layout(model: type[AnchoredSpan]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """(every field but the primary key, the constant defaults): the writes below fill every
    column themselves (Django keeps defaults in Python, not in the database)."""
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    per_row = {"uuid", "created_at", "updated_at"}
    return fields, {f.attname: f.get_default() for f in fields if f.attname not in per_row}


def _complete(model: type[AnchoredSpan], rows: list[dict[str, Any]], now) -> list[dict]:
    defaults = _insert_layout(model)[1]
    return [
        {**defaults, **row, "uuid": uuid.uuid4(), "created_at": now, "updated_at": now}
        for row in rows
    ]


def _history_reason() -> str:
    return f"proposed by {EXTRACTOR_VERSION}"


def _history_enabled() -> bool:
    return getattr(settings, "SIMPLE_HISTORY_ENABLED", True)


# --- PostgreSQL: the reads in one round trip, the writes in one statement ----------------------


@functools.cache
def _rows_union_sql() -> tuple[str, tuple[str, ...]]:
    """One SELECT for the existing spans of all four types (UNION ALL, NULL for the fields a
    type does not have), and the names of its columns."""
    extra: dict[str, str] = {}  # attname -> cast type, over all types
    for kind, model in SPAN_MODELS.items():
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        for name in PROPOSAL_FIELDS[kind]:
            extra.setdefault(name, by_attname[name].cast_db_type(connection))
    parts = []
    for kind, model in SPAN_MODELS.items():
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        columns = [
            f"'{kind}'",
            *(_q(by_attname[name].column) for name in _ROW_FIELDS),
            *(
                _q(by_attname[name].column) if name in PROPOSAL_FIELDS[kind] else f"NULL::{cast}"
                for name, cast in extra.items()
            ),
        ]
        parts.append(
            f"SELECT {', '.join(columns)} FROM {_q(model._meta.db_table)} "
            f"WHERE {_q('article_id')} = ANY(%s)"
        )
    return " UNION ALL ".join(parts), (_TYPE, *_ROW_FIELDS, *extra)


@functools.cache
def _dismissed_union_sql() -> str:
    return " UNION ALL ".join(
        f"SELECT '{kind}', {_q('article_id')}, {_q('exact')}, {_q('prefix')}, {_q('suffix')} "
        f"FROM {_q(_history_model(model)._meta.db_table)} WHERE {_q('article_id')} = ANY(%s) "
        f"AND {_q('history_type')} = '-' AND {_q('history_user_id')} IS NOT NULL"
        for kind, model in SPAN_MODELS.items()
    )


def _pg_read(ids: list[int], extracted_before: list[int]) -> tuple[list[dict], list[tuple]]:
    """The articles' spans and the automatic proposals people deleted from them, with the
    transaction's commit mode, in one round trip."""
    rows_sql, names = _rows_union_sql()
    statements = [_COMMIT_WITHOUT_FLUSH_WAIT, rows_sql]
    params: list[Any] = [ids] * len(SPAN_MODELS)
    if extracted_before:
        statements.append(_dismissed_union_sql())
        params += [extracted_before] * len(SPAN_MODELS)
    dismissed: list[tuple] = []
    with connection.cursor() as cursor:
        cursor.execute("; ".join(statements), params)
        cursor.nextset()
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        if extracted_before:
            cursor.nextset()
            dismissed = cursor.fetchall()
    return rows, dismissed


@functools.cache
def _copy_sql(model: type[AnchoredSpan]) -> tuple[str, tuple[str, ...]]:
    fields = _insert_layout(model)[0]
    columns = ", ".join(_q(f.column) for f in fields)
    return (
        f"COPY {_q(model._meta.db_table)} ({columns}) FROM STDIN",
        tuple(f.attname for f in fields),
    )


@functools.cache
def _history_cte_sql(kind: str) -> str:
    """The "+" history rows of the proposals this transaction inserted for the articles
    (parameters: history date, change reason, article ids, the insert's created_at)."""
    model = SPAN_MODELS[kind]
    history = _history_model(model)
    tracked = ", ".join(_q(f.column) for f in history.tracked_fields)
    return (
        f"history_{kind} AS (INSERT INTO {_q(history._meta.db_table)} ({tracked}, "
        f"{_q('history_date')}, {_q('history_change_reason')}, {_q('history_type')}, "
        f"{_q('history_user_id')}) SELECT {tracked}, %s, %s, '+', NULL "
        f"FROM {_q(model._meta.db_table)} WHERE {_q('article_id')} = ANY(%s) "
        f"AND {_q('created_at')} = %s AND {_q('origin')} = '{Origin.AUTOMATIC.value}')"
    )


@functools.cache
def _articles_extracted_sql() -> str:
    article = Article._meta
    return (
        f"UPDATE {_q(article.db_table)} SET {_q('extracted_sha256')} = {_q('body_sha256')}, "
        f"{_q('extracted_at')} = %s WHERE {_q(article.pk.column)} = ANY(%s)"
    )


def _pg_write(creates: dict[str, list[dict[str, Any]]], article_ids: list[int]) -> None:
    """The new proposals by COPY, one per type (psycopg writes the rows in C); then one
    statement for their "+" history rows, copied by the database from the inserted rows (the
    rows simple-history's bulk_create_with_history would write), and for the articles'
    extracted_sha256/extracted_at. The inserted rows are found as the automatic ones of these
    articles created at this transaction's `now`: the articles are locked, and only extraction,
    which takes that lock, writes automatic proposals."""
    now = timezone.now()
    ctes: list[str] = []
    params: list[Any] = []
    for kind, rows in creates.items():
        if not rows:
            continue
        model = SPAN_MODELS[kind]
        copy_sql, attnames = _copy_sql(model)
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor  # psycopg's own cursor: COPY is not in the DB-API
            with cursor.copy(copy_sql) as copy:
                for values in _complete(model, rows, now):
                    copy.write_row([values[name] for name in attnames])
        if _history_enabled():
            ctes.append(_history_cte_sql(kind))
            params += [now, _history_reason(), article_ids, now]
    sql = (f"WITH {', '.join(ctes)} " if ctes else "") + _articles_extracted_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, now, article_ids])


# PostgreSQL: this transaction's commit returns before its WAL reaches the disk (~3 ms per
# commit on the benchmark machine). The trade-off: if the database server itself crashes (not
# the worker), the last fraction of a second of committed extractions can be lost — whole
# transactions, never a part of one, so the database stays consistent: those articles are left
# as they were before (their previous proposals, extracted_sha256 not updated) and `manage.py
# extract` makes them again. Proposals are regenerable; nothing a person wrote is in these
# transactions. (Their check request may have been sent: the checks then run on the older
# proposals, as they would have before the extraction.)
_COMMIT_WITHOUT_FLUSH_WAIT = "SET LOCAL synchronous_commit = off"


# --- Other databases (SQLite in development and tests): the ORM ------------------------------


def _orm_read(ids: list[int], extracted_before: list[int]) -> tuple[list[dict], list[tuple]]:
    rows: list[dict] = []
    dismissed: list[tuple] = []
    for kind, model in SPAN_MODELS.items():
        for row in model.objects.filter(article_id__in=ids).values(
            *_ROW_FIELDS, *PROPOSAL_FIELDS[kind]
        ):
            row[_TYPE] = kind
            rows.append(row)
        if extracted_before:
            dismissed += [
                (kind, *values)
                for values in _history_model(model)
                .objects.filter(
                    article_id__in=extracted_before,
                    history_type="-",
                    history_user__isnull=False,
                )
                .values_list("article_id", "exact", "prefix", "suffix")
            ]
    return rows, dismissed


def _orm_write(creates: dict[str, list[dict[str, Any]]], article_ids: list[int]) -> None:
    """bulk_create, then the "+" history rows copied by the database from the inserted rows
    (INSERT … SELECT by id), the same rows simple-history's bulk_create_with_history writes."""
    now = timezone.now()
    for kind, rows in creates.items():
        if not rows:
            continue
        model = SPAN_MODELS[kind]
        # The rows bulk_create writes, without its per-value SQL compiler (apps.bulk_rows): in
        # a batch of 50 articles (~3,000 spans) the compiler was two thirds of the transaction,
        # which on SQLite holds the database's write lock (bench/README.md, "Bulk import").
        created = [model(**row) for row in _complete(model, rows, now)]
        objects_insert(model, created)
        if not _history_enabled():
            continue
        history = _history_model(model)
        tracked = ", ".join(_q(f.column) for f in history.tracked_fields)
        ids = [span.pk for span in created]
        with connection.cursor() as cursor:
            for first in range(0, len(ids), 500):
                chunk = ids[first : first + 500]
                cursor.execute(
                    f"INSERT INTO {_q(history._meta.db_table)} ({tracked}, "
                    f"{_q('history_date')}, {_q('history_change_reason')}, "
                    f"{_q('history_type')}, {_q('history_user_id')}) "
                    f"SELECT {tracked}, %s, %s, '+', NULL FROM {_q(model._meta.db_table)} "
                    f"WHERE {_q(model._meta.pk.column)} IN ({', '.join(['%s'] * len(chunk))})",
                    [now, _history_reason(), *chunk],
                )
    Article.objects.filter(pk__in=article_ids).update(
        extracted_sha256=F("body_sha256"), extracted_at=now
    )


_ARTICLE_INPUTS = ("id", "body", "body_sha256", "published_on", "language", "source")


@dataclass(frozen=True)
class _Ahead:
    """The pipeline's output for an article, computed before its write transaction, with the
    inputs it was computed from (body, metadata the pipeline reads, the KB's fingerprint)."""

    inputs: tuple
    extraction: Extraction


def _pipeline_inputs(article: Article, kb) -> tuple:
    return (
        article.body_sha256,
        article.published_on,
        article.language,
        article.source,
        kb.fingerprint,
    )


def _pipeline_run(article: Article, kb, people) -> Extraction:
    """The pipeline on an article's inputs (_ARTICLE_INPUTS), inside or outside a transaction."""
    return pipeline.extract(
        article.body,
        published_on=article.published_on,
        kb=kb,
        people=people,
        language=article.language,
        source=article.source,
    )


def _extract_ahead(*, limit: int) -> dict[int, _Ahead]:
    """On SQLite, run the pipeline on the next pending articles before the write transaction.

    A SQLite transaction holds the whole database's write lock (transaction_mode IMMEDIATE): with
    the pipeline inside it (~20-50 ms of CPU per article, 1-3 s a batch of 50) every other
    write, a person's annotation or an import, waited up to that long (bench/README.md, "Bulk
    import"). The pipeline reads only the article and the KB, so it runs here, outside; the
    transaction then locks and re-reads the articles and uses this output only for an article
    whose inputs are still the same (else it runs the pipeline again there). Spans to keep or
    replace, and what people deleted, are read and planned inside, as before. On PostgreSQL the
    pipeline stays inside: row locks keep other writes going, and drains in several workers
    take disjoint rows (SKIP LOCKED) that they could not pick ahead. An article the pipeline
    trips on here is left to the transaction, which marks it failed as before; a retryable error
    (the time limit) is raised with the ids, as from the transaction."""
    if connection.vendor != "sqlite":
        return {}
    ids = _pending_locked(limit=limit)
    if not ids:
        return {}
    kb = kb_index_current()
    people = kb_people_current(kb=kb)
    ahead: dict[int, _Ahead] = {}
    try:
        for article in Article.objects.filter(pk__in=ids).only(*_ARTICLE_INPUTS):
            try:
                extraction = _pipeline_run(article, kb, people)
            except _RETRYABLE:
                raise
            except Exception:  # noqa: BLE001 (run again in the transaction, which records it)
                continue
            ahead[article.pk] = _Ahead(_pipeline_inputs(article, kb), extraction)
    except _RETRYABLE as exc:
        exc.extraction_ids = ids  # type: ignore[attr-defined]
        raise
    return ahead


def _extract_locked(
    article_ids: list[int], *, ahead: dict[int, _Ahead] | None = None
) -> list[ExtractionResult]:
    """Extract the articles (those that still exist) in the current transaction: lock them in
    id order, read what they hold, run the pipeline on each (or take its output from `ahead`
    when computed from the same inputs), then write for all of them."""
    articles = list(
        Article.objects.select_for_update()
        .filter(pk__in=article_ids)
        .order_by("pk")
        .only(*_ARTICLE_INPUTS, "extracted_at")
    )
    if len(articles) < len(set(article_ids)):
        gone = sorted(set(article_ids) - {a.pk for a in articles})
        logger.info("extraction: articles %s are gone, nothing to do for them", gone)
    if not articles:
        return []
    ids = [article.pk for article in articles]
    # Annotations a person deleted (automatic proposals or their own) are not proposed again on
    # the same words in the same context. An article never extracted is not looked up (a fresh
    # import, run at once: nobody has deleted anything from it yet).
    extracted_before = [article.pk for article in articles if article.extracted_at is not None]
    kb = kb_index_current()
    people = kb_people_current(kb=kb)
    postgresql = connection.vendor == "postgresql"
    read = _pg_read if postgresql else _orm_read
    found, deleted_by_people = read(ids, extracted_before)
    rows: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for row in found:
        rows.setdefault((row[_TYPE], row["article_id"]), []).append(row)
    dismissed: dict[tuple[str, int], set[tuple[str, str, str]]] = {}
    for kind, article_id, *text in deleted_by_people:
        dismissed.setdefault((kind, article_id), set()).add(tuple(text))
    writes = {kind: _Writes() for kind in SPAN_MODELS}
    results = []
    for article in articles:
        known = ahead.get(article.pk) if ahead else None
        if known is not None and known.inputs == _pipeline_inputs(article, kb):
            extraction = known.extraction
        else:
            extraction = _pipeline_run(article, kb, people)
        result = ExtractionResult(article_id=article.pk, body_sha256=article.body_sha256)
        for kind, proposals in proposals_from(article.body, extraction).items():
            _proposals_plan(
                article=article,
                kind=kind,
                proposals=proposals,
                rows=rows.get((kind, article.pk), []),
                dismissed=dismissed.get((kind, article.pk), set()),
                writes=writes[kind],
                result=result,
            )
        results.append(result)
    for kind, model in SPAN_MODELS.items():
        if writes[kind].stale:
            # Through the ORM delete, so that the history records the removal.
            model.objects.filter(
                pk__in=writes[kind].stale, anchor_state=AnchorState.ANCHORED
            ).untouched_automatic().delete()
    # The rows are locked: the body, hence its hash, is the one just read.
    write = _pg_write if postgresql else _orm_write
    write({kind: w.create for kind, w in writes.items()}, ids)
    return results


# --- Processing state: what a run records on its articles -------------------------------------


def _extraction_done(results: list[ExtractionResult]) -> None:
    """Mark done, in the run's transaction, the articles whose body is still the one the run
    read (and whose proposals were just written for it): a run on an older body never marks a
    newer one done. Their checks are owed now; they ran before on other proposals, if at all."""
    if not results:
        return
    same_body = Q()
    for result in results:
        same_body |= Q(
            pk=result.article_id,
            body_sha256=result.body_sha256,
            extracted_sha256=result.body_sha256,
        )
    Article.objects.filter(same_body).update(
        extraction_state=Article.ExtractionState.DONE,
        extraction_error="",
    )
    processing.checks_request(article_ids=[r.article_id for r in results])


def _extraction_failed(article_ids: list[int], exc: BaseException, *, why: str = "") -> None:
    """A run that raised on these articles (a bug, not a lost connection): failed, with the
    reason, in a transaction of its own; their checks then judge what people annotated."""
    with transaction.atomic():
        Article.objects.filter(pk__in=article_ids).exclude(
            extraction_state=Article.ExtractionState.DONE
        ).update(
            extraction_state=Article.ExtractionState.FAILED,
            extraction_failed_at=timezone.now(),
            extraction_error=f"{why}{type(exc).__name__}: {exc}"[:2000],
        )
        processing.checks_request(article_ids=article_ids)


# Not a verdict on the articles: the task is retried (or the sweep sends the drain again) and the
# request stays pending.
_RETRYABLE = (OperationalError, InterfaceError, SoftTimeLimitExceeded)


def article_extract(*, article_id: int) -> ExtractionResult | None:
    """Propose dates, entity mentions (with titles of office), quotes and candidate claims for
    one article, mark it extracted and request its checks. None when the article no longer
    exists. Runs whatever the article's state (an explicit request); the drain is the path of
    recorded requests."""
    try:
        with transaction.atomic():
            results = _extract_locked([article_id])
            _extraction_done(results)
    except _RETRYABLE:
        raise
    except Exception as exc:
        logger.exception("extraction failed on article %s", article_id)
        _extraction_failed([article_id], exc)
        raise
    return results[0] if results else None


def _extract_isolated(
    article_ids: list[int], results: list[ExtractionResult], *, pending_only: bool
) -> int:
    """After a batch raised: each article in a transaction of its own, so that one article a
    bug trips on is marked failed and the others are extracted. Returns how many failed."""
    failed = 0
    for pk in article_ids:
        try:
            with transaction.atomic():
                if pending_only and not _pending_locked(pk=pk):
                    continue
                done = _extract_locked([pk])
                _extraction_done(done)
            results.extend(done)
        except _RETRYABLE:
            raise
        except Exception as exc:
            logger.exception("extraction failed on article %s", pk)
            _extraction_failed([pk], exc)
            failed += 1
    return failed


def articles_extract(
    *, article_ids: Iterable[int], batch_size: int = BATCH_SIZE
) -> list[ExtractionResult]:
    """Extract several articles, `batch_size` per transaction (a failure keeps the batches
    already committed; an article that a bug trips on is marked failed and the others of its
    batch are extracted), then request their checks."""
    wanted = list(dict.fromkeys(article_ids))
    results: list[ExtractionResult] = []
    for first in range(0, len(wanted), batch_size):
        batch = wanted[first : first + batch_size]
        try:
            with transaction.atomic():
                done = _extract_locked(batch)
                _extraction_done(done)
            results.extend(done)
        except _RETRYABLE:
            raise
        except Exception:
            logger.exception("extraction failed on a batch; extracting its articles one by one")
            _extract_isolated(batch, results, pending_only=False)
    return results


def _pending_locked(*, limit: int = 1, pk: int | None = None) -> list[int]:
    """Ids of articles whose extraction is pending, oldest request first, locked for this
    transaction. On PostgreSQL rows another drain holds are skipped, so drains in several
    workers share the work; SQLite has one writer at a time (transaction_mode IMMEDIATE)."""
    queryset = Article.objects.filter(extraction_state=Article.ExtractionState.PENDING)
    if pk is not None:
        queryset = queryset.filter(pk=pk)
    queryset = queryset.order_by("extraction_requested_at", "id")
    if connection.vendor == "postgresql":
        queryset = queryset.select_for_update(skip_locked=True)
    return list(queryset.values_list("id", flat=True)[:limit])


@dataclass
class DrainReport:
    extracted: int = 0
    failed: int = 0
    more: bool = False


def extraction_drain(
    *,
    budget_seconds: float | None = None,
    batch_size: int | None = None,
    max_batches: int | None = None,
) -> DrainReport:
    """Extract the articles whose extraction is pending (apps.articles.processing records it),
    `batch_size` (BATCH_SIZE) per transaction, oldest request first, for up to `budget_seconds`
    (PROCESSING_DRAIN_SECONDS); `more` when some are left, for the caller to send the drain
    again. Each batch marks its articles done and requests their checks in its own commit. At
    least one batch is done whatever the budget, so a drain always makes progress; at most
    `max_batches`. A retryable error (a lost connection, the time limit) rolls the batch back and
    is raised with the batch's ids as `extraction_ids`: they stay pending for the retry."""
    budget = settings.PROCESSING_DRAIN_SECONDS if budget_seconds is None else budget_seconds
    batch_size = batch_size or BATCH_SIZE
    deadline = time.monotonic() + budget
    report = DrainReport()
    batches = 0
    while True:
        ids: list[int] = []
        try:
            ahead = _extract_ahead(limit=batch_size)  # SQLite: the CPU outside the write lock
            with transaction.atomic():
                ids = _pending_locked(limit=batch_size)
                if not ids:
                    return report
                done = _extract_locked(ids, ahead=ahead)
                _extraction_done(done)
            report.extracted += len(done)
        except _RETRYABLE as exc:
            exc.extraction_ids = ids or getattr(exc, "extraction_ids", [])  # type: ignore[attr-defined]
            raise
        except Exception:
            if not ids:
                raise
            logger.exception("extraction failed on a batch; extracting its articles one by one")
            results: list[ExtractionResult] = []
            report.failed += _extract_isolated(ids, results, pending_only=True)
            report.extracted += len(results)
        batches += 1
        if time.monotonic() > deadline or (max_batches is not None and batches >= max_batches):
            report.more = Article.objects.filter(
                extraction_state=Article.ExtractionState.PENDING
            ).exists()
            return report


def extraction_give_up(*, article_id: int, exc: BaseException, attempts: int) -> None:
    """The article a retryable error hit alone, on every attempt (say a body that runs into the
    time limit each time): marked failed with the reason, so that the drain goes on with the
    others and a person sees why (the workspace and the API show it; a re-run is explicit)."""
    logger.error("extraction gave up on article %s after %s attempts", article_id, attempts)
    _extraction_failed([article_id], exc, why=f"gave up after {attempts} attempts: ")
