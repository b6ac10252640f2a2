"""The whole corpus (or the articles of a filter), streamed: as JSON Lines, one article per line
with its annotations, verdicts, evidence and findings (each line shaped as GET /articles/{id}
answers), or as one W3C Web Annotation AnnotationCollection whose annotations are those of the
per-article export (apps.annotations.exports.web_annotation_collection), article after article.

Memory stays flat and the first bytes leave at once: the articles are read by keyset pagination
on id (`id > last ORDER BY id LIMIT n`, never OFFSET), and each chunk of articles costs a fixed
number of queries however many annotations it has (articles, then one query per kind of span,
evidence and findings for the chunk's ids). Rows are read as tuples and written with orjson,
never through model instances and DRF fields, which took most of the time (see bench/export.py).

The export runs in one read-only transaction (REPEATABLE READ on PostgreSQL, a deferred read
transaction on SQLite): every chunk sees the same snapshot, so an article and its spans never
disagree even if someone edits while the download runs, and no writer waits for the download."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import orjson
from django.db import connection
from django.db.models import Model, QuerySet
from django.urls import reverse

from apps.annotations import exports
from apps.annotations.models import AnchorState, Claim, DateMention, EntityMention, Evidence, Quote
from apps.api import serializers as s
from apps.articles.models import Article
from apps.checks.models import Finding
from apps.snapshots import read_snapshot

FORMATS = ("jsonl", "w3c")
CONTENT_TYPES = {
    "jsonl": "application/jsonl; charset=utf-8",
    "w3c": "application/ld+json; charset=utf-8",
}
FILE_NAMES = {"jsonl": "articles.jsonl", "w3c": "annotations.jsonld"}
# The first chunk is small so that the first bytes leave after a few milliseconds; later chunks
# are large so that the per-query cost is spread over many articles.
FIRST_CHUNK = 50
CHUNK = 1000
# Queries per chunk: articles + claims + evidence + quotes + mentions + dates + findings.
JSONL_QUERIES_PER_CHUNK = 7
# Articles + claims + quotes + mentions + dates.
W3C_QUERIES_PER_CHUNK = 5

_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"
# Datetimes as DRF writes them: UTC with "Z" (SQLite's are naive, in UTC).
_JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC
_ENTITY_COLUMNS = ("uuid", "label", "kind")


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=_JSON_OPTIONS)


# --- Reading rows -------------------------------------------------------------------------------
# Rows are read undecoded (without Django's per-value converters, which were most of the time)
# and only the columns that need it are decoded, straight into what the output needs. On SQLite
# the driver gives naive datetimes (in UTC), dates and booleans, a UUID as 32 hex digits and JSON
# as text; on PostgreSQL psycopg's own (C) loaders give datetimes, UUIDs and dates, and Django's
# jsonb loader gives text. JSON text is embedded as it is (orjson.Fragment).


def _sqlite_uuid(value: str | None) -> str | None:
    if value is None:
        return None
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.replace(tzinfo=dt.UTC)


def _json_text(value: str | None) -> orjson.Fragment | None:
    return None if value is None else orjson.Fragment(value)


# (vendor, Django field type, for "json" output or for the "w3c" code) -> decoder
_DECODERS: dict[tuple[str, str, str], Callable[[Any], Any]] = {
    ("sqlite", "UUIDField", "json"): _sqlite_uuid,
    ("sqlite", "UUIDField", "w3c"): _sqlite_uuid,
    ("sqlite", "DateTimeField", "w3c"): _aware,
    ("sqlite", "JSONField", "json"): _json_text,
    ("postgresql", "JSONField", "json"): _json_text,
}


def _field(model: type[Model], column: str):
    """The model field a values_list column reads ("speaker__uuid": Entity.uuid)."""
    *path, name = column.split("__")
    for part in path:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field(name)


def _decoders(model: type[Model], columns: list[str], mode: str) -> list | None:
    vendor = connection.vendor
    found = [
        _DECODERS.get((vendor, _field(model, column).get_internal_type(), mode))
        for column in columns
    ]
    if any(found):
        return found
    if vendor not in ("sqlite", "postgresql"):  # pragma: no cover - the two supported engines
        raise NotImplementedError(vendor)
    return None


def _raw_rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a values_list queryset as the driver gives them (through Django's cursor, so
    that they are counted and logged like any query). On PostgreSQL the timestamps are read with
    psycopg's own loader (C) instead of Django's (Python), which converts each value again."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg.types.datetime import TimestamptzLoader

            cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        return cursor.fetchall()


def _decoded(model: type[Model], columns: list[str], rows: list[tuple], mode: str) -> Iterable:
    decoders = _decoders(model, columns, mode)
    if decoders is None:
        return rows
    return (
        [
            value if decode is None else decode(value)
            for decode, value in zip(decoders, row, strict=True)
        ]
        for row in rows
    )


def _of_articles(queryset: QuerySet, ids: list[int], field: str = "article_id") -> QuerySet:
    """Rows of the chunk's articles. A dense chunk (the whole corpus, a broad filter) is asked
    for as a range of ids, which costs the database and the driver far less than 1,000
    parameters; the caller drops the rows of articles outside the chunk."""
    low, high = ids[0], ids[-1]
    if high - low < 2 * len(ids):
        return queryset.filter(**{f"{field}__gte": low, f"{field}__lte": high})
    return queryset.filter(**{f"{field}__in": ids})


class _Rows:
    """How one output serializer's fields are read as a tuple and turned back into its dict.
    The fields come from the serializer itself (Meta.fields), so a field added there appears here
    too; tests/api/test_corpus_export.py checks each line against GET /articles/{id}."""

    def __init__(
        self,
        model: type[Model],
        fields: list[str],
        *,
        entities: tuple[str, ...] = (),
        computed: tuple[str, ...] = (),
        extra: tuple[str, ...] = (),
    ) -> None:
        self.model = model
        self.fields = fields
        self.entities = entities
        self.keys = [f for f in fields if f not in entities and f not in computed]
        self.columns = [
            *extra,
            *("uuid" if key == "id" else key for key in self.keys),
            *(f"{name}__{column}" for name in entities for column in _ENTITY_COLUMNS),
        ]
        self.skip = len(extra)

    def dicts(self, queryset: QuerySet) -> Iterator[tuple[tuple, dict[str, Any]]]:
        """(the extra columns, the item's dict without its computed fields): one query."""
        return self.shape(_raw_rows(queryset.values_list(*self.columns)))

    def shape(self, rows: list[tuple]) -> Iterator[tuple[tuple, dict[str, Any]]]:
        skip, keys, entities = self.skip, self.keys, self.entities
        width = len(keys)
        for row in _decoded(self.model, self.columns, rows, "json"):
            item = dict(zip(keys, row[skip : skip + width], strict=True))
            at = skip + width
            for name in entities:
                uuid, label, kind = row[at : at + 3]
                at += 3
                item[name] = None if uuid is None else {"id": uuid, "label": label, "kind": kind}
            yield tuple(row[:skip]), item


_ARTICLE = _Rows(
    Article,
    [*s.ArticleDetailOut.Meta.fields],
    computed=("annotations", "findings"),
    extra=("id",),
)
_EVIDENCE = _Rows(Evidence, s.EvidenceOut.Meta.fields, extra=("claim_id",))
_FINDING = _Rows(Finding, s.FindingOut.Meta.fields, computed=("article",), extra=("article_id",))
# (key in "annotations", its rows)
_SPANS: list[tuple[str, _Rows]] = [
    (
        "claims",
        _Rows(
            Claim,
            s.ClaimOut.Meta.fields,
            computed=("article", "evidence"),
            extra=("article_id", "id"),
        ),
    ),
    (
        "quotes",
        _Rows(
            Quote,
            s.QuoteOut.Meta.fields,
            entities=("speaker",),
            computed=("article",),
            extra=("article_id", "id"),
        ),
    ),
    (
        "mentions",
        _Rows(
            EntityMention,
            s.MentionOut.Meta.fields,
            entities=("entity", "office"),
            computed=("article",),
            extra=("article_id", "id"),
        ),
    ),
    (
        "dates",
        _Rows(
            DateMention, s.DateOut.Meta.fields, computed=("article",), extra=("article_id", "id")
        ),
    ),
]


def _ordered(item: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {name: item[name] for name in fields}


def _jsonl_chunk(articles: list[tuple[tuple, dict[str, Any]]]) -> bytes:
    """The JSON lines of one chunk of articles: 6 queries (spans of each kind, evidence,
    findings) whatever their number."""
    ids = [pk for (pk,), _ in articles]
    uuids = {pk: article["id"] for (pk,), article in articles}
    spans: dict[str, dict[int, list[dict[str, Any]]]] = {}
    claims_by_id: dict[int, dict[str, Any]] = {}
    for key, shape in _SPANS:
        by_article: dict[int, list[dict[str, Any]]] = defaultdict(list)
        queryset = _of_articles(shape.model.objects.all(), ids).order_by(
            "article_id", "start", "end", "id"
        )
        for (article_id, pk), item in shape.dicts(queryset):
            if article_id not in uuids:
                continue
            item["article"] = uuids[article_id]
            if shape.model is Claim:
                item["evidence"] = []
                claims_by_id[pk] = item
            by_article[article_id].append(item)
        spans[key] = by_article
        if shape.model is Claim:
            evidence = _of_articles(Evidence.objects.all(), ids, "claim__article_id").order_by(
                "claim_id", "created_at", "id"
            )
            for (claim_id,), item in _EVIDENCE.dicts(evidence):
                if claim_id in claims_by_id:
                    claims_by_id[claim_id]["evidence"].append(item)
    findings: dict[int, list[dict[str, Any]]] = defaultdict(list)
    queryset = _of_articles(Finding.objects.all(), ids).order_by(
        "article_id", "code", "created_at", "id"
    )
    for (article_id,), item in _FINDING.dicts(queryset):
        if article_id in uuids:
            item["article"] = uuids[article_id]
            findings[article_id].append(_ordered(item, _FINDING.fields))
    out = bytearray()
    for (pk,), article in articles:
        article["annotations"] = {
            key: [_ordered(item, shape.fields) for item in spans[key].get(pk, ())]
            for key, shape in _SPANS
        }
        article["findings"] = findings.get(pk, [])
        out += _dumps(article)
        out += b"\n"
    return bytes(out)


# --- W3C ----------------------------------------------------------------------------------------

_W3C_COMMON = [
    "id",
    "article_id",
    "uuid",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "review_state",
    "anchor_state",
    "created_at",
    "updated_at",
]
_W3C_ENTITY = ("uuid", "label", "wikidata_id")
# model -> (kind_name, its own columns, its entity) as apps.annotations.exports._bodies reads them
_W3C_SPANS: dict[type[Model], tuple[str, list[str], str | None]] = {
    Claim: ("claim", ["kind", "verdict", "verdict_state", "summary"], None),
    Quote: ("quote", ["speaker_id", "speaker_text"], "speaker"),
    EntityMention: ("entitymention", ["entity_id", "title_text"], "entity"),
    DateMention: ("datemention", ["value"], None),
}


def _w3c_spans(ids: list[int], wanted: dict) -> dict[int, list[SimpleNamespace]]:
    """The anchored spans of the chunk's articles as objects with the attributes
    web_annotation reads: 4 queries."""
    spans: dict[int, list[SimpleNamespace]] = defaultdict(list)
    for model, (kind_name, own, entity) in _W3C_SPANS.items():
        columns = [*_W3C_COMMON, *own]
        if entity:
            columns += [f"{entity}__{column}" for column in _W3C_ENTITY]
        queryset = _of_articles(model.objects.filter(anchor_state=AnchorState.ANCHORED), ids)
        rows = _raw_rows(queryset.order_by("id").values_list(*columns))
        names = ["pk", *columns[1 : len(_W3C_COMMON) + len(own)]]
        for row in _decoded(model, columns, rows, "w3c"):
            if row[1] not in wanted:
                continue
            span = SimpleNamespace(kind_name=kind_name, **dict(zip(names, row, strict=False)))
            if entity:
                uuid, label, wikidata_id = row[len(names) :]
                setattr(
                    span,
                    entity,
                    SimpleNamespace(uuid=uuid, label=label, wikidata_id=wikidata_id),
                )
            spans[row[1]].append(span)
    return spans


def _w3c_chunk(articles: list[tuple], *, article_url: str, first: bool) -> tuple[bytes, int]:
    """The annotations of one chunk of (id, uuid, title, language, revision) rows, as the items
    of the collection (each preceded by a comma unless it is the very first)."""
    wanted = {row[0]: row for row in articles}
    spans = _w3c_spans([row[0] for row in articles], wanted)
    out = bytearray()
    count = 0
    for pk, uuid, title, language, revision in articles:
        if pk not in spans:
            continue
        collection = exports.web_annotation_collection(
            article=SimpleNamespace(title=title, language=language, revision=revision),
            spans=spans[pk],
            collection_url="",
            article_url=article_url.replace(_PLACEHOLDER, str(uuid)),
        )
        for item in collection["first"]["items"]:
            if not first or count:
                out += b",\n"
            out += _dumps(item)
            count += 1
    return bytes(out), count


# --- The stream ---------------------------------------------------------------------------------


def _chunks(articles: QuerySet, columns: list[str]) -> Iterator[list[tuple]]:
    """The undecoded rows of `articles` in id order (the first column: id), a chunk at a time
    (keyset pagination on id): one query each."""
    last = 0
    size = FIRST_CHUNK
    while True:
        chunk = _raw_rows(articles.filter(id__gt=last).order_by("id").values_list(*columns)[:size])
        if not chunk:
            return
        yield chunk
        if len(chunk) < size:
            return
        last = chunk[-1][0]
        size = CHUNK


def export_url(*, base_url: str, export_format: str, filters: dict[str, str]) -> str:
    """The export's own address, the id of the W3C collection: the same whether it is asked for
    over HTTP or written by `manage.py export_corpus`, whatever the order of the parameters."""
    query = urlencode([("format", export_format), *sorted(filters.items())])
    return base_url.rstrip("/") + reverse("api:corpus-export-list") + "?" + query


def corpus_export_stream(
    *, articles: QuerySet, export_format: str, base_url: str, filters: dict[str, str]
) -> Iterator[bytes]:
    """The export of `articles` (a filtered queryset of apps.articles.models.Article), in bytes,
    a chunk of articles at a time."""
    if export_format not in FORMATS:
        raise ValueError(export_format)
    with read_snapshot():
        if export_format == "jsonl":
            for chunk in _chunks(articles, _ARTICLE.columns):
                yield _jsonl_chunk(list(_ARTICLE.shape(chunk)))
            return
        url = export_url(base_url=base_url, export_format=export_format, filters=filters)
        article_url = base_url.rstrip("/") + reverse(
            "api:article-detail", kwargs={"id": _PLACEHOLDER}
        )
        head = {
            "@context": exports.ANNO_CONTEXT,
            "id": url,
            "type": "AnnotationCollection",
            "label": "Factdesk annotations of the corpus",
        }
        page = {"id": f"{url}#page-1", "type": "AnnotationPage", "startIndex": 0}
        # The items are streamed inside "first"; "total" is known only at the end, so it comes
        # last (JSON objects are unordered).
        yield _dumps(head)[:-1] + b',"first":' + _dumps(page)[:-1] + b',"items":[\n'
        total = 0
        columns = ["id", "uuid", "title", "language", "revision"]
        for chunk in _chunks(articles, columns):
            rows = list(_decoded(Article, columns, chunk, "w3c"))
            data, count = _w3c_chunk(rows, article_url=article_url, first=total == 0)
            total += count
            if data:
                yield data
        yield b'\n]},"total":' + str(total).encode() + b"}\n"
