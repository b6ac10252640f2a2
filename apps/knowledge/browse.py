"""Reads for the KB browser pages (search results, an entity's page). Each function is a fixed
number of queries, whatever the number of aliases or tenures."""

from __future__ import annotations

from django.db import models
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Value, When

from apps.knowledge.models import Entity, EntityAlias, Tenure, normalize_alias


def entity_search(*, query: str, kinds: list[str] | None = None) -> models.QuerySet:
    """Entities whose label or an alias contains the text (case- and space-insensitive); those
    with a name starting with it first, then by label."""
    queryset = Entity.objects.all()
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    needle = normalize_alias(query)
    if needle:
        aliases = EntityAlias.objects.filter(entity=OuterRef("pk"))
        queryset = queryset.filter(Exists(aliases.filter(normalized__contains=needle))).annotate(
            rank=Case(
                When(Exists(aliases.filter(normalized=needle)), then=Value(0)),
                When(Exists(aliases.filter(normalized__startswith=needle)), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
    else:
        queryset = queryset.annotate(rank=Value(0, output_field=IntegerField()))
    return queryset.annotate(tenure_count=Count("tenures", distinct=True)).order_by(
        "rank", "label", "id"
    )


def attach_matched_aliases(entities: list[Entity], *, query: str) -> None:
    """Set `entity.matched` to the first alias (other than the label) that matched: one query."""
    needle = normalize_alias(query)
    for entity in entities:
        entity.matched = ""
    if not needle or not entities:
        return
    by_id = {entity.pk: entity for entity in entities}
    rows = (
        EntityAlias.objects.filter(entity_id__in=by_id, normalized__contains=needle)
        .exclude(is_label=True)
        .order_by("entity_id", "alias", "id")
        .values_list("entity_id", "alias")
    )
    for entity_id, alias in rows:
        entity = by_id[entity_id]
        if not entity.matched and normalize_alias(alias) != normalize_alias(entity.label):
            entity.matched = alias


def entity_get(*, entity_uuid) -> Entity | None:
    return Entity.objects.filter(uuid=entity_uuid).first()


def entity_aliases(*, entity: Entity) -> list[EntityAlias]:
    return list(entity.aliases.order_by("-is_label", "alias", "id"))


def _tenure_order() -> list:
    # Undated starts last; then by start, end, id (a unique tie-breaker).
    return [models.F("start").asc(nulls_last=True), models.F("end").asc(nulls_last=True), "id"]


def tenures_held(*, entity: Entity) -> list[Tenure]:
    return list(entity.tenures.select_related("office", "person").order_by(*_tenure_order()))


def tenures_of_office(*, entity: Entity) -> list[Tenure]:
    return list(entity.holder_tenures.select_related("office", "person").order_by(*_tenure_order()))


def mention_count(*, entity: Entity) -> int:
    return entity.mentions.count()
