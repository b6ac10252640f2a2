"""Celery tasks of the knowledge base: thin, call one service."""

from __future__ import annotations

from celery import shared_task


# Not retried automatically: a refresh that failed is run again at the next beat, and the sync's
# own client already retries what is worth retrying (429, 5xx, timeouts) with backoff.
@shared_task(
    name="knowledge.kb_sync_refresh",
    soft_time_limit=5 * 3600,
    time_limit=5 * 3600 + 300,
    acks_late=True,
    reject_on_worker_lost=True,
)
def kb_sync_refresh() -> str:
    from apps.knowledge.sync import kb_sync_refresh as refresh

    return "\n".join(report.summary() for report in refresh())
