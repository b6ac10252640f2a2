"""History is append-only in the database itself (PostgreSQL triggers, apps/ops/migrations/
0002_history_append_only.py)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from apps.annotations.models import Quote
from tests.review.conftest import make
from tests.services import require_postgres


def historical_models():
    return [
        model
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
        and any(field.name == "history_id" for field in model._meta.fields)
    ]


@pytest.mark.django_db
def test_it_refuses_to_change_or_delete_a_history_record(annotator):
    require_postgres()
    quote = make("quote", "We need guarantees.", user=annotator)
    records = Quote.history.filter(uuid=quote.uuid)

    with pytest.raises(DatabaseError, match="History is append-only: UPDATE"):
        with transaction.atomic():
            records.update(history_change_reason="rewritten")
    with pytest.raises(DatabaseError, match="History is append-only: DELETE"):
        with transaction.atomic():
            records.delete()

    assert list(records.values_list("history_change_reason", flat=True)) == [None]


@pytest.mark.django_db
def test_it_keeps_the_history_when_a_user_account_is_deleted(client, annotator, reviewer):
    require_postgres()
    quote = make("quote", "We need guarantees.", user=annotator)
    client.force_login(reviewer)
    client.post(f"/review/quote/{quote.uuid}/approve/", {"version": 1})
    assert Quote.history.filter(uuid=quote.uuid, history_user=reviewer).count() == 1

    reviewer.delete()

    records = Quote.history.filter(uuid=quote.uuid).order_by("history_id")
    assert [(r.history_type, r.history_user_id, r.review_state) for r in records] == [
        ("+", annotator.pk, "proposed"),
        ("~", None, "approved"),
    ]


@pytest.mark.django_db
def test_it_protects_every_historical_table():
    require_postgres()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = c.relname || '_append_only' AND NOT t.tgisinternal"
        )
        protected = {row[0] for row in cursor.fetchall()}
    tables = {model._meta.db_table for model in historical_models()}
    assert len(tables) >= 10
    assert tables - protected == set(), (
        "These historical tables accept UPDATE and DELETE: add a migration that calls "
        "apps/ops/migrations/0002_history_append_only.protect for them."
    )
