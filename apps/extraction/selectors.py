"""Reads for extraction: the KB index, built once per KB state and kept in the process."""

from __future__ import annotations

import functools
import threading
import uuid

from django.db import connection

from apps.articles.models import Article
from apps.extraction.entities import KBIndex
from apps.extraction.speakers import PeopleKB, office_signatures
from apps.knowledge.models import Entity, EntityAlias, Tenure

_lock = threading.Lock()
_cached: KBIndex | None = None


@functools.cache
def _fingerprint_sql() -> str:
    parts = []
    for model in (Entity, EntityAlias, Tenure):
        for table, pk in (
            (model._meta.db_table, model._meta.pk.column),
            # `model.history` builds a manager class on every access: done once here.
            (model.history.model._meta.db_table, "history_id"),
        ):
            parts.append(
                f"(SELECT MAX({connection.ops.quote_name(pk)}) "
                f"FROM {connection.ops.quote_name(table)})"
            )
    return "SELECT " + ", ".join(parts)


def kb_fingerprint() -> tuple:
    """Cheap summary of the KB state, from primary-key indexes only (a COUNT or MAX(updated_at)
    scans the table: 12 ms per article with a 10,000-entity KB): the highest id of entities,
    aliases and tenures catches every insert, bulk ones included, and the highest id of their
    history tables every change and deletion made through the ORM — the KB services write history
    for their bulk updates too (bulk_*_with_history)."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return tuple(cursor.fetchone())


def kb_index_build(*, fingerprint: tuple = ()) -> KBIndex:
    return KBIndex.build(
        entities=list(Entity.objects.values_list("id", "kind", "label")),
        aliases=list(EntityAlias.objects.values_list("entity_id", "alias")),
        tenures=list(Tenure.objects.values_list("person_id", "office_id", "start")),
        fingerprint=fingerprint,
        # Title wordings derive from an office's country: "German Chancellor" (titles.py).
        demonyms={
            pk: [d for d in demonyms if isinstance(d, str)]
            for pk, demonyms in Entity.objects.exclude(demonyms=[]).values_list("id", "demonyms")
            if isinstance(demonyms, list)
        },
        jurisdictions=dict(
            Entity.objects.filter(jurisdiction__isnull=False).values_list("id", "jurisdiction_id")
        ),
    )


def kb_index_current() -> KBIndex:
    """The index for the KB as it is now; rebuilt only when the fingerprint changed."""
    global _cached
    fingerprint = kb_fingerprint()
    index = _cached
    if index is not None and index.fingerprint == fingerprint:
        return index
    with _lock:
        if _cached is None or _cached.fingerprint != fingerprint:
            _cached = kb_index_build(fingerprint=fingerprint)
        return _cached


def article_ids_by_uuid(uuids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    return dict(Article.objects.filter(uuid__in=uuids).values_list("uuid", "id"))


def article_ids_all() -> list[int]:
    return list(Article.objects.order_by("id").values_list("id", flat=True))


_people_lock = threading.Lock()
_people_cached: PeopleKB | None = None


def kb_people_build(*, kb: KBIndex) -> PeopleKB:
    """Genders and tenures (with their ends) for pronouns and titles alone, read with the
    office titles of `kb` so that both agree on what a title names."""
    return PeopleKB.build(
        genders=Entity.objects.filter(kind=Entity.Kind.PERSON)
        .exclude(gender="")
        .values_list("id", "gender"),
        tenures=Tenure.objects.values_list("person_id", "office_id", "start", "end"),
        office_signatures=office_signatures(kb.titles),
        country_of=kb.country_of,
        fingerprint=kb.fingerprint,
    )


def kb_people_current(*, kb: KBIndex) -> PeopleKB:
    """The PeopleKB of the same KB state as `kb` (kb_index_current), rebuilt with it."""
    global _people_cached
    people = _people_cached
    if people is not None and people.fingerprint == kb.fingerprint and kb.fingerprint:
        return people
    with _people_lock:
        if (
            _people_cached is None
            or _people_cached.fingerprint != kb.fingerprint
            or not kb.fingerprint
        ):
            _people_cached = kb_people_build(kb=kb)
        return _people_cached
