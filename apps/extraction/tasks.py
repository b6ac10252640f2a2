"""Celery tasks for automatic pre-annotation: thin, call one service.

Idempotent: the drain takes only articles whose extraction is pending and marks each done in the
transaction that writes its proposals (a run killed midway commits nothing and leaves the request
pending); a second run over the same body and KB finds its proposals already there. So acks_late
redelivery and duplicate messages are harmless. Retries only for transient database and broker
errors (a lost connection, a lock timeout). Names are stable for messages already queued."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

RETRY = {
    "autoretry_for": (OperationalError, InterfaceError, BrokerError),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@shared_task(name="extraction.extract_pending", **RETRY)
def extract_pending() -> None:
    from apps.articles.processing import EXTRACT_PENDING, task_send
    from apps.extraction.services import extraction_drain

    if extraction_drain().more:
        task_send(EXTRACT_PENDING)  # the rest in a task of its own, within the time limits


@shared_task(name="extraction.extract_article", **RETRY)
def extract_article(*, article_id: int) -> None:
    from apps.extraction.services import article_extract

    article_extract(article_id=article_id)
