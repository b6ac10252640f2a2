"""GET /api/v1/articles/{id} answers from plain rows (apps/api/readers.py), not through the output
serializers: the answer must stay exactly what the serializers give (the OpenAPI schema is
theirs), key order and value types included, and cost the same queries however much the
article holds."""

from __future__ import annotations

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from apps.annotations.services import annotation_create, evidence_add
from apps.api import serializers as s
from apps.api.views import article_detail_queryset
from apps.articles.services import article_import
from apps.checks.models import Finding

pytestmark = pytest.mark.django_db


def _exact(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder)


def _serialized(article) -> dict:
    return s.ArticleDetailOut(article_detail_queryset().get(pk=article.pk)).data


@pytest.mark.parametrize("time_zone", ["UTC", "Europe/Paris"])
def test_it_answers_exactly_what_the_serializers_answer(world, clients, settings, time_zone):
    settings.TIME_ZONE = time_zone
    response = clients["read_key"].get(f"/api/v1/articles/{world.article.uuid}")

    assert response.status_code == 200
    answer = response.json()
    assert _exact(answer) == _exact(json.loads(_exact(_serialized(world.article))))
    # The world has one of everything: each part is really there, not two empty answers.
    annotations = answer["annotations"]
    assert [len(annotations[k]) for k in ("claims", "quotes", "mentions", "dates")] == [3, 1, 1, 1]
    assert annotations["claims"][0]["evidence"][0]["url"] == "https://example.org/minutes"
    assert annotations["quotes"][0]["speaker"]["label"] == "Keir Starmer"
    assert annotations["mentions"][0]["office"] is None
    assert answer["findings"][0]["code"] == "DATE_VS_PUBLICATION"


def test_an_article_without_annotations_answers_empty_lists(clients, annotator):
    article = article_import(title="Empty", body="Nothing to see here.", created_by=annotator)

    response = clients["read_key"].get(f"/api/v1/articles/{article.uuid}")

    assert response.status_code == 200
    assert response.json()["annotations"] == {
        "claims": [],
        "quotes": [],
        "mentions": [],
        "dates": [],
    }
    assert _exact(response.json()) == _exact(json.loads(_exact(_serialized(article))))


def test_an_unknown_article_is_a_404_with_a_message(clients):
    response = clients["read_key"].get("/api/v1/articles/00000000-0000-0000-0000-000000000000")

    assert response.status_code == 404
    assert response.json()["message"]


def _add_spans(world, annotator, n: int) -> None:
    body = world.article.body
    words = [(i, w) for i, w in enumerate(body.split(" ")) if w.isalpha()]
    offsets = []
    position = 0
    for word in body.split(" "):
        offsets.append(position)
        position += len(word) + 1
    for k in range(n):
        index, word = words[k % len(words)]
        start = offsets[index]
        for kind in ("claim", "quote", "mention", "date"):
            span = annotation_create(
                article=world.article,
                kind=kind,
                start=start,
                end=start + len(word),
                exact=word,
                user=annotator,
                fields={"entity": world.person} if kind == "mention" else {},
            )
            if kind == "claim":
                evidence_add(claim=span, user=annotator, url=f"https://example.org/{k}")
    for k in range(n):
        Finding.objects.create(
            article=world.article,
            code="DATE_VS_PUBLICATION",
            check_version="1",
            severity=Finding.Severity.WARNING,
            message=f"Finding {k}.",
            fingerprint=f"extra-{k}",
        )


# The API key, the article, its claims, their evidence, quotes, mentions, dates and findings.
FETCH_QUERIES = 8


def test_its_query_count_does_not_grow_with_the_annotations(
    world, clients, annotator, django_assert_num_queries
):
    client = clients["read_key"]
    url = f"/api/v1/articles/{world.article.uuid}"
    with django_assert_num_queries(FETCH_QUERIES):
        small = client.get(url).json()
    _add_spans(world, annotator, 15)
    with django_assert_num_queries(FETCH_QUERIES):
        large = client.get(url).json()

    assert len(large["annotations"]["claims"]) == len(small["annotations"]["claims"]) + 15
    assert len(large["findings"]) == len(small["findings"]) + 15
    assert _exact(large) == _exact(json.loads(_exact(_serialized(world.article))))


def test_it_reads_the_time_zone_once_per_part_not_once_per_date(
    world, clients, annotator, monkeypatch
):
    """DRF looks the current time zone up for each datetime it writes (a thread-local lookup,
    most of its cost per value); the fetch looks it up once per part of the answer."""
    from django.utils import timezone

    _add_spans(world, annotator, 10)
    calls = []
    real = timezone.get_current_timezone
    monkeypatch.setattr(timezone, "get_current_timezone", lambda: calls.append(1) or real())

    with timezone.override("Asia/Kolkata"):  # +05:30: the zone really is applied
        answer = clients["read_key"].get(f"/api/v1/articles/{world.article.uuid}").json()

    assert answer["created_at"].endswith("+05:30")
    assert len(answer["annotations"]["quotes"]) > 10
    # The article, its quotes, mentions, dates and findings (claims write UTC themselves).
    assert len(calls) <= 5


@pytest.mark.parametrize("time_zone", ["UTC", "Europe/Paris"])
def test_the_article_list_answers_exactly_what_the_serializer_answers(
    world, clients, annotator, settings, time_zone
):
    from apps.articles.models import Article

    settings.TIME_ZONE = time_zone
    article_import(
        title="Second", body="More.", external_id="cms-2", published_on=None, created_by=annotator
    )

    response = clients["read_key"].get("/api/v1/articles", {"page_size": 100})

    rows = response.json()["results"]
    assert len(rows) == 2
    expected = s.ArticleOut([Article.objects.get(uuid=row["id"]) for row in rows], many=True).data
    assert _exact(rows) == _exact(json.loads(_exact(expected)))


def test_the_article_list_walks_its_change_order_index(world, clients):
    """Without the index (Article.Meta, articles/0004) each page sorted the whole table."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert clients["read_key"].get("/api/v1/articles").status_code == 200
    sql = next(q["sql"] for q in queries.captured_queries if 'FROM "articles_article"' in q["sql"])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "article_change_order_idx" in plan
            assert "TEMP B-TREE" not in plan  # no sort
        else:
            # A table this small is read sequentially whatever the indexes; with sequential scans
            # priced out, the plan shows whether an index can serve the order without a sort.
            with transaction.atomic():
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("EXPLAIN " + sql)
                plan = " ".join(row[0] for row in cursor.fetchall())
            assert "article_change_order_idx" in plan
            assert "Sort" not in plan.replace("Sort Key", "")
