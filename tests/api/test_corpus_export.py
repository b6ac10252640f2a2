"""GET /api/v1/articles/export (issue 15): the corpus as JSON Lines or one W3C
AnnotationCollection, streamed; and `manage.py export_corpus`, the same bytes to a file."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.annotations.services import annotation_create
from apps.api import corpus_export
from apps.articles.services import article_import, article_update_body
from tests.api.conftest import user_client

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/articles/export"


def _body(response) -> bytes:
    assert response.status_code == 200, response.content if not response.streaming else ""
    assert response.streaming  # never built whole in memory
    return b"".join(response.streaming_content)


def _lines(response) -> list[dict]:
    return [json.loads(line) for line in _body(response).decode().splitlines()]


def _more_articles(user, count: int, *, spans: int = 0, source: str = "Other Wire") -> list:
    """`count` articles, each with `spans` claims and `spans` dates."""
    made = []
    for i in range(count):
        body = " ".join(f"Sentence {i}.{j} says that 12 ministers met." for j in range(spans + 1))
        article = article_import(title=f"Article {i}", body=body, source=source, created_by=user)
        for j in range(spans):
            start = body.index(f"Sentence {i}.{j} ")
            annotation_create(
                article=article,
                kind="claim",
                start=start,
                end=start + 11,
                exact=body[start : start + 11],
                user=user,
            )
            start = body.index("12 ministers", start)
            annotation_create(
                article=article,
                kind="date",
                start=start,
                end=start + 2,
                exact="12",
                user=user,
                fields={"value": dt.date(2026, 1, 12)},
            )
        made.append(article)
    return made


def test_it_exports_every_article_as_its_detail_answers_it(world, clients, annotator):
    others = _more_articles(annotator, 2, spans=2)
    client = clients["read_key"]

    response = client.get(EXPORT, {"format": "jsonl"})

    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    lines = _lines(response)
    assert [line["id"] for line in lines] == [
        str(a.uuid) for a in (world.article, *others)
    ]  # id order: the order of import
    for line in lines:
        assert line == client.get(f"/api/v1/articles/{line['id']}").json()


def test_each_line_carries_the_verdicts_evidence_and_findings(world, clients):
    (line,) = _lines(clients["read_key"].get(EXPORT))

    assert line["body"] == world.article.body
    claims = {c["id"]: c for c in line["annotations"]["claims"]}
    verified = claims[str(world.claim_verified.uuid)]
    assert (verified["verdict"], verified["verdict_state"]) == ("inaccurate", "verified")
    assert verified["summary"] == "6 January 2024 was a Saturday."
    assert claims[str(world.claim.uuid)]["evidence"][0]["url"] == "https://example.org/minutes"
    assert line["annotations"]["quotes"][0]["speaker"]["label"] == "Keir Starmer"
    assert line["annotations"]["mentions"][0]["entity"]["id"] == str(world.person.uuid)
    assert line["annotations"]["dates"][0]["value"] == "2024-01-06"
    assert [f["code"] for f in line["findings"]] == ["DATE_VS_PUBLICATION"]


def test_the_w3c_collection_holds_what_each_article_export_holds(world, clients, annotator):
    others = _more_articles(annotator, 3, spans=2)
    _more_articles(annotator, 1)  # no annotations: nothing in the collection
    # An orphan (its text edited away) is left out, as in the per-article export.
    article_update_body(
        article=world.article,
        body=world.article.body.replace("The talks ended late.", "The talks went on."),
        user=annotator,
        expected_revision=world.article.revision,
    )
    client = clients["read_key"]

    response = client.get(EXPORT, {"format": "w3c"})

    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    collection = json.loads(_body(response))
    assert collection["type"] == "AnnotationCollection"
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["id"] == "http://testserver/api/v1/articles/export?format=w3c"
    items = collection["first"]["items"]
    assert collection["total"] == len(items)
    for article in (world.article, *others):
        one = client.get(f"/api/v1/articles/{article.uuid}/annotations.jsonld").json()
        source = one["first"]["items"][0]["target"]["source"]
        mine = [item for item in items if item["target"]["source"]["id"] == source["id"]]
        assert mine == one["first"]["items"]
    assert len(items) == sum(
        client.get(f"/api/v1/articles/{a.uuid}/annotations.jsonld").json()["total"]
        for a in (world.article, *others)
    )
    assert str(world.claim_proposed.uuid) not in json.dumps(items)  # the orphan


def test_it_exports_only_the_articles_of_the_filters(world, clients, annotator):
    others = _more_articles(annotator, 2, spans=1)
    client = clients["read_key"]

    by_source = _lines(client.get(EXPORT, {"source": "Other Wire"}))
    assert [line["id"] for line in by_source] == [str(a.uuid) for a in others]

    collection = json.loads(_body(client.get(EXPORT, {"format": "w3c", "source": "Test Wire"})))
    sources = {
        item["target"]["source"]["id"].rsplit("/", 1)[1] for item in collection["first"]["items"]
    }
    assert sources == {str(world.article.uuid)}
    assert collection["id"].endswith("?format=w3c&source=Test+Wire")

    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert _body(client.get(EXPORT, {"updated_since": future})) == b""
    assert len(_lines(client.get(EXPORT, {"external_id": "nobody"}))) == 0
    searched = _lines(client.get(EXPORT, {"q": "talks in paris"}))
    assert [line["id"] for line in searched] == [str(world.article.uuid)]


def test_an_empty_corpus_is_an_empty_export(db, clients):
    client = clients["read_key"]

    assert _body(client.get(EXPORT)) == b""
    collection = json.loads(_body(client.get(EXPORT, {"format": "w3c"})))
    assert collection["total"] == 0
    assert collection["first"]["items"] == []


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as context:
        _body(client.get(EXPORT, params))
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "export_format,per_chunk",
    [
        ("jsonl", corpus_export.JSONL_QUERIES_PER_CHUNK),
        ("w3c", corpus_export.W3C_QUERIES_PER_CHUNK),
    ],
)
def test_it_costs_a_fixed_number_of_queries_per_chunk_of_articles(
    world, clients, annotator, monkeypatch, export_format, per_chunk
):
    """However many annotations the articles have: one chunk of articles (the world's one with
    everything, then more with many spans) costs the same queries; one more chunk costs one more
    set (and the empty read that ends the export)."""
    monkeypatch.setattr(corpus_export, "FIRST_CHUNK", 3)
    monkeypatch.setattr(corpus_export, "CHUNK", 3)
    client = clients["read_key"]
    params = {"format": export_format}
    one_article = _queries(client, params)

    _more_articles(annotator, 1, spans=5)
    assert _queries(client, params) == one_article  # 2 articles, 1 chunk
    _more_articles(annotator, 1, spans=3)
    # 3 articles fill the chunk: the next, empty, read ends the export.
    full_chunk = _queries(client, params)
    assert full_chunk == one_article + 1
    _more_articles(annotator, 3, spans=4)
    assert _queries(client, params) == full_chunk + per_chunk  # 6 articles, 2 full chunks
    # Per chunk: articles, claims, (evidence), quotes, mentions, dates, (findings); besides them
    # only the API key (the export's own transaction is the test's here).
    assert one_article == per_chunk + 1


def test_bad_input_is_a_clear_400(world, clients):
    client = clients["read_key"]
    for params, field in [
        ({"format": "csv"}, "format"),
        ({"status": "done-ish"}, "status"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"source": ""}, "source"),
    ]:
        response = client.get(EXPORT, params)
        assert response.status_code == 400, params
        assert response["Content-Type"] == "application/json"
        error = response.json()
        assert error["field"] == field
        assert error["message"]


def test_it_is_for_those_who_may_read_articles(world, clients, outsider):
    assert clients["anonymous"].get(EXPORT).status_code == 401
    refused = user_client(outsider).get(EXPORT)
    assert refused.status_code == 403
    assert "role" in refused.json()["message"]
    for role in ("read_key", "write_key", "annotator", "reviewer", "editor"):
        assert len(_lines(clients[role].get(EXPORT))) == 1, role


@pytest.mark.parametrize("export_format", ["jsonl", "w3c"])
def test_the_command_writes_the_same_bytes_as_the_api(
    world, clients, annotator, tmp_path, export_format
):
    _more_articles(annotator, 2, spans=2, source="Test Wire")
    _more_articles(annotator, 1, spans=1)
    out = tmp_path / f"export.{export_format}"
    out.write_text("the previous export")

    call_command(
        "export_corpus",
        "--format",
        export_format,
        "--source",
        "Test Wire",
        "--base-url",
        "http://testserver",
        "--out",
        str(out),
    )

    expected = _body(
        clients["read_key"].get(EXPORT, {"source": "Test Wire", "format": export_format})
    )
    assert out.read_bytes() == expected
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


def test_the_command_refuses_bad_arguments_and_leaves_the_file_alone(world, tmp_path):
    out = tmp_path / "export.jsonl"
    out.write_text("the previous export")
    with pytest.raises(CommandError, match="--updated-since"):
        call_command("export_corpus", "--updated-since", "soon", "--out", str(out))
    with pytest.raises(CommandError, match="--status"):
        call_command("export_corpus", "--status", "bogus", "--out", str(out))
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("export_corpus", "--format", "xml", "--out", str(out))
    with pytest.raises(CommandError, match="No directory"):
        call_command("export_corpus", "--out", str(tmp_path / "missing" / "export.jsonl"))
    assert out.read_text() == "the previous export"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_an_interrupted_command_leaves_the_file_alone(world, tmp_path, monkeypatch):
    out = tmp_path / "export.jsonl"
    out.write_text("the previous export")

    def broken(articles):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(corpus_export, "_jsonl_chunk", broken)
    with pytest.raises(RuntimeError):
        call_command("export_corpus", "--out", str(out))

    assert out.read_text() == "the previous export"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


@pytest.mark.django_db(transaction=True)
def test_a_download_in_progress_blocks_no_writer_and_sees_one_snapshot(annotator, monkeypatch):
    """A slow client holds the export open: people keep writing meanwhile, and the export is
    the corpus as it was when the download began."""
    from apps.articles.models import Article

    monkeypatch.setattr(corpus_export, "FIRST_CHUNK", 1)
    monkeypatch.setattr(corpus_export, "CHUNK", 1)
    for title in ("First", "Second"):
        article_import(title=title, body=f"{title} sentence.", created_by=annotator)
    stream = corpus_export.corpus_export_stream(
        articles=Article.objects.all(), export_format="jsonl", base_url="http://x/", filters={}
    )
    received = [next(stream)]  # the first article has left; the download is under way
    written = []

    def write() -> None:
        try:
            article_import(title="Third", body="Written meanwhile.", created_by=annotator)
            written.append(True)
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        writer.join(timeout=10)
        assert written == [True]  # not waiting for the download
        received += list(stream)
    finally:
        stream.close()  # ends the export's transaction if the test failed half-way
        writer.join()
    assert [json.loads(line)["title"] for line in b"".join(received).splitlines()] == [
        "First",
        "Second",
    ]
