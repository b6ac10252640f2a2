"""Writes for the consistency checks: requesting a run, running it, the findings lifecycle."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.articles.models import Article


def article_check_request(*, article: Article) -> None:
    """Mark the article's checks as pending and run them in the worker after commit."""
    from apps.checks.tasks import check_article

    Article.objects.filter(pk=article.pk).update(
        check_state=Article.CheckState.PENDING, check_requested_at=timezone.now()
    )
    article_id = article.pk
    transaction.on_commit(lambda: check_article.delay(article_id=article_id))


def article_checks_run(*, article_id: int) -> None:
    Article.objects.filter(pk=article_id).update(
        check_state=Article.CheckState.DONE, check_done_at=timezone.now()
    )


def checks_sweep_stale() -> None:
    return None


def kb_changed(*, entity_ids: list[int]) -> None:
    """Re-check, after commit, the articles that mention any of these KB entities (or hold a
    title of these offices). Called by every KB writer."""
    return None


def finding_set_state(
    *, finding, user, state: str, reason: str = "", expected_version: int | None = None
):
    """open → acknowledged / resolved / dismissed (reason required), by a reviewer."""
    raise NotImplementedError
