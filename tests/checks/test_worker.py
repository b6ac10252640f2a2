"""The checks through the real Celery task in a separate worker process, on the configured
broker: the run itself, a worker killed in the middle of a check, the same check twice at once.

Redelivery after a SIGKILL: with Redis (CI) the unacknowledged message comes back by itself after
the visibility timeout (the `worker` fixture sets it to 5 s); the filesystem broker (local
default) removes a message when it is fetched, so there a sweep is what finds the article stuck
in "running" past CHECKS_RUNNING_LEASE_SECONDS and runs it again; the test calls the stale sweep
as beat would, with a short lease. (tests/faults/ kills workers in the middle of many articles.)"""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from apps.annotations.models import EntityMention, ReviewState
from apps.articles.models import Article
from apps.checks import services
from apps.checks.loading import corpus_load, kbview_load, snapshots_load
from apps.checks.models import Finding
from apps.checks.registry import CheckContext, run_checks
from apps.checks.tasks import check_article
from tests.checks.conftest import kb_create, seed_like_article

pytestmark = pytest.mark.worker

ON_REDIS = settings.CELERY_BROKER_URL.startswith("redis")


def _state(article: Article) -> str:
    return Article.objects.values_list("check_state", flat=True).get(pk=article.pk)


def _expected_fingerprints(article: Article) -> set[tuple[str, str]]:
    """What a run must leave: the pure checks on the article as it is now."""
    snapshots = snapshots_load([article.pk])
    context = CheckContext(kb=kbview_load(), corpus=corpus_load(snapshots))
    results = run_checks(snapshots[article.pk], context)
    return {(code, d.fingerprint) for code, drafts in results.items() for d in drafts}


def _stored_fingerprints(article: Article) -> list[tuple[str, str]]:
    return sorted(Finding.objects.filter(article=article).values_list("code", "fingerprint"))


def test_it_runs_the_checks_in_the_worker_when_an_article_changes(worker):
    kb = kb_create()
    article = seed_like_article(kb)
    services.article_check_request(article=article)  # autocommit: sent at once
    worker.wait_for(lambda: _state(article) == "done", timeout=60, what="the check task")
    messages = list(Finding.objects.filter(article=article).values_list("code", "message"))
    assert any(
        code == "ROLE_AT_DATE" and "Keir Starmer was not Prime Minister" in m
        for code, m in messages
    )
    assert any(code == "ROLE_AT_DATE" and "not a former President" in m for code, m in messages)
    assert "checks.check_article" in worker.log()


def test_it_finishes_a_check_whose_worker_was_killed_in_the_middle(worker):
    kb = kb_create()
    article = seed_like_article(kb)
    services.article_checks_run(article_id=article.pk)  # claim fails: not requested ...
    Article.objects.filter(pk=article.pk).update(check_state="pending")
    services.article_checks_run(article_id=article.pk)  # ... now it runs
    trump = Finding.objects.get(article=article, message__contains="not a former President")
    # The input changes: the "former President Donald Trump" title is rejected.
    EntityMention.objects.filter(article=article, title_modifier="former").update(
        review_state=ReviewState.REJECTED
    )
    expected = _expected_fingerprints(article)
    assert ("ROLE_AT_DATE", trump.fingerprint) not in expected

    # The request (as article_check_request makes it); the task is sent once the lock is held.
    Article.objects.filter(pk=article.pk).update(
        check_state="pending", check_requested_at=timezone.now()
    )
    release = threading.Event()
    locked = threading.Event()

    def hold_lock():
        # Another transaction holds what the run needs, so the worker stops in the middle.
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    list(Finding.objects.select_for_update().filter(pk=trump.pk))
                else:  # SQLite: one writer at a time; the worker waits at its first write
                    Article.objects.filter(pk=0).update(title="x")
                locked.set()
                release.wait(60)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert locked.wait(10)
    try:
        check_article.delay(article_id=article.pk)
        if connection.vendor == "postgresql":
            # The worker has claimed the run, computed the findings and waits on the lock.
            worker.wait_for(lambda: _waiting_on_lock() > 0, timeout=60, what="the blocked run")
            assert _state(article) == "running"
        else:
            worker.wait_for(lambda: "checks.check_article" in worker.log(), timeout=60)
            time.sleep(1.0)
        worker.kill()
    finally:
        release.set()
        holder.join(30)

    # Nothing half-written: the old findings are all still there.
    assert Finding.objects.filter(pk=trump.pk).exists()
    assert _state(article) != "done"

    if not ON_REDIS:
        # Beat's sweep finds the run dead once its lease is over; the lease is made short here.
        worker.env["CHECKS_RUNNING_LEASE_SECONDS"] = "1"
        time.sleep(1.1)
    worker.start()
    if ON_REDIS:
        # The unacknowledged message is delivered again after the visibility timeout.
        worker.wait_for(lambda: _state(article) == "done", timeout=90, what="the redelivered task")
        assert worker.log().count("Task checks.check_article[") >= 2
    else:
        with transaction.atomic():
            services.checks_sweep_stale()
        worker.wait_for(lambda: _state(article) == "done", timeout=90, what="the sweep's re-run")
    stored = _stored_fingerprints(article)
    assert len(stored) == len(set(stored)), "a finding is duplicated"
    assert set(stored) == expected, "a finding is lost or stale"


def _waiting_on_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_it_waits_for_the_extraction_of_the_current_body_before_checking(worker):
    kb = kb_create()
    article = seed_like_article(kb)
    # The body's extraction is owed (as after an edit): a check message does nothing yet ...
    Article.objects.filter(pk=article.pk).update(extraction_state="pending")
    services.article_check_request(article=article)
    worker.wait_for(
        lambda: "checks.check_article" in worker.log() and "succeeded" in worker.log(),
        timeout=60,
        what="the check task",
    )
    assert _state(article) == "pending"
    assert not Finding.objects.filter(article=article).exists()
    # ... the checks run once extraction of this body is done (its run requests them).
    Article.objects.filter(pk=article.pk).update(extraction_state="done")
    services.article_check_request(article=article)
    worker.wait_for(lambda: _state(article) == "done", timeout=60, what="the checks")
    assert set(_stored_fingerprints(article)) == _expected_fingerprints(article)


def test_it_leaves_one_set_of_findings_when_the_same_check_runs_twice_at_once(worker):
    kb = kb_create()
    article = seed_like_article(kb)
    # Two deliveries of the same request reach the worker, and two runs happen in this process
    # at the same moment.
    Article.objects.filter(pk=article.pk).update(check_state="pending")
    check_article.delay(article_id=article.pk)
    check_article.delay(article_id=article.pk)
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def run():
        try:
            start.wait(10)
            Article.objects.filter(pk=article.pk).update(check_state="pending")
            services.article_checks_run(article_id=article.pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    worker.wait_for(
        lambda: worker.log().count("succeeded") >= 2, timeout=60, what="both deliveries"
    )
    # A run superseded by a later claim writes nothing; the last claimant finishes the job.
    assert _state(article) == "done"
    stored = _stored_fingerprints(article)
    assert len(stored) == len(set(stored))
    assert set(stored) == _expected_fingerprints(article)
    assert Finding.objects.filter(article=article, code="ROLE_AT_DATE").count() == 2
    assert os.getpid() != worker.process.pid
