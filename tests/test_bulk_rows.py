"""apps.bulk_rows.rows_insert: what it stores is what it is given, on either database, however
the rows are sent (SQLite: many rows per statement, the values every row shares written once)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from apps.bulk_rows import insert_fields, rows_insert

pytestmark = pytest.mark.django_db


def _rows(content_type, numbers):
    return [[f"Can 100% 'do' %s ? thing {n}", content_type.pk, f"bulk_rows_{n}"] for n in numbers]


@pytest.mark.parametrize("count", [1, 63, 64, 700])
def test_rows_are_stored_as_given_and_conflicts_can_be_skipped(count):
    content_type = ContentType.objects.get_for_model(Permission)
    fields = insert_fields(Permission)
    assert [f.attname for f in fields] == ["name", "content_type_id", "codename"]
    rows_insert(Permission, fields, _rows(content_type, range(count)))
    stored = Permission.objects.filter(codename__startswith="bulk_rows_")
    assert sorted(stored.values_list("name", "content_type_id", "codename")) == sorted(
        tuple(row) for row in _rows(content_type, range(count))
    )
    # Again with as many new rows: the known ones are skipped, the new ones written.
    rows_insert(Permission, fields, _rows(content_type, range(2 * count)), ignore_conflicts=True)
    assert stored.count() == 2 * count
    assert stored.get(codename=f"bulk_rows_{2 * count - 1}").name.endswith(f"thing {2 * count - 1}")


def test_rows_over_the_parameter_limit_go_in_several_statements(monkeypatch):
    monkeypatch.setattr("apps.bulk_rows._MOST_PARAMETERS", 7)  # SQLite: two rows a statement
    test_rows_are_stored_as_given_and_conflicts_can_be_skipped(65)
