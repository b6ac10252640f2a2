"""History is append-only in the database itself: PostgreSQL triggers on every historical table
(apps/ops/db_roles.py, installed by every `manage.py migrate`). What a person notices: an edit
through the ORM cannot rewrite history, and a user account that appears in it is deactivated, not
deleted. The app role's side (privileges, switching the triggers off) is tests/ops/test_db_roles.py."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction

from apps.annotations.models import Quote
from apps.ops import db_roles
from tests.factories import UserFactory
from tests.review.conftest import make
from tests.services import require_postgres


@pytest.mark.django_db
def test_it_refuses_to_change_or_delete_a_history_record(annotator):
    require_postgres()
    quote = make("quote", "We need guarantees.", user=annotator)
    records = Quote.history.filter(uuid=quote.uuid)

    # As the app's role the privileges refuse first; as a single owner role, the trigger.
    with pytest.raises(DatabaseError, match="History is append-only: UPDATE|permission denied"):
        with transaction.atomic():
            records.update(history_change_reason="rewritten")
    with pytest.raises(DatabaseError, match="History is append-only: DELETE|permission denied"):
        with transaction.atomic():
            records.delete()

    assert list(records.values_list("history_change_reason", flat=True)) == [None]


@pytest.mark.django_db
def test_it_keeps_a_user_who_appears_in_the_history_from_being_deleted(client, annotator, reviewer):
    """Deleting the account would set history_user to NULL in its records (Django's SET_NULL):
    the history keeps who did what, so that is refused (this pinned the opposite before)."""
    require_postgres()
    quote = make("quote", "We need guarantees.", user=annotator)
    client.force_login(reviewer)
    client.post(f"/review/quote/{quote.uuid}/approve/", {"version": 1})

    with pytest.raises(DatabaseError, match="History is append-only: UPDATE|permission denied"):
        with transaction.atomic():
            reviewer.delete()

    records = Quote.history.filter(uuid=quote.uuid).order_by("history_id")
    assert [(r.history_type, r.history_user_id, r.review_state) for r in records] == [
        ("+", annotator.pk, "proposed"),
        ("~", reviewer.pk, "approved"),
    ]


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests")


@pytest.mark.django_db
def test_it_deactivates_accounts_instead_of_deleting_them_in_the_admin(
    client, superuser, annotator
):
    make("quote", "We need guarantees.", user=annotator)
    never_did_anything = UserFactory(username="typo")
    client.force_login(superuser)

    for user in (annotator, never_did_anything):
        page = client.get(f"/admin/auth/user/{user.pk}/delete/", follow=True)
        assert page.status_code == 200
        text = page.content.decode()
        assert f"The account {user.username} cannot be deleted: the history of the items" in text
        assert "Untick “Active”" in text
        posted = client.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"}, follow=True)
        assert "cannot be deleted" in posted.content.decode()
        assert get_user_model().objects.filter(pk=user.pk).exists()

    listing = client.get("/admin/auth/user/")
    assert b'value="delete_selected"' not in listing.content
    assert b'value="deactivate"' in listing.content
    client.post(
        "/admin/auth/user/",
        {"action": "deactivate", "_selected_action": [annotator.pk, never_did_anything.pk]},
    )
    assert list(
        get_user_model()
        .objects.filter(pk__in=[annotator.pk, never_did_anything.pk])
        .values_list("is_active", flat=True)
    ) == [False, False]


@pytest.mark.django_db
def test_it_protects_every_historical_table():
    """Every historical table there is after migrating, whichever app's migration made it."""
    require_postgres()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgenabled = 'O'"
        )
        triggers = set(cursor.fetchall())
    tables = db_roles.historical_tables()
    assert len(tables) >= 10
    assert {t.split("_historical")[0] for t in tables} >= {
        "articles",
        "annotations",
        "knowledge",
        "checks",
    }
    for table in tables:
        assert (table, db_roles.ROW_TRIGGER) in triggers, table
        assert (table, db_roles.TRUNCATE_TRIGGER) in triggers, table
