"""A read snapshot for a long read (a streamed download): one consistent view of the database
for its whole length, that blocks no writer however long the client takes.

PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite: Django's transactions begin
IMMEDIATE here (config/settings.py), which takes the database's one write lock and would stop
every writer, the worker included, until the download ends; a deferred transaction that only
reads holds a snapshot (WAL) and no lock. Inside a caller's transaction, that one is used."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def read_snapshot() -> Iterator[None]:
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")
