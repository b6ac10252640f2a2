"""Loading what the checks read, in bulk: a handful of queries per batch of articles, never one
per mention. The knowledge base is loaded whole once per worker process and kept while it is
unchanged (its stamp: row counts and the latest change of entities, tenures and office titles)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable

from django.db.models import Count, F, Max, Window
from django.db.models.functions import RowNumber

from apps.annotations.models import (
    AnchorState,
    Claim,
    DateMention,
    EntityMention,
    Quote,
    ReviewState,
)
from apps.articles.models import Article
from apps.checks.kbview import CorpusView, KBView, OtherQuote, TenureFact
from apps.checks.models import QuoteKey
from apps.checks.rules.cross_article import verified_signatures
from apps.checks.rules.quotes import MAX_COMPARISONS, MAX_SAME_WORDS, quote_key
from apps.checks.snapshot import (
    ArticleSnapshot,
    ClaimSnap,
    DateSnap,
    MentionSnap,
    OrphanSnap,
    QuoteSnap,
)
from apps.knowledge.models import Entity, EntityAlias, EntityKind, Tenure

# --- Snapshots ------------------------------------------------------------------------------------

_SPAN = ("id", "uuid", "article_id", "start", "end", "exact", "anchor_state", "review_state")


def _live(qs):
    return qs.exclude(review_state=ReviewState.REJECTED)


def snapshots_load(article_ids: Iterable[int]) -> dict[int, ArticleSnapshot]:
    """Snapshots of the given articles (missing ids are left out): six queries in all."""
    ids = sorted(set(article_ids))
    if not ids:
        return {}
    rows = Article.objects.filter(pk__in=ids).values(
        "id", "uuid", "title", "body", "published_on", "event_on"
    )
    parts: dict[int, dict[str, list]] = {
        i: {"mentions": [], "dates": [], "quotes": [], "claims": [], "orphans": []} for i in ids
    }

    def orphan(kind: str, row: dict, verdict_state: str = "") -> None:
        parts[row["article_id"]]["orphans"].append(
            OrphanSnap(
                kind=kind,
                uuid=str(row["uuid"]),
                start=row["start"],
                end=row["end"],
                exact=row["exact"],
                review_state=row["review_state"],
                verdict_state=verdict_state,
            )
        )

    mention_rows = _live(EntityMention.objects.filter(article_id__in=ids)).values(
        *_SPAN, "entity_id", "title_start", "title_end", "title_text", "title_modifier", "office_id"
    )
    for r in mention_rows.order_by("article_id", "start", "end", "id"):
        if r["anchor_state"] == AnchorState.ORPHANED:
            orphan("mention", r)
            continue
        parts[r["article_id"]]["mentions"].append(
            MentionSnap(
                uuid=str(r["uuid"]),
                start=r["start"],
                end=r["end"],
                exact=r["exact"],
                entity_id=r["entity_id"],
                title_start=r["title_start"],
                title_end=r["title_end"],
                title_text=r["title_text"],
                title_modifier=r["title_modifier"],
                office_id=r["office_id"],
            )
        )
    date_rows = _live(DateMention.objects.filter(article_id__in=ids)).values(
        *_SPAN, "value", "precision", "is_relative"
    )
    for r in date_rows.order_by("article_id", "start", "end", "id"):
        if r["anchor_state"] == AnchorState.ORPHANED:
            orphan("date", r)
            continue
        parts[r["article_id"]]["dates"].append(
            DateSnap(
                uuid=str(r["uuid"]),
                start=r["start"],
                end=r["end"],
                exact=r["exact"],
                value=r["value"],
                precision=r["precision"],
                is_relative=r["is_relative"],
            )
        )
    quote_rows = _live(Quote.objects.filter(article_id__in=ids)).values(
        *_SPAN, "speaker_id", "speaker_text"
    )
    for r in quote_rows.order_by("article_id", "start", "end", "id"):
        if r["anchor_state"] == AnchorState.ORPHANED:
            orphan("quote", r)
            continue
        parts[r["article_id"]]["quotes"].append(
            QuoteSnap(
                uuid=str(r["uuid"]),
                start=r["start"],
                end=r["end"],
                exact=r["exact"],
                speaker_id=r["speaker_id"],
                speaker_text=r["speaker_text"],
            )
        )
    claim_rows = _live(Claim.objects.filter(article_id__in=ids)).values(
        *_SPAN, "kind", "verdict", "verdict_state"
    )
    for r in claim_rows.order_by("article_id", "start", "end", "id"):
        if r["anchor_state"] == AnchorState.ORPHANED:
            orphan("claim", r, r["verdict_state"])
            continue
        parts[r["article_id"]]["claims"].append(
            ClaimSnap(
                uuid=str(r["uuid"]),
                start=r["start"],
                end=r["end"],
                exact=r["exact"],
                kind=r["kind"],
                verdict=r["verdict"],
                verdict_state=r["verdict_state"],
            )
        )
    snapshots = {}
    for row in rows:
        p = parts[row["id"]]
        p["orphans"].sort(key=lambda o: (o.kind, o.start, o.uuid))
        snapshots[row["id"]] = ArticleSnapshot(
            id=row["id"],
            uuid=str(row["uuid"]),
            title=row["title"],
            body=row["body"],
            published_on=row["published_on"],
            event_on=row["event_on"],
            mentions=tuple(p["mentions"]),
            dates=tuple(p["dates"]),
            quotes=tuple(p["quotes"]),
            claims=tuple(p["claims"]),
            orphans=tuple(p["orphans"]),
        )
    return snapshots


# --- The knowledge base ---------------------------------------------------------------------------

_kb_lock = threading.Lock()
_kb_cache: dict[str, object] = {}


def kb_stamp() -> str:
    """Changes whenever an entity, a tenure or an alias is added, changed or removed through the
    ORM: every such write leaves a history row (django-simple-history), and saves bump
    `updated_at`. A raw QuerySet.update() of the KB bypasses both and is not seen until the
    next tracked change (KB writers use the services, which save or write history)."""
    parts = []
    for model in (Entity, Tenure, EntityAlias):
        parts.append(model.objects.aggregate(n=Count("id"), i=Max("id")))
        parts.append(model.history.aggregate(h=Max("history_id")))
    for model in (Entity, Tenure):
        parts.append(model.objects.aggregate(t=Max("updated_at")))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def kbview_load() -> KBView:
    """The whole KB as a view; loaded once per process and kept while kb_stamp() is unchanged."""
    stamp = kb_stamp()
    with _kb_lock:
        if _kb_cache.get("stamp") == stamp:
            return _kb_cache["view"]  # type: ignore[return-value]
    labels: dict[int, str] = {}
    kinds: dict[int, str] = {}
    for pk, label, kind in Entity.objects.values_list("id", "label", "kind").iterator(
        chunk_size=5000
    ):
        labels[pk] = label
        kinds[pk] = kind
    tenures = [
        TenureFact(
            id=r[0],
            uuid=str(r[1]),
            person_id=r[2],
            office_id=r[3],
            start=r[4],
            start_precision=r[5],
            end=r[6],
            end_precision=r[7],
            end_unknown=r[8],
            source_url=r[9],
        )
        for r in Tenure.objects.values_list(
            "id",
            "uuid",
            "person_id",
            "office_id",
            "start",
            "start_precision",
            "end",
            "end_precision",
            "end_unknown",
            "source_url",
        )
        .order_by("id")
        .iterator(chunk_size=5000)
    ]
    # Offices are the office-kind entities and whatever a tenure points at.
    office_ids = {t.office_id for t in tenures} | {
        pk for pk, kind in kinds.items() if kind == EntityKind.OFFICE
    }
    office_aliases: dict[int, list[str]] = {pk: [] for pk in office_ids}
    for entity_id, alias in (
        EntityAlias.objects.filter(entity_id__in=office_ids)
        .order_by("id")
        .values_list("entity_id", "alias")
        .iterator(chunk_size=5000)
    ):
        office_aliases[entity_id].append(alias)
    view = KBView.build(labels=labels, kinds=kinds, tenures=tenures, office_aliases=office_aliases)
    with _kb_lock:
        _kb_cache["stamp"] = stamp
        _kb_cache["view"] = view
    return view


# --- Other articles ---------------------------------------------------------------------------------


def corpus_load(snapshots: dict[int, ArticleSnapshot]) -> CorpusView:
    """Quotes and verified claims of other articles that bear on these articles."""
    corpus = CorpusView()
    keys = {quote_key(q.exact) for s in snapshots.values() for q in s.quotes}
    speakers = {q.speaker_id for s in snapshots.values() for q in s.quotes if q.speaker_id}
    fields = (
        "article_id",
        "article__title",
        "quote__uuid",
        "quote__exact",
        "speaker_id",
        "speaker_text",
        "text_key",
    )

    def other(row: dict) -> OtherQuote:
        return OtherQuote(
            article_id=row["article_id"],
            article_title=row["article__title"],
            quote_uuid=str(row["quote__uuid"]),
            exact=row["quote__exact"],
            speaker_id=row["speaker_id"],
            speaker_text=row["speaker_text"],
        )

    if keys:
        for chunk in _chunks(sorted(keys), 500):
            first = (
                QuoteKey.objects.filter(text_key__in=chunk)
                .annotate(
                    rank=Window(RowNumber(), partition_by=F("text_key"), order_by=F("id").asc())
                )
                .filter(rank__lte=MAX_SAME_WORDS)
                .values(*fields)
                .order_by("text_key", "id")
            )
            for row in first:
                corpus.quotes_by_key.setdefault(row["text_key"], []).append(other(row))
    if speakers:
        latest = (
            QuoteKey.objects.filter(speaker_id__in=sorted(speakers))
            .annotate(
                rank=Window(RowNumber(), partition_by=F("speaker_id"), order_by=F("id").desc())
            )
            .filter(rank__lte=MAX_COMPARISONS)
            .values(*fields)
            .order_by("speaker_id", "-id")
        )
        for row in latest:
            corpus.quotes_by_speaker.setdefault(row["speaker_id"], []).append(other(row))

    entity_ids = {
        e for s in snapshots.values() for sig in verified_signatures(s) for e in sig.entity_ids
    }
    if entity_ids:
        article_ids = set(
            Claim.objects.filter(
                verdict_state=Claim.VerdictState.VERIFIED,
                verdict=Claim.Verdict.ACCURATE,
                article__entitymentions__entity_id__in=sorted(entity_ids),
            )
            .exclude(anchor_state=AnchorState.ORPHANED)
            .values_list("article_id", flat=True)
            .distinct()
        )
        others = snapshots_load(article_ids - set(snapshots)) if article_ids else {}
        others.update({k: v for k, v in snapshots.items() if k in article_ids})
        for article_id in sorted(others):
            corpus.verified_claims.extend(verified_signatures(others[article_id]))
    return corpus


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- The quote index --------------------------------------------------------------------------------


def quote_index_refresh(*, article_ids: Iterable[int] | None = None) -> int:
    """Bring QuoteKey in line with the live quotes (all, or those of some articles). Returns the
    number of rows written or removed."""
    quotes = Quote.objects.filter(anchor_state=AnchorState.ANCHORED).exclude(
        review_state=ReviewState.REJECTED
    )
    keys = QuoteKey.objects.all()
    if article_ids is not None:
        ids = sorted(set(article_ids))
        quotes = quotes.filter(article_id__in=ids)
        keys = keys.filter(article_id__in=ids)
    current = {
        pk: (version, speaker_id, speaker_text)
        for pk, version, speaker_id, speaker_text in keys.values_list(
            "quote_id", "quote_version", "speaker_id", "speaker_text"
        )
    }
    live: set[int] = set()
    changed: list[QuoteKey] = []
    for pk, article_id, version, exact, speaker_id, speaker_text in quotes.values_list(
        "id", "article_id", "version", "exact", "speaker_id", "speaker_text"
    ).iterator(chunk_size=5000):
        live.add(pk)
        if current.get(pk) == (version, speaker_id, speaker_text):
            continue
        changed.append(
            QuoteKey(
                quote_id=pk,
                article_id=article_id,
                speaker_id=speaker_id,
                speaker_text=speaker_text[:300],
                text_key=quote_key(exact),
                quote_version=version,
            )
        )
    gone = [pk for pk in current if pk not in live]
    stale = [k.quote_id for k in changed if k.quote_id in current]
    for chunk in _chunks(gone + stale, 1000):
        QuoteKey.objects.filter(quote_id__in=chunk).delete()
    QuoteKey.objects.bulk_create(changed, batch_size=1000)
    return len(changed) + len(gone)
