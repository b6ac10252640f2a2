"""Processing requests: the one place that records "this article needs extraction / checks of its
current revision" and turns that record into Celery tasks.

Why a record and not just a message: a message sent from a web request can be lost (the broker
is down, the worker is killed, the filesystem broker never redelivers). The request is written
on the article (`extraction_state`, `check_state` and their `*_requested_at`) in the transaction
of the change that needs it, so it commits or rolls back with the change. After the commit a
message is sent; when that fails the write still succeeds (it is logged) and the periodic
`processing_sweep` sends it again, for as long as the work is not done.

The messages carry no work of their own: `extraction.extract_pending` and `checks.check_pending`
drain whatever is pending in the database (in batches, oldest request first), so a duplicate is
a no-op and a lost one is made good by any later one. Tasks are sent by name through a
signature: this module imports no tasks module (and nothing above the models)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from celery import current_app, signature
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from apps.articles.models import Article

logger = logging.getLogger(__name__)

ExtractionState = Article.ExtractionState
CheckState = Article.CheckState

EXTRACT_PENDING = "extraction.extract_pending"
CHECK_PENDING = "checks.check_pending"
CHECK_ARTICLE = "checks.check_article"

# What a request or a run changes on an article (to refresh an instance the caller returns).
STATE_FIELDS = [
    "extraction_state",
    "extraction_requested_at",
    "extraction_failed_at",
    "extraction_error",
    "extracted_sha256",
    "extracted_at",
    "check_state",
    "check_requested_at",
    "check_started_at",
    "check_done_at",
    "check_failed_at",
    "check_error",
]

# Extraction of the current body is settled, so the checks may run: done on this body, never
# requested (an article made without an import), or failed on it (the checks then judge what
# people annotated; the failure stays shown). A body edit makes it pending again in the same
# transaction, so "settled" always speaks of the current body.
EXTRACTION_SETTLED = Q(
    extraction_state__in=[ExtractionState.NEVER, ExtractionState.DONE, ExtractionState.FAILED]
)


def checks_owed(now: dt.datetime | None = None) -> Q:
    """Articles whose checks are owed and not being run: requested, or claimed by a run that has
    outlived CHECKS_RUNNING_LEASE_SECONDS (longer than any task may live: its worker died)."""
    now = now or timezone.now()
    lease = now - dt.timedelta(seconds=settings.CHECKS_RUNNING_LEASE_SECONDS)
    return Q(check_state=CheckState.PENDING) | Q(
        check_state=CheckState.RUNNING, check_started_at__lt=lease
    )


def _chunks(article_ids: Iterable[int] | QuerySet) -> tuple[list[int] | None, list]:
    """(the ids, sorted, or None for a queryset of ids), and the pieces to filter on."""
    if isinstance(article_ids, QuerySet):
        return None, [article_ids]
    ids = sorted({int(pk) for pk in article_ids})
    return ids, [ids[i : i + 1000] for i in range(0, len(ids), 1000)]


def extraction_request(*, article_ids: Iterable[int] | QuerySet) -> None:
    """In the caller's transaction: these articles' current bodies need extraction, and then
    their checks (which wait for it). The extraction drain is sent after commit."""
    now = timezone.now()
    touched = 0
    for chunk in _chunks(article_ids)[1]:
        touched += Article.objects.filter(pk__in=chunk).update(**_extraction_requested(now))
    if touched:
        _send_after_commit(EXTRACT_PENDING)


def _extraction_requested(now: dt.datetime) -> dict:
    return {
        "extraction_state": ExtractionState.PENDING,
        "extraction_requested_at": now,
        "extraction_error": "",
        "check_state": CheckState.PENDING,
        "check_requested_at": now,
    }


def extraction_request_new(*, articles: list[Article]) -> None:
    """extraction_request for articles not inserted yet (a bulk import): the same request, set
    on the instances so that it is written with their rows instead of by an UPDATE after them
    (SQLite rewrites a whole row on UPDATE: 3 MB for 1,000 new articles). The caller inserts
    them in this transaction; the drain is sent after commit."""
    if not articles:
        return
    requested = _extraction_requested(timezone.now())
    for article in articles:
        for name, value in requested.items():
            setattr(article, name, value)
    _send_after_commit(EXTRACT_PENDING)


def checks_request(*, article_ids: Iterable[int] | QuerySet) -> None:
    """In the caller's transaction: these articles need their checks run again. One article gets
    a message of its own (an annotation edit answers in about a second); more, the drain."""
    now = timezone.now()
    ids, chunks = _chunks(article_ids)
    touched = 0
    for chunk in chunks:
        touched += Article.objects.filter(pk__in=chunk).update(
            check_state=CheckState.PENDING, check_requested_at=now
        )
    if not touched:
        return
    if ids is not None and len(ids) == 1:
        _send_after_commit(CHECK_ARTICLE, article_id=ids[0])
    else:
        _send_after_commit(CHECK_PENDING)


def _send_after_commit(name: str, **kwargs) -> None:
    """One message per name and arguments per transaction, sent once it commits."""
    key = (name, tuple(sorted(kwargs.items())))
    # Only a send still waiting counts: one that already ran (a callback run early, as tests
    # capturing on-commit callbacks inside one outer transaction do) must not swallow this one.
    if connection.in_atomic_block and any(
        getattr(func, "processing_key", None) == key and not func.sent
        for _, func, *_ in connection.run_on_commit
    ):
        return

    def send() -> None:
        send.sent = True  # type: ignore[attr-defined]
        held = getattr(_held, "messages", None)
        if held is not None and not current_app.conf.task_always_eager:
            if (name, kwargs) not in held:
                held.append((name, kwargs))
            return
        task_send(name, **kwargs)

    send.processing_key = key  # type: ignore[attr-defined]
    send.sent = False  # type: ignore[attr-defined]
    transaction.on_commit(send)


# The messages of a web request, held until its answer is written (sends_held).
_held = threading.local()


@contextmanager
def sends_held() -> Iterator[list[tuple[str, dict]]]:
    """Within: the messages sent after a commit are kept (once each) in the list yielded, for
    the caller to send with sends_release once the answer is on its way. A web request
    (config.middleware.SendAfterResponseMiddleware) thus answers without waiting for the
    broker (a 20-span annotation: ~1 ms of the request). Nothing is lost if the process stops
    in between: the request is recorded on the articles in the committed transaction, and the
    processing sweep sends it again. Eager tasks (CELERY_TASK_ALWAYS_EAGER) are not held: they
    run at the commit, as before."""
    outer = getattr(_held, "messages", None)
    messages: list[tuple[str, dict]] = []
    _held.messages = messages
    try:
        yield messages
    finally:
        _held.messages = outer


def sends_release(messages: list[tuple[str, dict]]) -> None:
    """Send what sends_held kept."""
    while messages:
        name, kwargs = messages.pop(0)
        task_send(name, **kwargs)


_registered = False


def task_send(name: str, **kwargs) -> bool:
    """Send a task by name now. False when the broker cannot take it: logged, and nothing else —
    the request is recorded on the articles and the sweep sends it again."""
    global _registered
    app = current_app
    if not _registered:
        # The tasks of every app, so that a signature finds its task in this process (and runs
        # it inline when CELERY_TASK_ALWAYS_EAGER), without importing a tasks module here.
        app.loader.import_default_modules()
        _registered = True
    task = signature(name, kwargs=kwargs, app=app)
    if app.conf.task_always_eager:
        task.apply_async()  # runs here: its errors are the task's, not the broker's
        return True
    try:
        task.apply_async()
    except (BrokerError, OSError) as exc:
        logger.warning(
            "could not send %s (%s: %s); the work stays recorded on the articles and the "
            "processing sweep sends it again",
            name,
            type(exc).__name__,
            exc,
        )
        return False
    return True


@dataclass
class SweepReport:
    extraction_pending: bool
    checks_owed: bool
    sent: list[str]


def processing_sweep() -> SweepReport:
    """Send the drains again for whatever is still owed (beat runs it every
    PROCESSING_SWEEP_SECONDS): extraction pending, checks pending whose extraction is settled,
    checks whose run died with its worker. Two indexed EXISTS queries when nothing is owed."""
    extraction = Article.objects.filter(extraction_state=ExtractionState.PENDING).exists()
    checks = Article.objects.filter(EXTRACTION_SETTLED).filter(checks_owed()).exists()
    sent = []
    if extraction and task_send(EXTRACT_PENDING):
        sent.append(EXTRACT_PENDING)
    if checks and task_send(CHECK_PENDING):
        sent.append(CHECK_PENDING)
    return SweepReport(extraction_pending=extraction, checks_owed=checks, sent=sent)
