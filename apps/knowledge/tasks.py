"""Celery tasks of the knowledge base: thin, call one service.

The periodic refresh is a chain of short tasks under the global time limits (a long task would
outlive the broker's visibility timeout and be redelivered to a second worker): the beat task
starts (or resumes) a refresh, each `kb_sync_refresh_continue` works a page or a few and sends the
next message. The progress is in the database (WikidataRefresh), so a lost message only waits for
the next beat."""

from __future__ import annotations

from celery import shared_task

from apps.articles import processing
from apps.knowledge import sync

CONTINUE = "knowledge.kb_sync_refresh_continue"


# Not retried automatically: a refresh that failed resumes at the next beat, and the sync's own
# client already retries what is worth retrying (429, 5xx, timeouts) with backoff.
@shared_task(name="knowledge.kb_sync_refresh")
def kb_sync_refresh() -> str:
    turn = sync.kb_sync_refresh_start()
    if turn.more:
        processing.task_send(CONTINUE, refresh_id=turn.refresh_id, turn=turn.turn)
    return turn.message


@shared_task(name=CONTINUE)
def kb_sync_refresh_continue(*, refresh_id: int, turn: int) -> str:
    done = sync.kb_sync_refresh_continue(refresh_id=refresh_id, turn=turn)
    if done.more:
        processing.task_send(CONTINUE, refresh_id=done.refresh_id, turn=done.turn)
    return done.message
