"""The quote index (QuoteKey) the checks read: refreshed in short transactions, same result."""

from __future__ import annotations

import pytest

from apps.annotations.models import Quote
from apps.checks import loading
from apps.checks.models import QuoteKey
from tests.factories import ArticleFactory, annotate

pytestmark = pytest.mark.django_db

QUOTES = ["We will act", "We are ready", "Talks went well", "Nothing was agreed", "See you soon"]


def test_a_refresh_in_chunks_indexes_every_live_quote_once(annotator, monkeypatch):
    """Written a few rows per transaction (so that SQLite's write lock is never held long), the
    index still ends with one key per quote, and a second refresh has nothing to write."""
    monkeypatch.setattr(loading, "QUOTE_KEYS_PER_TRANSACTION", 2)
    article = ArticleFactory(body=" ".join(f"“{q},” she said." for q in QUOTES))
    quotes = [annotate(article, "quote", q, annotator) for q in QUOTES]
    QuoteKey.objects.all().delete()

    assert loading.quote_index_refresh(article_ids=[article.pk]) == len(QUOTES)
    keys = dict(QuoteKey.objects.values_list("quote_id", "quote_version"))
    assert keys == {q.pk: q.version for q in Quote.objects.filter(pk__in=[q.pk for q in quotes])}
    assert loading.quote_index_refresh(article_ids=[article.pk]) == 0
