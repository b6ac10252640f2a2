"""Queries compiled to SQL once per database connection and run again with a new parameter.

Django's compiler builds the SQL of a `.values()` query each time it runs: about 0.5 ms for a
query of a wide model, more than running it on SQLite. The hot reads (the API's fetch of one
article, the API key and its user on every request, a person's roles) compile theirs once per
connection (each thread of a threaded server has its own) and keep the database's converters,
so the rows hold the same Python values as the ORM gives. The SQL is the ORM's own: the same
query, only not rebuilt. No domain logic here."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet


class CompiledValues:
    """A `.values()` queryset with exactly one parameter (a placeholder value in its filter),
    compiled for `connection`; `run()` executes it with another value for that parameter."""

    def __init__(self, queryset: QuerySet, connection) -> None:
        query = queryset.query
        self.names = [*query.extra_select, *query.values_select, *query.annotation_select]
        self.compiler = query.get_compiler(connection=connection)
        self.sql, self.params = self.compiler.as_sql()
        if len(self.params) != 1:
            raise AssertionError(f"expected one parameter, got {self.params!r}")
        fields = [col[0] for col in self.compiler.select[: self.compiler.col_count]]
        self.converters = self.compiler.get_converters(fields)

    def rows(self, connection, param: Any) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, (param,))
            rows = cursor.fetchall()
        if self.converters:
            return [tuple(row) for row in self.compiler.apply_converters(rows, self.converters)]
        return rows

    def run(self, connection, param: Any) -> list[dict[str, Any]]:
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in self.rows(connection, param)]

    def instances(self, connection, param: Any, model: type[Model]) -> list[Model]:
        """The rows as instances of `model`, as the ORM's own iteration makes them
        (`Model.from_db`), for a queryset of `instance_values`."""
        names = self.names
        return [model.from_db(connection.alias, names, row) for row in self.rows(connection, param)]


def instance_values(queryset: QuerySet, *, defer: tuple[str, ...] = ()) -> QuerySet:
    """`queryset.values()` of its model's concrete fields (their attnames, in the model's order)
    but `defer`: the rows CompiledValues.instances turns into instances."""
    meta = queryset.model._meta
    return queryset.values(*(f.attname for f in meta.concrete_fields if f.name not in defer))


_compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def compiled(connection, name: str, build: Callable[[Any], Any]) -> Any:
    """`build(connection)` made once per connection and name (a CompiledValues, or a dict of
    them), then reused."""
    per_connection = _compiled.get(connection)
    if per_connection is None:
        per_connection = _compiled[connection] = {}
    found = per_connection.get(name)
    if found is None:
        found = per_connection[name] = build(connection)
    return found
