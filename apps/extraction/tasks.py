"""Celery tasks for automatic pre-annotation: thin, call one service.

Idempotent: the drain takes only articles whose extraction is pending and marks each done in the
transaction that writes its proposals (a run killed midway commits nothing and leaves the request
pending); a second run over the same body and KB finds its proposals already there. So acks_late
redelivery and duplicate messages are harmless. Retries only for transient database and broker
errors (a lost connection, a lock timeout) and the soft time limit; an article such an error hits
alone on every retry is marked failed with the reason (it must not block the others, nor be
dropped without a word). Names are stable for messages already queued."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from apps.articles import processing
from apps.extraction import services

RETRYABLE_ERRORS = (OperationalError, InterfaceError, SoftTimeLimitExceeded)
RETRY = {
    "autoretry_for": (OperationalError, InterfaceError, BrokerError, SoftTimeLimitExceeded),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@shared_task(name="extraction.extract_pending", bind=True, **RETRY)
def extract_pending(self) -> None:
    """A retry first takes the articles one per transaction, as many as a batch holds: the one
    a retryable error keeps hitting is then alone, the others before it get done; on the last
    retry that article is marked failed with the reason, and the drain goes on with the rest."""
    retries = self.request.retries or 0
    try:
        if retries:
            services.extraction_drain(batch_size=1, max_batches=services.BATCH_SIZE)
        more = services.extraction_drain().more
    except RETRYABLE_ERRORS as exc:
        ids = getattr(exc, "extraction_ids", [])
        if retries < self.max_retries or len(ids) != 1:
            raise
        services.extraction_give_up(article_id=ids[0], exc=exc, attempts=retries + 1)
        more = True
    if more:
        processing.task_send(
            processing.EXTRACT_PENDING
        )  # the rest in a task of its own, within the time limits


@shared_task(name="extraction.extract_article", **RETRY)
def extract_article(*, article_id: int) -> None:
    services.article_extract(article_id=article_id)
