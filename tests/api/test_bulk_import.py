"""POST /api/v1/articles/bulk: many articles in one request, JSON list or JSON Lines, all or
nothing, with the single import's rules (roles, normalisation, external_id updates through the
same services, revisions and history rows) and one extraction request for the whole batch."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.signals import request_finished
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.annotations.services import annotation_create
from apps.articles.models import Article, ArticleRevision
from apps.articles.processing import EXTRACT_PENDING
from apps.articles.services import article_import, article_update_metadata
from tests.snapshots import db_snapshot

pytestmark = pytest.mark.django_db

URL = "/api/v1/articles/bulk"
BODY = "Officials met in Paris on Tuesday. Keir Starmer spoke. The talks went on late."


def _item(n: int, **fields) -> dict:
    return {
        "title": f"Talks in Paris, part {n}",
        "body": f"{BODY} Item {n}.",
        "source": "Daily Wire",
        "url": f"https://news.example.com/{n}",
        "published_on": "2026-01-07",
        "external_id": f"cms-{n}",
        **fields,
    }


def _post(client, items, content_type: str = "application/json"):
    if content_type == "application/json":
        data = json.dumps(items)
    else:
        data = "\n".join(json.dumps(item) for item in items) + "\n"
    return client.post(URL, data=data.encode(), content_type=content_type)


def _waiting_extraction_messages() -> int:
    key = (EXTRACT_PENDING, ())
    return len(
        [
            f
            for _, f, *_ in connection.run_on_commit
            if getattr(f, "processing_key", 0) == key and not f.sent
        ]
    )


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/x-ndjson", "application/jsonl"]
)
def test_it_imports_many_articles_as_the_single_import_does(clients, annotator, content_type):
    items = [
        _item(1, body="Cafe\u0301 owners met.\r\nThe mayor spoke.  \n"),
        _item(2, external_id=None, language="de", event_on="2026-01-06"),
        {"title": "  Minimal   article ", "body": "Only a body."},
    ]
    response = _post(clients["annotator"], items, content_type)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["created"], answer["updated"], answer["unchanged"]) == (3, 0, 0)
    rows = answer["articles"]
    assert [(r["index"], r["result"], r["revision"]) for r in rows] == [
        (0, "created", 1),
        (1, "created", 1),
        (2, "created", 1),
    ]
    assert [r["external_id"] for r in rows] == ["cms-1", None, None]
    first = Article.objects.get(uuid=rows[0]["id"])
    # Normalised as on a single import: NFC, \n newlines, no trailing whitespace.
    assert first.body == "Café owners met.\nThe mayor spoke."
    assert first.body_sha256 == hashlib.sha256(first.body.encode()).hexdigest()
    assert (first.title, first.source, first.published_on) == (
        "Talks in Paris, part 1",
        "Daily Wire",
        dt.date(2026, 1, 7),
    )
    assert (first.created_by, first.extraction_state, first.check_state) == (
        annotator,
        "pending",
        "pending",
    )
    third = Article.objects.get(uuid=rows[2]["id"])
    assert (third.title, third.language, third.url) == ("Minimal article", "en", "")
    second = Article.objects.get(uuid=rows[1]["id"])
    assert (second.language, second.event_on) == ("de", dt.date(2026, 1, 6))
    for row in rows:
        article = Article.objects.get(uuid=row["id"])
        # The body is stored once: no revision row until an edit keeps this body as revision 1.
        assert article.revision == 1
        assert not ArticleRevision.objects.filter(article=article).exists()
        # The url answered is the article in the API; its history is a single "created".
        detail = clients["read_key"].get(row["url"])
        assert detail.status_code == 200 and detail.json()["body"] == article.body
        history = clients["read_key"].get(f"/api/v1/articles/{row['id']}/history").json()
        assert [(e["action"], e["user"]) for e in history["entries"]] == [("created", "anna")]


def test_an_invalid_item_imports_nothing_and_every_bad_item_is_named(clients):
    article_import(title="Old", body=BODY, external_id="cms-2", created_by=None)
    items = [
        _item(0),
        _item(1, body=None),
        _item(2, title="Changed title"),  # a valid update: not written either
        _item(3, published_on="07/01/2026", url="news.example.com"),
        _item(4, colour="red"),
        "not an object",
        _item(6, body="\x00binary"),
    ]
    before = db_snapshot()
    response = _post(clients["write_key"], items)
    assert response.status_code == 400, response.content
    error = response.json()
    assert [(e["index"], e["field"]) for e in error["errors"]] == [
        (1, "body"),
        (3, "url"),
        (3, "published_on"),
        (4, "colour"),
        (5, None),
        (6, "body"),
    ]
    assert error["message"].startswith("5 of 7 articles are invalid; nothing was imported.")
    assert "item 1, body: This field is required." in error["message"]
    assert "YYYY-MM-DD" in error["errors"][2]["message"]
    assert "NUL" in error["errors"][5]["message"]
    assert db_snapshot() == before


@pytest.mark.parametrize(
    "data,content_type,message",
    [
        (b'{"title": "One", "body": "Text."}', "application/json", "Send a JSON list"),
        (b"[]", "application/json", "at least one article"),
        (b'[{"title": "One", "body": "Text."},', "application/json", "not valid JSON"),
        (b'{"title": "A", "body": "B"}\n{"title": oops}\n', "application/x-ndjson", "Line 2"),
        (b"", "application/x-ndjson", "at least one article"),
    ],
)
def test_a_body_that_is_not_a_list_of_articles_is_refused(clients, data, content_type, message):
    before = db_snapshot()
    response = clients["annotator"].post(URL, data=data, content_type=content_type)
    assert response.status_code == 400, response.content
    assert message in response.json()["message"]
    if content_type == "application/x-ndjson" and data:
        assert response.json()["errors"] == [
            {"index": 1, "field": None, "message": response.json()["errors"][0]["message"]}
        ]
    assert db_snapshot() == before


def test_the_same_external_id_twice_in_one_request_is_refused(clients):
    items = [_item(1), _item(2), _item(3, external_id="cms-1")]
    before = db_snapshot()
    response = _post(clients["annotator"], items)
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [
        {
            "index": 2,
            "field": "external_id",
            "message": "External id 'cms-1' is also item 0's: send each article once per import.",
        }
    ]
    assert db_snapshot() == before


def test_a_known_external_id_updates_its_article_and_keeps_what_people_did(clients, annotator):
    """A changed body goes through the single update: a new revision, the annotations
    re-anchored (not lost); an unchanged item writes nothing."""
    edited = article_import(
        title="Talks", body=BODY, external_id="cms-1", url="https://a.example/1", created_by=None
    )
    same = article_import(title="Same", body=BODY, external_id="cms-2", created_by=None)
    retitled = article_import(title="Old title", body=BODY, external_id="cms-3", created_by=None)
    start = BODY.index("Keir Starmer")
    mention = annotation_create(
        article=edited,
        kind="mention",
        start=start,
        end=start + len("Keir Starmer"),
        exact="Keir Starmer",
        user=annotator,
        fields={},
    )
    same_history = list(same.history.values_list("history_id", flat=True))
    new_body = "UPDATE: " + BODY
    items = [
        {"title": "Talks", "body": new_body, "external_id": "cms-1", "url": "https://a.example/1"},
        {"title": "Same", "body": BODY, "external_id": "cms-2"},
        {"title": "New title", "body": BODY, "external_id": "cms-3"},
        _item(4),
    ]
    response = _post(clients["editor"], items)
    assert response.status_code == 201, response.content
    rows = response.json()["articles"]
    assert [(r["id"], r["result"], r["revision"]) for r in rows[:3]] == [
        (str(edited.uuid), "updated", 2),
        (str(same.uuid), "unchanged", 1),
        (str(retitled.uuid), "updated", 1),
    ]
    assert rows[3]["result"] == "created"
    assert (response.json()["created"], response.json()["updated"]) == (1, 2)
    edited.refresh_from_db()
    assert (edited.body, edited.revision) == (new_body, 2)
    # The earlier body is kept (revision 1); the current one is the article's own.
    assert list(edited.revisions.order_by("number").values_list("number", "body")) == [(1, BODY)]
    mention.refresh_from_db()
    assert (mention.start, mention.exact) == (start + len("UPDATE: "), "Keir Starmer")
    assert new_body[mention.start : mention.end] == "Keir Starmer"
    assert list(same.history.values_list("history_id", flat=True)) == same_history
    assert not same.revisions.exists()
    retitled.refresh_from_db()
    assert (retitled.title, retitled.revision) == ("New title", 1)
    assert retitled.history.first().history_user.username == "edith"


def test_an_item_keeps_what_it_leaves_out_and_clears_what_it_sends_empty(clients, editor):
    """Rule 1, as on the single import: a known article keeps the fields an item leaves out (and
    a person's edit of them); a field sent empty ("" or null) is cleared."""
    full = _item(1, byline="Jo Wire", language="de", event_on="2026-01-06")
    assert _post(clients["write_key"], [full]).status_code == 201
    article = Article.objects.get(external_id="cms-1")
    article_update_metadata(article=article, user=editor, byline="Ann Reporter")
    history = article.history.count()

    bare = {"title": full["title"], "body": full["body"], "external_id": "cms-1"}
    again = _post(clients["write_key"], [bare])
    assert again.status_code == 200, again.content
    assert again.json()["articles"][0]["result"] == "unchanged"  # nothing sent differs
    assert article.history.count() == history
    article.refresh_from_db()
    assert (article.source, article.byline, article.url, article.language) == (
        "Daily Wire",
        "Ann Reporter",
        "https://news.example.com/1",
        "de",
    )
    assert (article.published_on, article.event_on) == (dt.date(2026, 1, 7), dt.date(2026, 1, 6))

    cleared = _post(clients["write_key"], [{**bare, "byline": "", "event_on": None}])
    assert cleared.json()["articles"][0]["result"] == "updated"
    article.refresh_from_db()
    assert (article.byline, article.event_on, article.url) == (
        "",
        None,
        "https://news.example.com/1",
    )


def test_the_schema_says_an_item_keeps_what_it_leaves_out(clients):
    schema = clients["read_key"].get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/articles/bulk"]["post"]
    assert "the fields an item leaves out are kept" in operation["description"]


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 401),
        ("read_key", 403),
        ("reviewer", 403),
        ("write_key", 201),
        ("annotator", 201),
        ("editor", 201),
    ],
)
def test_it_lets_exactly_the_roles_that_import(clients, role, status, write_key):
    before = Article.objects.count()
    response = _post(clients[role], [_item(1), _item(2)])
    assert response.status_code == status, response.content
    if status != 201:
        assert response.json()["message"]
        assert Article.objects.count() == before
    elif role == "write_key":
        article = Article.objects.get(uuid=response.json()["articles"][0]["id"])
        assert article.created_by == write_key.key.user


def test_too_many_articles_or_too_many_bytes_is_413(clients, settings):
    settings.BULK_IMPORT_MAX_ITEMS = 3
    before = db_snapshot()
    response = _post(clients["annotator"], [_item(n) for n in range(4)])
    assert response.status_code == 413, response.content
    assert "4 articles in one request; the limit is 3" in response.json()["message"]

    settings.BULK_IMPORT_MAX_BYTES = 2048
    big = [_item(1, body="word " * 500)]
    response = _post(clients["annotator"], big, "application/x-ndjson")
    assert response.status_code == 413, response.content
    assert "the limit is 0.0 MB" not in response.json()["message"]
    assert "BULK_IMPORT_MAX_BYTES" in response.json()["message"]
    assert db_snapshot() == before


def test_an_import_may_be_larger_than_a_single_upload(clients, settings):
    """The bulk path has its own byte limit: DATA_UPLOAD_MAX_MEMORY_SIZE still holds elsewhere."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    items = [_item(n, body=f"{BODY} " * 20) for n in range(5)]
    assert len(json.dumps(items)) > 4096
    response = _post(clients["annotator"], items)
    assert response.status_code == 201, response.content
    single = clients["annotator"].post(
        "/api/v1/articles", {"title": "One", "body": f"{BODY} " * 80}, format="json"
    )
    assert single.status_code == 413


def test_extraction_is_requested_once_for_the_whole_batch(clients):
    article_import(title="Old", body=BODY, external_id="cms-0", created_by=None)
    items = [_item(0, body="A new body. " + BODY), *(_item(n) for n in range(1, 12))]
    with CaptureQueriesContext(connection) as queries:
        response = _post(clients["annotator"], items)
    assert response.status_code == 201, response.content
    assert Article.objects.filter(extraction_state="pending").count() == 12
    # The eleven new articles are inserted with the request (no UPDATE each, nor one for
    # all); the edited one's comes from the single update. One message waits for the commit.
    requests = [q for q in queries if 'SET "extraction_state"' in q["sql"]]
    assert len(requests) == 1
    assert _waiting_extraction_messages() == 1


def test_its_query_count_does_not_grow_with_the_articles(clients):
    counts = {}
    for n, offset in ((2, 0), (25, 100), (70, 200)):
        items = [_item(offset + i) for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            response = _post(clients["write_key"], items)
        assert response.status_code == 201, response.content
        assert response.json()["created"] == n
        counts[n] = len(queries)
    assert counts[2] == counts[25] == counts[70]
    # Key, roles, lookup of the external ids, savepoint, (SQLite: the last id, the values every
    # row shares quoted), articles, their history rows, release.
    assert counts[70] <= 11, counts
    # Sent again unchanged: still no query per article.
    with CaptureQueriesContext(connection) as queries:
        again = _post(clients["write_key"], [_item(100 + i) for i in range(25)])
    assert again.status_code == 200 and again.json()["unchanged"] == 25
    assert len(queries) <= 5


def test_the_schema_documents_the_endpoint(clients):
    schema = clients["read_key"].get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/articles/bulk"]["post"]
    assert "All or nothing" in operation["description"]
    assert set(operation["requestBody"]["content"]) >= {"application/json", "application/x-ndjson"}
    assert {"200", "201", "400", "413"} <= set(operation["responses"])


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example.com/2026/01/a?b=1#c",
        "http://localhost:8000/x",
        "https://exämple.com/ä",
        "http://user:pw@example.com/",
        "https://example.com/a b",
        "https://-bad.com/",
        "https://example.com:999999/",
        "ftp://files.example.com/a.txt",
        "javascript://example.com/%0aalert(1)",
        "example.com/no-scheme",
    ],
)
def test_a_url_is_refused_exactly_when_the_single_import_refuses_it(clients, url):
    single = clients["annotator"].post(
        "/api/v1/articles", {"title": "One", "body": BODY, "url": url}, format="json"
    )
    many = _post(clients["annotator"], [{"title": "One", "body": BODY, "url": url}])
    assert single.status_code in (201, 400), single.content
    assert (many.status_code == 201) == (single.status_code == 201), many.content
    if many.status_code == 400:
        assert many.json()["errors"][0]["field"] == "url"


def test_the_checkpoint_waits_for_the_answer_and_the_setting_comes_back(clients):
    """On SQLite the import's commit leaves the WAL checkpoint to after the answer; the
    connection's auto-checkpoint is the same afterwards, whether the import succeeded or was
    refused, and no request_finished receiver is left behind (on either engine)."""
    connection.ensure_connection()

    def state() -> tuple:
        receivers = len(request_finished.receivers)
        if connection.vendor != "sqlite":
            return (receivers,)
        pragma = connection.connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        return (receivers, pragma)

    before = state()
    assert _post(clients["write_key"], [_item(0), _item(1)]).status_code == 201
    assert state() == before
    assert _post(clients["write_key"], [{"title": "No body"}]).status_code == 400
    assert state() == before
    assert Article.objects.filter(external_id__in=["cms-0", "cms-1"]).count() == 2


def test_a_large_import_stores_every_value_exactly_as_sent(clients, annotator):
    """Past a few rows, values every article shares are written once into the statement (as
    literals on SQLite) and the history rows are copied by the database from the new articles:
    what is stored, and what the history says, is exactly what was sent."""
    tricky = 'O\'Brien & 100% of "%s" ? \\ Zoë –\u2028 done'
    items = [
        _item(
            n,
            source=tricky,
            byline=tricky + " (byline)",
            language="fr",
            published_on="2026-02-03",
            url="https://news.example.com/a?b=1&c=%25s",
            # One item differs: the column is bound, not shared.
            event_on="2026-02-01" if n == 41 else "2026-02-02",
        )
        for n in range(80)
    ]
    response = _post(clients["annotator"], items)
    assert response.status_code == 201, response.content
    rows = response.json()["articles"]
    articles = {str(a.uuid): a for a in Article.objects.filter(uuid__in=[r["id"] for r in rows])}
    assert len(articles) == 80
    for n, row in enumerate(rows):
        article = articles[row["id"]]
        assert (article.title, article.body, article.external_id) == (
            f"Talks in Paris, part {n}",
            f"{BODY} Item {n}.",
            f"cms-{n}",
        )
        assert (article.source, article.byline, article.language) == (
            tricky,
            tricky + " (byline)",
            "fr",
        )
        assert article.url == "https://news.example.com/a?b=1&c=%25s"
        assert (article.published_on, article.event_on) == (
            dt.date(2026, 2, 3),
            dt.date(2026, 2, 1) if n == 41 else dt.date(2026, 2, 2),
        )
        assert (article.created_by, article.extraction_state) == (annotator, "pending")
        (record,) = article.history.all()
        assert record.history_type == "+" and record.history_user == annotator
        for name in ("title", "body", "source", "byline", "url", "language", "published_on",
                     "event_on", "external_id", "body_sha256", "revision", "created_at"):  # fmt: skip
            assert getattr(record, name) == getattr(article, name), name
