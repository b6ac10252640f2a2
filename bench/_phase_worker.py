"""`celery` for bench/import_phases.py: the worker with each SQLite write transaction timed.

Appends one JSON line per transaction that held SQLite's write lock (BEGIN IMMEDIATE to COMMIT or
ROLLBACK) for 20 ms or more to $TX_LOG: its duration, when it ended, and the app functions that
opened it. Bench only: nothing here is imported by the app."""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def install() -> None:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.sqlite3.base import DatabaseWrapper

    begin = DatabaseWrapper._start_transaction_under_autocommit
    commit, rollback = BaseDatabaseWrapper._commit, BaseDatabaseWrapper._rollback

    def started(self):
        begin(self)
        self._bench_tx = (
            time.perf_counter(),
            [
                f"{Path(f.filename).parent.name}.{f.name}"
                for f in traceback.extract_stack()[:-1]
                if "/apps/" in f.filename
            ][-4:],
        )

    def ended(original):
        def end(self):
            try:
                return original(self)
            finally:
                tx = getattr(self, "_bench_tx", None)
                self._bench_tx = None
                if tx is not None:
                    ms = (time.perf_counter() - tx[0]) * 1000
                    if ms >= 20:
                        with open(os.environ["TX_LOG"], "a") as log:
                            log.write(
                                json.dumps({"ms": round(ms, 1), "at": time.time(), "by": tx[1]})
                                + "\n"
                            )

        return end

    DatabaseWrapper._start_transaction_under_autocommit = started
    DatabaseWrapper._commit = ended(commit)
    DatabaseWrapper._rollback = ended(rollback)


if __name__ == "__main__":
    install()
    from celery.__main__ import main

    sys.argv[0] = "celery"
    main()
