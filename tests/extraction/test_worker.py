"""Extraction in a real worker process, started by the import's after-commit hook."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.annotations.models import Quote
from apps.articles.models import Article
from apps.articles.services import article_import
from tests.factories import EntityFactory

pytestmark = pytest.mark.worker


def test_it_extracts_an_imported_article_in_the_worker(worker):
    EntityFactory(label="Emmanuel Macron", aliases=["Macron"])
    article = article_import(
        title="Talks",
        body="Macron said, “We are ready to act together with our partners.”",
        published_on=dt.date(2026, 1, 7),
    )
    worker.wait_for(
        lambda: Article.objects.get(pk=article.pk).extracted_at is not None,
        timeout=60,
        what="extraction",
    )
    quote = Quote.objects.get(article=article)
    assert quote.speaker.label == "Emmanuel Macron"
