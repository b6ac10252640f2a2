"""Reads for the knowledge base, with the permission check in one place (STYLE rule 4)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Length
from django.http import Http404

from apps.accounts import roles
from apps.knowledge.models import Entity, EntityAlias, EntityKind, Tenure, normalize_alias


def _require_reader(user) -> None:
    if not roles.can_read(user):
        raise PermissionDenied("You need a Factdesk role to read the knowledge base.")


def entity_get_for_user(*, entity_uuid, user, for_update: bool = False) -> Entity:
    """Every newsroom member may read every entity; writes are checked by the services."""
    _require_reader(user)
    queryset = Entity.objects.all()
    if for_update:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(uuid=entity_uuid)
    except (Entity.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such entity.") from None


def tenure_get_for_user(*, tenure_uuid, user) -> Tenure:
    _require_reader(user)
    try:
        return Tenure.objects.select_related("person", "office").get(uuid=tenure_uuid)
    except (Tenure.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such tenure.") from None


def entity_aliases(*, entity: Entity) -> list[EntityAlias]:
    """The label first, then the other aliases alphabetically."""
    return list(entity.aliases.order_by("-is_label", "normalized", "id"))


def entity_search(*, user, query: str, kind: str | None = None, limit: int = 20) -> list[Entity]:
    """Autocomplete: entities one of whose aliases starts with the query, or has a word that
    does, case-insensitively; a Wikidata id matches exactly. Best first: the whole alias, then
    the shortest matching alias (a label before another alias of the same length). Works the
    same on SQLite and PostgreSQL."""
    _require_reader(user)
    text = normalize_alias(query or "")
    if not text:
        return []
    limit = max(1, min(limit, 100))
    aliases = EntityAlias.objects.all()
    if kind:
        if kind not in EntityKind.values:
            return []
        aliases = aliases.filter(entity__kind=kind)
    # Each query is served by alias_normalized_idx (prefix LIKE) or bounded by the slice.
    prefix = list(
        aliases.filter(normalized__startswith=text)
        .annotate(size=Length("normalized"))
        .order_by("size", "normalized", "id")
        .values_list("entity_id", "normalized", "is_label")[: limit * 10]
    )
    inner = []
    if len({row[0] for row in prefix}) < limit:
        inner = list(
            aliases.filter(normalized__contains=f" {text}")
            .annotate(size=Length("normalized"))
            .order_by("size", "normalized", "id")
            .values_list("entity_id", "normalized", "is_label")[: limit * 10]
        )
    best: dict[int, tuple] = {}
    for entity_id, normalized, is_label in prefix:
        rank = (0 if normalized == text else 1, len(normalized), 0 if is_label else 1, normalized)
        best[entity_id] = min(best.get(entity_id, rank), rank)
    for entity_id, normalized, is_label in inner:
        rank = (2, len(normalized), 0 if is_label else 1, normalized)
        best[entity_id] = min(best.get(entity_id, rank), rank)
    by_id = Entity.objects.filter(Q(wikidata_id__iexact=query.strip()))
    if kind:
        by_id = by_id.filter(kind=kind)
    for entity_id in by_id.values_list("id", flat=True)[:1]:
        best[entity_id] = (-1,)
    ranked = sorted(best, key=lambda pk: (best[pk], pk))[:limit]
    entities = Entity.objects.in_bulk(ranked)
    return [entities[pk] for pk in ranked if pk in entities]


def _tenures() -> QuerySet[Tenure]:
    return Tenure.objects.select_related("person", "office")


def tenures_of_person(*, person: Entity) -> list[Tenure]:
    """The offices a person held, oldest first (unknown starts first), id as tie-breaker."""
    return list(_tenures().filter(person=person).order_by("start", "id"))


def tenures_of_office(*, office: Entity) -> list[Tenure]:
    """Who held an office, oldest first (unknown starts first), id as tie-breaker."""
    return list(_tenures().filter(office=office).order_by("start", "id"))


def tenures_of_entity(*, entity: Entity) -> list[Tenure]:
    """A person's offices or an office's holders, by the entity's kind."""
    if entity.kind == EntityKind.OFFICE:
        return tenures_of_office(office=entity)
    return tenures_of_person(person=entity)


def office_holders_on(*, office: Entity, on: dt.date) -> list[Tenure]:
    """Tenures of the office that surely include the day `on` (by the known dates)."""
    candidates = _tenures().filter(office=office, start__lte=on, end_unknown=False)
    return [
        tenure
        for tenure in candidates.order_by("start", "id")
        if tenure.start_latest <= on and (tenure.end is None or tenure.end >= on)
    ]


def _surely_held(tenure: Tenure) -> tuple[dt.date, dt.date] | None:
    """The days the tenure surely covers by its known dates (None when that is no day at all:
    an unknown start, or an end that is not known)."""
    low = tenure.start_latest
    if low is None:
        return None
    if tenure.end is not None:
        return (low, tenure.end) if tenure.end >= low else None
    if tenure.end_unknown:
        return None
    return low, dt.date.max


def _overlap(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> bool:
    """Strictly: a handover day (one ends the day the other starts) is not an overlap."""
    return a[0] < b[1] and b[0] < a[1]


def tenure_other_holders_overlapping(*, tenure: Tenure) -> list[Tenure]:
    """Other people's tenures of the same office that surely overlap this one, when the rest of
    the KB shows the office held by one person at a time (a seat many share, whose tenures
    already overlap each other, is left alone). For a warning, not a refusal: an acting holder
    or a co-holder is real."""
    mine = _surely_held(tenure)
    if mine is None:
        return []
    others = [
        (other, held)
        for other in _tenures().filter(office_id=tenure.office_id).exclude(pk=tenure.pk)
        if (held := _surely_held(other)) is not None
    ]
    others.sort(key=lambda pair: (pair[1][0], pair[0].pk))
    for i, (first, held_first) in enumerate(others):
        for second, held_second in others[i + 1 :]:
            if first.person_id != second.person_id and _overlap(held_first, held_second):
                return []  # the office has co-holders already (tens of tenures: cheap)
    return [
        other
        for other, held in others
        if other.person_id != tenure.person_id and _overlap(mine, held)
    ]


def entities_with_label(*, label: str, exclude: Entity | None = None) -> list[Entity]:
    """Entities labelled `label` (case and spacing aside): the likely duplicates of a new one."""
    found = Entity.objects.filter(label__iexact=" ".join(label.split()))
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return list(found.order_by("id")[:5])
