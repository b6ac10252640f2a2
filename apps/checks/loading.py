"""Loading what the checks read, in bulk: a handful of queries per batch of articles, never one
per mention. The knowledge base is loaded whole once per worker process and kept while it is
unchanged (its stamp: row counts and the latest change of entities, tenures and office titles)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable

from django.db import connection
from django.db.models import CharField, Count, F, Max, Min, Q, Window
from django.db.models.functions import Cast, Coalesce, Lower, RowNumber

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
from apps.checks.rules.quotes import MAX_SAME_WORDS, quote_edges, quote_key
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
    jurisdictions: dict[int, int] = {}
    places: dict[int, list[str]] = {}
    for pk, label, kind, jurisdiction, demonyms in Entity.objects.values_list(
        "id", "label", "kind", "jurisdiction_id", "demonyms"
    ).iterator(chunk_size=5000):
        labels[pk] = label
        kinds[pk] = kind
        if jurisdiction is not None:
            jurisdictions[pk] = jurisdiction
        if kind == EntityKind.PLACE:
            places[pk] = [label, *(d for d in demonyms or [] if isinstance(d, str))]
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
    # Countries (and bodies) that offices apply to: their names and demonyms make the wordings
    # "German Chancellor", "Germany's Chancellor" of "Chancellor of Germany".
    for pk in set(jurisdictions.values()) - set(places):
        places[pk] = [labels[pk]] if pk in labels else []
    for entity_id, alias in (
        EntityAlias.objects.filter(
            Q(entity__kind=EntityKind.PLACE) | Q(entity_id__in=sorted(set(jurisdictions.values())))
        )
        .order_by("id")
        .values_list("entity_id", "alias")
        .iterator(chunk_size=5000)
    ):
        places[entity_id].append(alias)
    view = KBView.build(
        labels=labels,
        kinds=kinds,
        tenures=tenures,
        office_aliases=office_aliases,
        places=places,
        jurisdictions={o: p for o, p in jurisdictions.items() if o in office_ids},
    )
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

    def other(row: dict) -> OtherQuote:
        return OtherQuote(
            article_id=row["article_id"],
            article_title=row["article__title"],
            quote_uuid=str(row["quote__uuid"]),
            exact=row["quote__exact"],
            speaker_id=row["speaker_id"],
            speaker_text=row["speaker_text"],
        )

    # Words said by three or more people are a stock phrase (see QUOTE_INTEGRITY): skip them
    # here, which also keeps the much-repeated phrases from being read at all.
    speaker = Coalesce(Cast("speaker_id", CharField()), Lower("speaker_text"))
    usable = []
    for chunk in _chunks(sorted(keys), 1000):
        usable += [
            key
            for key, n in QuoteKey.objects.filter(text_key__in=chunk)
            .values("text_key")
            .annotate(n=Count(speaker, distinct=True))
            .values_list("text_key", "n")
            if n <= 2
        ]
    ids = [i for i, _, _ in _first_ids("text_key", sorted(usable), MAX_SAME_WORDS, newest=False)]
    for row in _rows(ids, "text_key", newest=False):
        corpus.quotes_by_key.setdefault(row["text_key"], []).append(other(row))
    # Other wordings of a speaker's quotes: their quotes that begin or end with the same words,
    # one row per wording (the smallest id).
    edges = {
        (q.speaker_id, *quote_edges(q.exact))
        for s in snapshots.values()
        for q in s.quotes
        if q.speaker_id
    }
    wanted = {(sp, "h", h) for sp, h, _ in edges if h} | {(sp, "t", t) for sp, _, t in edges if t}
    heads = sorted({h for _, h, _ in edges if h})
    tails = sorted({t for _, _, t in edges if t})
    ids = []
    for chunk in _chunks(sorted(speakers), 500):
        if not (heads or tails):
            break
        for speaker_id, head, tail, first in (
            QuoteKey.objects.filter(speaker_id__in=chunk)
            .filter(Q(head_key__in=heads) | Q(tail_key__in=tails))
            .values("speaker_id", "text_key", "head_key", "tail_key")
            .annotate(first=Min("id"))
            .values_list("speaker_id", "head_key", "tail_key", "first")
        ):
            if (speaker_id, "h", head) in wanted or (speaker_id, "t", tail) in wanted:
                ids.append(first)
    for row in _rows(ids, "speaker_id", newest=False):
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


_OTHER_FIELDS = (
    "article_id",
    "article__title",
    "quote__uuid",
    "quote__exact",
    "speaker_id",
    "speaker_text",
    "text_key",
)


def _first_ids(column: str, values: list, limit: int, *, newest: bool) -> list[tuple]:
    """(id, column value, text_key) of the first `limit` QuoteKey rows by id (or the newest) for
    each value of `column`. On PostgreSQL one LATERAL query walks the (column, id) index once per
    value; elsewhere a window function."""
    if not values:
        return []
    order = "-id" if newest else "id"
    names = ["id", column] + (["text_key"] if column != "text_key" else [])
    out: list[tuple] = []
    if connection.vendor != "postgresql":
        for chunk in _chunks(values, 500):
            out.extend(
                QuoteKey.objects.filter(**{f"{column}__in": chunk})
                .annotate(
                    rank=Window(
                        RowNumber(),
                        partition_by=F(column),
                        order_by=F("id").desc() if newest else F("id").asc(),
                    )
                )
                .filter(rank__lte=limit)
                .order_by(column, order)
                .values_list(*names)
            )
        return [row if len(row) == 3 else (*row, row[1]) for row in out]
    inner = (
        QuoteKey.objects.filter(**{column: values[0]}).order_by(order).values_list(*names)[:limit]
    )
    sql, params = inner.query.sql_with_params()
    # The inner query filters on one value; the LATERAL join runs it for every value.
    table = QuoteKey._meta.db_table
    sql = sql.replace(f'"{table}"."{column}" = %s', f'"{table}"."{column}" = v.value', 1)
    cast = "bigint" if column == "speaker_id" else "text"
    with connection.cursor() as cursor:
        for chunk in _chunks(values, 1000):
            cursor.execute(
                f"SELECT x.* FROM unnest(%s::{cast}[]) AS v(value) CROSS JOIN LATERAL ({sql}) AS x",
                [list(chunk), *params[1:]],
            )
            out.extend(cursor.fetchall())
    return [row if len(row) == 3 else (*row, row[1]) for row in out]


def _rows(ids: list[int], column: str, *, newest: bool) -> list[dict]:
    rows: list[dict] = []
    for chunk in _chunks(sorted(ids), 2000):
        rows.extend(QuoteKey.objects.filter(id__in=chunk).values(*_OTHER_FIELDS, "id"))
    rows.sort(key=lambda r: (r[column], -r["id"] if newest else r["id"]))
    return rows


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- The quote index --------------------------------------------------------------------------------


QUOTE_KEYS_PER_TRANSACTION = 200


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
        pk: (version, speaker_id, speaker_text, bool(head))
        for pk, version, speaker_id, speaker_text, head in keys.values_list(
            "quote_id", "quote_version", "speaker_id", "speaker_text", "head_key"
        )
    }
    live: set[int] = set()
    changed: list[QuoteKey] = []
    for pk, article_id, version, exact, speaker_id, speaker_text in quotes.values_list(
        "id", "article_id", "version", "exact", "speaker_id", "speaker_text"
    ).iterator(chunk_size=5000):
        live.add(pk)
        if current.get(pk) == (version, speaker_id, speaker_text, True):
            continue
        head, tail = quote_edges(exact)
        changed.append(
            QuoteKey(
                quote_id=pk,
                article_id=article_id,
                speaker_id=speaker_id,
                speaker_text=speaker_text[:300],
                text_key=quote_key(exact),
                head_key=head or "-",  # "-": too short to have edges, but computed
                tail_key=tail or "-",
                quote_version=version,
            )
        )
    gone = [pk for pk in current if pk not in live]
    for chunk in _chunks(gone, 1000):
        QuoteKey.objects.filter(quote_id__in=chunk).delete()
    # An upsert: two runs refreshing the same quotes at once must not collide. In transactions of
    # QUOTE_KEYS_PER_TRANSACTION rows (bulk_create's own, unless the caller holds one): on SQLite
    # a transaction holds the whole database's write lock, and one upsert of the keys of a
    # 500-article checks batch (a bulk import) held it 0.6-1.3 s, making a web write wait that
    # long (bench/import_phases.py). The index is derived and the upsert idempotent: a refresh
    # cut short between chunks is completed by the next one.
    for chunk in _chunks(changed, QUOTE_KEYS_PER_TRANSACTION):
        QuoteKey.objects.bulk_create(
            chunk,
            update_conflicts=True,
            unique_fields=["quote"],
            update_fields=[
                "article",
                "speaker",
                "speaker_text",
                "text_key",
                "head_key",
                "tail_key",
                "quote_version",
            ],
        )
    return len(changed) + len(gone)
