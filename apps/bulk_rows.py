"""Inserting many rows without Django's per-value SQL compiler: the bulk writes (a bulk import of
articles, a bulk annotation) write the same rows `bulk_create` (and simple-history's
`bulk_create_with_history`) write, in one statement per table.

Why: `bulk_create` compiles every value of every row through the field (`pre_save`,
`get_db_prep_save`, the SQL compiler's `prepare_value`): for a 20-span annotation it was a third
of the request, for 1,000 articles half a second (bench/README.md, peer operations). Here each
field that stores its Python value as is (text, integers, foreign keys) is passed through, the
others (dates, datetimes, UUIDs, floats, booleans, JSON) go through `get_db_prep_save` exactly as
`bulk_create` does, once per distinct value.

No domain logic: callers check their rows first (bulk writes skip the model's validation, as
`bulk_create` does); the database still enforces every constraint."""

from __future__ import annotations

import functools
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models

# Fields whose Python value is what the database stores (once validated): no conversion.
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.ForeignKey)


def _converters(fields: Sequence[models.Field]) -> list[Callable[[Any], Any] | None]:
    """Per field: None (stored as is), or a conversion of one value as `bulk_create` makes it
    (`get_db_prep_save`), cached per distinct value except for UUIDs (one per row: their own
    conversion, the one UUIDField.get_db_prep_value makes of a UUID)."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each `connection.x` is a thread-local lookup
    native_uuid = db.features.has_native_uuid_field
    out: list[Callable[[Any], Any] | None] = []
    for field in fields:
        if isinstance(field, models.UUIDField):

            def uuid_value(value: Any, field=field) -> Any:
                if isinstance(value, uuid.UUID):
                    return value if native_uuid else value.hex
                return field.get_db_prep_save(value, db)

            out.append(uuid_value)
        elif isinstance(field, _AS_IS):
            out.append(None)
        else:
            cache: dict[Any, Any] = {}

            def cached(value: Any, field=field, cache=cache) -> Any:
                try:
                    return cache[value]
                except KeyError:
                    converted = cache[value] = field.get_db_prep_save(value, db)
                    return converted
                except TypeError:  # unhashable (a JSON value): converted each time
                    return field.get_db_prep_save(value, db)

            out.append(cached)
    return out


def _prepared(fields: Sequence[models.Field], rows: Iterable[list[Any]]) -> list[list[Any]]:
    convert = [(i, c) for i, c in enumerate(_converters(fields)) if c is not None]
    out = []
    for values in rows:
        for i, conversion in convert:
            value = values[i]
            if value is not None:
                values[i] = conversion(value)
        out.append(values)
    return out


def insert_fields(model: type[models.Model]) -> list[models.Field]:
    """The columns an insert writes: every concrete field but an automatic primary key."""
    return [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField))
    ]


def rows_insert(
    model: type[models.Model],
    fields: Sequence[models.Field],
    rows: Iterable[list[Any]],
    *,
    same: Mapping[models.Field, Any] | None = None,
    returning_pk: bool = False,
    ignore_conflicts: bool = False,
) -> list[Any] | None:
    """Insert `rows` (lists of Python values, in `fields` order) into `model`'s table, each also
    with the values of `same` (fields whose value is the same in every row: the state columns of
    new articles). With `returning_pk`, the new primary keys in row order (RETURNING, as
    bulk_create reads them on SQLite and PostgreSQL), in multi-row INSERTs; otherwise COPY on
    PostgreSQL (binary where it can: _copy_types; an INSERT per row costs the server ~0.25 ms
    each, COPY takes 1,000 in a few ms),
    many rows per statement on SQLite (_sqlite_insert), executemany elsewhere.

    On SQLite the values of `same`, and of any other column whose value is the same in every row
    of a large batch (an import's source, language, no dates…), are written once into the
    statement, as the literals SQLite's own quote() makes of them, instead of bound again in each
    row: binding is most of the cost of a wide row (1,000 articles: 30 values bound a row → 11
    took ~25 % less time, 11 → 5 another ~20 %, bench/README.md)."""
    ops = connection.ops
    values = _prepared(fields, rows)
    if not values:
        return [] if returning_pk else None
    same_fields = list(same or ())
    same_values = _prepared(same_fields, [[same[f] for f in same_fields]])[0] if same else []
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in [*fields, *same_fields])
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    with connection.cursor() as cursor:
        literal = connection.vendor == "sqlite" and not returning_pk
        if same_values and not literal:
            values = [[*row, *same_values] for row in values]
        if returning_pk:
            pk = ops.quote_name(model._meta.pk.column)
            width = len(fields) + len(same_fields)
            row_sql = "(" + ", ".join(["%s"] * width) + ")"
            # Within SQLite's 999 parameters per statement (bulk_create's own batch size) and
            # PostgreSQL's 65,535.
            most = connection.features.max_query_params or 65535
            per = max(1, most // width)
            pks: list[Any] = []
            for first in range(0, len(values), per):
                batch = values[first : first + per]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(batch))}"
                    f"{conflict} RETURNING {pk}",
                    [v for row in batch for v in row],
                )
                pks.extend(r[0] for r in cursor.fetchall())
            return pks
        if connection.vendor == "postgresql" and not ignore_conflicts:
            types = _copy_types([*fields, *same_fields])
            sql = f"COPY {table} ({columns}) FROM STDIN" + (" (FORMAT BINARY)" if types else "")
            started = time.monotonic()
            with cursor.cursor.copy(sql) as copy:
                if types:
                    copy.set_types(types)
                for row in values:
                    copy.write_row(row)
            if connection.queries_logged:  # counted and shown like the other statements
                connection.queries_log.append(
                    {
                        "sql": f"{len(values)} rows: {sql}",
                        "time": f"{time.monotonic() - started:.3f}",
                    }
                )
            return None
        if literal:
            _sqlite_insert(cursor, table, columns, values, same_values, conflict)
            return None
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}){conflict}",
            values,
        )
    return None


def _copy_types(fields: Sequence[models.Field]) -> list[int] | None:
    """The PostgreSQL type of each column, for a binary COPY (psycopg then sends each value in
    the column's own binary form: a body as its UTF-8 bytes, not escaped as the text format
    escapes it; a 1,000-article import's COPY took ~25 % less time, bench/README.md). None if
    a column's type is not one psycopg knows by name (then the text format, which needs none)."""
    registry = connection.connection.adapters.types
    oids = []
    for field in fields:
        db_type = field.db_type(connection)
        if not db_type or "[" in db_type:
            return None
        info = registry.get(db_type.split("(", 1)[0].strip())
        if info is None:
            return None
        oids.append(info.oid)
    return oids


def _sqlite_insert(cursor, table: str, columns: str, values, same_values, conflict: str) -> None:
    """The rows in as few statements as SQLite's limit on parameters allows:
    `INSERT … SELECT column1, …, <literals> FROM (VALUES (…), (…), …)`, each row binding only the
    values that differ between rows. One statement for many rows took a third less time than
    executemany's statement per row (1,000 articles, bench/README.md)."""
    width = len(values[0])
    # Columns whose value is the same in every row are written once, as `same` is (for a few
    # rows, the statement that quotes them costs more than binding them). One stays bound: a
    # VALUES row has at least one value.
    many = len(values) >= _SHARED_FROM_ROWS
    shared = [j for j in range(1, width) if many and _one_value(values, j)]
    texts = _sqlite_literals(cursor, [*(values[0][j] for j in shared), *same_values])
    literal = dict(zip(shared, texts, strict=False))
    bound = [j for j in range(width) if j not in literal]
    select = []
    for j in range(width):
        select.append(literal[j] if j in literal else f"column{bound.index(j) + 1}")
    select.extend(texts[len(shared) :])
    row_sql = "(" + ", ".join(["%s"] * len(bound)) + ")"
    limit = cursor.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(limit, _MOST_PARAMETERS) // len(bound))
    for first in range(0, len(values), per):
        batch = values[first : first + per]
        # WHERE true: SQLite's grammar needs it before an ON CONFLICT clause.
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {', '.join(select)} "
            f"FROM (VALUES {', '.join([row_sql] * len(batch))}) WHERE true{conflict}",
            [row[j] for row in batch for j in bound],
        )


# Parameters in one statement at most (SQLite allows 32,766 or more): a statement of this size
# is parsed in about a millisecond.
_MOST_PARAMETERS = 32_766
_SHARED_FROM_ROWS = 64


def _one_value(rows: list[list[Any]], j: int) -> bool:
    first = rows[0][j]
    kind = type(first)
    return all(type(row[j]) is kind and row[j] == first for row in rows)


def _sqlite_literals(cursor, values: list[Any]) -> list[str]:
    """`values` (as bound) as SQL literals, made by SQLite's quote() in one statement; their %
    doubled, for the cursor's %s-to-? conversion to give them back unchanged."""
    if not values:
        return []
    cursor.execute("SELECT " + ", ".join(["quote(%s)"] * len(values)), values)
    return [literal.replace("%", "%%") for literal in cursor.fetchone()]


def objects_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """`model.objects.bulk_create(objs)` for new instances without conflicts: each field's
    `pre_save` (auto_now, defaults already set by the constructor), the primary keys set on the
    instances, which are then saved ones (`_state.adding` False)."""
    fields = insert_fields(model)
    pks = rows_insert(
        model,
        fields,
        ([f.pre_save(obj, True) for f in fields] for obj in objs),
        returning_pk=True,
    )
    for obj, pk in zip(objs, pks or [], strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


@functools.cache
def _history_model(model: type[models.Model]) -> type[models.Model]:
    # `model.history` builds a manager class (from_queryset, inspect.getmembers) on each access:
    # ~0.3 ms, more than writing the rows.
    return model.history.model


def _history_columns(
    model: type[models.Model], *, user_id: int | None, date: Any, history_type: str
) -> tuple[type[models.Model], list[models.Field], dict[str, Any]]:
    """The history model, the columns its rows write, and the values this change gives every
    row (the date, the user, the type, no change reason); the other columns are the item's."""
    history = _history_model(model)
    fields = insert_fields(history)
    made = {
        "history_date": date,
        "history_change_reason": None,
        "history_type": history_type,
        "history_user_id": user_id,
    }
    if hasattr(history, "history_relation"):
        raise NotImplementedError("history_relation is not written by history_insert")
    tracked = {f.attname for f in history.tracked_fields}
    unknown = {f.attname for f in fields} - tracked - set(made)
    if unknown:  # a custom history field: bulk_history_create would leave it to its default
        raise NotImplementedError(f"history fields not written: {sorted(unknown)}")
    return history, fields, made


def history_insert(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    user_id: int | None,
    date: Any,
    history_type: str = "+",
) -> None:
    """The history rows simple-history's bulk_history_create writes for saved `objs` (all
    tracked fields as they are, the date, the user, no change reason), in one statement."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history, fields, made = _history_columns(
        model, user_id=user_id, date=date, history_type=history_type
    )
    rows_insert(
        history,
        fields,
        (
            [made[f.attname] if f.attname in made else getattr(obj, f.attname) for f in fields]
            for obj in objs
        ),
    )


def history_copy(
    queryset: models.QuerySet, *, user_id: int | None, date: Any, history_type: str = "+"
) -> int | None:
    """The rows history_insert writes, for the saved rows `queryset` selects, copied by the
    database from those rows (INSERT … SELECT, in primary key order): their values are not sent
    to the database a second time (for 1,000 new articles, 3 MB of bodies: 30 ms on SQLite).
    Returns the number of rows written (None: history is off)."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return None
    history, fields, made = _history_columns(
        queryset.model, user_id=user_id, date=date, history_type=history_type
    )
    select = queryset.order_by("pk").values_list(
        *(
            models.Value(made[f.attname], output_field=f) if f.attname in made else f.attname
            for f in fields
        )
    )
    sql, params = select.query.sql_with_params()
    ops = connection.ops
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ops.quote_name(history._meta.db_table)} ({columns}) {sql}", params
        )
        return cursor.rowcount
