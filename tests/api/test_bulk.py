"""POST /api/v1/articles/{id}/annotations: many spans of any types in one request, all or
nothing, with the rules of the single creates (roles, four eyes, history, one check request)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.annotations.models import Claim, DateMention, EntityMention, Quote
from apps.articles.models import Article
from apps.articles.processing import CHECK_ARTICLE
from tests.api.conftest import BODY

pytestmark = pytest.mark.django_db

SPAN_MODELS = (Claim, Quote, EntityMention, DateMention)


def _span(text: str, **fields) -> dict:
    start = BODY.index(text)
    return {"start": start, "end": start + len(text), "exact": text, **fields}


def _items(world) -> list[dict]:
    return [
        _span("Officials met in Paris", type="claim", kind="event_date"),
        _span("“We will not retreat,”", type="quote", speaker=str(world.person.uuid)),
        _span("Keir Starmer", type="mention", entity=str(world.person.uuid)),
        _span("January 6, 2024", type="date", value="2024-01-06", precision="day"),
        _span("The talks ended late.", type="claim"),
    ]


def _url(world) -> str:
    return f"/api/v1/articles/{world.article.uuid}/annotations"


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in SPAN_MODELS}


def _history_counts() -> dict[str, int]:
    return {model.__name__: model.history.count() for model in SPAN_MODELS}


def test_it_creates_spans_of_every_type_in_request_order(world, clients, write_key):
    before = _counts()
    response = clients["write_key"].post(_url(world), _items(world), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert [item["exact"] for item in created] == [item["exact"] for item in _items(world)]
    assert created[0]["kind"] == "event_date" and created[0]["evidence"] == []
    assert created[1]["speaker"]["label"] == "Keir Starmer"
    assert created[2]["entity"]["id"] == str(world.person.uuid)
    assert created[3]["value"] == "2024-01-06"
    # Each item is shaped as its type's single endpoint answers it.
    for item, plural in zip(
        created, ("claims", "quotes", "mentions", "dates", "claims"), strict=True
    ):
        alone = clients["read_key"].get(f"/api/v1/{plural}/{item['id']}").json()
        assert item == alone
    after = _counts()
    assert after["Claim"] == before["Claim"] + 2 and after["Quote"] == before["Quote"] + 1
    claim = Claim.objects.get(uuid=created[0]["id"])
    assert claim.created_by == write_key.key.user and claim.touched_by == write_key.key.user


def test_an_invalid_item_in_the_middle_creates_nothing_and_is_named(world, clients):
    items = _items(world)
    items[2] = {**items[2], "end": items[2]["start"]}  # end not after start
    items[3] = {**items[3], "exact": "January 7, 2024"}  # not the text at those offsets
    items[4] = {**items[4], "kind": "guess"}  # not a claim kind (shape)
    before, history = _counts(), _history_counts()
    response = clients["annotator"].post(_url(world), items, format="json")
    assert response.status_code == 400, response.content
    error = response.json()
    assert "nothing was created" in error["message"]
    assert [(e["index"], e["field"]) for e in error["errors"]] == [(4, "kind")]
    assert _counts() == before and _history_counts() == history

    # Shape is fine, the rules are not: each bad item by index and field.
    items[4] = _items(world)[4]
    response = clients["annotator"].post(_url(world), items, format="json")
    assert response.status_code == 400, response.content
    error = response.json()
    assert [(e["index"], e["field"]) for e in error["errors"]] == [(2, "end"), (3, "exact")]
    assert "must be greater than start" in error["errors"][0]["message"]
    assert "item 2, end" in error["message"]
    assert _counts() == before and _history_counts() == history


@pytest.mark.parametrize(
    "item,field",
    [
        ({"type": "opinion", "start": 0, "end": 9, "exact": "Officials"}, "type"),
        ({"type": "claim", "start": 0, "end": 9, "exact": "Officials", "speaker_text": "x"}, None),
        (
            {
                "type": "quote",
                "start": 0,
                "end": 9,
                "exact": "Officials",
                "speaker": "6f1c0c1e-8d0e-4a84-9d7c-0a4f4b2b8d11",
            },
            "speaker",
        ),
        ({"type": "date", "start": 0, "end": 999, "exact": "Officials"}, "end"),
        ("not an object", None),
    ],
)
def test_it_refuses_what_a_single_create_refuses(world, clients, item, field):
    before = _counts()
    response = clients["editor"].post(_url(world), [_items(world)[0], item], format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert errors[0]["index"] == 1 and errors[0]["field"] == field and errors[0]["message"]
    assert _counts() == before


def test_it_caps_the_number_of_items(world, clients):
    before = _counts()
    one = _items(world)[0]
    too_many = clients["annotator"].post(_url(world), [one] * 501, format="json")
    assert too_many.status_code == 413
    assert "limit is 500" in too_many.json()["message"]
    empty = clients["annotator"].post(_url(world), [], format="json")
    assert empty.status_code == 400 and "at least one" in empty.json()["message"]
    not_a_list = clients["annotator"].post(_url(world), {"type": "claim"}, format="json")
    assert not_a_list.status_code == 400 and "list" in not_a_list.json()["message"]
    assert _counts() == before


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
def test_it_lets_exactly_the_roles_that_annotate(world, clients, role, status):
    before = _counts()
    response = clients[role].post(_url(world), _items(world), format="json")
    assert response.status_code == status, response.content
    if status != 201:
        assert response.json()["message"]
        assert _counts() == before


def test_four_eyes_hold_for_what_was_created_in_bulk(world, clients, editor, reviewer):
    created = clients["editor"].post(_url(world), _items(world), format="json").json()
    claim = created[0]
    own = clients["editor"].post(
        f"/api/v1/claims/{claim['id']}/review",
        {"approve": True, "version": claim["version"]},
        format="json",
    )
    assert own.status_code == 403, own.content
    other = clients["reviewer"].post(
        f"/api/v1/claims/{claim['id']}/review",
        {"approve": True, "version": claim["version"]},
        format="json",
    )
    assert other.status_code == 200 and other.json()["review_state"] == "approved"
    assert set(Claim.objects.get(uuid=claim["id"]).contributors.all()) == {editor}


def test_it_keeps_history_rows_like_single_creates(world, clients, annotator):
    created = clients["annotator"].post(_url(world), _items(world), format="json").json()
    for item, plural in zip(
        created, ("claims", "quotes", "mentions", "dates", "claims"), strict=True
    ):
        entries = clients["read_key"].get(f"/api/v1/{plural}/{item['id']}/history").json()
        assert [(e["action"], e["user"]) for e in entries["entries"]] == [("created", "anna")]


def test_it_requests_the_articles_checks_once(world, clients):
    Article.objects.filter(pk=world.article.pk).update(check_state="done")
    with CaptureQueriesContext(connection) as queries:
        response = clients["annotator"].post(_url(world), _items(world), format="json")
    assert response.status_code == 201
    assert len([q for q in queries if 'SET "check_state"' in q["sql"]]) == 1
    world.article.refresh_from_db()
    assert world.article.check_state == "pending"
    # One message for the article waits for the commit, not one per item.
    key = (CHECK_ARTICLE, (("article_id", world.article.pk),))
    waiting = [f for _, f, *_ in connection.run_on_commit if getattr(f, "processing_key", 0) == key]
    assert len(waiting) == 1


def _many(world, n: int) -> list[dict]:
    kinds = _items(world)
    return [kinds[i % len(kinds)] for i in range(n)]


def test_its_query_count_does_not_grow_with_the_items(world, clients):
    counts = {}
    for n in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = clients["annotator"].post(_url(world), _many(world, n), format="json")
        assert response.status_code == 201, response.content
        assert len(response.json()) == n
        counts[n] = len(queries)
    assert counts[5] == counts[50]
    # Pinned: the session, the user, the role, the article, the lock (in a savepoint here),
    # the entities referred to, three inserts per type (spans, history rows, contributors), the
    # check request and the savepoint's release. The new claims' evidence (none yet) is not
    # asked of the database.
    assert counts[50] == 21


_VARYING = {"id", "uuid", "article_id", "created_at", "updated_at", "touched_at", "history_id"}


def _stored(span) -> dict:
    """The span's row and its history rows as stored, without what differs between two spans
    made at different moments on different articles."""
    model = type(span)
    row = {k: v for k, v in model.objects.filter(pk=span.pk).values()[0].items()}
    history = list(model.history.filter(id=span.pk).values())
    contributors = list(
        model.contributors.through.objects.filter(
            **{f"{model._meta.model_name}_id": span.pk}
        ).values_list("user_id", flat=True)
    )
    return {
        "row": {k: v for k, v in row.items() if k not in _VARYING},
        "history": [
            {k: v for k, v in h.items() if k not in _VARYING | {"history_date"}} for h in history
        ],
        "contributors": contributors,
    }


def test_it_stores_the_rows_a_single_create_stores(world, clients, annotator):
    """Spans, history rows and contributor marks as annotation_create writes them, per type."""
    from apps.annotations.services import annotation_create
    from apps.articles.services import article_import

    other = article_import(title="Twin", body=BODY, created_by=None)
    created = clients["annotator"].post(_url(world), _items(world), format="json").json()
    for item, answer in zip(_items(world), created, strict=True):
        fields = dict(item)
        kind = fields.pop("type")
        start, end, exact = fields.pop("start"), fields.pop("end"), fields.pop("exact")
        single = annotation_create(
            article=other, kind=kind, start=start, end=end, exact=exact, user=annotator,
            fields=fields,
        )  # fmt: skip
        bulk = type(single).objects.get(uuid=answer["id"])
        assert _stored(bulk) == _stored(single), kind


@pytest.mark.parametrize("time_zone", ["UTC", "Europe/Paris"])
def test_its_answer_is_exactly_what_the_output_serializers_answer(
    world, annotator, settings, time_zone
):
    """The answer is written from compiled plans (apps/api/readers.new_spans_data), not field by
    field through DRF: the same JSON text, value types included, for values as the service set
    them (an integer in a float field, a date, a boolean, entities and none)."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    from apps.annotations.services import annotations_create_bulk
    from apps.api import readers
    from apps.api import serializers as s

    settings.TIME_ZONE = time_zone
    items = [
        *_items(world),
        _span(
            "We will not retreat", type="quote", speaker_text="Keir Starmer", speaker_confidence=1
        ),
        _span("Starmer", type="mention", entity=str(world.person.uuid), office=None),
        _span("Tuesday", type="date", value="2024-01-02", precision="day", is_relative=True),
    ]
    serializer = s.BulkAnnotationIn(data=items, many=True)
    assert serializer.is_valid(), serializer.errors
    spans = annotations_create_bulk(
        article=world.article, user=annotator, items=[dict(v) for v in serializer.validated_data]
    )
    for span in spans:
        span.article_uuid = world.article.uuid
    outputs = {Claim: s.ClaimOut, Quote: s.QuoteOut, EntityMention: s.MentionOut}
    expected = [outputs.get(type(span), s.DateOut)(span).data for span in spans]

    answer = readers.new_spans_data(spans)

    assert json.dumps(answer, cls=DjangoJSONEncoder) == json.dumps(expected, cls=DjangoJSONEncoder)
    assert answer[5]["speaker_confidence"] == 1.0 and answer[0]["evidence"] == []


def test_an_unknown_article_is_a_404(clients):
    url = "/api/v1/articles/00000000-0000-0000-0000-000000000000/annotations"
    response = clients["annotator"].post(url, [], format="json")
    assert response.status_code == 404
    assert response.json()["message"]


def test_its_article_reads_are_compiled_once_per_connection(world, clients, monkeypatch):
    """The view's lookup and the service's locked read of the article run SQL compiled by the
    first request (apps.compiled_queries): Django's compiler took as long as each read."""
    from django.db.models.sql.compiler import SQLCompiler

    client = clients["annotator"]
    items = _items(world)
    assert client.post(_url(world), items[:1], format="json").status_code == 201
    compiled = []
    as_sql = SQLCompiler.as_sql

    def counting(compiler, *args, **kwargs):
        if compiler.query.model is Article and type(compiler) is SQLCompiler:
            compiled.append(compiler.query)
        return as_sql(compiler, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    assert client.post(_url(world), items[1:], format="json").status_code == 201
    assert compiled == []


def test_it_locks_the_article_row_where_the_database_can(world, clients):
    """The compiled locked read is still SELECT … FOR UPDATE on PostgreSQL (a body edit waits);
    SQLite locks the whole database for the transaction instead (transaction_mode IMMEDIATE)."""
    with CaptureQueriesContext(connection) as queries:
        response = clients["annotator"].post(_url(world), _items(world), format="json")
    assert response.status_code == 201
    locked = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert len(locked) == (1 if connection.vendor == "postgresql" else 0)
    assert '"articles_article"' in "".join(locked) or connection.vendor != "postgresql"


def test_it_checks_the_fields_it_sets_not_the_defaults(world, clients, monkeypatch):
    """The model's field checks run on what the item and the service set (a new span's other
    fields are at their defaults, valid as in every span): a tenth of a 20-span request."""
    from django.db.models import Field

    checked = []
    clean = Field.clean

    def recording(field, value, instance):
        checked.append(field.name)
        return clean(field, value, instance)

    monkeypatch.setattr(Field, "clean", recording)
    item = _span("Officials met in Paris", type="claim", kind="event_date")
    response = clients["annotator"].post(_url(world), [item], format="json")
    assert response.status_code == 201
    set_here = {"start", "end", "exact", "prefix", "suffix", "origin", "kind"}
    assert {"start", "end", "exact", "kind"} <= set(checked) <= set_here  # an empty prefix: none


def test_its_item_fields_are_copied_once_per_process_not_per_request(monkeypatch):
    """DRF deep-copies every declared field for each serializer: a tenth of the validation of a
    20-span request. Each item serializer gets its own shallow copies, bound to it."""
    from rest_framework.fields import Field

    from apps.api import serializers as s

    first = s.BulkAnnotationIn().fields
    deep = []
    monkeypatch.setattr(Field, "__deepcopy__", lambda field, memo: deep.append(field))
    second = s.BulkAnnotationIn()

    assert list(second.fields) == list(first)
    assert deep == []
    assert second.fields["start"] is not first["start"]
    assert second.fields["start"].parent is second
    item = _span("Officials met in Paris", type="claim", kind="event_date")
    assert second.run_validation(item)["start"] == item["start"]
