"""Extraction in a real worker process: the import records the request, its after-commit message
starts the drain in the worker, and the checks follow once extraction is done."""

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
    assert (article.extraction_state, article.check_state) == ("pending", "pending")
    worker.wait_for(
        lambda: Article.objects.get(pk=article.pk).check_state == "done",
        timeout=60,
        what="extraction, then the checks",
    )
    article.refresh_from_db()
    assert article.extraction_state == "done"
    assert article.extracted_sha256 == article.body_sha256
    assert article.check_done_at >= article.extracted_at
    quote = Quote.objects.get(article=article)
    assert quote.speaker.label == "Emmanuel Macron"
    assert "extraction.extract_pending" in worker.log()
