"""Writes for the knowledge base: the editors' changes (entities, aliases, tenures), and the
knowledge base's errors. The Wikidata import (files, and the sync's batches) is
apps.knowledge.wikidata_import.

Every writer tells the checks which entities changed (`kb_changed`), so the articles that mention
them are checked again after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from apps import errors
from apps.accounts import roles
from apps.checks import kb_changes
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


def _notify_checks(entity_ids: Iterable[int]) -> None:
    ids = sorted(set(entity_ids))
    if ids:
        kb_changes.kb_changed(entity_ids=ids)


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
