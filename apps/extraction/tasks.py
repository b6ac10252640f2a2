"""Celery tasks for automatic pre-annotation: thin, take ids, call one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="extraction.extract_article")
def extract_article(*, article_id: int) -> None:
    from apps.extraction.services import article_extract

    article_extract(article_id=article_id)
