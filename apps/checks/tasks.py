"""Celery tasks for the checks: thin, take ids, call one service.

Every task is idempotent (the services claim their work with a conditional UPDATE and replace
findings by fingerprint), acknowledged late and rejected when the worker dies (global settings),
so a message is delivered again rather than lost. Only database and broker errors are retried,
with exponential backoff: a bug fails the run and is shown on the article."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

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


@shared_task(name="checks.check_article", soft_time_limit=60, time_limit=90, **RETRY)
def check_article(*, article_id: int) -> None:
    from apps.checks.services import article_checks_run

    article_checks_run(article_id=article_id)


@shared_task(name="checks.check_batch", soft_time_limit=240, time_limit=300, **RETRY)
def check_batch(*, article_ids: list[int]) -> None:
    from apps.checks.services import articles_checks_run

    articles_checks_run(article_ids=article_ids)


@shared_task(name="checks.sweep_stale", soft_time_limit=240, time_limit=300, **RETRY)
def sweep_stale() -> None:
    from apps.checks.services import checks_sweep_stale

    checks_sweep_stale()


@shared_task(name="checks.kb_changed", soft_time_limit=240, time_limit=300, **RETRY)
def kb_changed_recheck(*, entity_ids: list[int]) -> None:
    from apps.checks.services import kb_changed_recheck as recheck

    recheck(entity_ids=entity_ids)
