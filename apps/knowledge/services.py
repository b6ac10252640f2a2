"""Writes for the knowledge base: the Wikidata import and the editors' changes.

Every writer tells the checks which entities changed (`kb_changed`), so the articles that mention
them are checked again after commit.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import reset_queries, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from apps import errors
from apps.accounts import roles
from apps.checks import kb_changes
from apps.knowledge import wikidata
from apps.knowledge.models import (
    AliasOrigin,
    Entity,
    EntityAlias,
    EntityKind,
    Precision,
    Tenure,
    bound_latest,
    normalize_alias,
)

LABEL_MAX = 300
WIKIDATA_ID_MAX = 32


class KnowledgeError(errors.DomainError):
    """Invalid input or a broken rule about the knowledge base; the message is for the user (HTTP
    400/422). The subclasses below are the other kinds of apps.errors."""


class NotAllowed(KnowledgeError, errors.NotAllowed):
    """The user's role forbids this (HTTP 403)."""


class Conflict(KnowledgeError, errors.Conflict):
    """Someone else changed the item first (HTTP 409); `current` is the item as it is now."""


class AlreadyInKB(KnowledgeError, errors.Invalid):
    """The Wikidata id belongs to an entity already in the KB (`existing`, to link to)."""

    def __init__(self, message: str, *, existing: Entity, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.existing = existing


class KbImportError(KnowledgeError, errors.Invalid):
    """The file is not Wikidata entity JSON; nothing was imported."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None) -> None:
        super().__init__(message, field="file")
        self.path = path
        self.line = line


def _notify_checks(entity_ids: Iterable[int]) -> None:
    ids = sorted(set(entity_ids))
    if ids:
        kb_changes.kb_changed(entity_ids=ids)


# --- Import -----------------------------------------------------------------------------------


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


# --- Editors' changes -------------------------------------------------------------------------


def _require_editor(user) -> None:
    if not roles.can_edit(user):
        raise NotAllowed("Only editors can change the knowledge base.")


def _clean_label(label: str | None, *, field: str = "label", what: str = "label") -> str:
    text = " ".join((label or "").split())
    if not text:
        raise KnowledgeError(f"The {what} cannot be empty.", field=field)
    if len(text) > LABEL_MAX:
        raise KnowledgeError(
            f"The {what} is {len(text)} characters long; the limit is {LABEL_MAX}.", field=field
        )
    return text


def _clean_kind(kind: str) -> str:
    if kind not in EntityKind.values:
        raise KnowledgeError(
            f"Unknown kind {kind!r}; use one of {', '.join(EntityKind.values)}.", field="kind"
        )
    return kind


def _clean_wikidata_id(value: str | None, *, exclude_pk: int | None = None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > WIKIDATA_ID_MAX or any(c.isspace() for c in text):
        raise KnowledgeError(
            f"{text[:40]!r} is not a Wikidata id (like Q22686).", field="wikidata_id"
        )
    clash = Entity.objects.filter(wikidata_id=text).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise AlreadyInKB(
            f"{text} is already the Wikidata id of “{clash.label}”.",
            existing=clash,
            field="wikidata_id",
        )
    return text


def _check_version(obj: Entity | Tenure, expected_updated_at: dt.datetime | None, what: str):
    if expected_updated_at is not None and obj.updated_at != expected_updated_at:
        raise Conflict(
            f"The {what} was changed by someone else since you opened it. Reload it and make "
            "your change again.",
            current=obj,
        )


def _set_label_alias(entity: Entity, label: str) -> None:
    """The label is stored as an alias with is_label; the previous label stays as an alias."""
    normalized = normalize_alias(label)
    EntityAlias.objects.filter(entity=entity, is_label=True).exclude(normalized=normalized).update(
        is_label=False
    )
    alias = EntityAlias.objects.filter(entity=entity, normalized=normalized).first()
    if alias is None:
        EntityAlias.objects.create(
            entity=entity,
            alias=label,
            normalized=normalized,
            is_label=True,
            origin=AliasOrigin.MANUAL,
        )
    elif not alias.is_label or alias.alias != label:
        alias.is_label = True
        alias.alias = label
        alias.save()


@transaction.atomic
def entity_create(
    *,
    user,
    label: str,
    kind: str,
    description: str = "",
    wikidata_id: str | None = None,
    aliases: Sequence[str] = (),
) -> Entity:
    _require_editor(user)
    entity = Entity(
        label=_clean_label(label),
        kind=_clean_kind(kind),
        description=(description or "").strip(),
        wikidata_id=_clean_wikidata_id(wikidata_id),
    )
    entity._history_user = user
    entity.save()
    _set_label_alias(entity, entity.label)
    for alias in aliases:
        if normalize_alias(alias) != normalize_alias(entity.label):
            entity_alias_add(user=user, entity=entity, alias=alias)
    _notify_checks([entity.pk])
    return entity


@transaction.atomic
def entity_update(
    *,
    user,
    entity: Entity,
    label: str | None = None,
    kind: str | None = None,
    description: str | None = None,
    expected_updated_at: dt.datetime | None = None,
) -> Entity:
    """Change an entity's label, kind or description (None leaves a field as it is)."""
    _require_editor(user)
    locked = Entity.objects.select_for_update().get(pk=entity.pk)
    _check_version(locked, expected_updated_at, "entity")
    changes: dict[str, Any] = {}
    if label is not None:
        changes["label"] = _clean_label(label)
    if kind is not None:
        changes["kind"] = _clean_kind(kind)
    if description is not None:
        changes["description"] = description.strip()
    changes = {k: v for k, v in changes.items() if getattr(locked, k) != v}
    if not changes:
        return locked
    new_kind = changes.get("kind")
    if new_kind is not None:
        if new_kind != EntityKind.PERSON and locked.tenures.exists():
            raise KnowledgeError(
                f"“{locked.label}” holds offices in the knowledge base; only a person can. "
                "Remove those tenures first.",
                field="kind",
            )
        if new_kind != EntityKind.OFFICE and locked.holder_tenures.exists():
            raise KnowledgeError(
                f"“{locked.label}” is an office that people held; it has to stay an office. "
                "Remove those tenures first.",
                field="kind",
            )
    for key, value in changes.items():
        setattr(locked, key, value)
    locked._history_user = user
    locked.save()
    if "label" in changes:
        _set_label_alias(locked, locked.label)
    _notify_checks([locked.pk])
    entity.refresh_from_db()
    return locked


@transaction.atomic
def entity_alias_add(*, user, entity: Entity, alias: str, language: str = "en") -> EntityAlias:
    _require_editor(user)
    text = _clean_label(alias, field="alias", what="alias")
    normalized = normalize_alias(text)
    existing = EntityAlias.objects.filter(entity=entity, normalized=normalized).first()
    if existing is not None:
        raise KnowledgeError(
            f"“{entity.label}” already has the alias “{existing.alias}”.", field="alias"
        )
    row = EntityAlias(
        entity=entity,
        alias=text,
        normalized=normalized,
        language=(language or "en").strip()[:16] or "en",
        origin=AliasOrigin.MANUAL,
    )
    row._history_user = user
    row.save()
    _notify_checks([entity.pk])
    return row


@transaction.atomic
def entity_alias_remove(*, user, alias: EntityAlias) -> None:
    _require_editor(user)
    if alias.is_label:
        raise KnowledgeError(
            f"“{alias.alias}” is the entity's label; change the label instead of removing it.",
            field="alias",
        )
    entity_id = alias.entity_id
    alias._history_user = user
    alias.delete()
    _notify_checks([entity_id])


@dataclass
class _TenureInput:
    person: Entity
    office: Entity
    start: dt.date | None
    start_precision: str
    end: dt.date | None
    end_precision: str
    end_unknown: bool
    source_url: str


def _clean_tenure(data: _TenureInput, *, exclude_pk: int | None = None) -> _TenureInput:
    if data.person.kind != EntityKind.PERSON:
        raise KnowledgeError(
            f"“{data.person.label}” is not a person (it is a {data.person.get_kind_display()}); "
            "only people hold offices.",
            field="person",
        )
    if data.office.kind != EntityKind.OFFICE:
        raise KnowledgeError(
            f"“{data.office.label}” is not an office (it is a {data.office.get_kind_display()}).",
            field="office",
        )
    for name in ("start_precision", "end_precision"):
        if getattr(data, name) not in Precision.values:
            raise KnowledgeError(
                f"Unknown precision {getattr(data, name)!r}; use year, month or day.", field=name
            )
    for name in ("start", "end"):
        value = getattr(data, name)
        if value is not None and not isinstance(value, dt.date):
            raise KnowledgeError(f"The {name} must be a date.", field=name)
    if data.start is not None:
        data.start = _first_day(data.start, data.start_precision)
    if data.end is not None:
        data.end = _first_day(data.end, data.end_precision)
    if data.end_unknown and data.end is not None:
        raise KnowledgeError(
            "Give either an end date or “ended, date unknown”, not both.", field="end"
        )
    if data.start is not None and data.end is not None and data.end < data.start:
        if bound_latest(data.end, data.end_precision) < data.start:
            raise KnowledgeError(
                f"The tenure ends ({data.end.isoformat()}) before it starts "
                f"({data.start.isoformat()}).",
                field="end",
            )
        data.end = data.start  # "2019" ending a tenure begun 2019-05-20: same year, consistent
    source_url = (data.source_url or "").strip()
    if source_url:
        try:
            URLValidator(schemes=["http", "https"])(source_url)
        except ValidationError:
            raise KnowledgeError(f"{source_url[:80]!r} is not a web address.", field="source_url")
        if len(source_url) > 500:
            raise KnowledgeError(
                "The source address is longer than 500 characters.", field="source_url"
            )
    data.source_url = source_url
    overlapping = _overlapping_tenure(data, exclude_pk=exclude_pk)
    if overlapping is not None:
        raise KnowledgeError(
            f"{data.person.label} already holds {data.office.label} from "
            f"{_date_text(overlapping.start)} to {_date_text(overlapping.end, current=overlapping.is_current)}; "
            "the tenures would overlap.",
            field="start",
        )
    return data


def _first_day(value: dt.date, precision: str) -> dt.date:
    if precision == Precision.YEAR:
        return dt.date(value.year, 1, 1)
    if precision == Precision.MONTH:
        return dt.date(value.year, value.month, 1)
    return value


def _date_text(value: dt.date | None, *, current: bool = False) -> str:
    if value is None:
        return "today" if current else "an unknown date"
    return value.isoformat()


def _interval(
    start: dt.date | None, end: dt.date | None, end_precision: str, end_unknown: bool
) -> tuple[dt.date, dt.date] | None:
    """The days a tenure surely covers, as far as it is known (None when nothing is known)."""
    low = start or dt.date.min
    if end is not None:
        return low, bound_latest(end, end_precision)  # type: ignore[return-value]
    if end_unknown:
        return (low, low) if start is not None else None
    return low, dt.date.max


def _overlapping_tenure(data: _TenureInput, *, exclude_pk: int | None) -> Tenure | None:
    """Another tenure of the same person in the same office that overlaps this one. Touching
    (one ends the day the next starts, as consecutive terms do) is not overlapping."""
    mine = _interval(data.start, data.end, data.end_precision, data.end_unknown)
    if mine is None:
        return None
    others = Tenure.objects.filter(person=data.person, office=data.office).exclude(pk=exclude_pk)
    for other in others.order_by("start", "id"):
        theirs = _interval(other.start, other.end, other.end_precision, other.end_unknown)
        if theirs is None:
            continue
        if mine[0] == theirs[0] or (mine[0] < theirs[1] and theirs[0] < mine[1]):
            return other
    return None


@transaction.atomic
def tenure_create(
    *,
    user,
    person: Entity,
    office: Entity,
    start: dt.date | None,
    end: dt.date | None = None,
    start_precision: str = Precision.DAY,
    end_precision: str = Precision.DAY,
    end_unknown: bool = False,
    source_url: str = "",
) -> Tenure:
    """A person holding an office; `end` empty (and not `end_unknown`) means still in office."""
    _require_editor(user)
    data = _clean_tenure(
        _TenureInput(
            person=person,
            office=office,
            start=start,
            start_precision=start_precision,
            end=end,
            end_precision=end_precision,
            end_unknown=end_unknown,
            source_url=source_url,
        )
    )
    tenure = Tenure(**data.__dict__)
    tenure._history_user = user
    tenure.save()
    _notify_checks([person.pk, office.pk])
    return tenure


TENURE_EDITABLE = {
    "person",
    "office",
    "start",
    "start_precision",
    "end",
    "end_precision",
    "end_unknown",
    "source_url",
}


@transaction.atomic
def tenure_update(
    *, user, tenure: Tenure, expected_updated_at: dt.datetime | None = None, **fields: Any
) -> Tenure:
    """Change some of a tenure's fields (person, office, start, start_precision, end,
    end_precision, end_unknown, source_url)."""
    _require_editor(user)
    unknown = set(fields) - TENURE_EDITABLE
    if unknown:
        raise KnowledgeError(f"Cannot change {', '.join(sorted(unknown))} of a tenure.")
    locked = Tenure.objects.select_for_update().select_related("person", "office").get(pk=tenure.pk)
    _check_version(locked, expected_updated_at, "tenure")
    before = (locked.person_id, locked.office_id)
    values = {name: getattr(locked, name) for name in TENURE_EDITABLE}
    values.update(fields)
    data = _clean_tenure(_TenureInput(**values), exclude_pk=locked.pk)
    changed = [k for k, v in data.__dict__.items() if getattr(locked, k) != v]
    if not changed:
        return locked
    for key in changed:
        setattr(locked, key, getattr(data, key))
    locked._history_user = user
    locked.save()
    _notify_checks([*before, locked.person_id, locked.office_id])
    tenure.refresh_from_db()
    return locked


@transaction.atomic
def tenure_delete(*, user, tenure: Tenure) -> None:
    _require_editor(user)
    ids = [tenure.person_id, tenure.office_id]
    tenure._history_user = user
    tenure.delete()
    _notify_checks(ids)
