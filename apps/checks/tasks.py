"""Celery tasks for the checks: thin, take ids, call one service.

Every task is idempotent (the services claim their work with a conditional UPDATE and replace
findings by fingerprint), acknowledged late and rejected when the worker dies (global settings),
so a message is delivered again rather than lost. Time limits are the global ones
(CELERY_TASK_SOFT_TIME_LIMIT / CELERY_TASK_TIME_LIMIT), from which the running lease and the Redis
visibility timeout are derived (config/settings.py). Only database and broker errors are retried,
with exponential backoff: a bug fails the run and is shown on the article. Names are stable:
messages queued by an older release still find their task."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from apps.articles import processing
from apps.checks import services

TRANSIENT = (OperationalError, InterfaceError, BrokerError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@shared_task(name="checks.check_article", **RETRY)
def check_article(*, article_id: int) -> None:
    services.article_checks_run(article_id=article_id)


@shared_task(name="checks.check_pending", **RETRY)
def check_pending() -> None:
    if services.checks_run_pending().more:
        processing.task_send(
            processing.CHECK_PENDING
        )  # the rest in a task of its own, within the time limits


@shared_task(name="checks.check_batch", **RETRY)
def check_batch(*, article_ids: list[int]) -> None:
    services.articles_checks_run(article_ids=article_ids)


@shared_task(name="checks.sweep_stale", **RETRY)
def sweep_stale() -> None:
    services.checks_sweep_stale()


@shared_task(name="checks.kb_changed", **RETRY)
def kb_changed_recheck(*, entity_ids: list[int]) -> None:
    services.kb_changed_recheck(entity_ids=entity_ids)
