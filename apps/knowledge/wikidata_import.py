"""The Wikidata import: Wikidata entity JSON (files, or the records the sync fetched) written
into the knowledge base in batches, each entity only when its Wikidata revision changed, with
its aliases and tenures; every batch tells the checks which entities changed.

The editors' changes are apps.knowledge.services."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import reset_queries, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from apps import errors
from apps.knowledge import wikidata
from apps.knowledge.models import (
    AliasOrigin,
    Entity,
    EntityAlias,
    EntityKind,
    Precision,
    Tenure,
    normalize_alias,
)
from apps.knowledge.services import LABEL_MAX, KnowledgeError, _notify_checks


class KbImportError(KnowledgeError, errors.Invalid):
    """The file is not Wikidata entity JSON; nothing was imported."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None) -> None:
        super().__init__(message, field="file")
        self.path = path
        self.line = line


@dataclass
class KbImportResult:
    files: int = 0
    entities_seen: int = 0
    entities_created: int = 0
    entities_updated: int = 0
    placeholders_created: int = 0
    skipped: int = 0
    aliases_added: int = 0
    aliases_removed: int = 0
    tenures_created: int = 0
    tenures_updated: int = 0
    tenures_removed: int = 0
    tenures_unchanged: int = 0
    # Entities whose Wikidata revision had not changed since the last import: not rewritten.
    entities_unchanged: int = 0
    # Per kind of entity read ("person", "office", "place", …): added / changed / unchanged.
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    # (outcome "added"/"changed", kind, label, Wikidata id) of each entity written, in order.
    changes: list[tuple[str, str, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changed_entity_ids: set[int] = field(default_factory=set)

    def count(self, kind: str, outcome: str) -> None:
        counts = self.by_kind.setdefault(kind, {"added": 0, "changed": 0, "unchanged": 0})
        counts[outcome] += 1

    def kind_counts(self, kind: str) -> dict[str, int]:
        return self.by_kind.get(kind, {"added": 0, "changed": 0, "unchanged": 0})

    def summary(self) -> str:
        return (
            f"{self.entities_seen} entities read from {self.files} file(s): "
            f"{self.entities_created} created, {self.entities_updated} updated, "
            f"{self.placeholders_created} office placeholders, {self.skipped} skipped; "
            f"aliases {self.aliases_added} added, {self.aliases_removed} removed; "
            f"tenures {self.tenures_created} created, {self.tenures_updated} updated, "
            f"{self.tenures_removed} removed"
        )


@transaction.atomic
def kb_import_files(
    *, paths: Sequence[str | os.PathLike[str]], batch_size: int = 500
) -> KbImportResult:
    """Import Wikidata entity JSON files in one transaction: on a malformed file nothing of any
    file is kept, and the error names the file and the line."""
    result = KbImportResult()
    for path in paths:
        try:
            _import_records(wikidata.read_entities(path), result=result, batch_size=batch_size)
        except wikidata.WikidataFormatError as exc:
            raise KbImportError(str(exc), path=exc.path, line=exc.line) from exc
        result.files += 1
    _notify_checks(result.changed_entity_ids)
    return result


@transaction.atomic
def kb_import_entities(
    *, entities: Iterable[wikidata.EntityRecord], batch_size: int = 500
) -> KbImportResult:
    """Create or update entities (keyed by their Wikidata id), their aliases and their P39
    tenures (keyed by statement id). Imported aliases and tenures the records no longer have
    are removed; those an editor added are kept."""
    result = KbImportResult()
    try:
        _import_records(entities, result=result, batch_size=batch_size)
    except wikidata.WikidataFormatError as exc:
        raise KbImportError(str(exc), path=exc.path, line=exc.line) from exc
    _notify_checks(result.changed_entity_ids)
    return result


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _import_records(
    records: Iterable[wikidata.EntityRecord],
    *,
    result: KbImportResult,
    batch_size: int,
    user=None,
) -> None:
    """`user`: who the history rows name (an editor's import from the KB browser)."""
    for batch in _batches(records, batch_size):
        _import_batch(batch, result, user)
        reset_queries()  # with DEBUG on, Django would keep every bulk INSERT of a large dump


ENTITY_IMPORT_FIELDS = [
    "label",
    "kind",
    "description",
    "gender",
    "demonyms",
    "jurisdiction",
    "wikidata_revision",
    "updated_at",
]


def _history(user) -> dict[str, Any]:
    return {"default_change_reason": "Wikidata import", "default_user": user}


def _import_batch(batch: list[wikidata.EntityRecord], result: KbImportResult, user=None) -> None:
    now = timezone.now()
    records: dict[str, wikidata.EntityRecord] = {}
    for record in batch:
        result.entities_seen += 1
        result.warnings.extend(record.warnings)
        if record.entity_type not in ("item", ""):
            result.skipped += 1
            continue
        records[record.wikidata_id] = record  # a later copy in the same batch wins
    if not records:
        return
    # Incremental: an entity whose Wikidata revision is the one imported last time is left as
    # it is (no row, alias or tenure is read or written for it).
    unchanged = {
        qid: kind
        for qid, kind, revision in Entity.objects.filter(
            wikidata_id__in=[q for q, r in records.items() if r.revision is not None]
        ).values_list("wikidata_id", "kind", "wikidata_revision")
        if revision is not None and revision == records[qid].revision
    }
    for qid, kind in unchanged.items():
        del records[qid]
        result.entities_unchanged += 1
        result.count(kind, "unchanged")
    if not records:
        return
    office_ids = {t.office_id for r in records.values() for t in r.tenures}
    jurisdiction_ids = {r.jurisdiction_id for r in records.values() if r.jurisdiction_id}
    existing = {
        e.wikidata_id: e
        for e in Entity.objects.filter(wikidata_id__in=set(records) | office_ids | jurisdiction_ids)
    }
    # Entities other rows already name as an office (P39 value) are offices.
    held_as_office = set(
        Tenure.objects.filter(office__wikidata_id__in=list(records)).values_list(
            "office__wikidata_id", flat=True
        )
    )

    # 1. Entities. Placeholders first (an office named in a P39, the country of an office, not
    # imported yet), so that the records can point at them; a later import fills them in.
    placeholders = []
    for office_id in sorted(office_ids - set(existing) - set(records)):
        placeholders.append(_placeholder(office_id, EntityKind.OFFICE, now))
    for place_id in sorted(jurisdiction_ids - set(existing) - set(records) - office_ids):
        placeholders.append(_placeholder(place_id, EntityKind.OTHER, now))
    placeholder_ids = {entity.wikidata_id for entity in placeholders}
    for entity in placeholders:
        existing[entity.wikidata_id] = entity
    kinds: dict[str, str] = {}
    for qid, record in records.items():
        kind = record.kind
        if kind != EntityKind.PERSON and (qid in office_ids or qid in held_as_office):
            kind = EntityKind.OFFICE
        kinds[qid] = kind
    # (Placeholders are in `existing` already: a record and its placeholder cannot both be new.)
    created = {qid for qid in records if qid not in existing}
    values_by_qid: dict[str, dict[str, Any]] = {}
    for qid, record in records.items():
        kind = kinds[qid]
        target = existing.get(record.jurisdiction_id) if record.jurisdiction_id else None
        if record.jurisdiction_id in created:
            target = None  # set below, once that entity has its primary key
        values_by_qid[qid] = {
            "label": record.label[:LABEL_MAX],
            "kind": kind,
            "description": record.description,
            "gender": record.gender if kind == EntityKind.PERSON else "",
            "demonyms": record.demonyms,
            "jurisdiction": target if kind == EntityKind.OFFICE else None,
            "wikidata_revision": record.revision,
        }
    # New entities in two waves: offices of a country imported in the same batch come second,
    # so that they are written once, already pointing at it.
    first_wave: list[Entity] = list(placeholders)
    second_wave: list[Entity] = []
    for qid in sorted(created):
        entity = Entity(wikidata_id=qid, created_at=now, updated_at=now, **values_by_qid[qid])
        existing[qid] = entity
        record = records[qid]
        if kinds[qid] == EntityKind.OFFICE and record.jurisdiction_id in created:
            second_wave.append(entity)
        else:
            first_wave.append(entity)
    if first_wave:
        bulk_create_with_history(first_wave, Entity, **_history(user))
    for entity in second_wave:
        target = existing[records[entity.wikidata_id].jurisdiction_id]
        # An office whose jurisdiction is a new office that itself waits for a new country is
        # left without one (no third wave for a shape Wikidata hardly has).
        entity.jurisdiction = target if target.pk else None
    if second_wave:
        bulk_create_with_history(second_wave, Entity, **_history(user))
    to_update: list[Entity] = []
    for qid, values in values_by_qid.items():
        if qid in created:
            continue
        entity = existing[qid]
        if values["kind"] == EntityKind.OFFICE and records[qid].jurisdiction_id in created:
            values["jurisdiction"] = existing[records[qid].jurisdiction_id]
        differs = any(
            (entity.jurisdiction_id != (value.pk if value else None))
            if key == "jurisdiction"
            else getattr(entity, key) != value
            for key, value in values.items()
        )
        if differs:
            for key, value in values.items():
                setattr(entity, key, value)
            entity.updated_at = now
            to_update.append(entity)
    # Offices imported earlier with another kind (before anyone named them in a P39).
    for office_id in office_ids:
        entity = existing[office_id]
        if entity.wikidata_id in created or entity.wikidata_id in placeholder_ids:
            continue
        if entity.kind not in (EntityKind.OFFICE, EntityKind.PERSON):
            if entity not in to_update:
                to_update.append(entity)
            entity.kind = EntityKind.OFFICE
            entity.updated_at = now
    if to_update:
        bulk_update_with_history(
            to_update,
            Entity,
            ENTITY_IMPORT_FIELDS,
            **_history(user),
        )
    updated_rows = {e.pk for e in to_update}
    result.entities_created += len(created)
    result.placeholders_created += len(placeholders)
    result.entities_updated += len(updated_rows)
    result.changed_entity_ids.update(e.pk for e in first_wave + second_wave + to_update)

    # 2. Aliases: the label first, then the others; placeholders get their id as a label.
    wanted: dict[int, list[tuple[str, str, bool]]] = {}
    for qid, record in records.items():
        entity = existing[qid]
        label = entity.label
        rows = [(label, record.language, True)]
        rows += [(a[:LABEL_MAX], lang, False) for a, lang in record.aliases]
        wanted[entity.pk] = rows
    for entity in placeholders:
        wanted[entity.pk] = [(entity.label, "", True)]
    aliases_changed = _sync_aliases(wanted, result, user)

    # 3. Tenures.
    tenures_changed = _sync_tenures(records, existing, result, now, user)

    for qid in records:
        entity = existing[qid]
        if qid in created:
            outcome = "added"
        elif (
            entity.pk in updated_rows
            or entity.pk in aliases_changed
            or entity.pk in tenures_changed
        ):
            outcome = "changed"
        else:
            outcome = "unchanged"
        result.count(entity.kind, outcome)
        if outcome != "unchanged":
            result.changes.append((outcome, entity.kind, entity.label, qid))


def _placeholder(qid: str, kind: str, now: dt.datetime) -> Entity:
    return Entity(wikidata_id=qid, label=qid, kind=kind, created_at=now, updated_at=now)


def _sync_aliases(
    wanted: dict[int, list[tuple[str, str, bool]]], result: KbImportResult, user=None
) -> set[int]:
    """Returns the entities whose aliases changed."""
    current: dict[int, dict[str, EntityAlias]] = {}
    for alias in EntityAlias.objects.filter(entity_id__in=list(wanted)):
        current.setdefault(alias.entity_id, {})[alias.normalized] = alias
    to_create: list[EntityAlias] = []
    to_update: list[EntityAlias] = []
    to_delete: list[int] = []
    changed: set[int] = set()
    for entity_id, rows in wanted.items():
        have = current.get(entity_id, {})
        keep: set[str] = set()
        for text, language, is_label in rows:
            normalized = normalize_alias(text)
            if not normalized or normalized in keep:
                continue
            keep.add(normalized)
            alias = have.get(normalized)
            if alias is None:
                to_create.append(
                    EntityAlias(
                        entity_id=entity_id,
                        alias=text,
                        normalized=normalized,
                        language=language or "en",
                        is_label=is_label,
                        origin=AliasOrigin.IMPORT,
                    )
                )
                changed.add(entity_id)
            elif (alias.alias, alias.is_label) != (text, is_label):
                alias.alias, alias.is_label = text, is_label
                to_update.append(alias)
                changed.add(entity_id)
        for normalized, alias in have.items():
            if normalized in keep:
                continue
            if alias.origin == AliasOrigin.IMPORT:
                to_delete.append(alias.pk)
                changed.add(entity_id)
            elif alias.is_label:
                alias.is_label = False
                to_update.append(alias)
                changed.add(entity_id)
    if to_delete:
        EntityAlias.objects.filter(pk__in=to_delete).delete()
    if to_update:
        bulk_update_with_history(to_update, EntityAlias, ["alias", "is_label"], **_history(user))
    if to_create:
        bulk_create_with_history(to_create, EntityAlias, **_history(user))
    result.aliases_added += len(to_create)
    result.aliases_removed += len(to_delete)
    result.changed_entity_ids.update(changed)
    return changed


def _tenure_fields(tenure: wikidata.TenureRecord) -> dict[str, Any]:
    return {
        "start": tenure.start.value if tenure.start else None,
        "start_precision": tenure.start.precision if tenure.start else Precision.DAY,
        "end": tenure.end.value if tenure.end else None,
        "end_precision": tenure.end.precision if tenure.end else Precision.DAY,
        "end_unknown": tenure.end_unknown,
        "source_url": tenure.source_url,
    }


TENURE_IMPORT_FIELDS = [
    "person",
    "office",
    "start",
    "start_precision",
    "end",
    "end_precision",
    "end_unknown",
    "source_url",
    "updated_at",
]


def _sync_tenures(
    records: dict[str, wikidata.EntityRecord],
    entities: dict[str, Entity],
    result: KbImportResult,
    now: dt.datetime,
    user=None,
) -> set[int]:
    """Returns the people whose tenures changed."""
    person_ids = [entities[qid].pk for qid in records]
    statement_ids = [t.statement_id for r in records.values() for t in r.tenures]
    current = {
        t.statement_id: t
        for t in Tenure.objects.filter(
            Q(statement_id__in=statement_ids)
            | Q(person_id__in=person_ids, statement_id__isnull=False)
        )
    }
    seen: set[str] = set()
    to_create: list[Tenure] = []
    to_update: list[Tenure] = []
    changed: set[int] = set()
    for qid, record in records.items():
        person = entities[qid]
        for statement in record.tenures:
            if statement.statement_id in seen:
                result.warnings.append(
                    f"{qid}: statement {statement.statement_id} appears twice; kept the first"
                )
                continue
            seen.add(statement.statement_id)
            office = entities[statement.office_id]
            values = {"person_id": person.pk, "office_id": office.pk, **_tenure_fields(statement)}
            tenure = current.get(statement.statement_id)
            if tenure is None:
                to_create.append(
                    Tenure(
                        statement_id=statement.statement_id,
                        created_at=now,
                        updated_at=now,
                        **values,
                    )
                )
                changed.update((person.pk, office.pk))
                continue
            differs = {k for k, v in values.items() if getattr(tenure, k) != v}
            if differs:
                changed.update((tenure.person_id, tenure.office_id, person.pk, office.pk))
                for key, value in values.items():
                    setattr(tenure, key, value)
                tenure.updated_at = now
                to_update.append(tenure)
    removed = [
        t for sid, t in current.items() if sid not in seen and t.person_id in set(person_ids)
    ]
    if removed:
        Tenure.objects.filter(pk__in=[t.pk for t in removed]).delete()
        for tenure in removed:
            changed.update((tenure.person_id, tenure.office_id))
    if to_update:
        bulk_update_with_history(to_update, Tenure, TENURE_IMPORT_FIELDS, **_history(user))
    if to_create:
        bulk_create_with_history(to_create, Tenure, **_history(user))
    result.tenures_created += len(to_create)
    result.tenures_updated += len(to_update)
    result.tenures_removed += len(removed)
    result.tenures_unchanged += len(seen) - len(to_create) - len(to_update)
    result.changed_entity_ids.update(changed)
    people = {t.person_id for t in to_create + to_update + removed}
    return people | {t.person_id for t in to_update}
