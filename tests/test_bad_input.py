"""Bad input through both doors, the UI (Django's test client on the real views, plain and htmx)
and the API: a body over the size limit, offsets out of range or inverted, an `exact` that does
not match, invalid UTF-8 (in an upload, a form field, a JSON body), malformed JSON, an unknown
entity, a verdict (or another value) outside its choices, bad evidence.

Each answer is a 4xx with a message a person can act on (the test looks for the part that says
what to do or what was expected), and nothing changed: every row of the articles, revisions,
annotations, evidence, findings and their history is compared before and after, and every table
of the project's apps is counted.

Statuses: the UI answers input to fix with 422 (the form again, with the message next to the
field) and an oversized request with 413; the API answers 400 for invalid input and 413 for a
body or a request over its limit."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.accounts.api_keys import api_key_create
from apps.articles.models import Article
from tests.api.conftest import World, key_client, user_client
from tests.snapshots import db_snapshot

pytestmark = pytest.mark.django_db

ARTICLE_LIMIT = 1_000  # ARTICLE_MAX_CHARS for these tests
REQUEST_LIMIT = 64 * 1024  # DATA_UPLOAD_MAX_MEMORY_SIZE: shown as "0.06 MB"
UNKNOWN = "6f1c0c1e-8d0e-4a84-9d7c-0a4f4b2b8d11"  # a well-formed id of nothing
LATIN1 = b"Caf\xe9 talks"  # "Café talks" in Latin-1: not UTF-8


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ARTICLE_MAX_CHARS = ARTICLE_LIMIT
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_LIMIT
    # Nobody logs in with a password here (force_login): the users are made without the cost
    # of the production hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # API throttle counters
    yield
    cache.clear()


@pytest.fixture
def world(annotator, reviewer2):
    return World(annotator=annotator, reviewer2=reviewer2)


@dataclass(frozen=True)
class Bad:
    """One bad request: what it is, how it is sent, and the answer it must get."""

    case: str
    send: Callable[[World], tuple[str, str, dict[str, Any]]]  # method, path, client kwargs
    status: int
    says: tuple[str, ...]  # parts of the message
    field: str | None = None  # the API's `field`
    not_says: tuple[str, ...] = ()
    by: str = "annotator"  # annotator, reviewer (the UI, the API by session) or write_key (API)

    def __str__(self) -> str:
        return self.case


def state() -> dict[str, Any]:
    return {
        "rows": db_snapshot(),
        "counts": {
            model._meta.label: model.objects.count()
            for model in apps.get_models()
            if model.__module__.startswith("apps.")
        },
    }


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def multipart(**fields: bytes) -> dict[str, Any]:
    """A multipart body written by hand, so that a text field can carry bytes that are not UTF-8
    (the test clients encode every field as UTF-8)."""
    parts = b"".join(
        b'--B\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (k.encode(), v)
        for k, v in fields.items()
    )
    return {"data": parts + b"--B--\r\n", "content_type": "multipart/form-data; boundary=B"}


def import_url(w: World) -> str:
    return reverse("articles:import")


def create_url(w: World) -> str:
    return reverse("annotations:create", args=[w.article.uuid])


def span_offsets(w: World, text: str) -> tuple[int, int]:
    start = w.article.body.index(text)
    return start, start + len(text)


def utf8_offsets(w: World, text: str) -> dict[str, int]:
    """Where `text` is in UTF-8 bytes: after “ and ” (3 bytes each), not at its code points."""
    start, end = span_offsets(w, text)
    body = w.article.body
    return {"start": len(body[:start].encode()), "end": len(body[:end].encode())}


TOO_LONG = "x" * (ARTICLE_LIMIT + 1)
OVER_LIMIT = ("1,001 characters", "the limit is 1,000 (ARTICLE_MAX_CHARS)", "Split it")
TOO_LARGE = ("The upload is too large", "the limit is 0.06 MB", "Split the article")
NOT_UTF8_FILE = ("is not valid UTF-8 (byte 0xe9 on line 2)", "Save it with UTF-8 encoding")
REPLACED = ("replacement character", "was not valid UTF-8", "Send it again encoded as UTF-8")


# --- The UI ---------------------------------------------------------------------------------------

UI: list[Bad] = [
    # A body over the size limit.
    Bad(
        "pasted text over ARTICLE_MAX_CHARS",
        lambda w: ("post", import_url(w), {"data": {"title": "Long", "text": TOO_LONG}}),
        422,
        OVER_LIMIT,
    ),
    Bad(
        "uploaded file over ARTICLE_MAX_CHARS",
        lambda w: (
            "post",
            import_url(w),
            {"data": {"title": "Long", "file": upload("long.txt", TOO_LONG.encode())}},
        ),
        422,
        OVER_LIMIT,
    ),
    Bad(
        "body edit over ARTICLE_MAX_CHARS",
        lambda w: (
            "post",
            reverse("articles:edit-body", args=[w.article.uuid]),
            {"data": {"body": TOO_LONG, "revision": w.article.revision}},
        ),
        422,
        OVER_LIMIT,
    ),
    Bad(
        "request over DATA_UPLOAD_MAX_MEMORY_SIZE",
        lambda w: (
            "post",
            import_url(w),
            {"data": {"title": "Huge", "file": upload("huge.txt", b"word " * 14_000)}},
        ),
        413,
        TOO_LARGE,
    ),
    # Offsets out of range or inverted.
    Bad(
        "end past the end of the body",
        lambda w: (
            "post",
            create_url(w),
            {"data": {"kind": "claim", "start": 0, "end": 10_000, "exact": "Officials"}},
        ),
        422,
        ("end (10000) is past the end of the article (120 characters)",),
    ),
    Bad(
        "inverted offsets",
        lambda w: ("post", create_url(w), {"data": {"kind": "claim", "start": 9, "end": 2}}),
        422,
        ("end (2) must be greater than start (9)",),
    ),
    Bad(
        "negative start",
        lambda w: ("post", create_url(w), {"data": {"kind": "claim", "start": -1, "end": 9}}),
        422,
        ("Ensure this value is greater than or equal to 0.",),
        not_says=("Give both a start and an end offset",),  # both were given
    ),
    Bad(
        "one offset only",
        lambda w: ("post", create_url(w), {"data": {"kind": "claim", "start": 3}}),
        422,
        ("Give both a start and an end offset, or neither.",),
    ),
    # An exact that does not match.
    Bad(
        "exact that is not the text at the offsets",
        lambda w: (
            "post",
            create_url(w),
            {"data": {"kind": "claim", "start": 0, "end": 9, "exact": "Ministers"}},
        ),
        422,
        ("The text at 0–9 is 'Officials', not 'Ministers'; the article may have changed.",),
    ),
    Bad(
        "exact that does not occur in the body",
        lambda w: ("post", create_url(w), {"data": {"kind": "claim", "exact": "Ministers"}}),
        422,
        ("'Ministers' does not occur 1 time(s) in the article.",),
    ),
    Bad(
        "attribution that does not occur in the body",
        lambda w: (
            "post",
            reverse("annotations:update", args=["quote", w.quote.uuid]),
            {"data": {"f-version": w.quote.version, "f-attribution_text": "Sunak explained"}},
        ),
        422,
        ("These words do not occur in the article; copy them exactly.",),
    ),
    # Invalid UTF-8.
    Bad(
        "uploaded file that is not UTF-8",
        lambda w: (
            "post",
            import_url(w),
            {"data": {"title": "Latin-1", "file": upload("talks.txt", b"Talks\n" + LATIN1)}},
        ),
        422,
        ("talks.txt", *NOT_UTF8_FILE),
    ),
    Bad(
        "form field that is not UTF-8",
        lambda w: (
            "post",
            import_url(w),
            {
                "data": b"title=Caf%E9+talks&text=Officials+met+in+Paris.",
                "content_type": "application/x-www-form-urlencoded",
            },
        ),
        422,
        ("The title contains the", *REPLACED),
    ),
    # Malformed input: the UI takes forms, so JSON sent to a form is a form with nothing in it.
    Bad(
        "JSON (malformed) sent to the annotation form",
        lambda w: (
            "post",
            create_url(w),
            {"data": "{not json", "content_type": "application/json"},
        ),
        422,
        ("Select text in the article, or give the exact text (or its offsets).",),
    ),
    Bad(
        "date that is not a date",
        lambda w: (
            "post",
            import_url(w),
            {"data": {"title": "T", "text": "Some text.", "published_on": "2026-13-45"}},
        ),
        422,
        ("Enter a valid date.",),
    ),
    # An unknown entity.
    Bad(
        "mention linked to an unknown entity",
        lambda w: (
            "post",
            reverse("annotations:update", args=["mention", w.mention.uuid]),
            {"data": {"f-version": w.mention.version, "f-entity": UNKNOWN}},
        ),
        422,
        ("This entity is not in the knowledge base", "Search for it by name"),
    ),
    Bad(
        "quote with an unknown speaker",
        lambda w: (
            "post",
            reverse("annotations:update", args=["quote", w.quote.uuid]),
            {"data": {"f-version": w.quote.version, "f-speaker": UNKNOWN}},
        ),
        422,
        ("This entity is not in the knowledge base", "Search for it by name"),
    ),
    # A verdict (or another value) outside its choices.
    Bad(
        "verdict outside its choices",
        lambda w: (
            "post",
            reverse("annotations:verdict", args=[w.claim.uuid]),
            {"data": {"v-version": w.claim.version, "v-verdict": "bogus"}},
        ),
        422,
        ("Select a valid choice. bogus is not one of the available choices.",),
    ),
    Bad(
        "verdict 'not rated' (not one a person can propose)",
        lambda w: (
            "post",
            reverse("annotations:verdict", args=[w.claim.uuid]),
            {"data": {"v-version": w.claim.version, "v-verdict": "not_rated"}},
        ),
        422,
        ("not_rated is not one of the available choices",),
    ),
    Bad(
        "rating outside 1-5",
        lambda w: (
            "post",
            reverse("annotations:verdict", args=[w.claim.uuid]),
            {"data": {"v-version": w.claim.version, "v-verdict": "accurate", "v-rating": "9"}},
        ),
        422,
        ("9 is not one of the available choices",),
    ),
    Bad(
        "claim kind outside its choices",
        lambda w: (
            "post",
            reverse("annotations:update", args=["claim", w.claim.uuid]),
            {"data": {"f-version": w.claim.version, "f-kind": "rumour"}},
        ),
        422,
        ("rumour is not one of the available choices",),
    ),
    Bad(
        "finding state outside its choices",
        lambda w: (
            "post",
            reverse("checks:finding-state", args=[w.finding.uuid]),
            {"data": {"version": w.finding.version, "state": "bogus"}},
        ),
        422,
        ("Choose what to do with the finding.",),
        by="reviewer",
    ),
    # A ClaimReview preview of a claim that is not verified (pages).
    Bad(
        "ClaimReview preview of an unverified claim",
        lambda w: ("get", reverse("claims:review", args=[w.claim_proposed.uuid]), {}),
        404,
        ("Not published yet", "published only once a reviewer has verified its verdict"),
    ),
    # Evidence.
    Bad(
        "evidence with a javascript: address",
        lambda w: (
            "post",
            reverse("annotations:evidence-add", args=[w.claim.uuid]),
            {"data": {"e-url": "javascript:alert(1)", "e-title": "Minutes"}},
        ),
        422,
        ("Enter a web address that starts with http:// or https://",),
    ),
    Bad(
        "evidence with nothing in it",
        lambda w: (
            "post",
            reverse("annotations:evidence-add", args=[w.claim.uuid]),
            {"data": {"e-title": "Only a title"}},
        ),
        422,
        ("Evidence needs a URL, a quoted passage or a note.",),
    ),
]


@pytest.fixture
def ui_clients(annotator, reviewer):
    clients = {}
    for name, user in (("annotator", annotator), ("reviewer", reviewer)):
        clients[name] = Client()
        clients[name].force_login(user)
    return clients


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("bad", UI, ids=str)
def test_the_ui_refuses_bad_input_with_a_clear_message_and_changes_nothing(
    world, ui_clients, bad, htmx
):
    method, path, kwargs = bad.send(world)
    headers = {"HX-Request": "true"} if htmx else {}
    before = state()

    response = getattr(ui_clients[bad.by], method)(path, headers=headers, **kwargs)

    assert response.status_code == bad.status, response.content.decode()[:2000]
    assert response["Content-Type"].startswith("text/html")
    page = html.unescape(response.content.decode())
    for words in bad.says:
        assert words in page
    for words in bad.not_says:
        assert words not in page
    if htmx and bad.status == 413:
        # htmx does not swap an error page: the message travels in a header (static/js/app.js).
        assert bad.says[0] in unquote(response["X-Message"])
    assert state() == before


# --- The API --------------------------------------------------------------------------------------


def claims(w: World) -> str:
    return "/api/v1/claims"


def new_claim(w: World, **change: Any) -> tuple[str, str, dict[str, Any]]:
    data = {"article": str(w.article.uuid), "start": 0, "end": 9, "exact": "Officials", **change}
    return "post", claims(w), {"data": data, "format": "json"}


def patch(collection: str, name: str, /, **change: Any) -> Callable[[World], tuple[str, str, dict]]:
    def send(w: World) -> tuple[str, str, dict[str, Any]]:
        item = getattr(w, name)
        data = {"version": item.version, **change}
        return "patch", f"/api/v1/{collection}/{item.uuid}", {"data": data, "format": "json"}

    return send


def verdict(**change: Any) -> Callable[[World], tuple[str, str, dict]]:
    def send(w: World) -> tuple[str, str, dict[str, Any]]:
        data = {"version": w.claim.version, "verdict": "inaccurate", **change}
        return "post", f"/api/v1/claims/{w.claim.uuid}/verdict", {"data": data, "format": "json"}

    return send


def import_json(**data: Any) -> Callable[[World], tuple[str, str, dict]]:
    return lambda w: ("post", "/api/v1/articles", {"data": data, "format": "json"})


def raw_json(path: Callable[[World], str], body: bytes | str, method: str = "post"):
    return lambda w: (method, path(w), {"data": body, "content_type": "application/json"})


def with_external_id(w: World) -> tuple[str, str, dict[str, Any]]:
    """Re-importing a known article (by external_id) with a body over the limit."""
    Article.objects.filter(pk=w.article.pk).update(external_id="cms-1")
    data = {"title": "Talks in Paris", "body": TOO_LONG, "external_id": "cms-1"}
    return "post", "/api/v1/articles", {"data": data, "format": "json"}


NOT_JSON = ("The request body could not be read: JSON parse error", "Send valid JSON")

API: list[Bad] = [
    # A body over the size limit.
    Bad(
        "body over ARTICLE_MAX_CHARS",
        import_json(title="Long", body=TOO_LONG),
        413,
        OVER_LIMIT,
        "body",
    ),
    Bad(
        "uploaded file over ARTICLE_MAX_CHARS",
        lambda w: (
            "post",
            "/api/v1/articles",
            {
                "data": {"title": "Long", "file": upload("long.txt", TOO_LONG.encode())},
                "format": "multipart",
            },
        ),
        413,
        OVER_LIMIT,
        "body",
    ),
    Bad("update by external_id over ARTICLE_MAX_CHARS", with_external_id, 413, OVER_LIMIT, "body"),
    Bad(
        "request over DATA_UPLOAD_MAX_MEMORY_SIZE",
        import_json(title="Huge", body="word " * 14_000),
        413,
        TOO_LARGE,
    ),
    # Offsets out of range or inverted.
    Bad(
        "end past the end of the body",
        lambda w: new_claim(w, end=10_000),
        400,
        ("end (10000) is past the end of the article (120 characters)",),
        "end",
    ),
    Bad(
        "inverted offsets",
        lambda w: new_claim(w, start=9, end=2, exact="x"),
        400,
        ("end (2) must be greater than start (9)",),
        "end",
    ),
    Bad(
        "negative start",
        lambda w: new_claim(w, start=-1),
        400,
        ("start: Ensure this value is greater than or equal to 0.",),
        "start",
    ),
    Bad(
        "offsets as text",
        lambda w: new_claim(w, start="0"),
        400,
        ("start: A valid integer is required.",),
        "start",
    ),
    Bad(
        "title span past the end of the body",
        patch("mentions", "mention", title_start=0, title_end=10_000),
        400,
        ("The title span: end (10000) is past the end of the article (120 characters).",),
        "title_start",
    ),
    Bad(
        "attribution span inverted",
        patch("quotes", "quote", attribution_start=40, attribution_end=30),
        400,
        ("The attribution span: end (30) must be greater than start (40).",),
        "attribution_start",
    ),
    # An exact that does not match.
    Bad(
        "exact that is not the text at the offsets",
        lambda w: new_claim(w, exact="Ministers"),
        400,
        ("The text at 0–9 is 'Officials', not 'Ministers'; the article may have changed.",),
        "exact",
    ),
    Bad(
        "offsets counted in UTF-8 bytes, not code points",
        lambda w: new_claim(w, **utf8_offsets(w, "Keir Starmer"), exact="Keir Starmer"),
        400,
        ("not 'Keir Starmer'; the article may have changed.",),
        "exact",
    ),
    Bad(
        "attribution text that is not the text at its offsets",
        lambda w: (
            "post",
            "/api/v1/quotes",
            {
                "data": {
                    "article": str(w.article.uuid),
                    "start": 0,
                    "end": 9,
                    "exact": "Officials",
                    "attribution_start": 0,
                    "attribution_end": 9,
                    "attribution_text": "Sunak",
                },
                "format": "json",
            },
        ),
        400,
        ("The attribution span: The text at 0–9 is 'Officials', not 'Sunak'",),
        "attribution_start",
    ),
    # Invalid UTF-8.
    Bad(
        "uploaded file that is not UTF-8",
        lambda w: (
            "post",
            "/api/v1/articles",
            {
                "data": {"title": "Latin-1", "file": upload("talks.md", b"# Talks\n" + LATIN1)},
                "format": "multipart",
            },
        ),
        400,
        ("talks.md", *NOT_UTF8_FILE),
        "file",
    ),
    Bad(
        "multipart text field that is not UTF-8",
        lambda w: ("post", "/api/v1/articles", multipart(title=LATIN1, body=b"Some text.")),
        400,
        ("The title contains the", *REPLACED),
        "title",
    ),
    Bad(
        "JSON body that is not UTF-8",
        raw_json(lambda w: "/api/v1/articles", b'{"title": "' + LATIN1 + b'", "body": "x"}'),
        400,
        (*NOT_JSON, "'utf-8' codec can't decode byte 0xe9"),
    ),
    # Malformed JSON.
    Bad(
        "malformed JSON: import", raw_json(lambda w: "/api/v1/articles", "{not json"), 400, NOT_JSON
    ),
    Bad("malformed JSON: new claim", raw_json(claims, '{"start": 0,'), 400, NOT_JSON),
    Bad(
        "malformed JSON: edit",
        raw_json(lambda w: f"/api/v1/claims/{w.claim.uuid}", "[1,", method="patch"),
        400,
        NOT_JSON,
    ),
    Bad(
        "malformed JSON: verdict",
        raw_json(lambda w: f"/api/v1/claims/{w.claim.uuid}/verdict", "{'verdict': 'accurate'}"),
        400,
        NOT_JSON,
    ),
    Bad(
        "JSON that is not an object",
        raw_json(claims, '["Officials", 0, 9]'),
        400,
        ("Invalid data. Expected a dictionary, but got list.",),
    ),
    Bad(
        "form-encoded body",
        lambda w: (
            "post",
            "/api/v1/claims",
            {"data": "start=0&end=9", "content_type": "application/x-www-form-urlencoded"},
        ),
        415,
        ("Send application/json",),
    ),
    # An unknown entity.
    Bad(
        "mention linked to an unknown entity",
        patch("mentions", "mention", entity=UNKNOWN),
        400,
        (f"entity: No entity with id {UNKNOWN}; look it up in /api/v1/entities.",),
        "entity",
    ),
    Bad(
        "new mention of an unknown entity",
        lambda w: (
            "post",
            "/api/v1/mentions",
            {
                "data": {
                    "article": str(w.article.uuid),
                    "start": 0,
                    "end": 9,
                    "exact": "Officials",
                    "entity": UNKNOWN,
                },
                "format": "json",
            },
        ),
        400,
        (f"No entity with id {UNKNOWN}",),
        "entity",
    ),
    Bad(
        "mention's office unknown",
        patch("mentions", "mention", office=UNKNOWN),
        400,
        (f"office: No entity with id {UNKNOWN}",),
        "office",
    ),
    Bad(
        "quote with an unknown speaker",
        patch("quotes", "quote", speaker=UNKNOWN),
        400,
        (f"speaker: No entity with id {UNKNOWN}",),
        "speaker",
    ),
    Bad(
        "entity given by name, not id",
        patch("mentions", "mention", entity="Keir Starmer"),
        400,
        ("entity: An entity id (UUID) is expected.",),
        "entity",
    ),
    Bad(
        "new claim on an unknown article",
        lambda w: new_claim(w, article=UNKNOWN),
        400,
        ("No article with this id; ids are listed at /api/v1/articles.",),
        "article",
    ),
    # A verdict (or another value) outside its choices.
    Bad(
        "verdict outside its choices",
        verdict(verdict="bogus"),
        400,
        (
            'verdict: "bogus" is not one of the choices: "accurate", "inaccurate", '
            '"misleading", "unverifiable".',
        ),
        "verdict",
    ),
    Bad(
        "verdict 'not rated' (not one a person can propose)",
        verdict(verdict="not_rated"),
        400,
        ('"not_rated" is not one of the choices',),
        "verdict",
    ),
    Bad(
        "rating outside 1-5",
        verdict(rating=9),
        400,
        ("rating: Ensure this value is less than or equal to 5.",),
        "rating",
    ),
    Bad(
        "verdict sent to the claim's edit",
        patch("claims", "claim", verdict="accurate"),
        400,
        ("Not changed here: verdict.", "A verdict is proposed with POST /api/v1/claims/"),
    ),
    Bad(
        "claim kind outside its choices",
        patch("claims", "claim", kind="rumour"),
        400,
        ('kind: "rumour" is not one of the choices: "event_date"',),
        "kind",
    ),
    Bad(
        "finding state outside its choices",
        lambda w: (
            "post",
            f"/api/v1/findings/{w.finding.uuid}/state",
            {"data": {"version": w.finding.version, "state": "bogus"}, "format": "json"},
        ),
        400,
        ('state: "bogus" is not one of the choices: "open", "acknowledged"',),
        "state",
        by="reviewer",
    ),
    # Evidence.
    Bad(
        "evidence with a javascript: address",
        lambda w: (
            "post",
            f"/api/v1/claims/{w.claim.uuid}/evidence",
            {"data": {"url": "javascript:alert(1)"}, "format": "json"},
        ),
        400,
        ("url: Enter a web address that starts with http:// or https://",),
        "url",
    ),
    Bad(
        "evidence with nothing in it",
        lambda w: (
            "post",
            f"/api/v1/claims/{w.claim.uuid}/evidence",
            {"data": {"title": "Only a title"}, "format": "json"},
        ),
        400,
        ("Evidence needs a URL, a quoted passage or a note.",),
        "url",
    ),
]


@pytest.fixture
def api_clients(reviewer):
    return {
        "write_key": key_client(api_key_create(name="CMS", scope="write", by=None).secret),
        "reviewer": user_client(reviewer),
    }


@pytest.mark.parametrize("bad", API, ids=str)
def test_the_api_refuses_bad_input_with_a_clear_message_and_changes_nothing(
    world, api_clients, bad
):
    method, path, kwargs = bad.send(world)
    before = state()

    client = api_clients["reviewer" if bad.by == "reviewer" else "write_key"]
    response = getattr(client, method)(path, **kwargs)

    assert response.status_code == bad.status, response.content.decode()[:2000]
    assert response["Content-Type"] == "application/json"
    error = json.loads(response.content)
    assert error["status"] == bad.status
    for words in bad.says:
        assert words in error["message"]
    if bad.field:
        assert error["field"] == bad.field
    assert state() == before


def test_every_case_of_the_issue_is_covered_on_both_doors():
    """Issue 7's list, each through the UI and the API (this file's cases name them)."""
    wanted = {
        "over ARTICLE_MAX_CHARS": "a body over the size limit",
        "past the end": "offsets out of range",
        "inverted": "offsets inverted",
        "exact that is not the text": "an exact that does not match",
        "not UTF-8": "invalid UTF-8",
        "JSON": "malformed JSON",
        "unknown entity": "an unknown entity",
        "verdict outside its choices": "a verdict outside its choices",
    }
    for door, cases in (("UI", UI), ("API", API)):
        names = [bad.case for bad in cases]
        missing = [what for key, what in wanted.items() if not any(key in n for n in names)]
        assert missing == [], f"{door} lacks {missing}"
        assert len(set(names)) == len(names)


def test_the_refusals_leave_a_usable_article(world, ui_clients):
    """After every kind of refusal the article is still what it was and still takes a good
    annotation (a refused request left no lock, no half-written row, no bumped version)."""
    client = ui_clients["annotator"]
    for bad in UI:
        if bad.by == "annotator":
            method, path, kwargs = bad.send(world)
            assert getattr(client, method)(path, **kwargs).status_code == bad.status
    start, end = span_offsets(world, "The talks ended late.")
    response = client.post(
        reverse("annotations:create", args=[world.article.uuid]),
        {"kind": "claim", "start": start, "end": end, "exact": "The talks ended late."},
    )
    assert response.status_code == 302
    assert world.article.claims.filter(start=start, end=end).count() == 2
    assert Article.objects.get(pk=world.article.pk).revision == world.article.revision


# --- Malformed addresses and query parameters on the pages ----------------------------------------

GARBAGE = ["abc", "-1", "0", "99999999999999999999", "%00", "%0A", "%C3%28", "'", "a" * 300]


def ui_list_pages(w: World) -> dict[str, tuple[str, ...]]:
    """Each page that reads query parameters, with the parameters it reads."""
    article = w.article.uuid
    return {
        "/": (),
        "/articles/": ("q", "status", "source", "page", "sort"),
        "/claims/": ("q", "verdict", "rating", "state", "kind", "article", "page"),
        f"/claims/{w.claim_verified.uuid}/review/": (),
        f"/claims/{w.claim.uuid}/review/": (),  # not verified: 404, "not published yet"
        "/findings/": ("q", "kind", "severity", "state", "page"),
        f"/articles/{article}/": ("open", "state"),
        f"/articles/{article}/annotations/": ("state", "with_body"),
        f"/articles/{article}/findings/": ("polling", "ex"),
        "/review/": ("type", "article", "origin", "kind", "page", "rows", "select"),
        "/kb/": ("q", "kind", "page"),
        "/kb/autocomplete/": ("q", "kind", "name", "field", "limit", "selected"),
        f"/kb/{w.person.uuid}/": (),
        "/accounts/users/": ("q", "page"),
        "/accounts/keys/": (),
        f"/history/claim/{w.claim.uuid}/": ("page",),
    }


@pytest.fixture
def page_client(editor):
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    return client


def test_the_review_queue_ignores_an_article_filter_that_is_not_an_id(world, page_client):
    response = page_client.get("/review/?article=abc")
    assert response.status_code == 200
    # Shown as "any article": the queue lists the proposals of every article.
    assert world.claim.exact in response.content.decode()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_no_malformed_query_parameter_breaks_a_page(world, page_client, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    failures = []
    for path, params in ui_list_pages(world).items():
        for name in (*params, "unknown"):
            for value in GARBAGE:
                url = f"{path}?{name}={value}"
                response = page_client.get(url, headers=headers)
                if response.status_code >= 500:
                    failures.append(f"{url}: {response.status_code}")
                elif response.status_code == 400:
                    assert "control character" in response.content.decode(), url
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("char", ["%0A", "%0D", "%00", "%1B", "%7F"])
def test_control_characters_in_a_page_address_get_a_clear_page(world, page_client, char):
    for path in [f"/review/{char}", f"/articles/{world.article.uuid}/{char}", f"/{char}"]:
        response = page_client.get(path)
        assert response.status_code == 400, (path, response.status_code)
        assert response["Content-Type"].startswith("text/html")
        text = html.unescape(response.content.decode())
        assert "control character" in text and "Remove it" in text


@pytest.mark.parametrize("path", ["/review/", "/articles/", "/healthz", "/kb/", "/accounts/login/"])
def test_options_on_a_page_says_which_methods_it_takes(world, page_client, path):
    response = page_client.options(path)
    assert response.status_code == 200, response.status_code
    allowed = {m.strip() for m in response["Allow"].split(",")}
    assert "GET" in allowed and "OPTIONS" in allowed


def test_a_method_a_page_does_not_take_gets_a_message(world, page_client):
    response = page_client.put("/review/")
    assert response.status_code == 405
    text = html.unescape(response.content.decode())
    assert "does not accept PUT" in text and "GET" in text


# --- pages: sorting and filters of the article, claims and findings lists ------------------------


@pytest.mark.parametrize(
    "path, query",
    [
        ("/articles/", {"sort": "body"}),
        ("/articles/", {"sort": "-(select 1)"}),
        ("/articles/", {"sort": "proposals_open"}),
        ("/claims/", {"verdict": "bogus", "rating": "6", "state": "published"}),
        ("/findings/", {"kind": "NOPE", "severity": "fatal", "state": "gone"}),
    ],
)
def test_an_unknown_sort_or_filter_is_ignored_not_an_error(world, page_client, path, query):
    before = state()
    response = page_client.get(path, query)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    # The unfiltered list, in its default order.
    expected = {"/articles/": world.article.title, "/claims/": world.claim.exact}
    assert expected.get(path, world.finding.message) in page
    assert state() == before
