"""Fast reads for the API's hot paths: the answer built from plain rows (`.values()`), without
model instances or DRF's field-by-field serialization, and exactly equal to what the output
serializers give (tests/api/test_fast_fetch.py compares both on every field and type).

The fields come from the serializers' own Meta (they also make the OpenAPI schema), so a field
added there appears here too; each field's conversion (UUID → text, datetime → ISO 8601 as DRF
writes it, …) is chosen once from the serializer's field class, not per row."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone
from rest_framework import ISO_8601
from rest_framework import fields as drf_fields
from rest_framework import serializers as drf_serializers
from rest_framework.settings import api_settings as drf_api_settings

from apps.annotations.models import Claim, DateMention, EntityMention, Evidence, Quote
from apps.api import serializers as s
from apps.articles.models import Article
from apps.checks.models import Finding
from apps.compiled_queries import CompiledValues, compiled, instance_values

# A compiled serializer: (answer key, row key, conversion or None for "as stored").
Plan = list[tuple[str, str, Callable[[Any], Any] | None]]

_ENTITY_REF = ("uuid", "label", "kind")


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def _iso(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _later(value: Any) -> None:
    """A place in the answer (its key order) for a value filled in afterwards."""
    return None


class _InZone:
    """DRF's DateTimeField.to_representation for an ISO 8601 field without a time zone of its
    own: the value in the current time zone, "+00:00" written "Z"; None stays None. The current
    zone is a thread-local lookup, most of DRF's cost per value (a fetch converts ~30 values):
    `_rows` looks it up once per answer and calls `at(zone)`."""

    def __init__(self, field: drf_fields.DateTimeField) -> None:
        self.fallback = field.to_representation

    def __call__(self, value: Any) -> Any:  # DRF's own path (USE_TZ off)
        return None if value is None else self.fallback(value)

    def at(self, zone) -> Callable[[Any], Any]:
        if zone is None:
            return self

        def convert(value: Any) -> Any:
            if value is None:
                return None
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return convert


def _conversion(field: drf_fields.Field) -> Callable[[Any], Any] | None:
    if isinstance(field, drf_fields.UUIDField):
        return _text
    if isinstance(field, drf_fields.DateTimeField):
        output_format = getattr(field, "format", drf_api_settings.DATETIME_FORMAT)
        if (
            isinstance(output_format, str)
            and output_format.lower() == ISO_8601
            and not hasattr(field, "timezone")
        ):
            return _InZone(field)
        # DRF's own conversion; None stays None.
        return lambda value, to=field.to_representation: None if value is None else to(value)
    if isinstance(field, drf_fields.DateField):
        return _iso
    if isinstance(
        field,
        drf_fields.CharField
        | drf_fields.ChoiceField
        | drf_fields.IntegerField
        | drf_fields.FloatField
        | drf_fields.BooleanField
        | drf_fields.JSONField,
    ):
        return None  # the database gives the type DRF writes
    raise TypeError(f"no plain conversion for {type(field).__name__} {field.field_name!r}")


@cache
def _plan(serializer_class: type[drf_serializers.Serializer]) -> tuple[Plan, list[str]]:
    """The serializer's fields as (answer key, values() key, conversion), and the values() keys
    to select. Relations it nests (entity references) become joined columns."""
    plan: Plan = []
    columns: list[str] = []
    for name, field in serializer_class().fields.items():
        if isinstance(field, s.ArticleIdField):
            plan.append((name, "article_uuid", _text))
            columns.append("article_uuid")
        elif isinstance(field, s.EntityRefOut):
            plan.append((name, "pk", _later))  # filled in by _entity_refs
            columns.extend(f"{name}__{part}" for part in _ENTITY_REF)
        elif name in ("evidence", "annotations", "findings"):
            plan.append((name, "pk", _later))  # filled in by the caller
        else:
            source = field.source
            plan.append((name, source, _conversion(field)))
            columns.append(source)
    return plan, columns


def _in_zone(plan: Plan) -> Plan:
    """The plan with its datetime conversions bound to the current time zone."""
    if not any(isinstance(convert, _InZone) for _, _, convert in plan):
        return plan
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    return [(n, k, c.at(zone) if isinstance(c, _InZone) else c) for n, k, c in plan]


def _rows(plan: Plan, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    plan = _in_zone(plan)
    return [
        {name: (row[key] if convert is None else convert(row[key])) for name, key, convert in plan}
        for row in rows
    ]


def _entity_refs(rows: list[dict[str, Any]], answers: list[dict[str, Any]], names) -> None:
    for row, answer in zip(rows, answers, strict=True):
        for name in names:
            ref = row[f"{name}__uuid"]
            answer[name] = (
                None
                if ref is None
                else {
                    "id": str(ref),
                    "label": row[f"{name}__label"],
                    "kind": row[f"{name}__kind"],
                }
            )


def instances_data(serializer_class: type, items) -> list[dict[str, Any]]:
    """What `serializer_class(items, many=True).data` answers, for a serializer of plain fields
    only (s.ArticleOut: the article list), read from the instances by the compiled plan."""
    plan, _ = _plan(serializer_class)
    for name, key, convert in plan:
        if convert is _later or key == "article_uuid":
            raise TypeError(f"{serializer_class.__name__}.{name} is not a plain field")
    plan = _in_zone(plan)
    return [
        {
            name: (getattr(item, key) if convert is None else convert(getattr(item, key)))
            for name, key, convert in plan
        }
        for item in items
    ]


@cache
def _claim_plan_cached() -> Plan:
    return _claim_plan()


def _claim_plan() -> Plan:
    """ClaimOut writes its answer itself (s.ClaimOut.to_representation): the same here."""
    plain = set(s.ClaimOut._plain)
    datetimes = set(s.ClaimOut._datetimes)
    plan: Plan = []
    for name in s.ClaimOut.Meta.fields:
        if name == "id":
            plan.append((name, "uuid", _text))
        elif name == "article":
            plan.append((name, "article_uuid", _text))
        elif name in plain:
            plan.append((name, name, None))
        elif name in datetimes:
            plan.append((name, name, s._datetime))
        elif name == "evidence":
            plan.append((name, name, None))
        else:
            raise TypeError(f"ClaimOut field {name!r} is neither plain nor a datetime")
    return plan


_PLACEHOLDER_ID = 0
_PLACEHOLDER_UUID = uuid.UUID(int=0)


def _queries(connection) -> dict[str, CompiledValues]:
    return compiled(connection, "article-detail", _build_queries)


def _build_queries(connection) -> dict[str, CompiledValues]:
    article_plan, article_columns = _plan(s.ArticleDetailOut)
    claim_columns = [key for _, key, _ in _claim_plan() if key not in ("article_uuid", "evidence")]

    def span_columns(serializer_class) -> list[str]:
        return [c for c in _plan(serializer_class)[1] if c != "article_uuid"]

    def of_article(model, columns, order=("start", "end", "id")):
        return model.objects.filter(article_id=_PLACEHOLDER_ID).order_by(*order).values(*columns)

    querysets = {
        "article": Article.objects.filter(uuid=_PLACEHOLDER_UUID).values("pk", *article_columns),
        "claims": of_article(Claim, ["pk", *claim_columns]),
        "evidence": Evidence.objects.filter(claim__article_id=_PLACEHOLDER_ID)
        .order_by("created_at", "id")
        .values("claim_id", "uuid", "url", "title", "quoted_passage", "note", "created_at"),
        "quotes": of_article(Quote, ["pk", *span_columns(s.QuoteOut)]),
        "mentions": of_article(EntityMention, ["pk", *span_columns(s.MentionOut)]),
        "dates": of_article(DateMention, ["pk", *span_columns(s.DateOut)]),
        "findings": of_article(
            Finding, ["pk", *span_columns(s.FindingOut)], order=("code", "created_at", "id")
        ),
    }
    # Each query has exactly one parameter: the placeholder, replaced on every run.
    return {name: CompiledValues(qs, connection) for name, qs in querysets.items()}


def article_instance(*, article_uuid: uuid.UUID | str) -> Article | None:
    """`Article.objects.defer("body").get(uuid=article_uuid)` (what the article endpoints but the
    detail look their article up with), None if there is none; its SQL compiled once per
    connection."""
    connection = connections[Article.objects.db]
    try:
        key = Article._meta.get_field("uuid").get_db_prep_value(article_uuid, connection)
    except ValidationError:
        return None
    query = compiled(
        connection,
        "article-without-body",
        lambda c: CompiledValues(
            instance_values(Article.objects.filter(uuid=_PLACEHOLDER_UUID), defer=("body",)), c
        ),
    )
    found = query.instances(connection, key, Article)
    return found[0] if found else None


def article_detail_data(*, article_uuid: uuid.UUID | str) -> dict[str, Any] | None:
    """GET /articles/{id}: the article with its body, annotations (claims with their evidence,
    quotes, mentions, dates; each in text order) and findings, as s.ArticleDetailOut answers;
    None if there is no such article. Seven queries whatever the number of annotations (six
    without claims: their evidence is not asked for)."""
    connection = connections[Article.objects.db]
    queries = _queries(connection)
    try:
        key = Article._meta.get_field("uuid").get_db_prep_value(article_uuid, connection)
    except ValidationError:
        return None
    found = queries["article"].run(connection, key)
    if not found:
        return None
    row = found[0]
    pk = row["pk"]
    article_plan, _ = _plan(s.ArticleDetailOut)
    answer = _rows(article_plan, [row])[0]
    article_id = answer["id"]

    def spans(name: str, serializer_class, refs=()) -> list[dict[str, Any]]:
        plan, _ = _plan(serializer_class)
        rows = queries[name].run(connection, pk)
        for r in rows:
            r["article_uuid"] = article_id
        answers = _rows(plan, rows)
        if refs:
            _entity_refs(rows, answers, refs)
        return answers

    claim_rows = queries["claims"].run(connection, pk)
    evidence: dict[int, list[dict[str, Any]]] = {r["pk"]: [] for r in claim_rows}
    if claim_rows:
        for e in queries["evidence"].run(connection, pk):
            evidence[e["claim_id"]].append(
                {
                    "id": str(e["uuid"]),
                    "url": e["url"],
                    "title": e["title"],
                    "quoted_passage": e["quoted_passage"],
                    "note": e["note"],
                    "created_at": s._datetime(e["created_at"]),
                }
            )
    for r in claim_rows:
        r["article_uuid"] = article_id
        r["evidence"] = evidence[r["pk"]]
    answer["annotations"] = {
        "claims": _rows(_claim_plan_cached(), claim_rows),
        "quotes": spans("quotes", s.QuoteOut, ("speaker",)),
        "mentions": spans("mentions", s.MentionOut, ("entity", "office")),
        "dates": spans("dates", s.DateOut),
    }
    answer["findings"] = spans("findings", s.FindingOut)
    return answer


@cache
def _new_instance_plan(serializer_class: type[drf_serializers.Serializer]) -> Plan:
    """The serializer's fields as (answer key, attribute, conversion) for instances a service
    has just written: their values are as the service set them (an int in a float field, a
    TextChoices member), not as the database gives them back, so each value goes through its
    DRF field's own to_representation, called directly (without DRF's per-field get_attribute,
    SkipField and ordered-dict machinery, most of its cost); UUIDs and datetimes by the
    conversions above, which equal DRF's."""
    plan: Plan = []
    for name, field in serializer_class().fields.items():
        if isinstance(field, s.ArticleIdField):
            plan.append((name, "article_uuid", _text))  # set by the caller on each instance
        elif isinstance(field, s.EntityRefOut):
            plan.append((name, name, _entity_ref))
        elif isinstance(field, drf_fields.UUIDField | drf_fields.DateTimeField):
            plan.append((name, field.source, _conversion(field)))
        elif "." in field.source or field.source == "*" or not isinstance(field, drf_fields.Field):
            raise TypeError(f"{serializer_class.__name__}.{name}: no plain attribute")
        else:
            to = field.to_representation
            plan.append(
                (name, field.source, lambda value, to=to: None if value is None else to(value))
            )
    return plan


def _entity_ref(entity: Any) -> Any:
    """s.EntityRefOut's answer for an entity instance."""
    if entity is None:
        return None
    return {"id": str(entity.uuid), "label": str(entity.label), "kind": str(entity.kind)}


def new_spans_data(spans: list[Any]) -> list[dict[str, Any]]:
    """What each span's output serializer (s.ClaimOut, s.QuoteOut, s.MentionOut, s.DateOut)
    answers for spans a service has just created, in their order; each span carries
    `article_uuid`. A new claim has no evidence yet: its list is empty, not asked of the
    database."""
    outputs = {
        Claim: s.ClaimOut,
        Quote: s.QuoteOut,
        EntityMention: s.MentionOut,
        DateMention: s.DateOut,
    }
    plans: dict[type, Plan] = {}
    answers = []
    for span in spans:
        plan = plans.get(type(span))
        if plan is None:
            if type(span) is Claim:
                plan = [
                    (n, "pk", _no_evidence) if n == "evidence" else (n, k, c)
                    for n, k, c in _claim_plan_cached()
                ]
            else:
                plan = _in_zone(_new_instance_plan(outputs[type(span)]))
            plans[type(span)] = plan
        answers.append(
            {
                name: getattr(span, key) if convert is None else convert(getattr(span, key))
                for name, key, convert in plan
            }
        )
    return answers


def _no_evidence(_: Any) -> list:
    return []
