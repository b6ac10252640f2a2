"""Celery tasks for the checks: thin, take ids, call one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="checks.check_article")
def check_article(*, article_id: int) -> None:
    from apps.checks.services import article_checks_run

    article_checks_run(article_id=article_id)


@shared_task(name="checks.sweep_stale")
def sweep_stale() -> None:
    from apps.checks.services import checks_sweep_stale

    checks_sweep_stale()
