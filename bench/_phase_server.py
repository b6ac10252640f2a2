"""`manage.py` for bench/import_phases.py: runserver with the bulk import's phases timed.

Wraps (without changing them) the functions a bulk import goes through and appends one JSON line
per import to $PHASES_LOG: milliseconds of parse (orjson), checks of the items, lookup of known
external ids, BEGIN IMMEDIATE (the wait for SQLite's write lock), each table's insert, COMMIT,
the answer's body, and the whole view. Bench only: nothing here is imported by the app."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

_local = threading.local()


def _phases() -> dict[str, float]:
    if not hasattr(_local, "phases"):
        _local.phases = {}
    return _local.phases


def _timed(name, func, *, key=None):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            phase = key(*args, **kwargs) if key else name
            phases = _phases()
            phases[phase] = phases.get(phase, 0.0) + (time.perf_counter() - started) * 1000

    return wrapper


def install() -> None:
    import django

    django.setup()
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from apps import bulk_rows
    from apps.api import bulk_import
    from apps.articles import bulk

    DatabaseWrapper._start_transaction_under_autocommit = _timed(
        "begin (lock wait)", DatabaseWrapper._start_transaction_under_autocommit
    )
    DatabaseWrapper._commit = _timed("commit", DatabaseWrapper._commit)
    bulk_import.BulkJSONParser.parse = _timed("parse", bulk_import.BulkJSONParser.parse)
    bulk._checked_items = _timed("checks", bulk._checked_items)
    bulk.rows_insert = _timed(
        "insert",
        bulk_rows.rows_insert,
        key=lambda model, *a, **k: f"insert {model._meta.model_name}",
    )
    bulk.history_copy = _timed("insert historicalarticle (copy)", bulk_rows.history_copy)
    bulk_import.imported_body = _timed("answer", bulk_import.imported_body)
    inner = bulk_import.bulk_import_response

    def response(request):
        _local.phases = {}
        started = time.perf_counter()
        try:
            return inner(request)
        finally:
            phases = _phases()
            phases["view"] = (time.perf_counter() - started) * 1000
            phases["condition"] = request.headers.get("X-Bench-Condition", "")
            rounded = {k: round(v, 1) if isinstance(v, float) else v for k, v in phases.items()}
            with open(os.environ["PHASES_LOG"], "a") as log:
                log.write(json.dumps(rounded) + "\n")

    bulk_import.bulk_import_response = response


if __name__ == "__main__":
    install()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", *sys.argv[1:]])
