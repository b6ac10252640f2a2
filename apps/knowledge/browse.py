"""Reads for the KB browser pages that apps.knowledge.selectors does not cover (the list of all
entities, counts shown beside them). Each is a fixed number of queries."""

from __future__ import annotations

from django.db import models
from django.db.models import Count

from apps.knowledge.models import Entity, EntityAlias, Tenure, normalize_alias


def entity_list(*, kind: str = "") -> models.QuerySet:
    """Every entity (of a kind), by label, with its number of tenures (held or of the office)."""
    queryset = Entity.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.annotate(
        tenure_count=Count("tenures", distinct=True) + Count("holder_tenures", distinct=True)
    ).order_by("label", "id")


def attach_tenure_counts(entities: list[Entity]) -> None:
    """Set `tenure_count` on entities loaded without it: two queries."""
    ids = [entity.pk for entity in entities]
    counts: dict[int, int] = dict.fromkeys(ids, 0)
    for field in ("person_id", "office_id"):
        rows = (
            Tenure.objects.filter(**{f"{field}__in": ids})
            .values_list(field)
            .annotate(n=Count("id"))
            .order_by()
        )
        for entity_id, n in rows:
            counts[entity_id] += n
    for entity in entities:
        entity.tenure_count = counts[entity.pk]


def attach_matched_aliases(entities: list[Entity], *, query: str) -> None:
    """Set `entity.matched` to the first alias (other than the label) containing the text, so
    that a result found by an alias shows why: one query."""
    needle = normalize_alias(query)
    for entity in entities:
        entity.matched = ""
    if not needle or not entities:
        return
    by_id = {entity.pk: entity for entity in entities}
    rows = (
        EntityAlias.objects.filter(entity_id__in=by_id, normalized__contains=needle)
        .exclude(is_label=True)
        .order_by("entity_id", "normalized", "id")
        .values_list("entity_id", "alias")
    )
    for entity_id, alias in rows:
        entity = by_id[entity_id]
        if not entity.matched and normalize_alias(alias) != normalize_alias(entity.label):
            entity.matched = alias


def mention_count(*, entity: Entity) -> int:
    return entity.mentions.count()
