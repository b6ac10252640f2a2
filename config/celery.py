"""The Celery application. Tasks live in each app's tasks.py and are found by autodiscovery."""

from __future__ import annotations

import gc
import os
from collections import deque

from celery import Celery
from celery.signals import task_postrun, worker_init
from django.db import connections, reset_queries
from django.db.backends.base.base import BaseDatabaseWrapper

from config.memory import trim_if_grown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("factdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Under DEBUG (`make run`) Django keeps the SQL of each connection's last 9,000 queries, and only
# a web request clears them. A worker extracting a few thousand articles (drains of many batches
# in one task) held them all: 175 MiB instead of 115 MiB after 1,000 articles. The worker keeps
# the last few, enough to look at, and forgets them after each task.
WORKER_DEBUG_QUERIES_KEPT = 200


@worker_init.connect
def _freeze_startup_objects(**kwargs) -> None:
    # `--beat` forks beat's process from the worker once the app is loaded. Without this, the
    # child's first garbage collections wrote to every object of the app it inherited, so
    # copy-on-write gave it private copies of those pages: ~65 MiB PSS for a process that only
    # sends the schedule's messages. Frozen objects are left out of collections (gc.freeze()).
    gc.freeze()


@worker_init.connect
def _keep_few_debug_queries(**kwargs) -> None:
    BaseDatabaseWrapper.queries_limit = WORKER_DEBUG_QUERIES_KEPT
    for connection in connections.all(initialized_only=True):
        connection.queries_log = deque(maxlen=WORKER_DEBUG_QUERIES_KEPT)


@task_postrun.connect
def _forget_debug_queries(**kwargs) -> None:
    reset_queries()
    # An extraction drain reads and parses batches of bodies: give the freed heap back.
    trim_if_grown()


@app.task(name="factdesk.ping")
def ping(*, token: str) -> str:
    """Answers with the token: used by /healthz-style checks and the real-worker test."""
    return f"pong:{token}"
