"""Writes through the API: imports, bad input (a clear JSON error and nothing changed), conflicts,
the rules of the services (four eyes, open error findings)."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.annotations.models import Claim, Quote
from apps.articles.models import Article
from apps.checks.models import Finding
from tests.services import require_redis

pytestmark = pytest.mark.django_db


def _state() -> dict:
    """What a refused write could have touched."""
    return {
        "articles": list(Article.objects.order_by("pk").values("pk", "revision", "body", "title")),
        "claims": list(Claim.objects.order_by("pk").values()),
        "quotes": list(Quote.objects.order_by("pk").values()),
        "findings": list(Finding.objects.order_by("pk").values("pk", "state", "version")),
    }


def test_it_imports_an_article_from_json_and_updates_it_by_external_id(clients, annotator):
    client = clients["write_key"]
    first = client.post(
        "/api/v1/articles",
        {
            "title": "Talks",
            "body": "Cafe\u0301 talks began.\r\nThey ended late.  \n",
            "external_id": "cms-1",
            "published_on": "2026-01-07",
        },
        format="json",
    )
    assert first.status_code == 201, first.content
    article = Article.objects.get(uuid=first.json()["id"])
    assert first["Location"].endswith(f"/api/v1/articles/{article.uuid}")
    assert article.body == "Café talks began.\nThey ended late."  # NFC, newlines, no trailing space

    again = client.post(
        "/api/v1/articles",
        {
            "title": "Talks (updated)",
            "body": "Café talks began. They ended early.",
            "external_id": "cms-1",
        },
        format="json",
    )
    assert again.status_code == 200
    assert again.json()["id"] == str(article.uuid)
    assert again.json()["revision"] == 2
    assert Article.objects.count() == 1


FULL = {
    "title": "Talks",
    "body": "Officials met in Paris. They talked late.",
    "source": "Daily Wire",
    "byline": "Jo Wire",
    "url": "https://news.example.com/talks",
    "language": "de",
    "published_on": "2026-01-07",
    "event_on": "2026-01-06",
    "external_id": "cms-7",
}
KEPT = ("source", "byline", "url", "language", "published_on", "event_on")


def _metadata(article: Article) -> dict:
    article.refresh_from_db()
    return {name: str(getattr(article, name) or "") for name in KEPT}


def test_a_reimport_keeps_what_it_leaves_out_and_clears_what_it_sends_empty(clients, editor):
    """Rule 1: pushing an article again without byline, url, dates… keeps them (and a person's
    edit of them); only a field sent empty ("" or null) is cleared."""
    from apps.articles.services import article_update_metadata

    client = clients["write_key"]
    assert client.post("/api/v1/articles", FULL, format="json").status_code == 201
    article = Article.objects.get(external_id="cms-7")
    article_update_metadata(article=article, user=editor, byline="Ann Reporter")  # a person's edit
    expected = {**{name: FULL[name] for name in KEPT}, "byline": "Ann Reporter"}

    again = client.post(
        "/api/v1/articles",
        {"title": "Talks", "body": FULL["body"], "external_id": "cms-7"},
        format="json",
    )
    assert again.status_code == 200, again.content
    assert _metadata(article) == expected
    assert (again.json()["byline"], again.json()["event_on"]) == ("Ann Reporter", "2026-01-06")

    cleared = client.post(
        "/api/v1/articles",
        {**{k: FULL[k] for k in ("title", "body", "external_id")}, "byline": "", "event_on": None},
        format="json",
    )
    assert cleared.status_code == 200, cleared.content
    assert _metadata(article) == {**expected, "byline": "", "event_on": ""}
    # A new article still gets the defaults for what it leaves out.
    new = client.post("/api/v1/articles", {"title": "New", "body": "Text."}, format="json")
    assert new.status_code == 201
    assert _metadata(Article.objects.get(uuid=new.json()["id"])) == {
        "source": "",
        "byline": "",
        "url": "",
        "language": "en",
        "published_on": "",
        "event_on": "",
    }


def test_the_schema_says_a_reimport_keeps_what_it_leaves_out(clients):
    schema = clients["read_key"].get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/articles"]["post"]
    assert "the fields you leave out are kept" in operation["description"]
    fields = schema["components"]["schemas"]["ArticleInRequest"]["properties"]
    for name in KEPT:
        assert (
            "kept as it is when `external_id` names a known article" in fields[name]["description"]
        ), name


@pytest.mark.parametrize(
    "filename,content,expected",
    [
        ("talks.txt", b"Officials met in Paris.\n", "Officials met in Paris."),
        (
            "talks.md",
            b"# Talks\n\nOfficials *met* in [Paris](https://x.example).\n",
            "Officials met in Paris.",
        ),
        (
            "talks.html",
            b"<html><body><nav>Home</nav><article><p>Officials met in Paris on Tuesday, "
            b"and the talks went on until late in the evening.</p></article></body></html>",
            "Officials met in Paris on Tuesday",
        ),
    ],
)
def test_it_imports_an_uploaded_file(clients, filename, content, expected):
    response = clients["annotator"].post(
        "/api/v1/articles",
        {"title": "Upload", "file": SimpleUploadedFile(filename, content)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    article = Article.objects.get(uuid=response.json()["id"])
    assert expected in article.body
    assert not set("<>#*[]") & set(article.body)  # markup is gone, the text is kept


@pytest.mark.parametrize(
    "request_kwargs,status,field,words",
    [
        ({"data": "{not json", "content_type": "application/json"}, 400, None, "JSON"),
        ({"data": {"title": "No text"}, "format": "json"}, 400, "body", "body"),
        ({"data": {"title": "", "body": "text"}, "format": "json"}, 400, "title", "title"),
        (
            {"data": {"title": "T", "body": "text", "published_on": "7/1/26"}, "format": "json"},
            400,
            "published_on",
            "published_on",
        ),
        ({"data": {"title": "T", "body": "   \n "}, "format": "json"}, 400, "body", "empty"),
        ({"data": {"title": "T", "body": "x" * 1001}, "format": "json"}, 413, "body", "limit"),
        (
            {
                "data": {"title": "T", "file": SimpleUploadedFile("a.txt", b"caf\xe9 au lait")},
                "format": "multipart",
            },
            400,
            "file",
            "UTF-8",
        ),
        (
            {
                "data": {"title": "T", "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")},
                "format": "multipart",
            },
            400,
            "file",
            ".txt, .md or .html",
        ),
        ({"data": "title=T&body=x", "content_type": "text/plain"}, 415, None, "application/json"),
    ],
)
def test_it_refuses_a_bad_import_with_a_clear_error_and_imports_nothing(
    clients, settings, request_kwargs, status, field, words
):
    settings.ARTICLE_MAX_CHARS = 1000
    response = clients["write_key"].post("/api/v1/articles", **request_kwargs)

    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == status
    assert words in body["message"]
    if field:
        assert body["field"] == field
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    "change,status,field,words",
    [
        ({"start": 5, "end": 2}, 400, "end", "greater than start"),
        ({"start": 0, "end": 10_000}, 400, "end", "past the end"),
        ({"exact": "Ministers"}, 400, "exact", "not 'Ministers'"),
        ({"start": "zero"}, 400, "start", "integer"),
        ({"article": "6f1c0c1e-8d0e-4a84-9d7c-0a4f4b2b8d11"}, 400, "article", "No article"),
        ({"kind": "rumour"}, 400, "kind", "rumour"),
        ({"exact": None}, 400, "exact", "null"),
    ],
)
def test_it_refuses_a_bad_annotation_and_changes_nothing(
    world, clients, change, status, field, words
):
    before = _state()
    body = {
        "article": str(world.article.uuid),
        "start": 0,
        "end": 9,
        "exact": "Officials",
        **change,
    }

    response = clients["annotator"].post("/api/v1/claims", body, format="json")

    assert response.status_code == status, response.content
    error = response.json()
    assert words in error["message"]
    if field:
        assert error["field"] == field
    assert _state() == before


def test_it_refuses_an_unknown_entity_on_a_quote(world, clients):
    before = _state()
    response = clients["annotator"].post(
        "/api/v1/quotes",
        {
            "article": str(world.article.uuid),
            "start": 0,
            "end": 9,
            "exact": "Officials",
            "speaker": "6f1c0c1e-8d0e-4a84-9d7c-0a4f4b2b8d11",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "speaker"
    assert "No entity" in response.json()["message"]
    assert _state() == before


def test_it_answers_a_stale_version_with_409_and_the_current_state(world, clients, reviewer):
    client = clients["annotator"]
    path = f"/api/v1/quotes/{world.quote.uuid}"
    seen = client.get(path).json()
    assert (
        clients["reviewer"]
        .post(f"{path}/review", {"approve": True, "version": seen["version"]}, format="json")
        .status_code
        == 200
    )
    before = _state()

    response = client.patch(path, {"verb": "shouted", "version": seen["version"]}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert "Nothing was saved" in body["message"]
    assert body["current"]["id"] == seen["id"]
    assert body["current"]["review_state"] == "approved"
    assert body["current"]["version"] == seen["version"] + 1
    assert _state() == before


def test_it_refuses_an_edit_with_nothing_to_change(world, clients):
    before = _state()
    response = clients["annotator"].patch(
        f"/api/v1/claims/{world.claim.uuid}", {"version": world.claim.version}, format="json"
    )
    assert response.status_code == 400
    assert "Nothing to change" in response.json()["message"]
    assert _state() == before


def test_it_keeps_four_eyes_a_reviewer_cannot_verify_what_they_proposed(world, clients, editor):
    client = clients["editor"]
    claim = world.claim
    proposed = client.post(
        f"/api/v1/claims/{claim.uuid}/verdict",
        {"verdict": "accurate", "version": claim.version},
        format="json",
    ).json()

    response = client.post(
        f"/api/v1/claims/{claim.uuid}/verify", {"version": proposed["version"]}, format="json"
    )

    assert response.status_code == 403
    assert "another reviewer" in response.json()["message"]
    claim.refresh_from_db()
    assert claim.verdict_state == "proposed"


def test_it_blocks_verification_while_the_article_has_an_open_error_finding(world, clients):
    finding = world.finding
    Finding.objects.filter(pk=finding.pk).update(severity=Finding.Severity.ERROR)
    client = clients["reviewer"]
    claim = world.claim_proposed

    blocked = client.post(
        f"/api/v1/claims/{claim.uuid}/verify", {"version": claim.version}, format="json"
    )
    assert blocked.status_code == 400
    assert "open error findings" in blocked.json()["message"]

    dismissed = client.post(
        f"/api/v1/findings/{finding.uuid}/state",
        {"state": "dismissed", "reason": "The date is quoted on purpose.", "version": 1},
        format="json",
    )
    assert dismissed.status_code == 200, dismissed.content
    verified = client.post(
        f"/api/v1/claims/{claim.uuid}/verify", {"version": claim.version}, format="json"
    )
    assert verified.status_code == 200
    assert verified.json()["verdict_state"] == "verified"


def test_it_answers_json_for_unknown_ids_paths_and_methods(world, clients):
    client = clients["read_key"]

    unknown = client.get("/api/v1/claims/6f1c0c1e-8d0e-4a84-9d7c-0a4f4b2b8d11")
    assert unknown.status_code == 404
    assert unknown.json()["message"].startswith("No claim with this id")

    no_path = client.get("/api/v1/claims/42")
    assert no_path.status_code == 404
    assert "/api/docs/" in no_path.json()["message"]

    # Most REST clients append a slash: /api/v1/ answers with it too (issue 10).
    slash = client.get("/api/v1/claims/")
    assert slash.status_code == 200
    assert slash.json() == client.get("/api/v1/claims").json()
    near = client.get("/api/docs")
    assert "Did you mean /api/docs/?" in near.json()["message"]

    method = clients["editor"].put(f"/api/v1/claims/{world.claim.uuid}", {}, format="json")
    assert method.status_code == 405
    assert "PUT" in method.json()["message"]


def test_it_answers_an_unexpected_failure_with_a_json_500_and_logs_it(rf, caplog):
    from rest_framework.request import Request

    from apps.api.errors import exception_handler

    request = Request(rf.get("/api/v1/claims"))
    response = exception_handler(ZeroDivisionError("boom"), {"request": request, "view": None})

    assert response.status_code == 500
    assert response.data["code"] == "server_error"
    assert "reference" in response.data["message"]
    assert "boom" not in response.data["message"]
    reference = response.data["message"].split("reference ")[1].split(")")[0]
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)


def test_it_maps_a_django_validation_error_to_a_400_naming_the_field(rf):
    from django.core.exceptions import ValidationError

    from apps.api.errors import exception_handler

    response = exception_handler(
        ValidationError({"url": ["Enter a valid URL."]}), {"request": None, "view": None}
    )
    assert response.status_code == 400
    assert response.data["field"] == "url"
    assert response.data["message"] == "Invalid request. url: Enter a valid URL."


@pytest.fixture(params=["process memory", "redis"])
def throttle_cache(request, settings):
    """The throttle counts in each process's memory (local default) and in the shared Redis cache
    of a deployment (CACHE_URL)."""
    if request.param == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": require_redis(),
                "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            }
        }
    # (Keys under a prefix of their own, expiring within the minute: never a flush of the
    # shared Redis.)


def test_it_throttles_each_key_on_its_own(world, clients, settings, throttle_cache):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            # An hour-long window: four quick requests never straddle two (fixed windows).
            "api_key": "3/hour",
        },
    }
    busy = clients["read_key"]
    statuses = [busy.get("/api/v1/entities").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = busy.get("/api/v1/entities")
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    assert clients["write_key"].get("/api/v1/entities").status_code == 200


def test_it_reruns_the_checks_on_request(world, clients):
    response = clients["write_key"].post(f"/api/v1/articles/{world.article.uuid}/recheck")

    assert response.status_code == 202
    assert response.json()["check_state"] == "pending"
    world.article.refresh_from_db()
    assert world.article.check_state == "pending"
    assert world.article.check_requested_at is not None


def test_it_sends_json_errors_even_when_json_ld_was_asked_for(world, clients):
    response = clients["read_key"].get(
        "/api/v1/claims/6f1c0c1e-8d0e-4a84-9d7c-0a4f4b2b8d11/claimreview",
        HTTP_ACCEPT="application/ld+json",
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["status"] == 404


def test_it_refuses_a_request_body_over_the_upload_limit(clients, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"title": "Big", "body": "word " * 5_000})

    response = clients["write_key"].post("/api/v1/articles", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "too large" in response.json()["message"]
    assert Article.objects.count() == 0


def test_it_refuses_a_session_write_without_the_csrf_token(world, annotator):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(annotator)
    response = client.post(
        "/api/v1/claims",
        {"article": str(world.article.uuid), "start": 0, "end": 9, "exact": "Officials"},
        format="json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
