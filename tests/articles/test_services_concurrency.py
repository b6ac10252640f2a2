"""Pushing the same new article from several clients at once (PostgreSQL: real row and index
locks between real connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from apps.articles.models import Article, ArticleRevision
from apps.articles.services import ArticleConflict, article_import
from tests.factories import UserFactory
from tests.services import require_postgres

pytestmark = pytest.mark.postgres

THREADS = 8


def test_it_creates_one_article_when_the_same_external_id_is_pushed_at_once(transactional_db):
    require_postgres()
    pushers = [UserFactory(username=f"pusher-{i}", role="annotator") for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    results: list[object] = []
    lock = threading.Lock()

    def push(user) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                outcome: object = article_import(
                    title="Budget vote delayed",
                    body="The budget vote was delayed again on Tuesday.",
                    external_id="cms-42",
                    created_by=user,
                ).pk
            except ArticleConflict as conflict:
                outcome = conflict
            with lock:
                results.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=push, args=(user,)) for user in pushers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    article = Article.objects.get(external_id="cms-42")  # exactly one
    assert len(results) == THREADS
    created = [r for r in results if not isinstance(r, ArticleConflict)]
    conflicts = [r for r in results if isinstance(r, ArticleConflict)]
    assert created and all(pk == article.pk for pk in created)
    for conflict in conflicts:
        assert "created at the same moment" in conflict.message
        assert conflict.current.pk == article.pk
    # One article, at revision 1, made once: one creation in its history, no body kept twice.
    assert article.revision == 1
    assert article.history.filter(history_type="+").count() == 1
    assert not ArticleRevision.objects.filter(article=article).exists()
