"""Celery tasks for automatic pre-annotation: thin, take ids, call one service."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError


# Idempotent: a second run over the same body and KB finds its proposals already there and
# writes nothing but the timestamp (see article_extract), so acks_late redelivery is harmless.
# Retries only for transient database errors (a lost connection, a lock timeout).
@shared_task(
    name="extraction.extract_article",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=120,
    max_retries=5,
)
def extract_article(*, article_id: int) -> None:
    from apps.extraction.services import article_extract

    article_extract(article_id=article_id)
