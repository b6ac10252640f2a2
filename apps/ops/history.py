"""Reads for the history pages: who changed what and when, field by field, for every item type
that keeps a history (django-simple-history's historical tables).

Records are looked up by the item's public uuid in its historical table, so the history of an
item that has since been deleted stays readable. Items that own small dependents show their
dependents' changes too: a claim its evidence, an entity its aliases. The number of queries does
not grow with the number of records: one per historical table read, one per kind of related
object named in the changes."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from apps.accounts import roles
from apps.annotations.models import Claim, DateMention, EntityMention, Evidence, Quote
from apps.articles.models import Article
from apps.checks.models import Finding
from apps.knowledge.models import Entity, EntityAlias, Tenure

# How much of a long text is shown around a change (article bodies are long).
LONG_TEXT = 240
CONTEXT = 60


def _history_types() -> dict[str, dict[str, Any]]:
    return {
        "article": {"model": Article, "label": "article", "title": "title"},
        "claim": {
            "model": Claim,
            "label": "claim",
            "title": "exact",
            "children": [(Evidence, "claim_id", "evidence", "url")],
        },
        "quote": {"model": Quote, "label": "quote", "title": "exact"},
        "mention": {"model": EntityMention, "label": "entity mention", "title": "exact"},
        "date": {"model": DateMention, "label": "date mention", "title": "exact"},
        "evidence": {"model": Evidence, "label": "evidence", "title": "url"},
        "finding": {"model": Finding, "label": "finding", "title": "message"},
        "entity": {
            "model": Entity,
            "label": "KB entity",
            "title": "label",
            "children": [(EntityAlias, "entity_id", "alias", "alias")],
        },
        "tenure": {"model": Tenure, "label": "tenure", "title": ""},
    }


HISTORY_KINDS = (
    "article",
    "claim",
    "quote",
    "mention",
    "date",
    "evidence",
    "finding",
    "entity",
    "tenure",
)


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    date: dt.datetime
    user: str
    action: str  # created, changed, deleted
    reason: str
    subject: str  # "" for the item itself, else e.g. "alias “PM”"
    changes: list[Change] = field(default_factory=list)
    history_id: int = 0


@dataclass
class ItemHistory:
    kind: str
    label: str
    title: str
    uuid: Any
    deleted: bool
    entries: list[Entry]
    live_url: str = ""


def _shorten_pair(old: str, new: str) -> tuple[str, str]:
    """For long texts, only the changed stretch with some context on each side."""
    if len(old) <= LONG_TEXT and len(new) <= LONG_TEXT:
        return old, new
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    lo = max(0, start - CONTEXT)

    def cut(text: str, end: int) -> str:
        piece = text[lo : min(len(text), end + CONTEXT)]
        if len(piece) > LONG_TEXT * 2:
            piece = piece[: LONG_TEXT * 2] + " […]"
        return ("…" if lo > 0 else "") + piece + ("…" if end + CONTEXT < len(text) else "")

    return cut(old, end_old), cut(new, end_new)


class _Resolver:
    """Shows foreign keys by name (a user's username, an entity's label), loading each related
    table once for all the records of the page."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = {}
        self.names: dict[tuple[type[models.Model], Any], str] = {}

    def want(self, model: type[models.Model], pk: Any) -> None:
        if pk is not None:
            self.wanted.setdefault(model, set()).add(pk)

    def load(self) -> None:
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        for model, pks in self.wanted.items():
            queryset = model._base_manager.filter(pk__in=pks)
            if model is user_model:
                rows = queryset.values_list("pk", "username")
            else:
                name_field = next(
                    (
                        f
                        for f in ("label", "title", "exact", "name", "message")
                        if any(x.name == f for x in model._meta.concrete_fields)
                    ),
                    None,
                )
                rows = (
                    queryset.values_list("pk", name_field)
                    if name_field
                    else [(pk, str(pk)) for pk in queryset.values_list("pk", flat=True)]
                )
            for pk, name in rows:
                text = str(name)
                self.names[(model, pk)] = text if len(text) <= 80 else text[:79] + "…"

    def name(self, model: type[models.Model], pk: Any) -> str:
        if pk is None:
            return ""
        return self.names.get((model, pk), f"#{pk} (deleted)")


def _fields(record) -> list[models.Field]:
    return [f for f in record.tracked_fields if f.editable and not f.primary_key]


def _display(field_obj: models.Field, value: Any, resolver: _Resolver) -> str:
    if value is None or value == "":
        return ""
    if isinstance(field_obj, models.ForeignKey):
        return resolver.name(field_obj.related_model, value)
    if field_obj.choices:
        return str(dict(field_obj.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _value(record, field_obj: models.Field) -> Any:
    return getattr(record, field_obj.attname)


def _entries_for(records: list, subject_of, resolver: _Resolver) -> list[tuple[Any, Entry, list]]:
    """Pair each record with the one before it (per object) and note the FKs to resolve."""
    previous: dict[Any, Any] = {}
    pending: list[tuple[Any, Entry, list]] = []
    for record in records:
        prev = previous.get(record.id)
        previous[record.id] = record
        action = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
        raw: list[tuple[models.Field, Any, Any]] = []
        if record.history_type == "+" or prev is None:
            for f in _fields(record):
                value = _value(record, f)
                if value not in (None, "", [], {}):
                    raw.append((f, None, value))
        elif record.history_type == "~":
            names = {c.field for c in record.diff_against(prev).changes}
            for f in _fields(record):
                if f.name in names:
                    raw.append((f, _value(prev, f), _value(record, f)))
        for f, old, new in raw:
            if isinstance(f, models.ForeignKey):
                resolver.want(f.related_model, old)
                resolver.want(f.related_model, new)
        entry = Entry(
            date=record.history_date,
            user=record.history_user.get_username() if record.history_user else "",
            action=action,
            reason=record.history_change_reason or "",
            subject=subject_of(record),
            history_id=record.history_id,
        )
        pending.append((record, entry, raw))
    return pending


def item_history(*, kind: str, item_uuid, user) -> ItemHistory:
    """The history page's read: people with a Factdesk role."""
    if not roles.can_read(user):
        raise PermissionDenied("You need a Factdesk role to read the history.")
    return item_history_unchecked(kind=kind, item_uuid=item_uuid)


def item_history_unchecked(*, kind: str, item_uuid) -> ItemHistory:
    """The history of one item, for a caller that has already decided who may read it (the API
    lets any valid key read, see apps.accounts.permissions.APIAccess)."""
    types = _history_types()
    if kind not in types:
        raise Http404("No history for this type of item.")
    spec = types[kind]
    model = spec["model"]
    records = list(
        model.history.filter(uuid=item_uuid)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    if not records:
        raise Http404(f"No {spec['label']} with this id has any history.")
    item_id = records[-1].id
    resolver = _Resolver()
    pending = _entries_for(records, lambda record: "", resolver)
    for child_model, fk_name, child_label, child_title in spec.get("children", []):
        child_records = list(
            child_model.history.filter(**{fk_name: item_id})
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        pending += _entries_for(
            child_records,
            lambda record, label=child_label, attr=child_title: (
                f"{label} “{getattr(record, attr) or record.id}”"
            ),
            resolver,
        )
    last = records[-1]
    named_by = [f for f in _fields(last) if f.name in ("person", "office")]
    for f in named_by:
        resolver.want(f.related_model, _value(last, f))
    resolver.load()
    entries = []
    for _record, entry, raw in pending:
        for f, old, new in raw:
            old_text, new_text = _display(f, old, resolver), _display(f, new, resolver)
            if isinstance(old, str) and isinstance(new, str):
                old_text, new_text = _shorten_pair(old_text, new_text)
            elif len(new_text) > LONG_TEXT * 2:
                new_text = new_text[: LONG_TEXT * 2] + " […]"
            entry.changes.append(Change(str(f.verbose_name), old_text, new_text))
        entries.append(entry)
    entries.sort(key=lambda e: (e.date, e.history_id), reverse=True)
    if named_by:  # a tenure is named after its person and office
        title = " — ".join(resolver.name(f.related_model, _value(last, f)) for f in named_by)
    else:
        title = str(getattr(last, spec["title"]) or "")
    return ItemHistory(
        kind=kind,
        label=spec["label"],
        title=title,
        uuid=item_uuid,
        deleted=last.history_type == "-",
        entries=entries,
    )
