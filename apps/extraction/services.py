"""Automatic pre-annotation (filled in by the extraction issue)."""

from __future__ import annotations

from django.utils import timezone

from apps.articles.models import Article


def article_extract(*, article_id: int) -> None:
    Article.objects.filter(pk=article_id).update(extracted_at=timezone.now())
